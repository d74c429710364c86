"""MNIST: finding, validating and preparing the digits.

Part 4 of the article series loads MNIST with ``keras.datasets.mnist.load_data()``,
scales the pixels to [0, 1], reshapes the images to ``(N, 28, 28, 1)`` and one-hot
encodes the labels.  This module does the same, with an offline-friendly search
for the data file:

1. an explicit ``data_dir`` argument (a folder holding ``mnist.npz``, or the file);
2. the folder named by the environment variable ``KERAS_AUTOENCODERS_DATA``;
3. the standard Keras download (``keras.datasets.mnist.load_data()``, which uses
   Keras' own cache), unless ``download=False``;
4. the small real sample bundled with the package (``mnist_sample.npz``: the first
   5000 training and first 1000 test digits of MNIST), only when ``allow_sample=True``.

Every file read is checked to be in the layout of Keras' own ``mnist.npz``
(keys ``x_train``, ``y_train``, ``x_test``, ``y_test``; 28x28 uint8 images;
uint8 labels 0..9).  :func:`prepare_images` and :func:`keras_autoencoders.arrays.one_hot` then give the
arrays the article feeds to the models.
"""
from __future__ import annotations

import os
import pathlib
import sys
import zipfile
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from keras_autoencoders.arrays import one_hot
from keras_autoencoders.errors import DataFormatError, SettingsError

from .locations import (
    ARGUMENT_PLACE,
    DataNotFoundError,
    candidate_files,
    env_unset_attempt,
)

MNIST_FILENAME = "mnist.npz"
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")
IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10

#: The real MNIST sample shipped inside the package (see ``tools/make_mnist_sample.py``).
SAMPLE_PATH = pathlib.Path(__file__).with_name("mnist_sample.npz")

DOWNLOAD_SOURCE = "keras download"

PathLike = Union[str, os.PathLike]


@dataclass(frozen=True)
class MnistArrays:
    """The four MNIST arrays as stored (uint8), and where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    is_sample: bool = False

    def __repr__(self) -> str:
        return (
            f"MnistArrays(train={len(self.x_train)}, test={len(self.x_test)}, "
            f"source={self.source!r}, is_sample={self.is_sample})"
        )


# --------------------------------------------------------------------------- validation


def _check_images(arr: np.ndarray, key: str, name: str) -> np.ndarray:
    if arr.ndim != 3 or tuple(arr.shape[1:]) != IMAGE_SHAPE:
        raise DataFormatError(
            f"{name}: key {key!r} must hold images of shape (N, 28, 28), got {arr.shape}"
        )
    return _as_uint8(arr, key, name, 0, 255, "pixel values")


def _check_labels(arr: np.ndarray, key: str, name: str, count: int) -> np.ndarray:
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise DataFormatError(f"{name}: key {key!r} must hold labels of shape (N,), got {arr.shape}")
    if arr.shape[0] != count:
        raise DataFormatError(
            f"{name}: key {key!r} holds {arr.shape[0]} labels but there are {count} images"
        )
    return _as_uint8(arr, key, name, 0, NUM_CLASSES - 1, "labels")


def _as_uint8(arr: np.ndarray, key: str, name: str, lo: int, hi: int, what: str) -> np.ndarray:
    if arr.dtype == np.uint8:
        values = arr
    elif np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_:
        values = arr
    elif np.issubdtype(arr.dtype, np.floating):
        if arr.size and not np.all(np.isfinite(arr) & (arr == np.round(arr))):
            raise DataFormatError(f"{name}: key {key!r} holds non-integer {what} (dtype {arr.dtype})")
        values = arr
    else:
        raise DataFormatError(f"{name}: key {key!r} has unsupported dtype {arr.dtype}")
    if values.size:
        vmin, vmax = values.min(), values.max()
        if vmin < lo or vmax > hi:
            raise DataFormatError(
                f"{name}: key {key!r} holds {what} outside {lo}..{hi} "
                f"(min {vmin}, max {vmax})"
            )
    return np.ascontiguousarray(values, dtype=np.uint8)


def validate_mnist_arrays(
    x_train, y_train, x_test, y_test, *, name: str = "MNIST arrays"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Check the Keras MNIST layout and return the four arrays as uint8.

    Raises ``ValueError`` naming ``name`` (usually the file) and the offending key.
    """
    x_train = _check_images(np.asarray(x_train), "x_train", name)
    y_train = _check_labels(np.asarray(y_train), "y_train", name, len(x_train))
    x_test = _check_images(np.asarray(x_test), "x_test", name)
    y_test = _check_labels(np.asarray(y_test), "y_test", name, len(x_test))
    return x_train, y_train, x_test, y_test


def read_mnist_npz(path: PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read and validate an npz file in Keras' MNIST layout.

    Returns ``(x_train, y_train, x_test, y_test)`` as uint8 arrays.  Raises
    ``ValueError`` naming the file (and the key, when one is at fault) for a file
    that is not a valid npz archive or does not hold valid MNIST arrays.
    """
    path = pathlib.Path(path)
    name = str(path)
    # Open the file ourselves so that it is closed even when numpy fails half-way.
    with open(path, "rb") as fh:
        try:
            data = np.load(fh, allow_pickle=False)
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            raise DataFormatError(
                f"{name}: not a valid npz archive ({type(exc).__name__}: {exc})"
            ) from exc
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise DataFormatError(f"{name}: not an npz archive (holds a single array)")
        with data:
            missing = [key for key in MNIST_KEYS if key not in data.files]
            if missing:
                raise DataFormatError(
                    f"{name}: missing key {missing[0]!r} (missing {missing}; "
                    f"found {sorted(data.files)}; expected {list(MNIST_KEYS)})"
                )
            arrays = {}
            for key in MNIST_KEYS:
                try:
                    arrays[key] = data[key]
                except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
                    raise DataFormatError(
                        f"{name}: key {key!r} cannot be read ({type(exc).__name__}: {exc})"
                    ) from exc
    return validate_mnist_arrays(*(arrays[key] for key in MNIST_KEYS), name=name)


def write_mnist_npz(
    path: PathLike, x_train, y_train, x_test, y_test, *, compressed: bool = True
) -> pathlib.Path:
    """Write the four arrays to ``path`` in Keras' MNIST npz layout; returns the path.

    The arrays are written as given (no validation), so tests can also write bad files.
    The file is written at exactly ``path`` (no ``.npz`` is appended); parent folders
    are created.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save = np.savez_compressed if compressed else np.savez
    with open(path, "wb") as fh:
        save(
            fh,
            x_train=np.asarray(x_train),
            y_train=np.asarray(y_train),
            x_test=np.asarray(x_test),
            y_test=np.asarray(y_test),
        )
    return path


# --------------------------------------------------------------------------- loading


def _keras_download():
    """``keras.datasets.mnist.load_data()``: Keras' standard download, or its cache."""
    import keras

    return keras.datasets.mnist.load_data()


def _from_file(path: pathlib.Path, *, is_sample: bool = False, source: Optional[str] = None) -> MnistArrays:
    x_train, y_train, x_test, y_test = read_mnist_npz(path)
    return MnistArrays(
        x_train, y_train, x_test, y_test,
        source=source if source is not None else str(path),
        is_sample=is_sample,
    )


def _why_missing(path: pathlib.Path) -> str:
    if path.is_dir():
        return "is a folder, not a file"
    parent = path.parent
    if not parent.exists():
        return f"no such file (folder {parent} does not exist)"
    return "no such file"


def load_sample() -> MnistArrays:
    """The bundled real MNIST sample (no notice printed)."""
    x_train, y_train, x_test, y_test = read_mnist_npz(SAMPLE_PATH)
    source = f"bundled sample ({len(x_train)} train / {len(x_test)} test digits)"
    return MnistArrays(x_train, y_train, x_test, y_test, source=source, is_sample=True)


def load_mnist(
    data_dir: Optional[PathLike] = None,
    *,
    allow_sample: bool = False,
    download: bool = True,
) -> MnistArrays:
    """Load MNIST as uint8 arrays, searching the documented places in order.

    1. ``data_dir`` (a folder holding ``mnist.npz``, or the file itself): when given,
       the file must be there, else :class:`DataNotFoundError` is raised at once.
    2. ``$KERAS_AUTOENCODERS_DATA/mnist.npz`` when the variable is set.
    3. ``keras.datasets.mnist.load_data()`` when ``download`` is true.
    4. The bundled sample when ``allow_sample`` is true (a one-line notice goes to stderr).

    Otherwise :class:`DataNotFoundError` lists every place tried and why it failed.
    A file that is found but invalid raises ``ValueError`` (never a silent fallback).
    """
    attempts = []
    places = candidate_files(MNIST_FILENAME, data_dir)
    for place, path in places:
        if path.is_file():
            return _from_file(path)
        reason = _why_missing(path)
        if place == ARGUMENT_PLACE:
            # The caller asked for exactly this place: no silent fallback.
            raise DataNotFoundError(MNIST_FILENAME, [(place, path, reason)], what="MNIST")
        attempts.append((place, path, reason))
    if not any(place != ARGUMENT_PLACE for place, _ in places):
        attempts.append(env_unset_attempt())

    if download:
        try:
            (x_train, y_train), (x_test, y_test) = _keras_download()
        except Exception as exc:  # noqa: BLE001 - any failure just means "not available"
            attempts.append(
                (DOWNLOAD_SOURCE, "keras.datasets.mnist.load_data()",
                 f"failed: {type(exc).__name__}: {exc}")
            )
        else:
            arrays = validate_mnist_arrays(
                x_train, y_train, x_test, y_test, name="keras.datasets.mnist.load_data()"
            )
            return MnistArrays(*arrays, source=DOWNLOAD_SOURCE, is_sample=False)
    else:
        attempts.append((DOWNLOAD_SOURCE, None, "disabled (download=False)"))

    if allow_sample:
        sample = load_sample()
        print(
            f"Note: using the bundled MNIST sample of {len(sample.x_train)} train / "
            f"{len(sample.x_test)} test digits, not the full 60000/10000 set; for the full "
            f"data pass --data-dir / data_dir= a folder holding {MNIST_FILENAME}, or set "
            f"KERAS_AUTOENCODERS_DATA to one.",
            file=sys.stderr,
        )
        return sample

    attempts.append(("bundled sample", None, "not allowed (allow_sample=False)"))
    raise DataNotFoundError(MNIST_FILENAME, attempts, what="MNIST")


# --------------------------------------------------------------------------- preparing


def prepare_images(x: np.ndarray) -> np.ndarray:
    """Images as float32 in [0, 1] with shape ``(N, 28, 28, 1)``, as in Part 4.

    Integer images (e.g. the uint8 pixels as stored) are divided by 255.  Float images
    already in [0, 1] are kept; float images in [0, 255] are divided by 255.  Accepts
    ``(N, 28, 28)`` or ``(N, 28, 28, 1)``; anything else raises ``ValueError``.
    """
    x = np.asarray(x)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or tuple(x.shape[1:]) != IMAGE_SHAPE:
        raise ValueError(f"expected images of shape (N, 28, 28) or (N, 28, 28, 1), got {x.shape}")
    if np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_:
        if x.size and (x.min() < 0 or x.max() > 255):
            raise ValueError("integer pixel values must lie in 0..255")
        out = x.astype(np.float32) / np.float32(255.0)
    elif np.issubdtype(x.dtype, np.floating):
        out = x.astype(np.float32)
        if out.size:
            lo, hi = float(out.min()), float(out.max())
            if not np.isfinite(lo) or not np.isfinite(hi) or lo < 0:
                raise ValueError("pixel values must be finite and non-negative")
            if hi > 1.0:
                if hi > 255.0:
                    raise ValueError(f"pixel values must lie in [0, 1] or [0, 255], max is {hi}")
                out = out / np.float32(255.0)
    else:
        raise ValueError(f"unsupported image dtype {x.dtype}")
    return out.reshape(out.shape + (1,))


@dataclass(frozen=True)
class MnistDigits:
    """MNIST ready for the models: float images ``(N, 28, 28, 1)`` in [0, 1], integer labels.

    ``y_train_onehot`` / ``y_test_onehot`` are the conditions of the conditional models.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    @property
    def y_train_onehot(self) -> np.ndarray:
        return one_hot(self.y_train)

    @property
    def y_test_onehot(self) -> np.ndarray:
        return one_hot(self.y_test)

    def describe(self) -> str:
        return f"MNIST from {self.source}: {len(self.x_train)} train / {len(self.x_test)} test digits"

    @property
    def source_label(self) -> str:
        """Where the digits came from, for results files: a file's name without its folder
        (a run folder may be shared), else the source as described (sample, download)."""
        return pathlib.Path(self.source).name if self.source.endswith(".npz") else self.source


def load_mnist_digits(data_dir: Optional[PathLike] = None, *, allow_sample: bool = False,
                      train_digits: int = 0) -> MnistDigits:
    """:func:`load_mnist`, then :func:`prepare_images` and integer labels.

    ``train_digits`` > 0 keeps only the first that many training digits (the quick
    presets train on as many digits as the bundled sample holds, whatever the source).
    """
    if train_digits < 0:
        raise SettingsError(f"train_digits must be 0 (all) or positive, got {train_digits}")
    arrays = load_mnist(data_dir, allow_sample=allow_sample)
    keep = slice(None) if not train_digits else slice(train_digits)
    return MnistDigits(prepare_images(arrays.x_train[keep]), arrays.y_train[keep].astype(int),
                       prepare_images(arrays.x_test), arrays.y_test.astype(int), arrays.source)
