"""Small training callbacks shared by the tutorials."""
from __future__ import annotations

import os
import pathlib
import time
from typing import Sequence

import keras

from keras_autoencoders.run_folder import BACKUP_FOLDER, HISTORY_FILE, LOGS_FOLDER


class EpochTimer(keras.callbacks.Callback):
    """Add ``epoch_seconds`` (wall time of the epoch, validation included) to the epoch logs.

    Put it before loggers (``CSVLogger``, ``TensorBoard``) so they record it.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_seconds"] = time.perf_counter() - self._start


def run_folder_callbacks(out: str | os.PathLike, before_loggers: Sequence[keras.callbacks.Callback] = (),
                         tensorboard: bool = False) -> list[keras.callbacks.Callback]:
    """The tutorials' ``fit`` callbacks: timing, ``history.csv``, optional TensorBoard, resume.

    ``EpochTimer``, then ``before_loggers`` (callbacks whose logs should be
    recorded), ``CSVLogger(out/history.csv, append=True)``, ``TensorBoard(out/logs)``
    when asked, and ``BackupAndRestore(out/backup)``: rerunning an interrupted
    command resumes from its last finished epoch.
    """
    out = pathlib.Path(out)
    callbacks = [EpochTimer(), *before_loggers, keras.callbacks.CSVLogger(out / HISTORY_FILE, append=True)]
    if tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(out / LOGS_FOLDER)))
    callbacks.append(keras.callbacks.BackupAndRestore(str(out / BACKUP_FOLDER)))
    return callbacks
