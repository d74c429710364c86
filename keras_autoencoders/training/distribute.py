"""Training on several devices with ``tf.distribute.MirroredStrategy`` (not in the articles; the CelebA
article trained for about 8 hours on one GPU). Each global batch is split across the replicas and their
gradients summed (:class:`~keras_autoencoders.models.vae.VariationalAutoencoder` divides each replica's
loss by their count: one step on the whole batch). With one device or none nothing changes."""
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
    """A ``MirroredStrategy`` over ``devices`` (e.g. ``["/cpu:0", "/cpu:1"]``, logical devices as in the
    tests), else over all GPUs when two or more are visible, else the default strategy."""
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
    """Build and compile (``compile_kwargs``) ``build_model()`` inside ``strategy``'s scope (default
    :func:`make_strategy`) and distribute ``dataset``'s global batches across the replicas."""
    strategy = strategy if strategy is not None else make_strategy()
    with strategy.scope():
        model = build_model()
        model.compile(**(compile_kwargs or {}))
    if strategy.num_replicas_in_sync > 1:
        dataset = strategy.experimental_distribute_dataset(dataset)
    return DistributedTraining(strategy, model, dataset)
