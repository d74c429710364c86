"""Fashion-MNIST's test set, out-of-distribution images for the MNIST models' anomaly scores: the 10,000 test images
(28x28 uint8, ten clothing classes) of the official release's two IDX files in the folder layout of Keras' download,
``fashion-mnist/t10k-images-idx3-ubyte.gz`` and ``fashion-mnist/t10k-labels-idx1-ubyte.gz``, found as MNIST is
(:mod:`.locations`), with the test half of ``keras.datasets.fashion_mnist.load_data()`` as the download."""
from __future__ import annotations

import functools
import gzip
import pathlib
import zlib
from dataclasses import dataclass
from typing import Optional

import numpy as np

from keras_autoencoders.errors import DataFormatError

from .locations import DOWNLOAD_PLACE, DataNotFoundError, PathLike, keras_dataset, search, try_download
from .mnist import check_digits

FOLDER = "fashion-mnist"
IMAGES_FILE = "t10k-images-idx3-ubyte.gz"
LABELS_FILE = "t10k-labels-idx1-ubyte.gz"
DOWNLOAD_CALL = "keras.datasets.fashion_mnist.load_data()"
WHAT = "the Fashion-MNIST test set"
_keras_download = functools.partial(keras_dataset, "fashion_mnist")  # a name of its own, which tests replace
IDX_UINT8 = 0x08  #: IDX type code of unsigned bytes, the only type these files use.


@dataclass(frozen=True)
class FashionMnistTest:
    """The Fashion-MNIST test images ``(N, 28, 28)`` and labels ``(N,)`` as stored (uint8)."""

    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    def __repr__(self) -> str:
        return f"FashionMnistTest(test={len(self.x_test)}, source={self.source!r})"


def read_idx(path: PathLike) -> np.ndarray:
    """The uint8 array of an IDX file, gzipped or plain: two zero bytes, a type code (0x08: unsigned byte),
    the number of dimensions, each a big-endian uint32, then the values in C order."""
    name, raw = str(path), pathlib.Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
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
        raise DataFormatError(f"{name}: IDX header gives shape {shape} ({expected} values) but the file holds "
                              f"{len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def write_idx(path: PathLike, array) -> pathlib.Path:
    """Write ``array`` (0..255) as a uint8 IDX file (gzipped for ``.gz``), creating folders; returns the path."""
    path, values = pathlib.Path(path), np.asarray(array)
    if values.size and (not np.all(values == np.round(values)) or values.min() < 0 or values.max() > 255):
        raise ValueError("write_idx stores unsigned bytes: values must be whole numbers 0..255")
    if values.ndim > 255:
        raise ValueError(f"IDX holds at most 255 dimensions, got {values.ndim}")
    payload = (bytes([0, 0, IDX_UINT8, values.ndim]) + np.asarray(values.shape, dtype=">u4").tobytes()
               + np.ascontiguousarray(values, dtype=np.uint8).tobytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)
    return path


def _why_unusable(folder: pathlib.Path) -> Optional[str]:
    """None when ``folder`` holds both files, else why it cannot be used."""
    if not folder.is_dir():
        return "not a folder" if folder.exists() else "no such folder"
    missing = [f for f in (IMAGES_FILE, LABELS_FILE) if not (folder / f).is_file()]
    return f"missing {' and '.join(missing)}" if missing else None


def load_fashion_mnist_test(data_dir: Optional[PathLike] = None, *, download: bool = True) -> FashionMnistTest:
    """The Fashion-MNIST test set as uint8 arrays from ``data_dir`` (a folder holding ``fashion-mnist/``,
    that folder, or one of another name holding the two files; when given, it must hold them), else
    ``$KERAS_AUTOENCODERS_DATA/fashion-mnist``, else the Keras download (``download``)."""
    folder, attempts = search(FOLDER, data_dir, _why_unusable, WHAT)
    if folder is not None:
        images, labels = folder / IMAGES_FILE, folder / LABELS_FILE
        x, y = check_digits(read_idx(images), read_idx(labels), f"{images} with {labels.name}")
        return FashionMnistTest(x, y, source=str(folder))
    downloaded = try_download(_keras_download, DOWNLOAD_CALL, download, attempts)
    if downloaded is None:
        raise DataNotFoundError(FOLDER, attempts, what=WHAT)
    return FashionMnistTest(*check_digits(*downloaded[1], DOWNLOAD_CALL), source=DOWNLOAD_PLACE)
