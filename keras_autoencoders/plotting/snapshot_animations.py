"""The training animations of Part 4 ("Label: c / Epoch: e" GIFs) and Part 6 (MP4s counted in batches).

From a run's manifold snapshots: per label, the manifold and the z distribution
over the snapshots (GIF and MP4, as the articles make them), and one animation
with the ten labels' manifolds side by side (the one shown in a notebook and
committed under ``figs/``).
"""
from __future__ import annotations

import os
import pathlib
from typing import Protocol, Sequence

import numpy as np

from keras_autoencoders.plotting.animation import (label_epoch_title, render_image_frames,
                                                   render_scatter_frames, write_animation,
                                                   write_label_grid_animation)
from keras_autoencoders.plotting.display import show_file

#: Stem of the all-labels animation in a run's ``animations/``.
ALL_LABELS_STEM = "manifolds_all_labels"


class Snapshots(Protocol):
    """What :class:`keras_autoencoders.training.snapshots.ManifoldSnapshots` records."""

    epochs_taken: Sequence[int]
    manifolds: Sequence[np.ndarray]  # one (labels, H, W) uint8 array per snapshot

    def manifold_frames(self, label: int) -> np.ndarray: ...

    def z_frames(self, label: int) -> list[np.ndarray]: ...


def write_snapshot_animations(snapshots: Snapshots, anim_dir: str | os.PathLike, unit: str = "Epoch",
                              labels: Sequence[int] = range(10), per_label: bool = True,
                              steps_per_epoch: int = 1) -> dict:
    """Write the animations of a run; returns ``{stem: {format: path}}``.

    ``unit`` titles the frames: ``"Epoch"`` (Part 4) or ``"Batch"`` (Part 6, whose epochs are
    periods of ``steps_per_epoch=3`` iterations: the frame of period p reads "Batch: 3p", as
    the article's titles do). Without snapshots (nothing trained in this run) it writes nothing.
    """
    anim_dir = pathlib.Path(anim_dir)
    if not snapshots.epochs_taken:  # e.g. --pretrained: nothing was trained in this run folder
        print("no snapshots in this run folder (no training here), so no animations")
        return {}
    steps = [int(e) * steps_per_epoch for e in snapshots.epochs_taken]
    written = {}
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
