"""Training on several devices with ``tf.distribute.MirroredStrategy`` (not in the articles).

The CelebA article trained for about 8 hours on one GPU; with several GPUs
visible, :func:`make_strategy` mirrors the model over all of them, and
:func:`build_distributed` builds and compiles the model inside the strategy's
scope and splits each global batch of the dataset across the replicas. Keras'
``fit`` then runs one replica step per device and sums the gradients
(:class:`~keras_autoencoders.models.vae.VariationalAutoencoder` divides each
replica's loss by the replica count, so the result equals one step on the
whole batch). With one device or none, the default strategy is used and
nothing changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import keras
import tensorflow as tf


@dataclass
class DistributedTraining:
    """What :func:`build_distributed` returns: pass ``dataset`` to ``model.fit``."""

    strategy: tf.distribute.Strategy
    model: keras.Model
    dataset: tf.data.Dataset | tf.distribute.DistributedDataset

    @property
    def replicas(self) -> int:
        return int(self.strategy.num_replicas_in_sync)


def make_strategy(devices: Sequence[str] | None = None) -> tf.distribute.Strategy:
    """A ``MirroredStrategy`` over ``devices``, or over all GPUs when several are visible.

    ``devices`` names them explicitly (e.g. ``["/cpu:0", "/cpu:1"]`` after
    splitting the CPU into logical devices, as the tests do). Otherwise: two or
    more GPUs -> mirror over all of them; else the default (single-device)
    strategy.
    """
    if devices is not None:
        devices = list(devices)
        if not devices:
            raise ValueError("devices: give at least one device name, or None to choose automatically")
        return tf.distribute.MirroredStrategy(devices)
    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy([gpu.name for gpu in gpus])
    return tf.distribute.get_strategy()


def build_distributed(build_model: Callable[[], keras.Model], dataset: tf.data.Dataset,
                      compile_kwargs: dict | None = None,
                      strategy: tf.distribute.Strategy | None = None) -> DistributedTraining:
    """Build and compile ``build_model()`` inside ``strategy``'s scope and distribute ``dataset``.

    ``dataset`` yields global batches (its batch size is split across the
    replicas). ``compile_kwargs`` go to ``model.compile`` (an optimiser
    instance is fine: it creates its variables on first use, under the scope).
    """
    strategy = strategy if strategy is not None else make_strategy()
    with strategy.scope():
        model = build_model()
        model.compile(**(compile_kwargs or {}))
    if strategy.num_replicas_in_sync > 1:
        dataset = strategy.experimental_distribute_dataset(dataset)
    return DistributedTraining(strategy, model, dataset)
