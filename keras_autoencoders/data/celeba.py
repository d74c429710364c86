"""CelebA, the data section of the CelebA CVAE article ("VAE for dummies"): indexing and checking its 202,599 aligned
and cropped faces (178x218 pixels) and the 40 binary attributes the model is conditioned on, in the official layout:
``celeba/img_align_celeba/*.jpg``, ``list_attr_celeba.txt`` (a count line, the 40 names, then ``000001.jpg -1  1 ...``
rows) and ``list_eval_partition.txt`` (``000001.jpg 0`` rows: 0 train, 1 valid, 2 test). No download (docs/data.md)."""
from __future__ import annotations

import os
import pathlib
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Optional, Sequence

import numpy as np

from keras_autoencoders.errors import FileLineError, SettingsError, UnknownAttributeError

from .checks import check_choice
from .image_index import ImageRows
from .locations import DataFolder, PathLike
from .text_files import TextLayout, listing, read_table

#: The 40 attribute names of ``list_attr_celeba.txt``, in file order.
ATTRIBUTE_NAMES: tuple[str, ...] = (
    "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs", "Big_Lips", "Big_Nose",
    "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows", "Chubby", "Double_Chin", "Eyeglasses",
    "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones", "Male", "Mouth_Slightly_Open", "Mustache", "Narrow_Eyes",
    "No_Beard", "Oval_Face", "Pale_Skin", "Pointy_Nose", "Receding_Hairline", "Rosy_Cheeks", "Sideburns", "Smiling",
    "Straight_Hair", "Wavy_Hair", "Wearing_Earrings", "Wearing_Hat", "Wearing_Lipstick", "Wearing_Necklace",
    "Wearing_Necktie", "Young")

CELEBA_FOLDER = "celeba"
IMAGE_FOLDER = "img_align_celeba"
ATTRIBUTE_FILE = "list_attr_celeba.txt"
PARTITION_FILE = "list_eval_partition.txt"
SPLITS = ("train", "valid", "test")
IMAGE_SIZE = (178, 218)  #: Size of the official aligned images, (width, height).
OFFICIAL_COUNT = 202_599  #: Number of images in the official set.

ON_CORRUPT_CHOICES = ("skip", "raise")
JPEG_START = b"\xff\xd8\xff"
JPEG_END = b"\xff\xd9"
JPEG_TAIL_BYTES = 1024  #: How many bytes at the end of a file are searched for the end-of-image marker.

CELEBA = DataFolder(
    CELEBA_FOLDER, "CelebA", (IMAGE_FOLDER, ATTRIBUTE_FILE, PARTITION_FILE),
    "CelebA has no automatic download. Get it from the official CelebA page "
    "(https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html): the aligned-and-cropped images ('Align&Cropped Images', "
    f"img_align_celeba.zip, unzipped to {IMAGE_FOLDER}/) and the two text files {ATTRIBUTE_FILE} (Anno) and "
    f"{PARTITION_FILE} (Eval), all in one folder named {CELEBA_FOLDER}/.")


class CelebaFormatError(FileLineError):
    """A CelebA text file or image is not in the expected format (the file and line as in :class:`FileLineError`)."""


class CorruptImageWarning(UserWarning):
    """Some listed images are corrupt or truncated and were skipped."""


#: ``list_attr_celeba.txt``: a count line, the attribute names, then a file name and one value per
#: attribute, 1 or -1, a row (the official file right-aligns the values).
ATTRIBUTES = TextLayout(CelebaFormatError, ("file name",), "value", {"-1": -1, "1": 1}, "1 or -1",
                        header=("count", "names"))
#: ``list_eval_partition.txt``: a file name and its split a row, 0 train, 1 valid, 2 test.
PARTITION = TextLayout(CelebaFormatError, ("file name",), "split", {"0": 0, "1": 1, "2": 2},
                       "0 (train), 1 (valid) or 2 (test)")


def read_attribute_file(path: PathLike) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """``list_attr_celeba.txt``'s file names (numpy str), attribute names and int8 ±1 values ``(n, len(names))``."""
    table = read_table(path, ATTRIBUTES)
    return table.keys, table.names, table.values


def read_partition_file(path: PathLike) -> dict[str, int]:
    """``list_eval_partition.txt`` as ``{file name: split}`` in file order."""
    table = read_table(path, PARTITION)
    return dict(zip(table.keys.tolist(), table.values[:, 0].tolist()))


def find_celeba_root(data_dir: Optional[PathLike] = None) -> pathlib.Path:
    """The CelebA folder (holding ``img_align_celeba/`` and the two text files), as :meth:`DataFolder.find` finds it."""
    return CELEBA.find(data_dir)


def _jpeg_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a complete JPEG, or ``None`` when its markers look right."""
    try:  # raw file descriptors: about twice as fast as file objects over 200k files
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            size, head = os.fstat(fd).st_size, os.read(fd, len(JPEG_START))
            os.lseek(fd, max(size - JPEG_TAIL_BYTES, 0), os.SEEK_SET)
            tail = os.read(fd, JPEG_TAIL_BYTES)
        finally:
            os.close(fd)
    except OSError as exc:
        return f"cannot be read ({type(exc).__name__}: {exc})"
    if not head:
        return "empty file"
    if head != JPEG_START:
        return "does not start with the JPEG start-of-image marker FF D8 FF"
    if JPEG_END not in tail:
        return f"no end-of-image marker FF D9 in its last {JPEG_TAIL_BYTES} bytes (truncated?)"
    return None


def scan_jpegs(paths: Sequence[PathLike], on_corrupt: str = "skip", stacklevel: int = 1) -> np.ndarray:
    """Boolean mask of the files whose JPEG markers look right: FF D8 FF first, FF D9 in the last 1 KiB (202,599 files
    in seconds; what still fails to decode is left to the tf.data pipeline). ``on_corrupt="skip"``: one
    :class:`CorruptImageWarning` counts the bad files; ``"raise"``: a :class:`CelebaFormatError` names the first."""
    check_choice("on_corrupt", on_corrupt, ON_CORRUPT_CHOICES)
    names, workers = [os.fspath(p) for p in paths], min(16, 4 * (os.cpu_count() or 1))
    chunk = max(64, -(-len(names) // (workers * 8)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pieces = pool.map(lambda piece: [_jpeg_problem(p) for p in piece],
                          [names[i:i + chunk] for i in range(0, len(names), chunk)])
        problems = [problem for piece in pieces for problem in piece]
    good = np.array([problem is None for problem in problems], dtype=bool)
    bad = np.flatnonzero(~good).tolist()
    if bad and on_corrupt == "raise":
        raise CelebaFormatError(names[bad[0]], None, f"corrupt JPEG: {problems[bad[0]]}")
    if bad:
        listed = [f"{os.path.basename(names[i])} ({problems[i]})" for i in bad]
        warnings.warn(f"{len(bad)} of {len(names)} images are corrupt or truncated and were skipped: "
                      f"{listing(listed)}", CorruptImageWarning, stacklevel=stacklevel + 1)
    return good


@dataclass(frozen=True, eq=False)
class CelebaIndex(ImageRows):
    """File names, attributes (int8 ±1, ``(n, len(attribute_names))``) and split (int8 0 train,
    1 valid, 2 test) of CelebA images, no pixels; ``skipped`` names the files dropped as corrupt."""

    IMAGE_FOLDER = IMAGE_FOLDER
    ROW_FIELDS = ("filenames", "attributes", "partition")
    ATTRIBUTE_FIELD = "attributes"
    SPLITS = SPLITS

    root: pathlib.Path
    filenames: np.ndarray
    attributes: np.ndarray
    attribute_names: tuple[str, ...]
    partition: np.ndarray
    skipped: tuple[str, ...] = ()

    def __repr__(self) -> str:
        splits = ", ".join(f"{name}={c}" for name, c in self.split_counts().items())
        return (f"CelebaIndex(root={str(self.root)!r}, images={len(self)} ({splits}), "
                f"attributes={len(self.attribute_names)}, skipped={len(self.skipped)})")

    def conditions(self) -> np.ndarray:
        """The model's condition vectors: float32 1.0 where an attribute is +1, else 0.0."""
        return (self.attributes > 0).astype(np.float32)

    def split_codes(self) -> np.ndarray:
        return self.partition


def _check_fractions(fractions: Sequence[float]) -> np.ndarray:
    f = np.asarray(fractions, dtype=np.float64)
    if f.shape != (3,) or not np.all(np.isfinite(f)) or np.any(f < 0) or f.sum() <= 0:
        raise SettingsError(
            f"fallback_split must be three non-negative fractions (train, valid, test), got {fractions!r}")
    return f / f.sum()


def random_partition(n: int, fractions: Sequence[float], seed: int = 0) -> np.ndarray:
    """A seeded random split of ``n`` rows as int8 0/1/2 with the given fractions: sizes rounded by
    the largest-remainder rule, at least one row for each positive fraction when ``n`` allows."""
    f = _check_fractions(fractions)
    exact = f * n
    sizes = np.floor(exact).astype(np.int64)
    sizes[np.argsort(-(exact - sizes), kind="stable")[: n - int(sizes.sum())]] += 1
    wanted = f > 0
    if n >= int(wanted.sum()):
        for i in np.flatnonzero(wanted & (sizes == 0)):
            sizes[int(np.argmax(sizes))] -= 1
            sizes[i] += 1
    out = np.empty(n, dtype=np.int8)
    out[np.random.default_rng(seed).permutation(n)] = np.repeat(np.arange(3, dtype=np.int8), sizes)
    return out


def load_celeba_index(data_dir: Optional[PathLike] = None, attributes: Optional[Sequence[str]] = None, *,
                      on_corrupt: str = "skip", check_images: bool = True,
                      fallback_split: tuple[float, float, float] = (0.8, 0.1, 0.1), seed: int = 0) -> CelebaIndex:
    """Find CelebA (:func:`find_celeba_root`) and index it, its two text files joined by file name;
    ``attributes`` picks columns by name, in that order (``None``: all 40). ``check_images``: every
    listed image must be in ``img_align_celeba/`` and pass :func:`scan_jpegs` (``on_corrupt``). When the
    partition leaves a split empty, a seeded random ``fallback_split`` replaces it, with a ``UserWarning``."""
    check_choice("on_corrupt", on_corrupt, ON_CORRUPT_CHOICES)
    fractions, root = _check_fractions(fallback_split), find_celeba_root(data_dir)
    attr_path = CELEBA.require(root / ATTRIBUTE_FILE, "CelebA folder", "CelebA attribute file")
    part_path = CELEBA.require(root / PARTITION_FILE, "CelebA folder", "CelebA partition file")
    if check_images:
        image_dir = CELEBA.require(root / IMAGE_FOLDER, "CelebA folder", "CelebA image folder", folder=True)

    filenames, names, values = read_attribute_file(attr_path)
    split_table, partition = read_table(part_path, PARTITION), np.full(len(filenames), -1, dtype=np.int8)
    partition[split_table.positions(filenames.tolist(), ATTRIBUTE_FILE)] = split_table.values[:, 0]
    if (partition < 0).any():
        missing = filenames[partition < 0].tolist()
        raise CelebaFormatError(part_path, None, f"{len(missing)} file(s) listed in {ATTRIBUTE_FILE} are "
                                                 f"missing from this file: {listing(missing)}")
    if attributes is not None:
        requested = [attributes] if isinstance(attributes, str) else list(attributes)
        unknown = [name for name in requested if name not in names]
        if unknown:
            raise UnknownAttributeError.among(unknown, names, str(attr_path))
        repeated = sorted({name for name in requested if requested.count(name) > 1})
        if repeated:
            raise SettingsError(f"attribute name(s) asked for more than once: {', '.join(repeated)}")
        columns = [names.index(name) for name in requested]
        values, names = np.ascontiguousarray(values[:, columns]), tuple(names[c] for c in columns)

    index = CelebaIndex(root, filenames, values, names, partition)
    if check_images:
        with os.scandir(image_dir) as entries:
            present = {entry.name for entry in entries}
        missing = [name for name in filenames.tolist() if name not in present]
        if missing:
            raise FileNotFoundError(f"{len(missing)} of {len(filenames)} images listed in {attr_path.name} are "
                                    f"missing from {image_dir}: {listing(missing)}")
        good = scan_jpegs(index.paths(), on_corrupt, stacklevel=2)
        if not good.all():
            index = replace(index.select(good), skipped=tuple(filenames[~good].tolist()))

    counts = np.bincount(index.partition, minlength=3)
    if len(index) and np.any(counts == 0):
        empty = [split for split, c in zip(SPLITS, counts) if c == 0]
        warnings.warn(f"{part_path} leaves the {' and '.join(empty)} split(s) empty "
                      f"({', '.join(f'{c} {s}' for s, c in zip(SPLITS, counts))}); using a random split with "
                      f"fractions train {fractions[0]:g} / valid {fractions[1]:g} / test {fractions[2]:g} "
                      f"(seed {seed}) instead", UserWarning, stacklevel=2)
        index = replace(index, partition=random_partition(len(index), fractions, seed))
    return index
