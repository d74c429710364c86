"""Fashion-MNIST's test set: out-of-distribution images for the MNIST models' anomaly scores.

The 10,000 test images (28x28 uint8, ten clothing classes) are read from the two
files of the official release, in the folder layout of Keras' own download:
``fashion-mnist/t10k-images-idx3-ubyte.gz`` and ``fashion-mnist/t10k-labels-idx1-ubyte.gz``.
The folder is searched for as :mod:`keras_autoencoders.data.locations` describes:

1. an explicit ``data_dir`` argument: a folder holding ``fashion-mnist/``, or that
   folder itself (when given, it must hold the files; there is no silent fallback);
2. ``$KERAS_AUTOENCODERS_DATA/fashion-mnist`` when the variable is set;
3. the test half of ``keras.datasets.fashion_mnist.load_data()`` (Keras' download or
   cache), unless ``download=False``.

Otherwise :class:`~keras_autoencoders.data.locations.DataNotFoundError` lists every
place tried.  :func:`read_idx` reads the IDX files (gzip or plain) and raises
:class:`~keras_autoencoders.errors.DataFormatError` naming the file when one is malformed.
"""
from __future__ import annotations

import gzip
import os
import pathlib
import zlib
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from keras_autoencoders.errors import DataFormatError

from .locations import ARGUMENT_PLACE, DataNotFoundError, candidate_files, env_unset_attempt

FOLDER = "fashion-mnist"
IMAGES_FILE = "t10k-images-idx3-ubyte.gz"
LABELS_FILE = "t10k-labels-idx1-ubyte.gz"
IMAGE_SHAPE = (28, 28)
#: Fashion-MNIST's ten classes, by label.
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

DOWNLOAD_SOURCE = "keras download"
DOWNLOAD_CALL = "keras.datasets.fashion_mnist.load_data()"
WHAT = "the Fashion-MNIST test set"

#: IDX type code of unsigned bytes, the only type these files use.
IDX_UINT8 = 0x08
_GZIP_MAGIC = b"\x1f\x8b"

PathLike = Union[str, os.PathLike]


@dataclass(frozen=True)
class FashionMnistTest:
    """The Fashion-MNIST test images ``(N, 28, 28)`` and labels ``(N,)`` as stored (uint8)."""

    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    def __repr__(self) -> str:
        return f"FashionMnistTest(test={len(self.x_test)}, source={self.source!r})"


# --------------------------------------------------------------------------- IDX files


def read_idx(path: PathLike) -> np.ndarray:
    """The uint8 array stored in an IDX file (gzip-compressed or plain, told by its content).

    IDX: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions,
    each dimension as a big-endian uint32, then the values in C order.  Raises
    :class:`DataFormatError` naming the file for a broken gzip stream, a bad magic
    number, a type code other than 0x08, or a payload whose size disagrees with the header.
    """
    path = pathlib.Path(path)
    name = str(path)
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataFormatError(f"{name}: not a valid gzip file ({type(exc).__name__}: {exc})") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataFormatError(f"{name}: bad IDX magic number {raw[:4].hex() or '(empty file)'} "
                              f"(expected 0000 then type code and dimension count)")
    code, ndim = raw[2], raw[3]
    if code != IDX_UINT8:
        raise DataFormatError(f"{name}: IDX type code 0x{code:02x}, expected 0x08 (unsigned byte)")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataFormatError(f"{name}: IDX header announces {ndim} dimensions but the file "
                              f"ends after {len(raw)} bytes")
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64))
    if len(raw) - header != expected:
        raise DataFormatError(f"{name}: IDX header gives shape {shape} ({expected} values) but the "
                              f"file holds {len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def write_idx(path: PathLike, array) -> pathlib.Path:
    """Write ``array`` (whole numbers 0..255) as a uint8 IDX file; gzip when ``path`` ends in ``.gz``.

    Parent folders are created; returns the path.
    """
    path = pathlib.Path(path)
    values = np.asarray(array)
    if values.size and (not np.all(values == np.round(values)) or values.min() < 0 or values.max() > 255):
        raise ValueError("write_idx stores unsigned bytes: values must be whole numbers 0..255")
    if values.ndim > 255:
        raise ValueError(f"IDX holds at most 255 dimensions, got {values.ndim}")
    payload = (bytes([0, 0, IDX_UINT8, values.ndim])
               + np.asarray(values.shape, dtype=">u4").tobytes()
               + np.ascontiguousarray(values, dtype=np.uint8).tobytes())
    if path.suffix == ".gz":
        payload = gzip.compress(payload)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


# --------------------------------------------------------------------------- validation


def _validate(x, y, name: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or tuple(x.shape[1:]) != IMAGE_SHAPE:
        raise DataFormatError(f"{name}: images must have shape (N, 28, 28), got {x.shape}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or len(y) != len(x):
        raise DataFormatError(f"{name}: labels must have shape ({len(x)},) to match the images, got {y.shape}")
    if x.dtype != np.uint8:
        raise DataFormatError(f"{name}: images must be uint8, got {x.dtype}")
    if y.size and (y.min() < 0 or y.max() >= len(CLASS_NAMES)):
        raise DataFormatError(f"{name}: labels must lie in 0..9 (min {y.min()}, max {y.max()})")
    return np.ascontiguousarray(x), np.ascontiguousarray(y, dtype=np.uint8)


def _from_folder(folder: pathlib.Path) -> FashionMnistTest:
    images_path, labels_path = folder / IMAGES_FILE, folder / LABELS_FILE
    x, y = read_idx(images_path), read_idx(labels_path)
    x, y = _validate(x, y, f"{images_path} with {labels_path.name}")
    return FashionMnistTest(x, y, source=str(folder))


def _why_unusable(folder: pathlib.Path) -> Optional[str]:
    """None when ``folder`` holds both files, else the reason it cannot be used."""
    if not folder.exists():
        return "no such folder"
    if not folder.is_dir():
        return "not a folder"
    missing = [f for f in (IMAGES_FILE, LABELS_FILE) if not (folder / f).is_file()]
    return f"missing {' and '.join(missing)}" if missing else None


# --------------------------------------------------------------------------- loading


def _keras_download():
    """``keras.datasets.fashion_mnist.load_data()``: Keras' standard download, or its cache."""
    import keras

    return keras.datasets.fashion_mnist.load_data()


def load_fashion_mnist_test(data_dir: Optional[PathLike] = None, *, download: bool = True) -> FashionMnistTest:
    """Load the Fashion-MNIST test set as uint8 arrays, searching the documented places in order.

    ``data_dir`` names a folder holding ``fashion-mnist/`` or the ``fashion-mnist``
    folder itself; a folder of another name that holds the two files directly is
    accepted too.  When given, it must hold the files, else :class:`DataNotFoundError`
    is raised at once.  Then ``$KERAS_AUTOENCODERS_DATA/fashion-mnist``, then the Keras
    download (when ``download``).  A file that is found but malformed raises
    :class:`DataFormatError` (never a silent fallback).
    """
    attempts = []
    places = candidate_files(FOLDER, data_dir)
    for place, folder in places:
        reason = _why_unusable(folder)
        if reason is None:
            return _from_folder(folder)
        if place == ARGUMENT_PLACE:
            given = pathlib.Path(os.fspath(data_dir)).expanduser()
            if given != folder and _why_unusable(given) is None:
                return _from_folder(given)  # a folder of another name holding the files
            raise DataNotFoundError(FOLDER, [(place, folder, reason)], what=WHAT)
        attempts.append((place, folder, reason))
    if not any(place != ARGUMENT_PLACE for place, _ in places):
        attempts.append(env_unset_attempt())

    if not download:
        attempts.append((DOWNLOAD_SOURCE, None, "disabled (download=False)"))
        raise DataNotFoundError(FOLDER, attempts, what=WHAT)
    try:
        _, (x_test, y_test) = _keras_download()
    except Exception as exc:  # noqa: BLE001 - any failure just means "not available"
        attempts.append((DOWNLOAD_SOURCE, DOWNLOAD_CALL, f"failed: {type(exc).__name__}: {exc}"))
        raise DataNotFoundError(FOLDER, attempts, what=WHAT) from exc
    x_test, y_test = _validate(x_test, y_test, DOWNLOAD_CALL)
    return FashionMnistTest(x_test, y_test, source=DOWNLOAD_SOURCE)
