"""Where the loaders look for data (docs/data.md): ``data_dir=`` / ``--data-dir``, or ``$KERAS_AUTOENCODERS_DATA``;
never a hard-coded path. :func:`search` finds a file with a Keras download (MNIST, Fashion-MNIST), :class:`DataFolder` a
dataset folder without one (CelebA, LFW); else :class:`DataNotFoundError` lists the places tried."""
from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence, Tuple, Union

from keras_autoencoders.errors import KerasAutoencodersError

DATA_ENV_VAR = "KERAS_AUTOENCODERS_DATA"
#: The places, as :func:`candidate_files` and the error messages name them.
ENV_PLACE = f"environment variable {DATA_ENV_VAR}"
ARGUMENT_PLACE = "argument"
DOWNLOAD_PLACE = "keras download"

PathLike = Union[str, os.PathLike]

Attempt = Tuple[str, Optional[Union[str, os.PathLike]], str]  #: A place tried: (label, location or None, reason).
ENV_UNSET: Attempt = (ENV_PLACE, None, "not set")


class DataNotFoundError(KerasAutoencodersError, FileNotFoundError):
    """No usable copy of a data file was found: the message lists every place tried with why it
    failed (also kept in :attr:`attempts`), then how to fix it and the dataset's ``hint``."""

    def __init__(self, filename: str, attempts: Sequence[Attempt], *, what: Optional[str] = None,
                 download_hint: bool = True, hint: Optional[str] = None):
        self.attempts = [(place, location, reason) for place, location, reason in attempts]
        tried = [f"  - {place}: {reason}" if location is None else f"  - {place}: {location} -- {reason}"
                 for place, location, reason in self.attempts]
        fixes = [f"pass --data-dir DIR (or data_dir=DIR) naming a folder that holds {filename}",
                 f"or set {DATA_ENV_VAR} to a folder that holds {filename}",
                 *(["or allow the download (download=True, with internet access)"] if download_hint else [])]
        lines = [f"Could not find {f'{what} ({filename})' if what else filename}. Tried:",
                 *(tried or ["  (no place to look)"]), "To fix: " + ", ".join(fixes) + ".", *([hint] if hint else [])]
        super().__init__("\n".join(lines))

    def __str__(self) -> str:  # FileNotFoundError would otherwise format errno/filename
        return self.args[0]


def _as_path(value: PathLike) -> pathlib.Path:
    return pathlib.Path(os.fspath(value)).expanduser()


def _bases(data_dir: Optional[PathLike]) -> list[tuple[str, pathlib.Path]]:
    """``(place, folder)`` of ``data_dir`` when given, then of ``$KERAS_AUTOENCODERS_DATA`` when set."""
    places = [] if data_dir is None or os.fspath(data_dir) == "" else [(ARGUMENT_PLACE, _as_path(data_dir))]
    if os.environ.get(DATA_ENV_VAR, ""):
        places.append((ENV_PLACE, _as_path(os.environ[DATA_ENV_VAR])))
    return places


def candidate_files(filename: str, data_dir: Optional[PathLike]) -> list[tuple[str, pathlib.Path]]:
    """The ``(place, path)`` pairs to look in for ``filename``, unchecked: ``data_dir`` itself when it names the file
    (or is a file with its suffix), else ``data_dir / filename``; then ``$KERAS_AUTOENCODERS_DATA / filename``."""
    suffix = pathlib.PurePath(filename).suffix

    def names_file(path: pathlib.Path) -> bool:
        return path.name == filename or bool(suffix) and path.suffix == suffix and path.is_file()

    return [(place, base if place == ARGUMENT_PLACE and names_file(base) else base / filename)
            for place, base in _bases(data_dir)]


def search(filename: str, data_dir: Optional[PathLike], why_unusable: Callable[[pathlib.Path], Optional[str]],
           what: str) -> tuple[Optional[pathlib.Path], list[Attempt]]:
    """The first of :func:`candidate_files` that ``why_unusable`` accepts (``None``), else ``None``, with the places
    tried; an explicit ``data_dir`` that fails raises :class:`DataNotFoundError` at once: no silent fall-back."""
    places, attempts = candidate_files(filename, data_dir), []
    for place, path in places:
        reason = why_unusable(path)
        if reason is None:
            return path, attempts
        if place == ARGUMENT_PLACE:
            given = _as_path(data_dir)
            if given != path and given.is_dir() and why_unusable(given) is None:
                return given, attempts
            raise DataNotFoundError(filename, [(place, path, reason)], what=what)
        attempts.append((place, path, reason))
    if not any(place == ENV_PLACE for place, _ in places):
        attempts.append(ENV_UNSET)
    return None, attempts


def keras_dataset(name: str) -> Any:
    """``keras.datasets.<name>.load_data()``: Keras' standard download, or its cache."""
    import keras

    return getattr(keras.datasets, name).load_data()


def try_download(fetch: Callable[[], Any], call: str, download: bool, attempts: list[Attempt]) -> Any:
    """``fetch()`` (a Keras download, or its cache), or ``None`` after adding why not to ``attempts``."""
    if not download:
        attempts.append((DOWNLOAD_PLACE, None, "disabled (download=False)"))
        return None
    try:
        return fetch()
    except Exception as exc:  # noqa: BLE001 - any failure just means "not available"
        attempts.append((DOWNLOAD_PLACE, call, f"failed: {type(exc).__name__}: {exc}"))
        return None


@dataclass(frozen=True)
class DataFolder:
    """A dataset folder with no automatic download, as data; :meth:`find` finds it."""

    name: str  # the folder's usual name, looked for inside the base folder ("celeba")
    what: str  # the dataset, as messages call it ("CelebA")
    marks: tuple[str, ...]  # entries the folder holds, any one of which marks it
    hint: str  # where to get the dataset: the last line of every not-found error

    def find(self, data_dir: Optional[PathLike] = None) -> pathlib.Path:
        """The dataset folder under the base ``data_dir`` (an explicit one never falls back), else
        ``$KERAS_AUTOENCODERS_DATA``: the base when it holds one of :attr:`marks`, its parent when
        it is one, else ``base / name``; :class:`DataNotFoundError` lists every place tried."""
        bases = _bases(data_dir)
        if not bases:
            raise self.not_found(self.name, [ENV_UNSET])
        place, base = bases[0]
        if not base.is_dir():
            raise self.not_found(self.name, [(place, base, "not a folder" if base.exists() else "no such folder")])
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
        raise self.not_found(path.name, [(place, path, f"not a {kind}" if path.exists() else f"no such {kind}")], what)

    def not_found(self, entry: str, attempts: Sequence[Attempt], what: Optional[str] = None) -> DataNotFoundError:
        """The error for ``entry``, not found after ``attempts``, ending with :attr:`hint`."""
        return DataNotFoundError(entry, attempts, what=what or self.what, download_hint=False, hint=self.hint)
