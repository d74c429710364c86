"""CelebA: finding, validating and indexing the aligned faces and their 40 attributes.

This reproduces the data section of the CelebA CVAE article ("VAE for dummies"):
the model is trained on CelebA's 202,599 aligned and cropped face images
(178x218 pixels each) and conditioned on the 40 binary attributes that come with
them.  The data is read in the official layout::

    celeba/
        img_align_celeba/000001.jpg ... 202599.jpg
        list_attr_celeba.txt      # count line, 40 names, then "000001.jpg -1  1 ..." rows
        list_eval_partition.txt   # "000001.jpg 0" rows: 0 train, 1 valid, 2 test

Choices made here (each documented at the function concerned):

* The folder is found by the one data-folder finder (:func:`find_celeba_root`); the text
  files are read by the one reader of official-layout files, their layouts
  (:data:`ATTRIBUTES`, :data:`PARTITION`) given here as data.  Every error names the file
  and, where there is one, the 1-based line.  There is no automatic download.
* Only file names and an int8 attribute matrix are kept in memory
  (:class:`CelebaIndex`); images are never loaded here.  The model's condition
  vector is :meth:`CelebaIndex.conditions`: 1.0 where an attribute is +1, else 0.0.
* Corrupt or truncated JPEGs are found by a cheap marker scan (:func:`scan_jpegs`)
  and skipped with one :class:`CorruptImageWarning` by default, so that a long run
  does not die on one bad file out of 200k.
* When the partition file leaves a split empty (e.g. a subset whose rows are all
  "train"), a seeded random split replaces it, with a warning.
"""
from __future__ import annotations

import os
import pathlib
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Optional, Sequence, Union

import numpy as np

from keras_autoencoders.errors import FileLineError, SettingsError, UnknownAttributeError

from .image_index import ImageRows
from .locations import DataFolder
from .text_files import TextLayout, listing, read_table

PathLike = Union[str, os.PathLike]

#: The 40 attribute names of ``list_attr_celeba.txt``, in file order.
ATTRIBUTE_NAMES: tuple[str, ...] = (
    "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald",
    "Bangs", "Big_Lips", "Big_Nose", "Black_Hair", "Blond_Hair",
    "Blurry", "Brown_Hair", "Bushy_Eyebrows", "Chubby", "Double_Chin",
    "Eyeglasses", "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones",
    "Male", "Mouth_Slightly_Open", "Mustache", "Narrow_Eyes", "No_Beard",
    "Oval_Face", "Pale_Skin", "Pointy_Nose", "Receding_Hairline", "Rosy_Cheeks",
    "Sideburns", "Smiling", "Straight_Hair", "Wavy_Hair", "Wearing_Earrings",
    "Wearing_Hat", "Wearing_Lipstick", "Wearing_Necklace", "Wearing_Necktie", "Young",
)

CELEBA_FOLDER = "celeba"
IMAGE_FOLDER = "img_align_celeba"
ATTRIBUTE_FILE = "list_attr_celeba.txt"
PARTITION_FILE = "list_eval_partition.txt"
SPLITS = ("train", "valid", "test")
#: Size of the official aligned images, (width, height).
IMAGE_SIZE = (178, 218)
#: Number of images in the official set.
OFFICIAL_COUNT = 202_599

ON_CORRUPT_CHOICES = ("skip", "raise")
JPEG_START = b"\xff\xd8\xff"
JPEG_END = b"\xff\xd9"
#: How many bytes at the end of a file are searched for the end-of-image marker.
JPEG_TAIL_BYTES = 1024

#: The CelebA folder, as the one data-folder finder needs it.
CELEBA = DataFolder(
    CELEBA_FOLDER, "CelebA", (IMAGE_FOLDER, ATTRIBUTE_FILE, PARTITION_FILE),
    "CelebA has no automatic download. Get it from the official CelebA page "
    "(https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html): the aligned-and-cropped images "
    f"('Align&Cropped Images', img_align_celeba.zip, unzipped to {IMAGE_FOLDER}/) and the "
    f"two text files {ATTRIBUTE_FILE} (Anno) and {PARTITION_FILE} (Eval), all in one "
    f"folder named {CELEBA_FOLDER}/.",
)


class CelebaFormatError(FileLineError):
    """A CelebA text file or image is not in the expected format.

    The message starts with the file and, where there is one, the 1-based line,
    e.g. ``.../list_attr_celeba.txt, line 7: expected 41 fields (file name, 40 values),
    found 40``.  Both are kept in :attr:`path` and :attr:`line`
    (``None`` when the problem is not on one line).
    """


class CorruptImageWarning(UserWarning):
    """Some listed images are corrupt or truncated and were skipped."""


# --------------------------------------------------------------------------- text files and folder

#: ``list_attr_celeba.txt``: a count line, the attribute names, then a file name and one
#: value per attribute, 1 or -1, a row (the official file right-aligns the values).
ATTRIBUTES = TextLayout(CelebaFormatError, ("file name",), "value", {"-1": -1, "1": 1}, "1 or -1",
                        header=("count", "names"))
#: ``list_eval_partition.txt``: a file name and its split a row, 0 train, 1 valid, 2 test.
PARTITION = TextLayout(CelebaFormatError, ("file name",), "split", {"0": 0, "1": 1, "2": 2},
                       "0 (train), 1 (valid) or 2 (test)")


def read_attribute_file(path: PathLike) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """Read ``list_attr_celeba.txt`` (:data:`ATTRIBUTES`): the file names (numpy str), the
    attribute names and the int8 ±1 values, ``(n, len(names))``; :class:`CelebaFormatError`
    names the file and line of any problem."""
    table = read_table(path, ATTRIBUTES)
    return table.keys, table.names, table.values


def read_partition_file(path: PathLike) -> dict[str, int]:
    """Read ``list_eval_partition.txt`` (:data:`PARTITION`) as ``{file name: split}`` in file order."""
    table = read_table(path, PARTITION)
    return dict(zip(table.keys.tolist(), table.values[:, 0].tolist()))


def find_celeba_root(data_dir: Optional[PathLike] = None) -> pathlib.Path:
    """The CelebA folder (the one holding ``img_align_celeba/`` and the two text files): ``data_dir``
    or ``$KERAS_AUTOENCODERS_DATA``, or its ``celeba/`` (:meth:`DataFolder.find`).

    Only the folder is found here; :func:`load_celeba_index` then reports a missing file inside it.
    """
    return CELEBA.find(data_dir)


# --------------------------------------------------------------------------- JPEG scan


def _jpeg_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a complete JPEG, or ``None`` when its markers look right."""
    try:
        # Raw file descriptors: about twice as fast as file objects over 200k files.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            size = os.fstat(fd).st_size
            head = os.read(fd, len(JPEG_START))
            os.lseek(fd, max(size - JPEG_TAIL_BYTES, 0), os.SEEK_SET)
            tail = os.read(fd, JPEG_TAIL_BYTES)
        finally:
            os.close(fd)
    except OSError as exc:
        return f"cannot be read ({type(exc).__name__}: {exc})"
    if not head:
        return "empty file"
    if head != JPEG_START:
        return "does not start with the JPEG start-of-image marker FF D8 FF"
    if JPEG_END not in tail:
        return f"no end-of-image marker FF D9 in its last {JPEG_TAIL_BYTES} bytes (truncated?)"
    return None


def _scan_problems(paths: Sequence[str], workers: Optional[int] = None) -> list[Optional[str]]:
    """:func:`_jpeg_problem` of every path, read by a thread pool in chunks."""
    if not paths:
        return []
    workers = workers or min(16, 4 * (os.cpu_count() or 1))
    chunk = max(64, -(-len(paths) // (workers * 8)))
    pieces = [paths[i:i + chunk] for i in range(0, len(paths), chunk)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda piece: [_jpeg_problem(p) for p in piece], pieces)
        return [problem for piece in results for problem in piece]


def _check_on_corrupt(on_corrupt: str) -> None:
    if on_corrupt not in ON_CORRUPT_CHOICES:
        raise SettingsError(f"on_corrupt must be one of {ON_CORRUPT_CHOICES}, got {on_corrupt!r}")


def scan_jpegs(paths: Sequence[PathLike], on_corrupt: str = "skip", stacklevel: int = 1) -> np.ndarray:
    """Boolean mask of the files whose JPEG markers look right.

    A cheap check, run by a thread pool (202,599 files take seconds): a file must
    start with FF D8 FF and hold the end-of-image marker FF D9 in its last 1 KiB;
    empty and unreadable files fail.  With ``on_corrupt="skip"`` one
    :class:`CorruptImageWarning` (``stacklevel`` above the caller) gives the count and the
    first few names; with ``"raise"`` a :class:`CelebaFormatError` names the first bad file.
    Files that pass this check but still fail to decode are caught later by the tf.data pipeline.
    """
    _check_on_corrupt(on_corrupt)
    names = [os.fspath(p) for p in paths]
    problems = _scan_problems(names)
    bad = [i for i, problem in enumerate(problems) if problem is not None]
    if bad and on_corrupt == "raise":
        raise CelebaFormatError(names[bad[0]], None, f"corrupt JPEG: {problems[bad[0]]}")
    if bad:
        listed = [f"{os.path.basename(names[i])} ({problems[i]})" for i in bad]
        warnings.warn(f"{len(bad)} of {len(names)} images are corrupt or truncated and were skipped: "
                      f"{listing(listed)}", CorruptImageWarning, stacklevel=stacklevel + 1)
    mask = np.ones(len(names), dtype=bool)
    mask[bad] = False
    return mask


# --------------------------------------------------------------------------- index


@dataclass(frozen=True, eq=False)
class CelebaIndex(ImageRows):
    """File names, attribute values and split of CelebA images (no pixels).

    ``attributes`` is int8 ±1 of shape ``(n, len(attribute_names))``; ``partition``
    is int8 0 (train) / 1 (valid) / 2 (test); ``skipped`` names the files dropped
    as corrupt when the index was loaded.
    """

    IMAGE_FOLDER = IMAGE_FOLDER
    ROW_FIELDS = ("filenames", "attributes", "partition")
    SPLITS = SPLITS

    root: pathlib.Path
    filenames: np.ndarray
    attributes: np.ndarray
    attribute_names: tuple[str, ...]
    partition: np.ndarray
    skipped: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.filenames)
        if self.attributes.shape != (n, len(self.attribute_names)) or self.partition.shape != (n,):
            raise ValueError(
                f"inconsistent CelebaIndex: {n} file names, attributes {self.attributes.shape} "
                f"for {len(self.attribute_names)} names, partition {self.partition.shape}"
            )

    def __repr__(self) -> str:
        splits = ", ".join(f"{name}={c}" for name, c in self.split_counts().items())
        return (
            f"CelebaIndex(root={str(self.root)!r}, images={len(self)} ({splits}), "
            f"attributes={len(self.attribute_names)}, skipped={len(self.skipped)})"
        )

    def conditions(self) -> np.ndarray:
        """The model's condition vectors: float32 1.0 where an attribute is +1, else 0.0."""
        return (self.attributes > 0).astype(np.float32)

    def split_codes(self) -> np.ndarray:
        return self.partition


def _column_indices(requested: Sequence[str], names: tuple[str, ...], path: pathlib.Path) -> list[int]:
    if isinstance(requested, str):
        requested = [requested]
    requested = list(requested)
    unknown = [name for name in requested if name not in names]
    if unknown:
        raise UnknownAttributeError.among(unknown, names, str(path))
    repeated = sorted({name for name in requested if requested.count(name) > 1})
    if repeated:
        raise SettingsError(f"attribute name(s) asked for more than once: {', '.join(repeated)}")
    return [names.index(name) for name in requested]


def _check_fractions(fractions: Sequence[float]) -> np.ndarray:
    f = np.asarray(fractions, dtype=np.float64)
    if f.shape != (3,) or not np.all(np.isfinite(f)) or np.any(f < 0) or f.sum() <= 0:
        raise SettingsError(
            f"fallback_split must be three non-negative fractions (train, valid, test), got {fractions!r}"
        )
    return f / f.sum()


def random_partition(n: int, fractions: Sequence[float], seed: int = 0) -> np.ndarray:
    """A seeded random split of ``n`` rows as int8 0/1/2 with the given fractions.

    Sizes are rounded by the largest-remainder rule; a split with a positive
    fraction gets at least one row when ``n`` allows.
    """
    f = _check_fractions(fractions)
    exact = f * n
    sizes = np.floor(exact).astype(np.int64)
    for i in np.argsort(-(exact - sizes), kind="stable")[: n - int(sizes.sum())]:
        sizes[i] += 1
    wanted = f > 0
    if n >= int(wanted.sum()):
        for i in np.flatnonzero(wanted & (sizes == 0)):
            sizes[int(np.argmax(sizes))] -= 1
            sizes[i] += 1
    order = np.random.default_rng(seed).permutation(n)
    out = np.empty(n, dtype=np.int8)
    bounds = np.cumsum(sizes)
    for split, (lo, hi) in enumerate(zip(np.concatenate(([0], bounds[:-1])), bounds)):
        out[order[lo:hi]] = split
    return out


def load_celeba_index(
    data_dir: Optional[PathLike] = None,
    attributes: Optional[Sequence[str]] = None,
    *,
    on_corrupt: str = "skip",
    check_images: bool = True,
    fallback_split: tuple[float, float, float] = (0.8, 0.1, 0.1),
    seed: int = 0,
) -> CelebaIndex:
    """Find CelebA (see :func:`find_celeba_root`) and index it.

    * ``attributes`` picks columns by name, in the order given (``None``: all 40).
    * The attribute and partition files are joined by file name; a name in one but
      not the other is an error naming it and the file (and line) where it is alone.
    * ``check_images=True``: every listed image must be in ``img_align_celeba/``
      (one directory listing) and pass :func:`scan_jpegs`; corrupt ones are skipped
      with one :class:`CorruptImageWarning` (``on_corrupt="skip"``, the default, so a
      long run does not die on one bad file) or raise (``"raise"``).  Files that pass
      the marker scan but still fail to decode are caught later by the tf.data
      pipeline.  ``check_images=False`` touches no image and needs no image folder.
    * When the partition leaves any split empty (after skipping corrupt files), a
      seeded random split with ``fallback_split`` fractions replaces it, with a
      ``UserWarning``; the same ``seed`` gives the same split.
    """
    _check_on_corrupt(on_corrupt)
    _check_fractions(fallback_split)
    root = find_celeba_root(data_dir)
    attr_path = CELEBA.require(root / ATTRIBUTE_FILE, "CelebA folder", "CelebA attribute file")
    part_path = CELEBA.require(root / PARTITION_FILE, "CelebA folder", "CelebA partition file")
    if check_images:
        image_dir = CELEBA.require(root / IMAGE_FOLDER, "CelebA folder", "CelebA image folder", folder=True)

    filenames, names, values = read_attribute_file(attr_path)
    split_table = read_table(part_path, PARTITION)
    partition = np.full(len(filenames), -1, dtype=np.int8)
    partition[split_table.positions(filenames.tolist(), ATTRIBUTE_FILE)] = split_table.values[:, 0]
    if (partition < 0).any():
        missing = filenames[partition < 0].tolist()
        raise CelebaFormatError(part_path, None, f"{len(missing)} file(s) listed in {ATTRIBUTE_FILE} are "
                                                 f"missing from this file: {listing(missing)}")
    if attributes is not None:
        columns = _column_indices(attributes, names, attr_path)
        values = np.ascontiguousarray(values[:, columns])
        names = tuple(names[c] for c in columns)

    index = CelebaIndex(root, filenames, values, names, partition)
    if check_images:
        with os.scandir(image_dir) as entries:
            present = {entry.name for entry in entries}
        missing = [name for name in filenames.tolist() if name not in present]
        if missing:
            raise FileNotFoundError(
                f"{len(missing)} of {len(filenames)} images listed in {attr_path.name} are "
                f"missing from {image_dir}: {listing(missing)}"
            )
        good = scan_jpegs(index.paths(), on_corrupt, stacklevel=2)
        if not good.all():
            index = replace(index.select(good), skipped=tuple(filenames[~good].tolist()))

    counts = np.bincount(index.partition, minlength=3)
    if len(index) and np.any(counts == 0):
        f = _check_fractions(fallback_split)
        empty = [split for split, c in zip(SPLITS, counts) if c == 0]
        warnings.warn(
            f"{part_path} leaves the {' and '.join(empty)} split(s) empty "
            f"({', '.join(f'{c} {s}' for s, c in zip(SPLITS, counts))}); using a random split "
            f"with fractions train {f[0]:g} / valid {f[1]:g} / test {f[2]:g} (seed {seed}) instead",
            UserWarning,
            stacklevel=2,
        )
        index = replace(index, partition=random_partition(len(index), f, seed))
    return index


__all__ = [
    "ATTRIBUTE_NAMES", "ATTRIBUTE_FILE", "ATTRIBUTES", "CELEBA", "CELEBA_FOLDER", "IMAGE_FOLDER",
    "IMAGE_SIZE", "OFFICIAL_COUNT", "PARTITION", "PARTITION_FILE", "SPLITS", "CelebaFormatError",
    "CelebaIndex", "CorruptImageWarning", "UnknownAttributeError", "find_celeba_root", "load_celeba_index",
    "random_partition", "read_attribute_file", "read_partition_file", "scan_jpegs",
]
