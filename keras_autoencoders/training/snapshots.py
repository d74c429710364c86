"""Snapshots of the latent manifold while training (Part 4's ``on_epoch_end`` callback), which the animations of Parts 4
and 6 are made from: at the article's epochs, the 15x15 manifold of every label and the tracked test digits' z_mean."""
from __future__ import annotations

import os
import time
from typing import Iterable

import keras
import numpy as np

from keras_autoencoders.arrays import save_npz
from keras_autoencoders.generate.manifold import Decoder, render_manifolds, z_means_by_label


def article_snapshot_epochs(total_epochs: int | None = None) -> list[int]:
    """Part 4's snapshot epochs, sorted and 0-based (Keras' ``on_epoch_end``); before ``total_epochs`` if given."""
    epochs = {int(k ** 1.701) for k in range(59)} | set(range(10))
    return sorted(e for e in epochs if total_epochs is None or e < total_epochs)


def article_snapshot_periods() -> list[int]:
    """Part 6's ``save_periods``: logging periods 0..99, then 100..990 step 10 (3 iterations each)."""
    return list(range(100)) + list(range(100, 1000, 10))


def snapshot_periods(periods: int, every: int = 0) -> list[int]:
    """Periods (Part 6's epochs) to snapshot in a run of ``periods``: the article's, or every
    ``every``-th and the last (so a short run ends on a snapshot)."""
    chosen = set(range(0, periods, every)) | {periods - 1} if every else set(article_snapshot_periods())
    return sorted(p for p in chosen if 0 <= p < periods)


class ManifoldSnapshots(keras.callbacks.Callback):
    """Record manifolds and z distributions per label at ``epochs`` (0-based; default :func:`article_snapshot_epochs`)
    with ``decoder`` (``[z, one_hot_label] -> image``) and ``z_meaner`` (``[image, one_hot_label] -> z_mean``) on
    ``images`` with integer ``labels``. ``path``: an ``.npz`` read back on construction (a resumed run keeps earlier
    snapshots) and written after each snapshot (``autosave``), or with ``save_every_epochs=k`` after every k-th epoch
    and at the end (the backup's period: a long run does not rewrite the growing file each time), or by :meth:`save`;
    with a ``tensorboard_dir``, also image summaries ``manifold/label_c`` at each snapshot's epoch. ``epochs_taken[i]``
    is the epoch of ``manifolds[i]`` (``(10, 420, 420)`` uint8, 255 = white ink), ``z_means[i]`` (per label,
    ``(n_c, latent_dim)``) and ``render_seconds[i]``."""

    def __init__(self, decoder: Decoder, z_meaner: keras.Model, images: np.ndarray, labels: np.ndarray,
                 latent_dim: int, epochs: Iterable[int] | None = None, num_classes: int = 10, grid_size: int = 15,
                 path: str | os.PathLike | None = None, autosave: bool = True,
                 tensorboard_dir: str | os.PathLike | None = None, save_every_epochs: int | None = None):
        super().__init__()
        self.decoder, self.z_meaner, self.images, self.latent_dim = decoder, z_meaner, images, latent_dim
        self.labels = np.asarray(labels, dtype=int)
        self.snapshot_epochs = set(article_snapshot_epochs() if epochs is None else epochs)
        self.num_classes, self.grid_size, self.path = num_classes, grid_size, path
        self.autosave = autosave and save_every_epochs is None
        self.save_every_epochs, self.tensorboard_dir, self._writer = save_every_epochs, tensorboard_dir, None
        self.epochs_taken, self.manifolds, self.z_means, self.render_seconds = [], [], [], []
        if path is not None and os.path.exists(path):
            self._load(path)

    def take(self, epoch: int) -> None:
        """Take one snapshot now, labelled ``epoch``."""
        start = time.perf_counter()
        manifolds = render_manifolds(self.decoder, self.latent_dim, range(self.num_classes), self.grid_size,
                                     self.num_classes)
        self.render_seconds.append(time.perf_counter() - start)
        self.manifolds.append(np.round(np.clip(manifolds, 0, 1) * 255).astype("uint8"))
        self.z_means.append(z_means_by_label(self.z_meaner, self.images, self.labels, self.num_classes))
        self.epochs_taken.append(int(epoch))
        if self.tensorboard_dir is not None:
            self._summarise(len(self.epochs_taken) - 1, self.tensorboard_dir)
        if self.autosave:
            self.save()

    def write_tensorboard(self, log_dir: str | os.PathLike) -> None:
        """Write every snapshot taken so far as TensorBoard image summaries under ``log_dir``."""
        for i in range(len(self.epochs_taken)):
            self._summarise(i, log_dir)

    def _summarise(self, i: int, log_dir: str | os.PathLike) -> None:
        import tensorflow as tf

        if self._writer is None or self._writer_dir != os.fspath(log_dir):
            self._writer, self._writer_dir = tf.summary.create_file_writer(os.fspath(log_dir)), os.fspath(log_dir)
        with self._writer.as_default():
            for c, manifold in enumerate(self.manifolds[i]):
                tf.summary.image(f"manifold/label_{c}", manifold[None, :, :, None], step=self.epochs_taken[i])
        self._writer.flush()

    def save(self) -> None:
        """Write the snapshots to ``path`` (if one was given); ``z_means`` in the tracked digits' order."""
        if self.path is None or not self.epochs_taken:
            return
        merged = np.zeros((len(self.z_means), len(self.labels), self.latent_dim), dtype="float32")
        for z, per_label in zip(merged, self.z_means):
            for c, values in enumerate(per_label):
                z[self.labels == c] = values
        save_npz(self.path, {"epochs": np.asarray(self.epochs_taken), "render_seconds": np.asarray(self.render_seconds),
                             "manifolds": np.stack(self.manifolds), "labels": self.labels, "z_means": merged})

    def on_epoch_end(self, epoch, logs=None):
        if epoch in self.snapshot_epochs and epoch not in self.epochs_taken:
            self.take(epoch)
        if self.save_every_epochs and (epoch + 1) % self.save_every_epochs == 0:
            self.save()

    def on_train_end(self, logs=None):
        if self.save_every_epochs:
            self.save()

    def manifold_frames(self, label: int) -> list[np.ndarray]:
        """The manifolds of ``label`` over the snapshots, as floats in [0, 1]."""
        return [m[label].astype("float32") / 255.0 for m in self.manifolds]

    def z_frames(self, label: int) -> list[np.ndarray]:
        """The z_means of ``label`` over the snapshots."""
        return [z[label] for z in self.z_means]

    def _load(self, path) -> None:
        with np.load(path) as saved:
            if not np.array_equal(saved["labels"], self.labels):
                raise ValueError(f"{path}: snapshots were taken on other digits than these")
            self.epochs_taken = [int(e) for e in saved["epochs"]]
            self.render_seconds = [float(s) for s in saved["render_seconds"]]
            self.manifolds = list(saved["manifolds"])
            self.z_means = [[z[self.labels == c] for c in range(self.num_classes)] for z in saved["z_means"]]
