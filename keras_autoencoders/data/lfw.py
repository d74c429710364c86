"""LFW (Labeled Faces in the Wild) for the faces half of the study "Автокодировщики" (LFW and MNIST), in the official
layout: ``lfw/lfw-deepfunneled/<Name>/<Name>_NNNN.jpg`` (13,233 250x250 RGB images of 5,749 people), optionally
``lfw_attributes.txt`` (73 classifier scores per image) and ``lfw_smile_labels.txt`` (1 smiling, 0 not); no download."""
from __future__ import annotations

import math
import os
import pathlib
import re
from dataclasses import dataclass
from typing import Optional

import numpy as np

from keras_autoencoders.errors import FileLineError, UnknownAttributeError  # noqa: F401 - re-exported, as by celeba

from .checks import check_fraction, check_integer
from .image_index import ImageRows
from .locations import DataFolder, PathLike
from .text_files import TextLayout, read_table

LFW_FOLDER = "lfw"
IMAGE_FOLDER = "lfw-deepfunneled"
ATTRIBUTE_FILE = "lfw_attributes.txt"
SMILE_LABEL_FILE = "lfw_smile_labels.txt"
SPLITS = ("train", "validation")
OFFICIAL_COUNT = 13_233  #: Number of images in the official set.
OFFICIAL_PEOPLE = 5_749  #: Number of people in the official set.

_IMAGE_KEY = re.compile(r"([^/]+)/\1_[0-9]{4}\.jpg")  #: An image's file name relative to the image folder.

LFW = DataFolder(LFW_FOLDER, "LFW", (IMAGE_FOLDER,),
                 "LFW has no automatic download. Get the 'deep funneled' images from the LFW website "
                 f"(unpacked to {IMAGE_FOLDER}/<Name>/<Name>_NNNN.jpg) and put them in a folder named "
                 f"{LFW_FOLDER}/, optionally with {ATTRIBUTE_FILE} and {SMILE_LABEL_FILE} beside {IMAGE_FOLDER}/.")


class LfwFormatError(FileLineError):
    """An LFW text file (attributes, smile labels) is not in the expected format (as a :class:`FileLineError` says)."""


def _attribute_row_key(fields: list[str]) -> str:
    """``Aaron_Eckhart/Aaron_Eckhart_0001.jpg`` for the fields ``Aaron Eckhart``, ``1``, ..."""
    person, number = fields[0].strip(), fields[1].strip()
    if not person:
        raise ValueError("empty person name")
    if not (number.isascii() and number.isdigit()) or int(number) == 0:
        raise ValueError(f"image number {number!r} of {person} is not a positive integer")
    folder = person.replace(" ", "_")
    return f"{folder}/{folder}_{int(number):04d}.jpg"


def _smile_row_key(fields: list[str]) -> str:
    """The last two components of the path ``./lfw/<Name>/<Name>_NNNN.jpg``."""
    key = "/".join([part for part in fields[0].replace("\\", "/").split("/") if part][-2:])
    if not _IMAGE_KEY.fullmatch(key):
        raise ValueError(f"path {fields[0]!r} does not end in <Name>/<Name>_NNNN.jpg")
    return key


#: ``lfw_attributes.txt``: a ``#`` comment line, a ``#`` line of TAB-separated column names
#: (``person``, ``imagenum``, then the attribute names: 73 officially), then a person (with spaces),
#: an image number and one real-valued classifier score per attribute (positive: present) a row.
ATTRIBUTES = TextLayout(LfwFormatError, ("person", "imagenum"), "score", key=_attribute_row_key,
                        header=("comment", "names"), comment="#", keys_named=True, separator="\t")
#: A smile-label list: a path ending in ``<Name>/<Name>_NNNN.jpg`` and 1 (smiling) or 0 a row.
SMILE_LABELS = TextLayout(LfwFormatError, ("path",), "label", {"0": 0, "1": 1}, "0 or 1", key=_smile_row_key)


def read_lfw_attributes(path: PathLike) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """The official ``lfw_attributes.txt``: the images relative to ``lfw-deepfunneled/`` (numpy str, file order, as
    ``Aaron_Eckhart/Aaron_Eckhart_0001.jpg``), the attribute names and the float32 scores ``(n, len(names))``."""
    table = read_table(path, ATTRIBUTES)
    return table.keys, table.names, table.values


def read_smile_labels(path: PathLike) -> tuple[np.ndarray, np.ndarray]:
    """A smile-label list: the images (as :func:`read_lfw_attributes` names them) and int8 labels, 1 smiling, 0 not."""
    table = read_table(path, SMILE_LABELS)
    return table.keys, table.values[:, 0]


def find_lfw_root(data_dir: Optional[PathLike] = None) -> pathlib.Path:
    """The LFW folder (holding ``lfw-deepfunneled/``), as :meth:`DataFolder.find` finds it."""
    return LFW.find(data_dir)


def scan_lfw_images(image_dir: PathLike) -> tuple[list[str], list[str]]:
    """``(relative file names, person names)`` of the ``<Name>/<Name>_NNNN.jpg`` files under
    ``image_dir``, sorted by person then file name, by two levels of ``os.scandir``; others are ignored."""
    with os.scandir(image_dir) as entries:
        folders = sorted(entry.name for entry in entries if entry.is_dir())
    filenames: list[str] = []
    for person in folders:
        with os.scandir(os.path.join(image_dir, person)) as entries:
            filenames += sorted(key for key in (f"{person}/{e.name}" for e in entries if e.is_file())
                                if _IMAGE_KEY.fullmatch(key))
    return filenames, [name.partition("/")[0] for name in filenames]


@dataclass(frozen=True, eq=False)
class LfwIndex(ImageRows):
    """File names (relative to ``root / "lfw-deepfunneled"``), people, split, attribute scores and smile labels of LFW
    images, no pixels: ``is_validation`` marks the validation split (by person), ``attribute_scores`` is float32
    ``(n, len(attribute_names))``, NaN where the attribute file lists no row, ``smiling`` 1, 0 or -1 (no label)."""

    IMAGE_FOLDER = IMAGE_FOLDER
    ROW_FIELDS = ("filenames", "people", "is_validation", "attribute_scores", "smiling")
    ATTRIBUTE_FIELD = "attribute_scores"
    SPLITS = SPLITS
    NO_ATTRIBUTES = f"none (no {ATTRIBUTE_FILE} was read)"

    root: pathlib.Path
    filenames: np.ndarray
    people: np.ndarray
    is_validation: np.ndarray
    attribute_names: tuple[str, ...]
    attribute_scores: np.ndarray
    smiling: np.ndarray

    def __repr__(self) -> str:
        val = self.is_validation
        people = (len(np.unique(self.people[~val])), len(np.unique(self.people[val])))
        return (f"LfwIndex(root={str(self.root)!r}, images={len(self)} (train={int((~val).sum())}, "
                f"validation={int(val.sum())}), people={sum(people)} (train={people[0]}, validation={people[1]}), "
                f"attributes={len(self.attribute_names)}, smile_labels={len(self.labelled_smiles())} "
                f"(smiling={int((self.smiling == 1).sum())}))")

    def conditions(self) -> np.ndarray:
        """A float32 ``(n, 1)`` column, 1.0 where the face is labelled smiling: the study's autoencoder is
        unconditional, so this only carries the flag through the batches (see :meth:`labelled_smiles`)."""
        return (self.smiling == 1).astype(np.float32)[:, None]

    def split_codes(self) -> np.ndarray:
        return self.is_validation.astype(np.int8)

    def attribute(self, name: str) -> np.ndarray:
        """The float32 scores of attribute ``name`` (NaN where unknown)."""
        return self.attribute_scores[:, self.attribute_index(name)]

    def labelled_smiles(self) -> np.ndarray:
        """Positions of the images with a smile label (0 or 1)."""
        return np.flatnonzero(self.smiling >= 0)


def _check_fraction(value: float) -> float:
    return check_fraction("validation_fraction", value, "a number strictly between 0 and 1 (the fraction "
                          "of people held out for validation)")


def split_people(people: np.ndarray, validation_fraction: float, seed: int = 0) -> np.ndarray:
    """Boolean mask of the rows whose person is in the validation split (by person, since the study fits its new-face
    distribution and smile vector on validation faces): the sorted unique people permuted by ``default_rng(seed)``,
    the first ``round(validation_fraction * people)`` of them (at least 1 and, with two or more, at most all but 1)."""
    fraction, seed = _check_fraction(validation_fraction), check_integer("seed", seed, None, what="an integer")
    unique, inverse = np.unique(np.asarray(people), return_inverse=True)
    count = len(unique)
    chosen = int(math.floor(fraction * count + 0.5))
    if count >= 2:
        chosen = min(max(chosen, 1), count - 1)
    in_validation = np.zeros(count, dtype=bool)
    in_validation[np.random.default_rng(seed).permutation(count)[:chosen]] = True
    return in_validation[inverse.reshape(-1)]


def _optional_file(given: Optional[PathLike], default: pathlib.Path, what: str, argument: str) -> pathlib.Path | None:
    """The explicit file (which must exist), else ``default`` when it exists, else ``None``."""
    if given is None:
        return default if default.is_file() else None
    return LFW.require(pathlib.Path(os.fspath(given)).expanduser(), f"argument {argument}", what)


def load_lfw_index(data_dir: Optional[PathLike] = None, *, attributes_file: Optional[PathLike] = None,
                   smile_labels_file: Optional[PathLike] = None, validation_fraction: float = 0.2,
                   seed: int = 0) -> LfwIndex:
    """Find LFW (:func:`find_lfw_root`) and index its ``lfw-deepfunneled/`` images (:func:`scan_lfw_images`),
    split by person (:func:`split_people`). ``attributes_file`` and ``smile_labels_file`` default to
    ``lfw_attributes.txt`` and ``lfw_smile_labels.txt`` in the LFW folder, when there; images they do not
    list get NaN scores and label -1, and a row naming an image not in the folder is an error."""
    _check_fraction(validation_fraction)
    root = find_lfw_root(data_dir)
    image_dir = root / IMAGE_FOLDER
    attr_path = _optional_file(attributes_file, root / ATTRIBUTE_FILE, "LFW attribute file", "attributes_file")
    smile_path = _optional_file(smile_labels_file, root / SMILE_LABEL_FILE, "LFW smile-label file", "smile_labels_file")

    filenames, people = scan_lfw_images(image_dir)
    if not filenames:
        reason = "holds no <Name>/<Name>_NNNN.jpg images"
        raise LFW.not_found(IMAGE_FOLDER, [("LFW folder", image_dir, reason)], "LFW images")

    names: tuple[str, ...] = ()
    scores = np.zeros((len(filenames), 0), dtype=np.float32)
    if attr_path is not None:
        table = read_table(attr_path, ATTRIBUTES)
        names, scores = table.names, np.full((len(filenames), len(table.names)), np.nan, dtype=np.float32)
        scores[table.positions(filenames, str(image_dir))] = table.values
    smiling = np.full(len(filenames), -1, dtype=np.int8)
    if smile_path is not None:
        table = read_table(smile_path, SMILE_LABELS)
        smiling[table.positions(filenames, str(image_dir))] = table.values[:, 0]

    people_array = np.array(people, dtype=str)
    return LfwIndex(root=root, filenames=np.array(filenames, dtype=str), people=people_array,
                    is_validation=split_people(people_array, validation_fraction, seed),
                    attribute_names=names, attribute_scores=scores, smiling=smiling)
