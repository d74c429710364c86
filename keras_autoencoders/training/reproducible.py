"""Resumable ``fit`` that ends on the same weights as an uninterrupted run, and a NaN stop. ``BackupAndRestore``
restores weights, optimizer and epoch, but not the random streams (``SeedGenerator`` states, a shuffle's order). Here an
epoch's draws depend only on ``(seed, epoch)``: :class:`EpochSeeds` resets every ``SeedGenerator`` of the model at each
epoch's start, and :func:`shuffled_batches` (arrays) and ``make_image_dataset(..., epoch_variable=)`` (image files)
order each epoch by a stateless shuffle, read when ``fit`` starts the epoch's iterator, after ``on_epoch_begin``
(``keras/src/trainers/epoch_iterator.py``; no ``steps_per_epoch``)."""
from __future__ import annotations

import math
import os
from typing import Any, Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_autoencoders.compat import flatten_layers, layer_seed_generators
from keras_autoencoders.data.checks import check_integer
from keras_autoencoders.data.image_pipeline import epoch_order
from keras_autoencoders.errors import NonFiniteLossError, SettingsError

#: Counter offset between epochs in a generator's state: an epoch may draw up to
#: this many times from one generator before its stream runs into the next epoch's.
DRAWS_PER_EPOCH = 2 ** 20

__all__ = ["DRAWS_PER_EPOCH", "EpochSeeds", "StopOnNonFiniteLoss", "seed_generators", "shuffled_batches"]


def seed_generators(model: keras.layers.Layer) -> list[keras.random.SeedGenerator]:
    """Every ``SeedGenerator`` of ``model`` and its sublayers, once each, in :func:`flatten_layers` order: the same for
    two models built by the same code (not by name: Keras numbers unnamed layers and generators per process)."""
    found = {id(generator): generator for layer in flatten_layers(model) for generator in layer_seed_generators(layer)}
    return list(found.values())  # each once, where first found


class EpochSeeds(keras.callbacks.Callback):
    """Per-epoch seeds (put it first): at ``on_epoch_begin`` it stores the epoch in ``epoch`` (an int64 ``tf.Variable``
    that :func:`shuffled_batches` / ``make_image_dataset`` read) and sets generator i (:func:`seed_generators` order) to
    the state ``[mix(seed, i), epoch * DRAWS_PER_EPOCH]``, so validation's draws are forgotten."""

    def __init__(self, seed: int):
        super().__init__()
        self.seed = check_integer("seed", seed, 0, what="a non-negative integer")
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch_seeds_epoch")

    def set_epoch(self, epoch: int, model: keras.layers.Layer | None = None) -> None:
        """Store ``epoch`` and reset the generators of ``model`` (default: the fitted model)."""
        self.epoch.assign(int(epoch))
        model = model if model is not None else self.model
        if model is None:
            return
        for index, generator in enumerate(seed_generators(model)):  # mix: a 31-bit SeedSequence hash
            mix = int(np.random.SeedSequence([self.seed, index]).generate_state(1, np.uint32)[0]) & 0x7FFFFFFF
            state = np.array([mix, int(epoch) * DRAWS_PER_EPOCH])
            generator.state.assign(keras.ops.convert_to_tensor(state, dtype=generator.state.dtype))

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.set_epoch(epoch)


def shuffled_batches(x: Any, y: Any, batch_size: int, seeds: EpochSeeds) -> tf.data.Dataset:
    """``(x, y)`` batches (arrays or nests of them), every sample once per epoch in an order of ``(seeds.seed,
    seeds.epoch)``; pass ``seeds`` to ``fit``'s callbacks first, no ``steps_per_epoch``, and ``shuffle=False``."""
    batch_size = check_integer("batch_size", batch_size)
    # An array given twice (the article's fit([x, y], x)) enters the pipeline, and is gathered, once.
    leaves = tf.nest.flatten((x, y))
    unique = list({id(leaf): leaf for leaf in leaves}.values())
    position = {id(leaf): k for k, leaf in enumerate(unique)}
    arrays = tuple(tf.convert_to_tensor(leaf) for leaf in unique)
    counts = {int(t.shape[0]) for t in arrays}
    if len(counts) != 1:
        raise SettingsError(f"x and y must have the same number of samples, got {sorted(counts)}")
    indices = epoch_order(counts.pop(), seeds.seed, seeds.epoch).batch(batch_size)

    def gather(i, arrays):  # Keras' own idiom: the arrays enter the pipeline once and each batch is gathered
        batch = [tf.gather(t, i) for t in arrays]
        return tf.nest.pack_sequence_as((x, y), [batch[position[id(leaf)]] for leaf in leaves])

    batches = tf.data.Dataset.zip(indices, tf.data.Dataset.from_tensors(arrays).repeat()).map(gather).prefetch(2)
    # A gather needs neither a parallel map nor AUTOTUNE, whose threads compete with the training
    # step for the cores: Part 4's XLA epoch on 2 cores took 1.9-2.3 s with them (spikes to 2.5 s
    # in most epochs), 1.1 s without (``bench/part4.py``).
    options = tf.data.Options()
    options.autotune.enabled = False
    options.experimental_optimization.map_parallelization = False
    return batches.with_options(options)


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Raise :class:`NonFiniteLossError` when a batch's ``loss`` or ``*_loss`` (or one of ``keys``) is NaN or infinite:
    unlike ``TerminateOnNaN`` this skips ``on_train_end``, so ``BackupAndRestore`` keeps the last backup. With
    ``iterations_per_epoch`` (Part 6) the message names the iteration (from 0)."""

    def __init__(self, backup_dir: str | os.PathLike | None = None, keys: Sequence[str] | None = None,
                 iterations_per_epoch: int | None = None):
        super().__init__()
        self.backup_dir = None if backup_dir is None else os.fspath(backup_dir)
        self.keys = None if keys is None else tuple(keys)
        self.iterations_per_epoch = iterations_per_epoch
        self._epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch  # also the number of finished epochs, resumed ones included

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        for name, value in (logs or {}).items():
            watched = name in self.keys if self.keys is not None else name == "loss" or name.endswith("_loss")
            if watched and not math.isfinite(value := float(np.asarray(value))):
                raise NonFiniteLossError(self._message(name, value, batch))

    def _message(self, name: str, value: float, batch: int) -> str:
        folder = f" in {self.backup_dir}" if self.backup_dir else " in the BackupAndRestore folder"
        if self.iterations_per_epoch:  # backups every few epochs: say whether one exists
            where = f"{name} = {value} at iteration {self._epoch * self.iterations_per_epoch + batch}"
            per_call = int(getattr(self.model, "steps_per_execution", 1) or 1)
            if per_call > 1:
                where += f" (or in one of the {per_call - 1} before it, run in the same call)"
            if self.backup_dir and not os.path.isdir(self.backup_dir):
                return f"{where}; no backup has been written yet, so there is nothing to resume from"
            return f"{where}; the last backup{folder} is kept, and rerunning the same command resumes from it"
        where = (f"{name} = {value} in epoch {self._epoch + 1} (1-based, as Keras prints it), "
                 f"batch {batch + 1} (1-based)")
        if self._epoch == 0:
            return f"{where}; no epoch has finished, so there is no backup to resume from"
        return (f"{where}; the state after the last finished epoch ({self._epoch}) is kept{folder}, "
                f"and rerunning the same command resumes from it")
