"""The ``fit`` callbacks the tutorials share (:func:`run_folder_callbacks`): seeds, NaN stop, timing, logs,
TensorBoard, resume. Part 6's step is one outer iteration of the adaptive loop and its epoch one logging
period of 3 iterations: :func:`adaptive_loop_callbacks` adds the iteration in the logs, one progress bar
over the run and a backup every few periods."""
from __future__ import annotations

import os
import pathlib
import time
from typing import Sequence

import keras

from keras_autoencoders.data.checks import check_integer
from keras_autoencoders.errors import DamagedFileError
from keras_autoencoders.model_files import backup_problem
from keras_autoencoders.run_folder import BACKUP_FOLDER, HISTORY_FILE, LOGS_FOLDER
from keras_autoencoders.training.distribute import this_process_alone
from keras_autoencoders.training.reproducible import EpochSeeds, StopOnNonFiniteLoss


class EpochTimer(keras.callbacks.Callback):
    """Add ``epoch_seconds`` (the epoch's wall time, validation included) and ``train_seconds`` (until
    validation starts) to the epoch logs; put it before the loggers."""

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


#: The files Keras 3.15's ``BackupAndRestore`` writes in its folder (``.bkp``: the previous ones, kept with
#: ``double_checkpoint=True``), and how :func:`~keras_autoencoders.model_files.backup_problem` checks each.
BACKUP_FILES = {"latest.weights.h5": "h5", "training_metadata.json": "json",
                "latest.weights.h5.bkp": "h5", "training_metadata.json.bkp": "json"}


class BackupEvery(keras.callbacks.BackupAndRestore):
    """``BackupAndRestore`` writing after every ``every_epochs``-th epoch only (Part 6's short periods, where a backup
    would cost more than the epoch); with ``keep=True`` also after the last one, and kept, so that more epochs continue
    a finished run. A damaged backup raises :class:`~keras_autoencoders.errors.DamagedFileError` and is kept."""

    def __init__(self, backup_dir: str | os.PathLike, every_epochs: int = 1, keep: bool = False, writes: bool = True):
        super().__init__(os.fspath(backup_dir), save_freq="epoch", delete_checkpoint=not keep)
        self.every_epochs, self.keep, self.writes = check_integer("every_epochs", every_epochs), keep, writes

    def on_train_begin(self, logs=None):
        try:
            super().on_train_begin(logs)
        except Exception as error:
            found = backup_problem(self.backup_dir, BACKUP_FILES)
            if found is None:
                raise
            path, reason = found
            raise DamagedFileError(f"{path}: damaged backup ({reason}); the damaged backup is kept in "
                                   f"{self.backup_dir}; move it away to start over from epoch 0, or start a "
                                   "new --out") from error

    def on_epoch_end(self, epoch, logs=None):
        last = self.keep and epoch + 1 == self.params.get("epochs")
        if self.writes and ((epoch + 1) % self.every_epochs == 0 or last):
            with this_process_alone():  # its values, written without the distribution's collectives
                super().on_epoch_end(epoch, logs)

    def on_train_end(self, logs=None):
        if self.writes:  # deletes the backup of a finished run unless kept
            super().on_train_end(logs)


class IterationLogs(keras.callbacks.Callback):
    """Add ``iteration`` (the epoch's first step, counted over the run) to the epoch logs."""

    def __init__(self, iterations_per_epoch: int):
        super().__init__()
        self.iterations_per_epoch = int(iterations_per_epoch)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["iteration"] = epoch * self.iterations_per_epoch


class IterationProgress(keras.callbacks.Callback):
    """One progress bar over every iteration of a run of many short epochs (``fit(verbose=0)``), counting
    those this process runs (a resumed run says where it resumed); it shows the epoch's logs of ``keys``."""

    def __init__(self, total_iterations: int, iterations_per_epoch: int, keys: Sequence[str], verbose: int = 1):
        super().__init__()
        self.total_iterations, self.iterations_per_epoch = int(total_iterations), int(iterations_per_epoch)
        self.keys, self.verbose = tuple(keys), verbose
        self._bar, self._first = None, 0

    def on_epoch_begin(self, epoch, logs=None):
        if self._bar is None:
            self._first = epoch * self.iterations_per_epoch
            if self._first and self.verbose:
                print(f"resumed from the backup at iteration {self._first}")
            self._bar = keras.utils.Progbar(self.total_iterations - self._first, verbose=self.verbose,
                                            stateful_metrics=("iteration", *self.keys), unit_name="iteration")

    def on_epoch_end(self, epoch, logs=None):
        done = (epoch + 1) * self.iterations_per_epoch
        values = [("iteration", done)] + [(k, float(logs[k])) for k in self.keys if logs and k in logs]
        self._bar.update(done - self._first, values)

    def on_train_end(self, logs=None):
        self._bar = None


def run_folder_callbacks(out: str | os.PathLike, before_loggers: Sequence[keras.callbacks.Callback] = (),
                         tensorboard: bool = False, seeds: EpochSeeds | None = None,
                         backup_every_epochs: int = 1, keep_backup: bool = False,
                         nonfinite: StopOnNonFiniteLoss | None = None,
                         writes: bool = True) -> list[keras.callbacks.Callback]:
    """The tutorials' ``fit`` callbacks, in order: ``seeds`` (:class:`EpochSeeds`, first, to reset each epoch's draws
    before any other callback), ``nonfinite`` (default ``StopOnNonFiniteLoss(out/backup)``), :class:`EpochTimer`,
    ``before_loggers`` (their logs are recorded), ``CSVLogger(out/history.csv)``, ``TensorBoard(out/logs)`` when
    asked, :class:`BackupEvery` ``(out/backup)``. A rerun resumes from the last backup, to an uninterrupted run's
    weights when ``seeds`` is given and the data comes from ``shuffled_batches``, ``iteration_draws`` or
    ``make_image_dataset(..., epoch_variable=seeds.epoch)``. Without ``writes`` (a process other than 0), no logger,
    and the backup is read but never written."""
    out = pathlib.Path(out)
    callbacks = [] if seeds is None else [seeds]
    callbacks += [nonfinite or StopOnNonFiniteLoss(out / BACKUP_FOLDER), EpochTimer(), *before_loggers]
    if writes:
        callbacks.append(keras.callbacks.CSVLogger(out / HISTORY_FILE, append=True))
    if tensorboard and writes:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(out / LOGS_FOLDER)))
    callbacks.append(BackupEvery(out / BACKUP_FOLDER, backup_every_epochs, keep=keep_backup, writes=writes))
    return callbacks


def adaptive_loop_callbacks(out: str | os.PathLike, seeds: EpochSeeds, iterations: int, iterations_per_epoch: int,
                            backup_every: int, keys: Sequence[str],
                            before_loggers: Sequence[keras.callbacks.Callback] = (),
                            verbose: int = 1) -> list[keras.callbacks.Callback]:
    """Part 6's callbacks: :func:`run_folder_callbacks` (TensorBoard on) for epochs of ``iterations_per_epoch``
    iterations, with :class:`IterationLogs` and :class:`IterationProgress`. ``backup_every`` is in iterations and the
    backup is kept, so rerunning with more ``iterations`` continues the run; the NaN stop watches ``keys``."""
    out = pathlib.Path(out)
    nonfinite = StopOnNonFiniteLoss(out / BACKUP_FOLDER, keys=keys, iterations_per_epoch=iterations_per_epoch)
    callbacks = run_folder_callbacks(out, [IterationLogs(iterations_per_epoch), *before_loggers], tensorboard=True,
                                     seeds=seeds, backup_every_epochs=backup_every // iterations_per_epoch,
                                     keep_backup=True, nonfinite=nonfinite)
    callbacks.insert(-1, IterationProgress(iterations, iterations_per_epoch, keys, verbose=verbose))
    return callbacks
