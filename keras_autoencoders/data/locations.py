"""Where the data loaders look for their files, and the error they raise when nothing is found.

Every loader in :mod:`keras_autoencoders.data` follows the same rule: data is found only
through an explicit argument (``data_dir=`` in Python, ``--data-dir`` on the command line)
or through the environment variable ``KERAS_AUTOENCODERS_DATA`` (a folder holding the
data), never through a hard-coded path.  :func:`candidate_files` lists those places for one
file (MNIST and Fashion-MNIST, which fall back on a download); :class:`DataFolder` is the
one finder of a dataset folder that has no download (CelebA, LFW), each dataset's
particulars given as data; :class:`DataNotFoundError` reports every place that was tried
and why it failed.
"""
from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple, Union

from keras_autoencoders.errors import KerasAutoencodersError

DATA_ENV_VAR = "KERAS_AUTOENCODERS_DATA"

#: Label of the environment-variable place, as used in ``candidate_files`` and error messages.
ENV_PLACE = f"environment variable {DATA_ENV_VAR}"
#: Label of the explicit-argument place.
ARGUMENT_PLACE = "argument"

PathLike = Union[str, os.PathLike]

#: One tried place: (label, location or None, why it failed).
Attempt = Tuple[str, Optional[Union[str, os.PathLike]], str]


class DataNotFoundError(KerasAutoencodersError, FileNotFoundError):
    """No usable copy of a data file was found.

    The message lists every place that was tried, one per line, each with the
    reason it failed, followed by how to fix it and any dataset-specific ``hint``
    (e.g. where to get a dataset that has no automatic download).  The tried places are also kept
    in :attr:`attempts` as ``(place, location, reason)`` tuples.
    """

    def __init__(
        self,
        filename: str,
        attempts: Sequence[Attempt],
        *,
        what: Optional[str] = None,
        download_hint: bool = True,
        hint: Optional[str] = None,
    ):
        self.filename_wanted = filename
        self.attempts = [(place, location, reason) for place, location, reason in attempts]
        label = f"{what} ({filename})" if what else filename
        tried = [f"  - {place}: {reason}" if location is None else f"  - {place}: {location} -- {reason}"
                 for place, location, reason in self.attempts]
        fixes = [
            f"pass --data-dir DIR (or data_dir=DIR) naming a folder that holds {filename}",
            f"or set {DATA_ENV_VAR} to a folder that holds {filename}",
        ]
        if download_hint:
            fixes.append("or allow the download (download=True, with internet access)")
        lines = [f"Could not find {label}. Tried:", *(tried or ["  (no place to look)"]),
                 "To fix: " + ", ".join(fixes) + ".", *([hint] if hint else [])]
        super().__init__("\n".join(lines))

    def __str__(self) -> str:  # FileNotFoundError would otherwise format errno/filename
        return self.args[0]


def _as_path(value: PathLike) -> pathlib.Path:
    return pathlib.Path(os.fspath(value)).expanduser()


def _points_at_file(path: pathlib.Path, filename: str) -> bool:
    """True when ``path`` names the data file itself rather than a folder holding it."""
    if path.name == filename:
        return True
    # An existing file with the same suffix (e.g. ``my_mnist.npz`` for ``mnist.npz``).
    suffix = pathlib.PurePath(filename).suffix
    return bool(suffix) and path.suffix == suffix and path.is_file()


def candidate_files(
    filename: str, data_dir: Optional[PathLike]
) -> list[tuple[str, pathlib.Path]]:
    """The ordered places to look for ``filename``, as ``(place, path)`` pairs.

    1. ``("argument", ...)`` when ``data_dir`` is given: ``data_dir`` itself when it
       names the file (its last component is ``filename``, or it is an existing file
       with the same suffix), else ``data_dir / filename``.
    2. ``("environment variable KERAS_AUTOENCODERS_DATA", folder / filename)`` when
       that variable is set to a non-empty value.

    The paths are not checked for existence; ``filename`` may also name a folder
    (e.g. ``"fashion-mnist"``).
    """
    places: list[tuple[str, pathlib.Path]] = []
    if data_dir is not None and os.fspath(data_dir) != "":
        path = _as_path(data_dir)
        places.append((ARGUMENT_PLACE, path if _points_at_file(path, filename) else path / filename))
    env_value = os.environ.get(DATA_ENV_VAR, "")
    if env_value:
        places.append((ENV_PLACE, _as_path(env_value) / filename))
    return places


def env_unset_attempt() -> Attempt:
    """The attempt entry recording that the environment variable is not set."""
    return (ENV_PLACE, None, "not set")


@dataclass(frozen=True)
class DataFolder:
    """A dataset folder with no automatic download, as data: its name, the entries that mark
    it and where to get it; :meth:`find` finds it by the library's rule."""

    #: The folder's usual name, looked for inside the base folder (``"celeba"``).
    name: str
    #: The dataset, as messages call it (``"CelebA"``).
    what: str
    #: Entries the folder holds, any one of which marks it (its image folder, its text files).
    marks: tuple[str, ...]
    #: Where to get the dataset: the last line of every not-found error.
    hint: str

    def find(self, data_dir: Optional[PathLike] = None) -> pathlib.Path:
        """The dataset folder under the base folder: ``data_dir`` when given (an explicit folder
        that holds no dataset is an error at once, with no fall-back), else
        ``$KERAS_AUTOENCODERS_DATA``.

        The base itself when it holds one of :attr:`marks`, its parent when it *is* one of them
        (e.g. the image folder), else ``base / name`` when that holds one.  Raises
        :class:`DataNotFoundError` listing every place tried and where to get the dataset.
        """
        if data_dir is not None and os.fspath(data_dir) != "":
            place, base = ARGUMENT_PLACE, _as_path(data_dir)
        elif os.environ.get(DATA_ENV_VAR, ""):
            place, base = ENV_PLACE, _as_path(os.environ[DATA_ENV_VAR])
        else:
            raise self.not_found(self.name, [env_unset_attempt()])
        if not base.is_dir():
            reason = "not a folder" if base.exists() else "no such folder"
            raise self.not_found(self.name, [(place, base, reason)])
        if base.name in self.marks:
            return base.parent
        attempts: list[Attempt] = []
        for folder in (base, base / self.name):
            if any((folder / mark).exists() for mark in self.marks):
                return folder
            reason = f"holds none of {', '.join(self.marks)}" if folder.is_dir() else "no such folder"
            attempts.append((place, folder, reason))
        raise self.not_found(self.name, attempts)

    def require(self, path: pathlib.Path, place: str, what: str, folder: bool = False) -> pathlib.Path:
        """``path`` when it is an existing file (``folder``: folder), else the error naming it."""
        if path.is_dir() if folder else path.is_file():
            return path
        kind = "folder" if folder else "file"
        reason = f"not a {kind}" if path.exists() else f"no such {kind}"
        raise self.not_found(path.name, [(place, path, reason)], what)

    def not_found(
        self, entry: str, attempts: Sequence[Attempt], what: Optional[str] = None
    ) -> DataNotFoundError:
        """The error for ``entry``, not found after ``attempts``, ending with :attr:`hint`."""
        return DataNotFoundError(entry, attempts, what=what or self.what, download_hint=False, hint=self.hint)
