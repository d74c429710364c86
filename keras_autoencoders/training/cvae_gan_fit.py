"""What ``fit`` needs to run Part 6's adaptive loop ("Процесс обучения"): one step is one outer iteration
(:meth:`CVAEGAN.train_step`), one epoch the article's logging period of :data:`ITERATIONS_PER_PERIOD` iterations.
Its draws come from the seed and the period (:func:`~keras_autoencoders.data.iteration_draws.iteration_draws`: a
resumed run sees what an uninterrupted one would); its snapshots are kept with the backup."""
from __future__ import annotations

import dataclasses
from typing import Any

import keras
import tensorflow as tf

from keras_autoencoders.data.iteration_draws import iteration_draws
from keras_autoencoders.data.mnist import MnistDigits
from keras_autoencoders.models.cvae_gan.model import ITERATIONS_PER_PERIOD, LOSS_NAMES, STEP_NAMES, CVAEGAN
from keras_autoencoders.run_folder import RunFolder
from keras_autoencoders.errors import check_whole_periods
from keras_autoencoders.training.callbacks import adaptive_loop_callbacks
from keras_autoencoders.training.reproducible import EpochSeeds
from keras_autoencoders.training.snapshots import ManifoldSnapshots, snapshot_periods


@dataclasses.dataclass
class AdaptiveLoopFit:
    """The arguments of Part 6's ``fit`` (:meth:`fit_arguments`) and its snapshots."""

    draws: tf.data.Dataset
    callbacks: list[keras.callbacks.Callback]
    snapshots: ManifoldSnapshots
    periods: int

    def fit_arguments(self) -> dict[str, Any]:
        """``fit``'s keyword arguments: one epoch per logging period of 3 iterations."""
        return {"epochs": self.periods, "steps_per_epoch": ITERATIONS_PER_PERIOD, "verbose": 0,
                "callbacks": self.callbacks}


def adaptive_loop_fit(run: RunFolder, model: CVAEGAN, digits: MnistDigits, *, iterations: int, batch_size: int,
                      seed: int, snapshot_every: int = 0, checkpoint_every: int = 300) -> AdaptiveLoopFit:
    """Part 6's draws, snapshots and callbacks for ``iterations`` outer iterations of ``model`` on ``digits``
    (``snapshot_every`` 0: the article's ``save_periods``; all counts in iterations, multiples of 3)."""
    check_whole_periods(ITERATIONS_PER_PERIOD, iterations=iterations, checkpoint_every=checkpoint_every,
                        **({"snapshot_every": snapshot_every} if snapshot_every else {}))
    latent_dim = model.decoder.inputs[0].shape[-1]  # the decoder reads [z, label]
    seeds = EpochSeeds(seed)
    draws = iteration_draws(digits.x_train, digits.y_train_onehot, batch_size, latent_dim, seed, seeds.epoch,
                            ITERATIONS_PER_PERIOD)
    periods = iterations // ITERATIONS_PER_PERIOD
    snapshots = ManifoldSnapshots(model.decoder, model.article_models()["z_meaner"], digits.x_test, digits.y_test,
                                  latent_dim, snapshot_periods(periods, snapshot_every // ITERATIONS_PER_PERIOD),
                                  path=run.snapshots, tensorboard_dir=run.logs / "manifolds",
                                  save_every_epochs=checkpoint_every // ITERATIONS_PER_PERIOD)
    callbacks = adaptive_loop_callbacks(run.root, seeds, iterations, ITERATIONS_PER_PERIOD, checkpoint_every,
                                        (*LOSS_NAMES, *STEP_NAMES), before_loggers=[snapshots])
    return AdaptiveLoopFit(draws, callbacks, snapshots, periods)
