"""Where the data loaders look for their files, and the error they raise when nothing is found.

Every loader in :mod:`keras_autoencoders.data` follows the same rule: a data file
is found only through an explicit argument (``data_dir=`` in Python,
``--data-dir`` on the command line) or through the environment variable
``KERAS_AUTOENCODERS_DATA`` (a folder holding the data), never through a
hard-coded path.  :func:`candidate_files` lists those places in order, and
:class:`DataNotFoundError` reports every place that was tried and why it failed.
"""
from __future__ import annotations

import os
import pathlib
from typing import Callable, Iterable, Optional, Sequence, Tuple, Union

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
        lines = [f"Could not find {label}. Tried:"]
        if self.attempts:
            lines.append(format_attempts(self.attempts))
        else:
            lines.append("  (no place to look)")
        fixes = [
            f"pass --data-dir DIR (or data_dir=DIR) naming a folder that holds {filename}",
            f"or set {DATA_ENV_VAR} to a folder that holds {filename}",
        ]
        if download_hint:
            fixes.append("or allow the download (download=True, with internet access)")
        lines.append("To fix: " + ", ".join(fixes) + ".")
        if hint:
            lines.append(hint)
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
    (e.g. ``"celeba"``).
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


def format_attempts(attempts: Iterable[Attempt]) -> str:
    """The tried places, one per line (the body of a :class:`DataNotFoundError` message)."""
    return "\n".join(
        f"  - {place}: {reason}" if loc is None else f"  - {place}: {loc} -- {reason}"
        for place, loc, reason in attempts
    )


def find_dataset_folder(
    data_dir: Optional[PathLike],
    try_base: Callable[[str, pathlib.Path, list], Optional[pathlib.Path]],
    not_found: Callable[[Sequence[Attempt]], DataNotFoundError],
) -> pathlib.Path:
    """A dataset's folder by the library's rule (module docstring).

    1. ``data_dir`` when given: ``try_base(ARGUMENT_PLACE, folder, attempts)``; when it finds
       nothing the error is raised at once (no fall-back to the environment variable for an
       explicit folder).
    2. Otherwise ``$KERAS_AUTOENCODERS_DATA`` through ``try_base(ENV_PLACE, ...)``.

    ``try_base`` returns the folder or None after appending why not to ``attempts``;
    ``not_found(attempts)`` makes the error raised when nothing is found.
    """
    attempts: list[Attempt] = []
    if data_dir is not None and os.fspath(data_dir) != "":
        root = try_base(ARGUMENT_PLACE, _as_path(data_dir), attempts)
        if root is None:
            raise not_found(attempts)
        return root
    env_value = os.environ.get(DATA_ENV_VAR, "")
    if env_value:
        root = try_base(ENV_PLACE, _as_path(env_value), attempts)
        if root is not None:
            return root
    else:
        attempts.append(env_unset_attempt())
    raise not_found(attempts)
