"""Small training callbacks shared by the tutorials."""
from __future__ import annotations

import os
import pathlib
import time
from typing import Sequence

import keras

from keras_autoencoders.run_folder import BACKUP_FOLDER, HISTORY_FILE, LOGS_FOLDER
from keras_autoencoders.training.reproducible import EpochSeeds, StopOnNonFiniteLoss


class EpochTimer(keras.callbacks.Callback):
    """Add ``epoch_seconds`` (wall time of the epoch, validation included) and ``train_seconds``
    (the training batches alone, until validation starts) to the epoch logs.

    Put it before loggers (``CSVLogger``, ``TensorBoard``) so they record it.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        self._train_end = None

    def on_test_begin(self, logs=None):  # fit's validation, at the end of the epoch
        if getattr(self, "_start", None) is not None and self._train_end is None:
            self._train_end = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        end = time.perf_counter()
        if logs is not None:
            logs["epoch_seconds"] = end - self._start
            logs["train_seconds"] = (self._train_end or end) - self._start
        self._start = None


def run_folder_callbacks(out: str | os.PathLike, before_loggers: Sequence[keras.callbacks.Callback] = (),
                         tensorboard: bool = False, seeds: EpochSeeds | None = None) -> list[keras.callbacks.Callback]:
    """The tutorials' ``fit`` callbacks: seeds, NaN stop, timing, ``history.csv``, TensorBoard, resume.

    ``seeds`` first when given (an :class:`~keras_autoencoders.training.reproducible.EpochSeeds`,
    so each epoch's draws are reset before any other callback runs), then
    ``StopOnNonFiniteLoss`` (raises on a NaN/inf batch loss, keeping the backup),
    ``EpochTimer``, ``before_loggers`` (callbacks whose logs should be recorded),
    ``CSVLogger(out/history.csv, append=True)``, ``TensorBoard(out/logs)`` when
    asked, and ``BackupAndRestore(out/backup)``: rerunning an interrupted command
    resumes from its last finished epoch (to the same weights as an uninterrupted
    run when ``seeds`` is given and the data comes from ``shuffled_batches`` or
    ``make_image_dataset(..., epoch_variable=seeds.epoch)``).
    """
    out = pathlib.Path(out)
    callbacks = [] if seeds is None else [seeds]
    callbacks += [StopOnNonFiniteLoss(out / BACKUP_FOLDER), EpochTimer(), *before_loggers,
                  keras.callbacks.CSVLogger(out / HISTORY_FILE, append=True)]
    if tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(out / LOGS_FOLDER)))
    callbacks.append(keras.callbacks.BackupAndRestore(str(out / BACKUP_FOLDER)))
    return callbacks
