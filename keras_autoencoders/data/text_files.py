"""The one reader of the datasets' official-layout text files (CelebA's attribute and partition lists, LFW's attribute
and smile-label files). Each file's particulars are data, a :class:`TextLayout`; :func:`read_table` reads any of them
with the standard library (CelebA's 202,599 attribute rows in about a second) and checks it strictly, every error naming
the file and, if any, the 1-based line. A byte-order mark and trailing blank lines are ignored; CR LF reads as LF."""
from __future__ import annotations

import functools
import math
import operator
import pathlib
from array import array
from dataclasses import dataclass
from typing import Callable, Hashable, Mapping, Optional, Sequence

import numpy as np

from keras_autoencoders.errors import FileLineError

from .locations import PathLike

MAX_LISTED = 5  #: How many names an error or warning message lists before "... and N more".


def listing(names: Sequence[object], limit: int = MAX_LISTED) -> str:
    """``a, b, c`` or ``a, b, c ... and N more``."""
    shown = ", ".join(str(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown} ... and {len(names) - limit} more"


def first_repeat(items: Sequence[Hashable]) -> Optional[tuple[int, int]]:
    """``(position, position of its first occurrence)`` of the first repeated item, or ``None``."""
    seen: dict[Hashable, int] = {}
    if len(set(items)) < len(items):  # the loop only when there is a repeat (202,599 keys: 10x faster)
        for i, item in enumerate(items):
            if seen.setdefault(item, i) != i:
                return i, seen[item]
    return None


@dataclass(frozen=True)
class TextLayout:
    """How one official text file is laid out; the reader's checks and messages come from it."""

    error: type[FileLineError]  # the loader's error (e.g. CelebaFormatError)
    keys: tuple[str, ...]  # the leading fields that name a row's image, as messages (and a header) call them
    value: str  # what one value is called in messages ("value", "split", "score")
    words: Optional[Mapping[str, int]] = None  # allowed words -> their numbers (int8); None: finite reals (float32)
    allowed: str = "a finite number"  # how messages name the allowed values ("1 or -1")
    key: Callable[[list[str]], str] = operator.itemgetter(0)  # a row's image; ValueError(reason) when it names none
    header: tuple[str, ...] = ()  # the header lines: "count" (of rows), "comment", "names" (of the value columns)
    comment: str = ""  # what every header line starts with (LFW: "#")
    keys_named: bool = False  # whether the names line names the key fields first (LFW: person, imagenum)
    separator: Optional[str] = None  # None: runs of whitespace; "\t": one TAB


@dataclass(frozen=True, eq=False)
class Table:
    """What :func:`read_table` read: ``keys[i]`` names the image of line ``first_line + i``, ``values[i]`` its row."""

    path: pathlib.Path
    layout: TextLayout
    keys: np.ndarray
    names: tuple[str, ...]
    values: np.ndarray
    first_line: int

    def positions(self, keys: Sequence[str], place: str) -> np.ndarray:
        """Where every row's key is in ``keys``; one not there raises naming its line and ``place``."""
        where, rows = {key: i for i, key in enumerate(keys)}, self.keys.tolist()
        try:
            return np.array([where[key] for key in rows], dtype=np.intp)
        except KeyError as exc:
            key = exc.args[0]
            raise self.layout.error(self.path, self.first_line + rows.index(key),
                                    f"listed image {key} is absent from {place}") from None


def _lines(path: pathlib.Path, error: type[FileLineError]) -> list[str]:
    """The file's lines, strictly UTF-8, without a byte-order mark and trailing blank lines."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8").removeprefix("\ufeff").rstrip()
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(path, line, f"not UTF-8 text (byte {data[exc.start]:#04x})") from None
    if not text:
        raise error(path, None, "the file is empty")
    return text.split("\n")


def _header(lines: list[str], layout: TextLayout, fail: Callable[..., FileLineError]
            ) -> tuple[Optional[int], tuple[str, ...]]:
    """The number of rows the header gives (or ``None``) and the value columns' names (or ``(layout.value,)``)."""
    count, names = None, (layout.value,)
    keys = " and ".join(layout.keys)
    for number, kind in enumerate(layout.header, 1):
        line = lines[number - 1].strip() if number <= len(lines) else ""
        columns = [c.strip() for c in line[len(layout.comment):].strip().split(layout.separator)]
        names_first = layout.keys_named and tuple(columns[:len(layout.keys)]) == layout.keys
        if not line.startswith(layout.comment):
            raise fail(number, f"expected {_HEADER_LINES[kind]} starting with {layout.comment!r}, found {line[:40]!r}")
        if kind == "count":
            if not (line.isascii() and line.isdigit()):
                raise fail(number, f"expected the number of images, found {line[:40]!r}")
            count = int(line)
        elif kind == "comment" and names_first:
            raise fail(number, "found the column names; expected a comment line before them")
        elif kind == "names":
            if layout.keys_named and not names_first:
                raise fail(number, f"the column names must start with {keys}, found {listing(columns, 3)!r}")
            names = tuple(columns[len(layout.keys):] if layout.keys_named else columns)
            if names in ((), ("",)):
                raise fail(number, "expected the attribute names" + f" after {keys}" * layout.keys_named)
            if "" in names:
                raise fail(number, f"attribute name {names.index('') + 1} is empty")
            repeat = first_repeat(names)
            if repeat is not None:
                raise fail(number, f"duplicate attribute name {names[repeat[0]]!r} "
                                   f"(entries {repeat[1] + 1} and {repeat[0] + 1})")
    return count, names


#: What each kind of header line holds, as messages say it.
_HEADER_LINES = {"count": "the number of images on a line", "comment": "a comment line",
                 "names": "the column names on a line"}


def _allowed(word: str, words: Optional[Mapping[str, int]]) -> bool:
    """Whether ``word`` is one of ``words`` (``None``: a finite real number)."""
    if words is not None:
        return word in words
    try:
        return math.isfinite(float(word))
    except ValueError:
        return False


def read_table(path: PathLike, layout: TextLayout) -> Table:
    """Read one official text file laid out as ``layout``; ``layout.error`` names the file and line of
    any problem: not UTF-8, empty, a header not as laid out (a wrong count; missing, empty or repeated
    names), a row with the wrong number of fields, fields naming no image, a value not allowed, a repeat."""
    path = pathlib.Path(path)
    lines, fail = _lines(path, layout.error), functools.partial(layout.error, path)
    count, names = _header(lines, layout, fail)
    first = len(layout.header) + 1
    rows = lines[first - 1:]
    if not rows:
        raise fail(None, f"no image rows after the {len(layout.header)} header lines")
    skip, width, named = len(layout.keys), len(layout.keys) + len(names), "names" in layout.header
    values_read = f"{len(names)} {layout.value}s" if named else layout.value
    tab = "TAB-separated " if layout.separator == "\t" else ""
    expected = f"expected {width} {tab}fields ({', '.join(layout.keys)}, {values_read})"

    def bad_value(number: int, fields: list[str], key: str) -> FileLineError:
        name, word = next((n, w) for n, w in zip(names, fields[skip:]) if not _allowed(w, layout.words))
        column = f"for attribute {name} " if named else ""
        return fail(number, f"{layout.value} {word.strip()!r} {column}of {key} is not {layout.allowed}")

    floats = layout.words is None
    convert = float if floats else layout.words.__getitem__
    values = array("d" if floats else "b")
    keys: list[str] = []
    key_of, separator = layout.key, layout.separator  # locals: the loop runs once a row (202,599 for CelebA)
    for number, line in enumerate(rows, first):
        fields = line.rstrip().split(separator)
        if len(fields) != width:
            raise fail(number, f"{expected}, found {len(fields) if line.strip() else 'a blank line'}")
        try:
            keys.append(key_of(fields))
        except ValueError as exc:
            raise fail(number, str(exc)) from None
        try:
            values.extend(map(convert, fields[skip:]))
        except (KeyError, ValueError):
            raise bad_value(number, fields, keys[-1]) from None
    table = np.frombuffer(values, np.float64 if floats else np.int8).reshape(len(keys), len(names))
    if floats and not np.isfinite(table).all():
        row = int(np.flatnonzero(~np.isfinite(table).all(axis=1))[0])
        raise bad_value(first + row, rows[row].rstrip().split(layout.separator), keys[row])
    if count is not None and count != len(keys):
        raise fail(layout.header.index("count") + 1,
                   f"the count line says {count} images but the file lists {len(keys)} rows")
    repeat = first_repeat(keys)
    if repeat is not None:
        row, first_row = repeat
        raise fail(first + row, f"duplicate row for {keys[row]} (first on line {first + first_row})")
    return Table(path, layout, np.array(keys, dtype=str), names, table.astype(np.float32 if floats else np.int8), first)
