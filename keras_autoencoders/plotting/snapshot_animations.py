"""The training animations of Part 4 ("Label: c / Epoch: e" GIFs) and Part 6 (MP4s counted in batches) from a run's
manifold snapshots: per label the manifold and the z distribution, and all labels side by side (under ``figs/``)."""
from __future__ import annotations

import os
import pathlib
from typing import Protocol, Sequence

import numpy as np

from keras_autoencoders.plotting.animation import (label_epoch_title, render_image_frames, render_scatter_frames,
                                                   write_animation, write_label_grid_animation)
from keras_autoencoders.plotting.display import show_file

ALL_LABELS_STEM = "manifolds_all_labels"  #: Stem of the all-labels animation in a run's ``animations/``.


class Snapshots(Protocol):
    """What :class:`keras_autoencoders.training.snapshots.ManifoldSnapshots` records."""

    epochs_taken: Sequence[int]
    manifolds: Sequence[np.ndarray]  # one (labels, H, W) uint8 array per snapshot

    def manifold_frames(self, label: int) -> np.ndarray: ...
    def z_frames(self, label: int) -> list[np.ndarray]: ...


def write_snapshot_animations(snapshots: Snapshots, anim_dir: str | os.PathLike, unit: str = "Epoch",
                              labels: Sequence[int] = range(10), per_label: bool = True,
                              steps_per_epoch: int = 1) -> dict:
    """Write the animations of a run (none without snapshots); returns ``{stem: {format: path}}``. Frames read
    ``"{unit}: {epoch * steps_per_epoch}"``: Part 4 counts epochs, Part 6 batches (``steps_per_epoch=3``)."""
    anim_dir = pathlib.Path(anim_dir)
    if not snapshots.epochs_taken:  # e.g. --pretrained: nothing was trained in this run folder
        print("no snapshots in this run folder (no training here), so no animations")
        return {}
    steps, written = [int(e) * steps_per_epoch for e in snapshots.epochs_taken], {}
    if per_label:
        for c in labels:
            titles = [label_epoch_title(c, s, unit=unit) for s in steps]
            written[f"manifold_{c}"] = write_animation(
                render_image_frames(snapshots.manifold_frames(c), titles), anim_dir / f"manifold_{c}")
            written[f"z_distr_{c}"] = write_animation(
                render_scatter_frames(snapshots.z_frames(c), titles), anim_dir / f"z_distr_{c}")
    manifolds = [m[list(labels)] for m in snapshots.manifolds]  # uint8, converted one snapshot at a time
    written[ALL_LABELS_STEM] = write_label_grid_animation(manifolds, steps, anim_dir / ALL_LABELS_STEM, unit=unit)
    if "gif" in written[ALL_LABELS_STEM]:
        show_file(written[ALL_LABELS_STEM]["gif"])
    print(f"{len(steps)} snapshots per animation, written to {anim_dir}")
    return written
