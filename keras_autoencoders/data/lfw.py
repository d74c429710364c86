"""LFW (Labeled Faces in the Wild): finding and indexing the deep-funneled faces, their
attribute scores and smile labels.

This serves the faces half of the study "Автокодировщики: LFW и MNIST" (seed 000): a
convolutional autoencoder trained on LFW faces, new faces decoded from a normal
distribution fitted to the codes of validation faces, and a "smile vector" (the mean
code of smiling minus that of non-smiling validation faces) added to a face's code.
The data is read in the official layout::

    lfw/
        lfw-deepfunneled/<Name>/<Name>_NNNN.jpg   # 13,233 images of 5,749 people, 250x250 RGB
        lfw_attributes.txt      # optional: 73 classifier scores per image (official file)
        lfw_smile_labels.txt    # optional: "./lfw/<Name>/<Name>_NNNN.jpg 1" rows, 1 smiling, 0 not

Choices made here (each documented at the function concerned):

* Where to look (:func:`find_lfw_root`): an explicit ``data_dir`` (the folder holding
  ``lfw-deepfunneled/``, the ``lfw-deepfunneled`` folder itself, or a folder holding
  ``lfw/``), else the folder named by ``KERAS_AUTOENCODERS_DATA`` (same rule), as for
  CelebA.  There is no automatic download.
* The index (:class:`LfwIndex`) comes from a directory scan: only file and person
  names, never pixels.  Files not named ``<Name>/<Name>_NNNN.jpg`` are ignored.
* The train / validation split is by *person*, seeded: no one is in both.  The study
  fits its new-face distribution and its smile vector on validation faces, so a
  face of a person seen in training must not leak into them.
* The attribute and smile-label files are validated strictly: every error is an
  :class:`LfwFormatError` naming the file and, where there is one, the 1-based line;
  a row naming an image that is not in the folder is an error too.  Both are read by
  the shared reader (:mod:`~keras_autoencoders.data.text_files`), as CelebA's are.
"""
from __future__ import annotations

import math
import numbers
import os
import pathlib
import re
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from keras_autoencoders.errors import FileLineError, SettingsError, UnknownAttributeError

from .image_index import ImageRows
from .locations import Attempt, DataNotFoundError
from .text_files import TextFile, find_folder, listing, not_found

PathLike = Union[str, os.PathLike]

LFW_FOLDER = "lfw"
IMAGE_FOLDER = "lfw-deepfunneled"
ATTRIBUTE_FILE = "lfw_attributes.txt"
SMILE_LABEL_FILE = "lfw_smile_labels.txt"
SPLITS = ("train", "validation")
#: Size of the official deep-funneled images, (width, height).
IMAGE_SIZE = (250, 250)
#: Number of images and of people in the official set.
OFFICIAL_COUNT = 13_233
OFFICIAL_PEOPLE = 5_749
#: The first two columns of the attribute file's header.
KEY_COLUMNS = ("person", "imagenum")

#: An image file name ``<Name>_NNNN.jpg`` (the name must also be its folder's).
_IMAGE_NAME = re.compile(r"(.+)_([0-9]{4})\.jpg")

WHERE_TO_GET = (
    "LFW has no automatic download. Get the 'deep funneled' images from the LFW website "
    f"(unpacked to {IMAGE_FOLDER}/<Name>/<Name>_NNNN.jpg) and put them in a folder named "
    f"{LFW_FOLDER}/, optionally with {ATTRIBUTE_FILE} and {SMILE_LABEL_FILE} beside "
    f"{IMAGE_FOLDER}/."
)


class LfwFormatError(FileLineError):
    """An LFW text file (attributes, smile labels) is not in the expected format.

    The message starts with the file and, where there is one, the 1-based line, e.g.
    ``.../lfw_attributes.txt, line 7: expected 75 columns, found 74``; both are kept
    in :attr:`path` and :attr:`line` (``None`` when the problem is not on one line).
    """


# --------------------------------------------------------------------------- text files


def _image_key(person: str, filename: str) -> Optional[str]:
    """``person/filename`` when ``filename`` is ``<person>_NNNN.jpg``, else ``None``."""
    match = _IMAGE_NAME.fullmatch(filename)
    if match is None or match.group(1) != person:
        return None
    return f"{person}/{filename}"


def _header_columns(line: str) -> list[str]:
    """The TAB-separated names of a ``#`` header line (``#\tperson\t...`` or ``#person\t...``)."""
    columns = [c.strip() for c in line[1:].rstrip().split("\t")]
    while columns and not columns[0]:  # "#\tperson\t..." leaves an empty first field
        columns.pop(0)
    return columns


def _read_attributes(path: pathlib.Path) -> tuple[list[str], tuple[str, ...], np.ndarray]:
    file = TextFile(path, LfwFormatError)
    lines = file.lines()
    if not lines[0].startswith("#"):
        raise file.fail(1, f"expected a first comment line starting with '#', found {lines[0][:40]!r}")
    if tuple(_header_columns(lines[0])[:2]) == KEY_COLUMNS:
        raise file.fail(1, "found the column names on the first line; expected a comment line before them")
    if len(lines) < 2 or not lines[1].startswith("#"):
        raise file.fail(2, "expected the TAB-separated column names on a second line starting with '#'")
    columns = _header_columns(lines[1])
    if tuple(columns[:2]) != KEY_COLUMNS:
        raise file.fail(
            2,
            f"the TAB-separated column names must start with {KEY_COLUMNS[0]} and {KEY_COLUMNS[1]}, "
            f"found {listing(columns, 3) or 'nothing'}",
        )
    names = tuple(columns[2:])
    if not names:
        raise file.fail(2, "no attribute names after person and imagenum")
    for j, name in enumerate(names):
        if not name:
            raise file.fail(2, f"attribute name {j + 1} is empty")
    file.check_unique_on_line(names, "attribute name {!r}", 2)
    width = len(columns)
    if len(lines) < 3:
        raise file.fail(None, "no image rows after the two header lines")

    keys: list[str] = []
    scores = np.empty((len(lines) - 2, len(names)), dtype=np.float64)
    for i, raw in enumerate(lines[2:]):
        number = i + 3
        row = raw.rstrip()
        if not row.strip():
            raise file.fail(number, "blank line among the image rows")
        fields = row.split("\t")
        if len(fields) != width:
            raise file.fail(number, f"expected {width} TAB-separated columns, found {len(fields)}")
        person = fields[0].strip()
        if not person:
            raise file.fail(number, "empty person name")
        image = fields[1].strip()
        if not (image.isascii() and image.isdigit()) or int(image) == 0:
            raise file.fail(number, f"image number {image!r} of {person} is not a positive integer")
        try:
            scores[i] = [float(v) for v in fields[2:]]
            finite = bool(np.isfinite(scores[i]).all())
        except ValueError:
            finite = False
        if not finite:
            for j, value in enumerate(fields[2:]):
                try:
                    ok = math.isfinite(float(value))
                except ValueError:
                    ok = False
                if not ok:
                    raise file.fail(
                        number, f"score {value.strip()!r} in column {names[j]!r} is not a (finite) number"
                    )
        folder = person.replace(" ", "_")
        keys.append(f"{folder}/{folder}_{int(image):04d}.jpg")
    file.check_unique(keys, "row for {}", 3)
    return keys, names, scores.astype(np.float32)


def read_lfw_attributes(path: PathLike) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """Read the official ``lfw_attributes.txt``: ``(keys, attribute names, scores)``.

    The file holds a comment line starting with ``#``, a second ``#`` line of
    TAB-separated column names (``person``, ``imagenum``, then the attribute names,
    which may contain spaces: 73 in the official file, but the count is taken from
    the header), then one TAB-separated row per image: the person's name with spaces
    (``Aaron Eckhart``), the image number (``1``) and one real-valued classifier score
    per attribute (positive: present).  Keys are the image file names relative to
    ``lfw-deepfunneled/`` (``Aaron_Eckhart/Aaron_Eckhart_0001.jpg``), as a numpy str
    array in file order; scores are float32 of shape ``(n, number of attributes)``.

    Raises :class:`LfwFormatError` naming the file and line for an empty or non-UTF-8
    file, missing header lines, a header not starting with ``person`` and
    ``imagenum`` (or with an empty or repeated attribute name), a row with the wrong
    number of columns, an image number that is not a positive integer, a score that
    is not a finite number (naming its column) and a repeated image.
    """
    keys, names, scores = _read_attributes(pathlib.Path(path))
    return np.array(keys, dtype=str), names, scores


def read_smile_labels(path: PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read a smile-label list: ``(keys, labels)``.

    Each line is ``path label``: the path ends in ``<Name>/<Name>_NNNN.jpg`` (e.g.
    ``./lfw/AJ_Lamas/AJ_Lamas_0001.jpg``; only the last two components are used) and
    the label is 1 (smiling) or 0 (not).  Keys are relative file names as in
    :func:`read_lfw_attributes` (numpy str array, file order), labels int8.
    Raises :class:`LfwFormatError` naming the file and line for an empty or non-UTF-8
    file, a line without exactly two fields, a path not ending in
    ``<Name>/<Name>_NNNN.jpg``, a label other than 0 / 1 and a repeated image.
    """
    file = TextFile(path, LfwFormatError)
    rows = file.words()
    wrong = rows.first_row(rows.counts != 2)
    if wrong is not None:
        raise file.fail(rows.line(wrong), f"expected 'path label', found {int(rows.counts[wrong])} field(s)")
    starts, lengths = rows.table(2)
    images = rows.strings(starts[:, 0], lengths[:, 0]).tolist()
    labels = rows.codes(starts[:, 1], lengths[:, 1], ("0", "1"))
    keys: list[str] = []
    for i, image in enumerate(images):
        parts = [p for p in image.replace("\\", "/").split("/") if p]
        key = _image_key(parts[-2], parts[-1]) if len(parts) >= 2 else None
        if key is None:
            raise file.fail(rows.line(i), f"path {image!r} does not end in <Name>/<Name>_NNNN.jpg")
        if labels[i] < 0:
            label = rows.text(starts[i, 1], lengths[i, 1])
            raise file.fail(rows.line(i), f"label {label!r} of {key} is not 0 or 1")
        keys.append(key)
    file.check_unique(keys, "row for {}", rows.first_line)
    return np.array(keys, dtype=str), labels


# --------------------------------------------------------------------------- finding


def _in_base(place: str, base: pathlib.Path, attempts: list[Attempt]) -> Optional[pathlib.Path]:
    """The LFW folder at ``base`` (itself, its parent when it is ``lfw-deepfunneled``, or
    ``base/lfw``), else record why not."""
    if (base / IMAGE_FOLDER).is_dir():
        return base
    if base.name == IMAGE_FOLDER:
        return base.parent
    attempts.append((place, base, f"holds no {IMAGE_FOLDER}/ and is not {IMAGE_FOLDER}/"))
    sub = base / LFW_FOLDER
    if (sub / IMAGE_FOLDER).is_dir():
        return sub
    attempts.append((place, sub, f"holds no {IMAGE_FOLDER}/" if sub.is_dir() else "no such folder"))
    return None


def find_lfw_root(data_dir: Optional[PathLike] = None) -> pathlib.Path:
    """The LFW folder: the one holding ``lfw-deepfunneled/``.

    1. ``data_dir`` when given: the folder itself when it holds ``lfw-deepfunneled/``
       (or its parent when it *is* ``lfw-deepfunneled``), else ``data_dir/lfw``.  When
       neither is there the error is raised at once (no fall-back to the environment
       variable for an explicit folder).
    2. Otherwise ``$KERAS_AUTOENCODERS_DATA`` with the same rule.

    Raises :class:`DataNotFoundError` listing every place tried and where to get LFW.
    """
    return find_folder(data_dir, _in_base, LFW_FOLDER, "LFW", WHERE_TO_GET)


def scan_lfw_images(image_dir: PathLike) -> tuple[list[str], list[str]]:
    """``(relative file names, person names)`` of the ``<Name>/<Name>_NNNN.jpg`` files under
    ``image_dir``, sorted by person, then file name; other entries are ignored.

    Two levels of ``os.scandir``, no image is opened.
    """
    image_dir = os.fspath(image_dir)
    with os.scandir(image_dir) as entries:
        folders = sorted(entry.name for entry in entries if entry.is_dir())
    filenames: list[str] = []
    people: list[str] = []
    for person in folders:
        with os.scandir(os.path.join(image_dir, person)) as entries:
            keys = sorted(
                key for key in (_image_key(person, e.name) for e in entries if e.is_file()) if key
            )
        filenames.extend(keys)
        people.extend([person] * len(keys))
    return filenames, people


# --------------------------------------------------------------------------- index


@dataclass(frozen=True, eq=False)
class LfwIndex(ImageRows):
    """File names, people, split, attribute scores and smile labels of LFW images (no pixels).

    ``filenames`` are relative to ``root / "lfw-deepfunneled"`` (``<Name>/<Name>_NNNN.jpg``),
    ``people`` the person folder names; ``is_validation`` marks the validation split
    (by person); ``attribute_scores`` is float32 ``(n, len(attribute_names))``, NaN for
    images the attribute file does not list; ``smiling`` is int8 1 (smiling), 0 (not)
    or -1 (no label).
    """

    IMAGE_FOLDER = IMAGE_FOLDER
    ROW_FIELDS = ("filenames", "people", "is_validation", "attribute_scores", "smiling")
    NO_ATTRIBUTES = f"none (no {ATTRIBUTE_FILE} was read)"

    root: pathlib.Path
    filenames: np.ndarray
    people: np.ndarray
    is_validation: np.ndarray
    attribute_names: tuple[str, ...]
    attribute_scores: np.ndarray
    smiling: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.filenames)
        if (
            self.people.shape != (n,) or self.is_validation.shape != (n,) or self.smiling.shape != (n,)
            or self.attribute_scores.shape != (n, len(self.attribute_names))
        ):
            raise ValueError(
                f"inconsistent LfwIndex: {n} file names, people {self.people.shape}, "
                f"is_validation {self.is_validation.shape}, smiling {self.smiling.shape}, "
                f"scores {self.attribute_scores.shape} for {len(self.attribute_names)} names"
            )

    def __repr__(self) -> str:
        val = self.is_validation
        people = (len(np.unique(self.people[~val])), len(np.unique(self.people[val])))
        return (
            f"LfwIndex(root={str(self.root)!r}, images={len(self)} "
            f"(train={int((~val).sum())}, validation={int(val.sum())}), "
            f"people={sum(people)} (train={people[0]}, validation={people[1]}), "
            f"attributes={len(self.attribute_names)}, smile_labels={len(self.labelled_smiles())} "
            f"(smiling={int((self.smiling == 1).sum())}))"
        )

    def conditions(self) -> np.ndarray:
        """A float32 ``(n, 1)`` column: 1.0 where the face is labelled smiling, else 0.0
        (not smiling or no label).

        The study's autoencoder is unconditional; this column only rides along through
        :func:`~keras_autoencoders.data.image_pipeline.dataset_from_index` so each batch
        carries the smile flag.  Use :meth:`labelled_smiles` to tell "not smiling" from
        "unknown".
        """
        return (self.smiling == 1).astype(np.float32)[:, None]

    def split(self, name: str) -> "LfwIndex":
        """The rows of one split: ``"train"`` or ``"validation"``."""
        if name not in SPLITS:
            raise SettingsError(f"split must be one of {SPLITS}, got {name!r}")
        return self.select(self.is_validation if name == "validation" else ~self.is_validation)

    def split_counts(self) -> dict[str, int]:
        """Number of images in each split, e.g. ``{"train": 10600, "validation": 2633}``."""
        val = int(self.is_validation.sum())
        return {"train": len(self) - val, "validation": val}

    def attribute(self, name: str) -> np.ndarray:
        """The float32 scores of attribute ``name`` (NaN where unknown)."""
        return self.attribute_scores[:, self.attribute_index(name)]

    def labelled_smiles(self) -> np.ndarray:
        """Positions of the images with a smile label (0 or 1)."""
        return np.flatnonzero(self.smiling >= 0)


def _check_fraction(value: float) -> float:
    if (
        isinstance(value, bool) or not isinstance(value, numbers.Real)
        or not math.isfinite(float(value)) or not 0.0 < float(value) < 1.0
    ):
        raise SettingsError(
            f"validation_fraction must be a number strictly between 0 and 1 (the fraction of "
            f"people held out for validation), got {value!r}"
        )
    return float(value)


def split_people(people: np.ndarray, validation_fraction: float, seed: int = 0) -> np.ndarray:
    """Boolean mask of the rows whose person is in the validation split.

    The sorted unique people are permuted with ``numpy.random.default_rng(seed)`` and
    the first ``round(validation_fraction * number of people)`` (at least 1 and at
    most all but one, when there are two people or more) go to validation.
    """
    fraction = _check_fraction(validation_fraction)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise SettingsError(f"seed must be an integer, got {seed!r}")
    unique, inverse = np.unique(np.asarray(people), return_inverse=True)
    count = len(unique)
    chosen = int(math.floor(fraction * count + 0.5))
    if count >= 2:
        chosen = min(max(chosen, 1), count - 1)
    in_validation = np.zeros(count, dtype=bool)
    in_validation[np.random.default_rng(int(seed)).permutation(count)[:chosen]] = True
    return in_validation[inverse.reshape(-1)]


def _optional_file(
    given: Optional[PathLike], root: pathlib.Path, default: str, what: str, argument: str
) -> Optional[pathlib.Path]:
    """The explicit file (which must exist), else ``root/default`` when it exists, else ``None``."""
    if given is None:
        path = root / default
        return path if path.is_file() else None
    path = pathlib.Path(os.fspath(given)).expanduser()
    if not path.is_file():
        reason = "not a file" if path.exists() else "no such file"
        raise DataNotFoundError(
            path.name, [(f"argument {argument}", path, reason)], what=what, download_hint=False,
            hint=f"{argument} must name an existing file, or be left out to use {root / default} "
                 "when it exists.",
        )
    return path


def _positions(keys: np.ndarray, where: dict[str, int], path: pathlib.Path, first_line: int,
               image_dir: pathlib.Path) -> np.ndarray:
    """Index positions of ``keys``; a key not in the folder raises naming its line."""
    positions = np.empty(len(keys), dtype=np.intp)
    for i, key in enumerate(keys.tolist()):
        position = where.get(key)
        if position is None:
            raise LfwFormatError(path, first_line + i, f"listed image {key} is absent from {image_dir}")
        positions[i] = position
    return positions


def load_lfw_index(
    data_dir: Optional[PathLike] = None,
    *,
    attributes_file: Optional[PathLike] = None,
    smile_labels_file: Optional[PathLike] = None,
    validation_fraction: float = 0.2,
    seed: int = 0,
) -> LfwIndex:
    """Find LFW (see :func:`find_lfw_root`) and index it, for the LFW half of the study
    "Автокодировщики: LFW и MNIST".

    * The images are the ``<Name>/<Name>_NNNN.jpg`` files of ``lfw-deepfunneled/``
      (:func:`scan_lfw_images`: sorted by person then file, other files ignored, no
      pixel read); a folder holding none raises :class:`DataNotFoundError` naming it.
    * Split by person: a ``validation_fraction`` of the people (not images), chosen
      with ``seed`` (:func:`split_people`), forms the validation split, since the
      study fits its new-face distribution and smile vector on validation faces.
    * ``attributes_file`` (default ``lfw_attributes.txt`` in the LFW folder, when it
      exists): read with :func:`read_lfw_attributes` and joined by image; images it
      does not list get NaN scores.
    * ``smile_labels_file`` (default ``lfw_smile_labels.txt`` in the LFW folder, when
      it exists): read with :func:`read_smile_labels`; unlisted images get -1.
    * A row of either file naming an image that is not in the folder raises
      :class:`LfwFormatError` naming the file and line.
    """
    _check_fraction(validation_fraction)
    root = find_lfw_root(data_dir)
    image_dir = root / IMAGE_FOLDER
    attr_path = _optional_file(attributes_file, root, ATTRIBUTE_FILE, "LFW attribute file", "attributes_file")
    smile_path = _optional_file(
        smile_labels_file, root, SMILE_LABEL_FILE, "LFW smile-label file", "smile_labels_file"
    )

    filenames, people = scan_lfw_images(image_dir)
    if not filenames:
        raise not_found(
            IMAGE_FOLDER, [("LFW folder", image_dir, "holds no <Name>/<Name>_NNNN.jpg images")], "LFW images",
            WHERE_TO_GET,
        )
    n = len(filenames)
    where = {key: i for i, key in enumerate(filenames)}

    names: tuple[str, ...] = ()
    scores = np.zeros((n, 0), dtype=np.float32)
    if attr_path is not None:
        keys, names, values = read_lfw_attributes(attr_path)
        scores = np.full((n, len(names)), np.nan, dtype=np.float32)
        scores[_positions(keys, where, attr_path, 3, image_dir)] = values

    smiling = np.full(n, -1, dtype=np.int8)
    if smile_path is not None:
        keys, labels = read_smile_labels(smile_path)
        smiling[_positions(keys, where, smile_path, 1, image_dir)] = labels

    people_array = np.array(people, dtype=str)
    return LfwIndex(
        root=root,
        filenames=np.array(filenames, dtype=str),
        people=people_array,
        is_validation=split_people(people_array, validation_fraction, seed),
        attribute_names=names,
        attribute_scores=scores,
        smiling=smiling,
    )


__all__ = [
    "ATTRIBUTE_FILE", "IMAGE_FOLDER", "IMAGE_SIZE", "LFW_FOLDER", "OFFICIAL_COUNT", "OFFICIAL_PEOPLE",
    "SMILE_LABEL_FILE", "SPLITS", "LfwFormatError", "LfwIndex", "UnknownAttributeError",
    "find_lfw_root", "load_lfw_index", "read_lfw_attributes", "read_smile_labels",
    "scan_lfw_images", "split_people",
]
