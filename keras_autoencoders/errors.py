"""The library's own error types. Every error raised for bad input (missing data, malformed files, bad arguments, a
diverged run) derives from :class:`KerasAutoencodersError`: a command-line run ends with one message, no traceback
(:meth:`keras_autoencoders.tutorial.TutorialSettings.parse`), while Python callers still catch the specific one."""
from __future__ import annotations

import pathlib
from typing import Iterable


class KerasAutoencodersError(Exception):
    """Base of every error this library raises on purpose."""


class SettingsError(KerasAutoencodersError, ValueError):
    """A setting or argument the library cannot use (names the setting and the allowed values)."""


class DataFormatError(KerasAutoencodersError, ValueError):
    """A data file is not in the expected format (the message names the file, and the line or key)."""


class FileLineError(DataFormatError):
    """A text file's problem on a given line: the message reads ``FILE, line N: reason``
    (``FILE: reason`` when it is not on one line); ``path``, ``line`` and ``reason`` are kept."""

    def __init__(self, path, line: int | None, reason: str):
        self.path, self.line, self.reason = pathlib.Path(path), line, reason
        super().__init__(f"{self.path}, line {line}: {reason}" if line is not None else f"{self.path}: {reason}")


class UnknownAttributeError(KerasAutoencodersError, KeyError, ValueError):
    """An attribute name a dataset does not have (both a KeyError and a ValueError); the message lists valid names."""

    @classmethod
    def among(cls, unknown: Iterable[str], valid: Iterable[str], where: str) -> "UnknownAttributeError":
        """The error for the ``unknown`` names, which are not among ``valid``, in ``where``."""
        unknown = list(unknown)
        plural = "s" if len(unknown) > 1 else ""
        return cls(f"unknown attribute name{plural} {', '.join(map(repr, unknown))} in {where}; "
                   f"valid names: {', '.join(valid) or 'none'}")

    def __str__(self) -> str:  # KeyError would otherwise show the repr of the message
        return str(self.args[0])


class NonFiniteLossError(KerasAutoencodersError, FloatingPointError):
    """A training loss became NaN or infinite; the message names the loss and where it happened."""


class DamagedFileError(KerasAutoencodersError, ValueError):
    """A model file or backup is damaged (truncated, a Git LFS pointer, a wrong sha256); the message says what to do."""


class BackendError(KerasAutoencodersError, RuntimeError):
    """A TensorFlow-only piece asked for on another Keras backend."""


def require_tensorflow(what: str) -> None:
    """Refuse ``what`` with one :class:`BackendError` unless Keras runs on TensorFlow."""
    import keras  # here, so that the errors import nothing heavy

    if keras.config.backend() != "tensorflow":
        raise BackendError(f"{what} runs on TensorFlow only, and Keras here runs on {keras.config.backend()!r} "
                           "(KERAS_BACKEND); run it without KERAS_BACKEND, or with KERAS_BACKEND=tensorflow")


def check_whole_periods(period: int, **counts: int) -> None:
    """Each of ``counts`` (``iterations=...``; a flag's name may start ``--``) must be a positive multiple
    of ``period`` (Part 6: 3 iterations per logged period, one epoch of ``fit``), else :class:`SettingsError`."""
    for name, count in counts.items():
        if count < 1 or count % period:
            raise SettingsError(f"{name} must be a positive multiple of {period} (whole periods of {period} "
                                f"iterations), got {count}")
