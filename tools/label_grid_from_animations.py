"""Rebuild one 2x5 all-labels manifold animation from a run's per-label animations.

    python tools/label_grid_from_animations.py RUN_DIR [RUN_DIR ...] [--formats gif mp4] [--remove-per-label]

For committed runs whose manifold snapshots are gone. Reads the ten per-label
animations ``RUN_DIR/animations/manifold_{c}.gif`` (or ``.mp4`` when there is
no GIF) written by the Part 4 / Part 6 tutorials, crops each frame's manifold
image (the ``imshow`` area of the tutorials' 7x7 inch, 80 dpi frames, found by
rendering a probe frame of the same size) and writes
``RUN_DIR/animations/manifolds_all_labels.{gif,mp4}`` with
``render_label_grid_frames``: all ten labels side by side, titled
``"Epoch: e"`` (``snapshot_epochs`` in ``RUN_DIR/results.json``, Part 4) or
``"Batch: b"`` (``snapshot_iterations``, Part 6); without either, frames are
titled ``"Snapshot: i"``.

Refuses (exit status 1, nothing written for that run) when the ten labels'
frame counts differ, or differ from the number of snapshots in
``results.json``. With ``--remove-per-label`` the run's per-label
``manifold_{c}`` and ``z_distr_{c}`` GIFs and MP4s are deleted once the grid
animation is written.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys
from typing import Iterator

import numpy as np
from PIL import Image

from keras_autoencoders.plotting import animation

NUM_LABELS = 10
GRID_STEM = "manifolds_all_labels"
PER_LABEL = re.compile(r"(manifold|z_distr)_\d+\.(gif|mp4)")
# Manifolds are square (15 x 28 px); the probe frame gives the image area for that aspect.
PROBE_SIZE = 420


class RefusedError(RuntimeError):
    """The run's animations cannot be combined; the message says why."""


def read_frames(path: pathlib.Path) -> Iterator[np.ndarray]:
    """RGB ``uint8`` frames of a GIF (pillow) or an MP4 (imageio-ffmpeg), one at a time."""
    if path.suffix == ".mp4":
        import imageio_ffmpeg

        reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
        width, height = next(reader)["size"]
        for buffer in reader:
            yield np.frombuffer(buffer, dtype=np.uint8).reshape(height, width, 3)
    else:
        import imageio.v3 as iio

        for frame in iio.imiter(path, plugin="pillow", mode="RGB"):
            yield np.asarray(frame)[..., :3]


_BOXES: dict[tuple[int, int], tuple[int, int, int, int]] = {}


def image_box(height: int, width: int) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` of the image area in a tutorial frame of this size.

    A black probe image is rendered by ``render_image_frames`` (no title) at the
    tutorials' 80 dpi and the frame's size; its black pixels are the area.
    """
    if (height, width) not in _BOXES:
        probe = animation.render_image_frames(
            [np.ones((PROBE_SIZE, PROBE_SIZE))], [""], figsize=(width / 80, height / 80), dpi=80
        )[0]
        rows, cols = np.nonzero(probe[:height, :width].mean(axis=-1) < 128)
        _BOXES[(height, width)] = (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)
    return _BOXES[(height, width)]


def _greys_inverse() -> np.ndarray:
    """Grey level (0..255) -> the value in [0, 1] that ``Greys`` draws as that grey."""
    greys = animation._colormap_lut("Greys")[:, 0].astype(float)  # 255 (value 0) -> 0 (value 1)
    order = np.argsort(greys)
    return np.interp(np.arange(256), greys[order], np.linspace(0.0, 1.0, 256)[order])


def manifold_panels(path: pathlib.Path, panel: int) -> np.ndarray:
    """``(T, panel, panel)`` uint8 manifolds (255 = white ink, as snapshots store them) of one animation."""
    inverse = _greys_inverse()
    panels = []
    for frame in read_frames(path):
        top, bottom, left, right = image_box(*frame.shape[:2])
        grey = frame[top:bottom, left:right].mean(axis=-1)
        ink = np.round(inverse[np.round(grey).astype(np.uint8)] * 255).astype(np.uint8)
        small = Image.fromarray(ink).resize((panel, panel), Image.Resampling.BOX)
        panels.append(np.asarray(small))
    return np.stack(panels) if panels else np.zeros((0, panel, panel), dtype=np.uint8)


def per_label_sources(anim_dir: pathlib.Path) -> list[pathlib.Path]:
    """``manifold_{c}.gif`` (preferred: no chroma subsampling) or ``.mp4`` for c = 0..9."""
    sources = []
    for c in range(NUM_LABELS):
        for suffix in (".gif", ".mp4"):
            path = anim_dir / f"manifold_{c}{suffix}"
            if path.is_file():
                sources.append(path)
                break
        else:
            raise RefusedError(f"{anim_dir}: no manifold_{c}.gif or manifold_{c}.mp4")
    return sources


def snapshot_steps(run_dir: pathlib.Path) -> tuple[list[int] | None, str]:
    """Snapshot epochs (Part 4) or iterations (Part 6) from ``results.json`` and the title's unit."""
    path = run_dir / "results.json"
    if path.is_file():
        results = json.loads(path.read_text())
        if "snapshot_epochs" in results:
            return [int(e) for e in results["snapshot_epochs"]], "Epoch"
        if "snapshot_iterations" in results:
            return [int(i) for i in results["snapshot_iterations"]], "Batch"
    return None, "Snapshot"


def combine_run(run_dir: pathlib.Path, formats: list[str], panel: int,
                remove_per_label: bool) -> dict[str, pathlib.Path]:
    """Write the run's grid animation; return ``{format: path}``. Raises :class:`RefusedError`."""
    anim_dir = run_dir / "animations"
    sources = per_label_sources(anim_dir)
    panels = [manifold_panels(path, panel) for path in sources]
    counts = [len(p) for p in panels]
    if len(set(counts)) != 1:
        listing = ", ".join(f"{p.name}: {n}" for p, n in zip(sources, counts))
        raise RefusedError(f"{anim_dir}: the labels' frame counts differ ({listing})")
    n_frames = counts[0]
    if n_frames == 0:
        raise RefusedError(f"{anim_dir}: the animations have no frames")
    steps, unit = snapshot_steps(run_dir)
    if steps is None:
        print(f"{run_dir}: no snapshot epochs/iterations in results.json; titles count snapshots")
        steps = list(range(n_frames))
    elif len(steps) != n_frames:
        raise RefusedError(f"{run_dir}: {n_frames} frames per label but {len(steps)} snapshots "
                           "in results.json")
    manifolds = np.stack(panels, axis=1)  # (T, 10, panel, panel)
    written = animation.write_label_grid_animation(
        manifolds, steps, anim_dir / GRID_STEM, unit, formats=formats, scale=1
    )
    missing = set(formats) - set(written)
    if missing:
        raise RefusedError(f"{anim_dir}: could not write {sorted(missing)}; per-label files kept")
    if remove_per_label:
        for path in sorted(anim_dir.iterdir()):
            if PER_LABEL.fullmatch(path.name):
                path.unlink()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=pathlib.Path, metavar="RUN_DIR")
    parser.add_argument("--formats", nargs="+", choices=("gif", "mp4"), default=["gif", "mp4"])
    parser.add_argument("--panel", type=int, default=210, help="side of each manifold in pixels (default 210)")
    parser.add_argument("--remove-per-label", action="store_true",
                        help="delete the run's manifold_{c} and z_distr_{c} GIFs/MP4s afterwards")
    args = parser.parse_args(argv)
    status = 0
    for run_dir in args.runs:
        try:
            written = combine_run(run_dir, args.formats, args.panel, args.remove_per_label)
        except RefusedError as exc:
            print(f"refused: {exc}", file=sys.stderr)
            status = 1
            continue
        for fmt, path in written.items():
            print(f"{path}: {path.stat().st_size / 1e6:.2f} MB")
    return status


if __name__ == "__main__":
    sys.exit(main())
