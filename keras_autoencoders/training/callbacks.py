"""Small training callbacks shared by the tutorials."""
from __future__ import annotations

import time

import keras


class EpochTimer(keras.callbacks.Callback):
    """Add ``epoch_seconds`` (wall time of the epoch, validation included) to the epoch logs.

    Put it before loggers (``CSVLogger``, ``TensorBoard``) so they record it.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_seconds"] = time.perf_counter() - self._start
