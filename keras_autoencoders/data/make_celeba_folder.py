"""Write small folders in the official CelebA layout, for tests and demos (docs/data.md): :func:`write_celeba_folder`
writes ``img_align_celeba/000001.jpg ...``, ``list_attr_celeba.txt`` (formatted like the official file) and
``list_eval_partition.txt``; the images are synthetic cartoon faces whose look follows a few attributes (so that a
conditional model has something to learn), or the first images of a real CelebA-layout folder resized (``source=``).
Command line::

    python -m keras_autoencoders.data.make_celeba_folder OUT --count N --size 178x218 [--source DIR] [--seed S]"""
from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Optional, Sequence

import numpy as np
from PIL import Image, ImageDraw

from .celeba import (ATTRIBUTE_FILE, ATTRIBUTE_NAMES, IMAGE_FOLDER, IMAGE_SIZE, PARTITION_FILE, find_celeba_root,
                     read_attribute_file, read_partition_file)
from .locations import PathLike

CORRUPT_MODES = ("truncate", "garbage")

_SKIN_PALE = (246, 226, 212)
_SKIN_TONES = ((224, 180, 145), (190, 140, 100), (140, 95, 65))
_HAIR_BLOND = (232, 204, 120)
_HAIR_BLACK = (28, 24, 24)
_HAIR_OTHER = ((112, 72, 40), (150, 80, 40), (90, 60, 45))


def format_attribute_file(filenames: Sequence[str], names: Sequence[str], values: np.ndarray) -> str:
    """An attribute file's text as the official one: a count line, the names (with the official trailing space),
    then rows as ``000001.jpg -1  1  1 -1`` (the values after the first right-aligned in 3 characters)."""
    lines = [str(len(filenames)), " ".join(names) + " "]
    lines += [f"{name} {row[0]}" + "".join(f"{v:3d}" for v in row[1:]) if row else name
              for name, row in zip(filenames, values.tolist())]
    return "\n".join(lines) + "\n"


def format_partition_file(filenames: Sequence[str], partition: Sequence[int]) -> str:
    """A partition file's text: one ``name split`` row per image."""
    return "".join(f"{name} {int(split)}\n" for name, split in zip(filenames, partition))


def synthetic_attributes(count: int, names: Sequence[str], rng: np.random.Generator) -> np.ndarray:
    """Random ±1 attributes (int8, ``(count, len(names))``), about half +1 each; the hair colour is one
    of blond / black / other, so ``Blond_Hair`` and ``Black_Hair`` are never both +1."""
    values = rng.choice(np.array([-1, 1], dtype=np.int8), size=(count, len(names)))
    if "Blond_Hair" in names and "Black_Hair" in names:
        hair = rng.integers(0, 3, size=count)
        values[:, list(names).index("Blond_Hair")] = np.where(hair == 0, 1, -1)
        values[:, list(names).index("Black_Hair")] = np.where(hair == 1, 1, -1)
    return values


def _jitter(colour: Sequence[int], rng: np.random.Generator, amount: int = 12) -> tuple[int, ...]:
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in colour)


def draw_face(attrs: dict[str, bool], size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """A cartoon face of ``size`` (width, height) whose look follows ``attrs`` (name -> is +1; missing names count as
    -1): skin from ``Pale_Skin``, mouth from ``Smiling``, rings round the eyes from ``Eyeglasses``, short hair and a
    beard band from ``Male``, hair colour from ``Blond_Hair`` / ``Black_Hair``, a hat from ``Wearing_Hat``."""
    w, h = size
    on = lambda name: bool(attrs.get(name, False))  # noqa: E731 - tiny local helper
    img = Image.new("RGB", (w, h), tuple(int(c) for c in rng.integers(40, 216, size=3)))
    draw = ImageDraw.Draw(img)
    cx, cy = w * (0.5 + rng.uniform(-0.03, 0.03)), h * (0.56 + rng.uniform(-0.03, 0.03))
    fw, fh = w * 0.30, h * 0.30  # half-axes of the face ellipse
    line = max(1, round(w / 60))

    if on("Blond_Hair"):
        hair = _jitter(_HAIR_BLOND, rng)
    elif on("Black_Hair"):
        hair = _jitter(_HAIR_BLACK, rng, 8)
    else:
        hair = _jitter(_HAIR_OTHER[rng.integers(len(_HAIR_OTHER))], rng)
    skin = _jitter(_SKIN_PALE, rng, 6) if on("Pale_Skin") else _jitter(_SKIN_TONES[rng.integers(len(_SKIN_TONES))], rng)

    male = on("Male")
    if not male:  # long hair falling behind the face to the shoulders
        draw.rounded_rectangle((cx - fw * 1.25, cy - fh * 1.15, cx + fw * 1.25, cy + fh * 1.45), radius=fw * 0.6,
                               fill=hair)
    draw.ellipse((cx - fw, cy - fh, cx + fw, cy + fh), fill=skin)
    top, fringe = cy - fh * 1.12, cy - fh * (0.55 if male else 0.4)  # a hair cap down to the fringe (lower for women)
    draw.chord((cx - fw * 1.02, top, cx + fw * 1.02, 2 * fringe - top), 180, 360, fill=hair)
    if male:  # darker jaw / beard band
        draw.chord((cx - fw, cy - fh * 0.2, cx + fw, cy + fh), 20, 160, fill=tuple(int(c * 0.55) for c in hair))

    ex, ey, er = fw * 0.42, cy - fh * 0.12, max(1.0, fw * 0.11)
    for sx in (cx - ex, cx + ex):
        draw.ellipse((sx - er, ey - er * 0.8, sx + er, ey + er * 0.8), fill=(30, 30, 40))
        if on("Eyeglasses"):
            ring = er * 2.4
            draw.ellipse((sx - ring, ey - ring, sx + ring, ey + ring), outline=(15, 15, 15), width=line * 2)
    if on("Eyeglasses"):
        draw.line((cx - ex + er * 2.4, ey, cx + ex - er * 2.4, ey), fill=(15, 15, 15), width=line * 2)

    my, mw, lips = cy + fh * 0.45, fw * 0.45, (150, 40, 50)
    if on("Smiling"):
        draw.arc((cx - mw, my - fh * 0.3, cx + mw, my + fh * 0.12), 20, 160, fill=lips, width=line * 2)
    else:
        draw.line((cx - mw * 0.8, my, cx + mw * 0.8, my), fill=lips, width=line * 2)

    if on("Wearing_Hat"):
        hat = tuple(int(c) for c in rng.integers(0, 256, size=3))
        draw.rectangle((cx - fw * 0.85, cy - fh * 1.55, cx + fw * 0.85, cy - fh * 0.7), fill=hat)
        draw.rectangle((cx - fw * 1.3, cy - fh * 0.8, cx + fw * 1.3, cy - fh * 0.62), fill=hat)
    return img


def _copy_resized(src: pathlib.Path, dst: pathlib.Path, size: tuple[int, int], quality: int) -> None:
    with Image.open(src) as im:
        if im.size == tuple(size) and im.format == "JPEG":
            shutil.copyfile(src, dst)
        else:
            im.convert("RGB").resize(tuple(size), Image.Resampling.LANCZOS).save(dst, "JPEG", quality=quality)


def write_celeba_folder(root: PathLike, count: int = 64, image_size: tuple[int, int] = IMAGE_SIZE, *,
                        attribute_names: Sequence[str] = ATTRIBUTE_NAMES,
                        partition: Optional[tuple[int, int, int]] = None, seed: int = 0,
                        source: Optional[PathLike] = None, quality: int = 90) -> pathlib.Path:
    """Write ``count`` images of ``image_size`` (width, height) and the two text files in the CelebA layout under
    ``root``: seeded :func:`draw_face` faces of :func:`synthetic_attributes`, or the first ``count`` of ``source`` (a
    CelebA-layout folder) resized. ``partition``: train / valid / test counts (``None``: all train, or the source's)."""
    root = pathlib.Path(root)
    width, height = (int(v) for v in image_size)
    if count < 0 or width < 1 or height < 1:
        raise ValueError(f"count must be >= 0 and image_size positive, got {count}, {image_size}")
    if partition is not None and (len(partition) != 3 or min(partition) < 0 or sum(partition) != count):
        raise ValueError(f"partition must be three non-negative counts (train, valid, test) summing to "
                         f"count={count}, got {tuple(partition)!r}")
    names, image_dir = tuple(attribute_names), root / IMAGE_FOLDER
    image_dir.mkdir(parents=True, exist_ok=True)

    if source is None:
        rng, filenames = np.random.default_rng(seed), [f"{i + 1:06d}.jpg" for i in range(count)]
        values, splits = synthetic_attributes(count, names, rng), np.zeros(count, dtype=np.int8)
        for name, row in zip(filenames, values):
            attrs = {a: v > 0 for a, v in zip(names, row.tolist())}
            draw_face(attrs, (width, height), rng).save(image_dir / name, "JPEG", quality=quality)
    else:
        src_root = find_celeba_root(source)
        src_names, src_attr_names, src_values = read_attribute_file(src_root / ATTRIBUTE_FILE)
        if count > len(src_names):
            raise ValueError(f"{src_root} lists {len(src_names)} images, fewer than count={count}")
        missing = [a for a in names if a not in src_attr_names]
        if missing:
            raise ValueError(f"{src_root / ATTRIBUTE_FILE} has no attribute(s) {', '.join(missing)}")
        filenames = src_names[:count].tolist()
        values = src_values[:count, [src_attr_names.index(a) for a in names]]
        if partition is None:
            src_partition = read_partition_file(src_root / PARTITION_FILE)
            splits = np.array([src_partition[name] for name in filenames], dtype=np.int8)
        jobs = [(src_root / IMAGE_FOLDER / name, image_dir / name) for name in filenames]
        with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) + 1)) as pool:
            list(pool.map(lambda job: _copy_resized(*job, (width, height), quality), jobs))

    if partition is not None:
        splits = np.repeat(np.arange(3, dtype=np.int8), [int(c) for c in partition])
    (root / ATTRIBUTE_FILE).write_text(format_attribute_file(filenames, names, values))
    (root / PARTITION_FILE).write_text(format_partition_file(filenames, splits))
    return root


def corrupt_jpeg(path: PathLike, mode: str = "truncate") -> pathlib.Path:
    """Damage a JPEG in place, for tests: ``"truncate"`` keeps the first half, failing :func:`~.celeba.scan_jpegs`;
    ``"garbage"`` zeroes every byte but the first 4 and the last 2, so the scan passes while decoding fails."""
    path = pathlib.Path(path)
    data = path.read_bytes()
    if mode == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif mode == "garbage":
        if len(data) < 8:
            raise ValueError(f"{path}: too short ({len(data)} bytes) to corrupt in the middle")
        path.write_bytes(data[:4] + bytes(len(data) - 6) + data[-2:])
    else:
        raise ValueError(f"mode must be one of {CORRUPT_MODES}, got {mode!r}")
    return path


def _parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 178x218, got {text!r}") from None
    return width, height


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_autoencoders.data.make_celeba_folder",
                                     description="Write a small folder in the official CelebA layout (synthetic "
                                                 "faces, or resized copies of a real CelebA folder).")
    parser.add_argument("out", type=pathlib.Path, help="folder to write")
    parser.add_argument("--count", type=int, default=64, help="number of images (default 64)")
    parser.add_argument("--size", type=_parse_size, default=IMAGE_SIZE,
                        help="image size WIDTHxHEIGHT (default 178x218, the official size)")
    parser.add_argument("--source", type=pathlib.Path, default=None,
                        help="a CelebA-layout folder to copy the first COUNT images from")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic faces")
    parser.add_argument("--quality", type=int, default=90, help="JPEG quality (default 90)")
    args = parser.parse_args(argv)
    root = write_celeba_folder(args.out, args.count, args.size, seed=args.seed, source=args.source,
                               quality=args.quality)
    what = f"copies of {args.source}" if args.source else "synthetic faces"
    print(f"wrote {args.count} images ({args.size[0]}x{args.size[1]}, {what}) to "
          f"{root / IMAGE_FOLDER}, and {root / ATTRIBUTE_FILE}, {root / PARTITION_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
