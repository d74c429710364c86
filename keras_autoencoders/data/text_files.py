"""The one reader of the datasets' text files (CelebA, LFW), and what their loaders share.

* :class:`TextFile` reads a file once, strictly: it must be UTF-8 (the error names
  the line of the first bad byte), a byte-order mark is dropped, trailing blank lines
  are ignored and a file with nothing else is an error.  Every error it makes
  (:meth:`TextFile.fail`) is the loader's own :class:`~keras_autoencoders.errors.FileLineError`
  subclass, so it names the file and, where there is one, the 1-based line.
* Fields come either as :meth:`TextFile.lines` (for TAB-separated files, split by the
  loader) or as :meth:`TextFile.words`: the whitespace-separated words of every line,
  found with numpy on the file's bytes (no Python loop per line), so CelebA's
  202,599-row attribute file is split, checked and parsed in well under a second.
* :func:`listing` shortens long lists of names in messages; :func:`find_folder` finds a
  dataset folder by the library's rule (:mod:`~keras_autoencoders.data.locations`) and
  :func:`not_found` builds the :class:`~keras_autoencoders.data.locations.DataNotFoundError`
  that ends with where to get the dataset.
"""
from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass
from typing import Callable, Hashable, Optional, Sequence, Union

import numpy as np

from keras_autoencoders.errors import FileLineError

from .locations import Attempt, DataNotFoundError, find_dataset_folder

PathLike = Union[str, os.PathLike]

#: How many names an error or warning message lists before "... and N more".
MAX_LISTED = 5
#: Words longer than this go through Python in :meth:`Words.strings` (the rest through numpy).
_MAX_FAST_WORD = 64


def listing(names: Sequence[object], limit: int = MAX_LISTED) -> str:
    """``a, b, c`` or ``a, b, c ... and N more``."""
    shown = ", ".join(str(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown} ... and {len(names) - limit} more"


def first_repeat(items: Sequence[Hashable]) -> Optional[tuple[int, int]]:
    """``(position, position of its first occurrence)`` of the first repeated item, or ``None``."""
    if len(set(items)) == len(items):
        return None
    seen: dict[Hashable, int] = {}
    for i, item in enumerate(items):
        if item in seen:
            return i, seen[item]
        seen[item] = i
    return None  # unreachable: the set was smaller


def _is_space(b: np.ndarray) -> np.ndarray:
    """Where the bytes are ASCII whitespace as ``bytes.split()`` sees it (TAB, LF, VT, FF, CR, space)."""
    return (b == 32) | (np.subtract(b, 9, dtype=np.uint8) <= 4)


class TextFile:
    """One dataset text file, read and checked once; its errors name it and the 1-based line.

    ``error`` is the loader's :class:`FileLineError` subclass (e.g. ``CelebaFormatError``).
    Raises it for a file that is not UTF-8 (naming the line) or holds only blank lines.
    """

    def __init__(self, path: PathLike, error: type[FileLineError]):
        self.path = pathlib.Path(path)
        self.error = error
        data = self.path.read_bytes()
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                raise self.fail(line, f"not UTF-8 text (byte {data[exc.start]:#04x})") from None
        if data.startswith(b"\xef\xbb\xbf"):  # the line numbers stay those of the file
            data = data[3:]
        last = len(data.rstrip())  # keep the last non-blank line whole, drop the blank ones after it
        if not last:
            raise self.fail(None, "the file is empty")
        end = data.find(b"\n", last)
        #: The file's bytes without the byte-order mark and the trailing blank lines.
        self.data = data if end < 0 else data[:end]
        self._padded: Optional[np.ndarray] = None

    def padded(self, extra: int) -> np.ndarray:
        """The bytes as uint8, followed by at least ``extra`` NUL bytes (so word offsets plus
        up to ``extra`` index safely)."""
        if self._padded is None or len(self._padded) < len(self.data) + extra:
            self._padded = np.frombuffer(self.data + bytes(max(extra, 8)), np.uint8)
        return self._padded

    def fail(self, line: Optional[int], reason: str) -> FileLineError:
        """The loader's error for ``reason`` on 1-based ``line`` (``None``: not on one line)."""
        return self.error(self.path, line, reason)

    def lines(self) -> list[str]:
        """The lines, without their line ends (LF or CR LF)."""
        return [line.rstrip("\r") for line in self.data.decode("utf-8").split("\n")]

    def words(self) -> "Words":
        """The whitespace-separated words of every line (see :class:`Words`)."""
        b = np.frombuffer(self.data, np.uint8)
        padded = np.ones(len(b) + 2, dtype=bool)  # whitespace on both sides, so words start and end
        padded[1:-1] = _is_space(b)
        edges = np.flatnonzero(padded[1:] != padded[:-1])  # word starts and ends, alternating
        line_ends = np.append(np.flatnonzero(b == 10), len(b))
        # A line end is whitespace: the edges up to it are the starts and ends of its words and those before.
        counts = np.diff(np.searchsorted(edges, line_ends, side="right") // 2, prepend=0)
        starts = edges[0::2].copy()
        return Words(self, 1, counts, starts, edges[1::2] - starts)

    def check_unique(self, names: Sequence[str], what: str, first_line: int) -> None:
        """Raise naming the first repeated name: ``names[i]`` is on line ``first_line + i``.

        ``what`` formats the name, e.g. ``"file name {!r}"``.
        """
        repeat = first_repeat(names)
        if repeat is not None:
            i, first = repeat
            raise self.fail(
                first_line + i, f"duplicate {what.format(names[i])} (first on line {first_line + first})"
            )

    def check_unique_on_line(self, names: Sequence[str], what: str, line: int) -> None:
        """Raise naming the first repeated entry of ``names``, all on one ``line``."""
        repeat = first_repeat(names)
        if repeat is not None:
            i, first = repeat
            raise self.fail(line, f"duplicate {what.format(names[i])} (entries {first + 1} and {i + 1})")


@dataclass(frozen=True, eq=False)
class Words:
    """The whitespace-separated words of consecutive lines of a :class:`TextFile`.

    Row ``r`` is line ``first_line + r`` of the file and holds ``counts[r]`` words;
    ``starts`` and ``lengths`` are the byte offsets and lengths of all the rows' words,
    row after row.
    """

    file: TextFile
    first_line: int
    counts: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray

    def __len__(self) -> int:
        return len(self.counts)

    def line(self, row: int) -> int:
        """The 1-based line number of ``row``."""
        return self.first_line + int(row)

    def after(self, rows: int) -> "Words":
        """The rows after the first ``rows`` (e.g. the rows under two header lines)."""
        skip = int(self.counts[:rows].sum())
        return Words(self.file, self.first_line + rows, self.counts[rows:], self.starts[skip:], self.lengths[skip:])

    def row(self, row: int) -> list[str]:
        """The words of one row."""
        first = int(self.counts[:row].sum())
        words = slice(first, first + int(self.counts[row]))
        return [self.text(s, n) for s, n in zip(self.starts[words].tolist(), self.lengths[words].tolist())]

    def first_row(self, bad: np.ndarray) -> Optional[int]:
        """The first row where the boolean ``bad`` (one value per row) is set, or ``None``."""
        found = np.flatnonzero(bad)
        return int(found[0]) if found.size else None

    def table(self, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Starts and lengths as ``(rows, width)`` arrays (views); every row must hold
        ``width`` words (check :attr:`counts` first)."""
        if len(self.starts) != len(self) * width:
            raise ValueError(f"not every row holds {width} words")
        return self.starts.reshape(-1, width), self.lengths.reshape(-1, width)

    def text(self, start: int, length: int) -> str:
        """The word of ``length`` bytes at ``start``."""
        return self.file.data[int(start):int(start) + int(length)].decode("utf-8", "replace")

    def strings(self, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The words at ``starts`` with ``lengths`` (same shape) as a numpy str array of that shape."""
        data = self.file.data
        width = int(lengths.max(initial=0))
        if width == 0 or width > _MAX_FAST_WORD or not data.isascii() or b"\0" in data:
            words = [self.text(s, n) for s, n in zip(starts.ravel().tolist(), lengths.ravel().tolist())]
            return np.array(words, dtype=str).reshape(starts.shape)
        column = np.arange(width)
        chars = self.file.padded(width)[starts[..., None] + column]
        if int(lengths.min()) < width:
            chars[column >= lengths[..., None]] = 0  # numpy's bytes strings end at the first NUL pad
        return chars.view(f"S{width}")[..., 0].astype(str)

    def codes(self, starts: np.ndarray, lengths: np.ndarray, options: Sequence[str]) -> np.ndarray:
        """For each word at ``starts`` with ``lengths``, its position in ``options``, -1 when it
        is none of them (int8, the shape of ``starts``)."""
        encoded = [option.encode("utf-8") for option in options]
        if len(set(encoded)) != len(encoded) or len(encoded) > 127:
            raise ValueError(f"options must be distinct, at most 127: {options!r}")
        b = self.file.padded(max(map(len, encoded)))
        at: dict[int, np.ndarray] = {}  # the words' i-th bytes, gathered once for all options
        codes = np.zeros(starts.shape, dtype=np.int8)  # code + 1 (no boolean-mask assignment: slow)
        for code, option in enumerate(encoded):
            match = lengths == len(option)
            for i, byte in enumerate(option):
                if i not in at:
                    at[i] = b[i:][starts]
                match &= at[i] == byte
            codes += match.view(np.int8) * np.int8(code + 1)  # at most one option matches a word
        codes -= 1
        return codes


def not_found(filename: str, attempts: Sequence[Attempt], what: str, hint: str) -> DataNotFoundError:
    """A :class:`DataNotFoundError` for a dataset with no automatic download, ending with ``hint``
    (where to get it)."""
    return DataNotFoundError(filename, attempts, what=what, download_hint=False, hint=hint)


def find_folder(
    data_dir: Optional[PathLike],
    in_base: Callable[[str, pathlib.Path, list[Attempt]], Optional[pathlib.Path]],
    folder_name: str,
    what: str,
    hint: str,
) -> pathlib.Path:
    """A dataset's folder by the library's rule (:func:`~keras_autoencoders.data.locations.find_dataset_folder`).

    A base that is not a folder is recorded here; ``in_base(place, base, attempts)`` gets
    only existing folders and returns the dataset folder in or at ``base``, or ``None``
    after appending why not to ``attempts``.  When nothing is found the error lists
    every attempt and ends with ``hint``.
    """

    def try_base(place: str, base: pathlib.Path, attempts: list[Attempt]) -> Optional[pathlib.Path]:
        if not base.is_dir():
            attempts.append((place, base, "no such folder" if not base.exists() else "not a folder"))
            return None
        return in_base(place, base, attempts)

    return find_dataset_folder(data_dir, try_base, lambda attempts: not_found(folder_name, attempts, what, hint))


__all__ = ["MAX_LISTED", "TextFile", "Words", "find_folder", "first_repeat", "listing", "not_found"]
