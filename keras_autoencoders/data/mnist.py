"""MNIST as Part 4 loads it (``keras.datasets.mnist.load_data()``), found offline first. The places, in order
(docs/data.md): ``data_dir`` (a folder holding ``mnist.npz``, or the file), ``$KERAS_AUTOENCODERS_DATA``, the Keras
download unless ``download=False``, and only with ``allow_sample=True`` the bundled real sample (``mnist_sample.npz``:
the first 5000 training and 1000 test digits). Every file is checked to be in the layout of Keras' ``mnist.npz`` (keys
``x_train``, ``y_train``, ``x_test``, ``y_test``; 28x28 uint8; labels 0..9)."""
from __future__ import annotations

import functools
import pathlib
import sys
import zipfile
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from keras_autoencoders.arrays import one_hot
from keras_autoencoders.errors import DataFormatError, SettingsError

from .locations import DOWNLOAD_PLACE, DataNotFoundError, PathLike, keras_dataset, search, try_download

MNIST_FILENAME = "mnist.npz"
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")
IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10
DOWNLOAD_CALL = "keras.datasets.mnist.load_data()"
_keras_download = functools.partial(keras_dataset, "mnist")  # a name of its own, which tests replace

#: The real MNIST sample shipped inside the package (see ``tools/make_mnist_sample.py``).
SAMPLE_PATH = pathlib.Path(__file__).with_name("mnist_sample.npz")


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
        return (f"MnistArrays(train={len(self.x_train)}, test={len(self.x_test)}, "
                f"source={self.source!r}, is_sample={self.is_sample})")


def _as_uint8(values: np.ndarray, where: str, top: int, what: str) -> np.ndarray:
    """Whole numbers 0..``top`` as uint8; :class:`DataFormatError` prefixed with ``where`` otherwise."""
    if values.dtype.kind not in "biuf":
        raise DataFormatError(f"{where} has unsupported dtype {values.dtype}")
    if values.dtype.kind == "f" and values.size and not np.all(np.isfinite(values) & (values == np.round(values))):
        raise DataFormatError(f"{where} holds non-integer {what} (dtype {values.dtype})")
    if values.size and (values.min() < 0 or values.max() > top):
        raise DataFormatError(f"{where} holds {what} outside 0..{top} (min {values.min()}, max {values.max()})")
    return np.ascontiguousarray(values, dtype=np.uint8)


def check_digits(images, labels, name: str, fields: Sequence[str] = ("images", "labels")
                 ) -> tuple[np.ndarray, np.ndarray]:
    """28x28 images ``(N, 28, 28)`` and their labels ``(N,)`` (0..9), as uint8 (MNIST, Fashion-MNIST);
    :class:`DataFormatError` names ``name`` (the file) and the field at fault (an npz key)."""
    x, y = np.asarray(images), np.asarray(labels)
    if x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
        raise DataFormatError(f"{name}: {fields[0]} must hold images of shape (N, 28, 28), got {x.shape}")
    y = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
    if y.shape != (len(x),):
        raise DataFormatError(f"{name}: {fields[1]} must hold labels of shape ({len(x)},) to match the "
                              f"{len(x)} images, got {y.shape}")
    return (_as_uint8(x, f"{name}: {fields[0]}", 255, "pixel values"),
            _as_uint8(y, f"{name}: {fields[1]}", NUM_CLASSES - 1, "labels"))


def validate_mnist_arrays(x_train, y_train, x_test, y_test, *, name: str = "MNIST arrays"
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four arrays of Keras' MNIST layout, checked by :func:`check_digits`, as uint8."""
    train = check_digits(x_train, y_train, name, ("key 'x_train'", "key 'y_train'"))
    return (*train, *check_digits(x_test, y_test, name, ("key 'x_test'", "key 'y_test'")))


def read_mnist_npz(path: PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_test, y_test)`` of an npz file in Keras' MNIST layout, checked, as uint8;
    :class:`DataFormatError` names the file (and the key at fault)."""
    name, unreadable = str(path), (zipfile.BadZipFile, ValueError, EOFError, OSError)
    with open(path, "rb") as fh:  # opened here, so that it is closed even when numpy fails half-way
        try:
            data = np.load(fh, allow_pickle=False)
        except unreadable as exc:
            raise DataFormatError(f"{name}: not a valid npz archive ({type(exc).__name__}: {exc})") from exc
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise DataFormatError(f"{name}: not an npz archive (holds a single array)")
        with data:
            missing = [key for key in MNIST_KEYS if key not in data.files]
            if missing:
                raise DataFormatError(f"{name}: missing key {missing[0]!r} (missing {missing}; "
                                      f"found {sorted(data.files)}; expected {list(MNIST_KEYS)})")
            arrays = []
            for key in MNIST_KEYS:
                try:
                    arrays.append(data[key])
                except unreadable as exc:
                    raise DataFormatError(f"{name}: key {key!r} cannot be read ({type(exc).__name__}: {exc})") from exc
    return validate_mnist_arrays(*arrays, name=name)


def write_mnist_npz(path: PathLike, x_train, y_train, x_test, y_test, *, compressed: bool = True) -> pathlib.Path:
    """Write the four arrays unchecked (tests write bad files too) as Keras' MNIST npz at exactly ``path``."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        (np.savez_compressed if compressed else np.savez)(
            fh, **dict(zip(MNIST_KEYS, map(np.asarray, (x_train, y_train, x_test, y_test)))))
    return path


def _why_missing(path: pathlib.Path) -> Optional[str]:
    if path.is_file():
        return None
    if path.is_dir():
        return "is a folder, not a file"
    return "no such file" if path.parent.exists() else f"no such file (folder {path.parent} does not exist)"


def load_sample() -> MnistArrays:
    """The bundled real MNIST sample (no notice printed)."""
    x_train, y_train, x_test, y_test = read_mnist_npz(SAMPLE_PATH)
    source = f"bundled sample ({len(x_train)} train / {len(x_test)} test digits)"
    return MnistArrays(x_train, y_train, x_test, y_test, source=source, is_sample=True)


def load_mnist(data_dir: Optional[PathLike] = None, *, allow_sample: bool = False, download: bool = True
               ) -> MnistArrays:
    """MNIST as uint8 arrays from the first of the module's places (an explicit ``data_dir`` must hold it), else
    :class:`DataNotFoundError`; a file found but invalid raises :class:`DataFormatError`, never a silent fall-back."""
    path, attempts = search(MNIST_FILENAME, data_dir, _why_missing, "MNIST")
    if path is not None:
        return MnistArrays(*read_mnist_npz(path), source=str(path))
    downloaded = try_download(_keras_download, DOWNLOAD_CALL, download, attempts)
    if downloaded is not None:  # ((x_train, y_train), (x_test, y_test))
        arrays = validate_mnist_arrays(*downloaded[0], *downloaded[1], name=DOWNLOAD_CALL)
        return MnistArrays(*arrays, source=DOWNLOAD_PLACE)
    if not allow_sample:
        attempts.append(("bundled sample", None, "not allowed (allow_sample=False)"))
        raise DataNotFoundError(MNIST_FILENAME, attempts, what="MNIST")
    sample = load_sample()
    print(f"Note: using the bundled MNIST sample of {len(sample.x_train)} train / {len(sample.x_test)} test "
          f"digits, not the full 60000/10000 set; for the full data pass --data-dir / data_dir= a folder "
          f"holding {MNIST_FILENAME}, or set KERAS_AUTOENCODERS_DATA to one.", file=sys.stderr)
    return sample


def prepare_images(x: np.ndarray) -> np.ndarray:
    """Images as float32 in [0, 1], ``(N, 28, 28, 1)``, as in Part 4, from ``(N, 28, 28)`` or
    ``(N, 28, 28, 1)``: integers (0..255) and floats up to 255 are divided by 255, floats in [0, 1] kept."""
    x = np.asarray(x)
    x = x[..., 0] if x.ndim == 4 and x.shape[-1] == 1 else x
    if x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"expected images of shape (N, 28, 28) or (N, 28, 28, 1), got {x.shape}")
    if x.dtype.kind not in "biuf":
        raise ValueError(f"unsupported image dtype {x.dtype}")
    out, floats = x.astype(np.float32), x.dtype.kind == "f"
    lo, hi = (float(out.min()), float(out.max())) if out.size else (0.0, 0.0)
    if not floats and (lo < 0 or hi > 255):
        raise ValueError("integer pixel values must lie in 0..255")
    if not np.isfinite([lo, hi]).all() or lo < 0:
        raise ValueError("pixel values must be finite and non-negative")
    if hi > 255:
        raise ValueError(f"pixel values must lie in [0, 1] or [0, 255], max is {hi}")
    return (out / np.float32(255.0) if not floats or hi > 1 else out)[..., None]


@dataclass(frozen=True)
class MnistDigits:
    """MNIST ready for the models: images ``(N, 28, 28, 1)`` in [0, 1], integer labels (one-hot: the conditions)."""

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
        """The source for results files: a file's name without its folder (a run folder may be shared)."""
        return pathlib.Path(self.source).name if self.source.endswith(".npz") else self.source


def load_mnist_digits(data_dir: Optional[PathLike] = None, *, allow_sample: bool = False,
                      train_digits: int = 0) -> MnistDigits:
    """:func:`load_mnist`, then :func:`prepare_images` and integer labels; ``train_digits`` > 0 keeps
    only that many first training digits (the quick presets train on as many as the sample holds)."""
    if train_digits < 0:
        raise SettingsError(f"train_digits must be 0 (all) or positive, got {train_digits}")
    arrays, keep = load_mnist(data_dir, allow_sample=allow_sample), slice(train_digits or None)
    return MnistDigits(prepare_images(arrays.x_train[keep]), arrays.y_train[keep].astype(int),
                       prepare_images(arrays.x_test), arrays.y_test.astype(int), arrays.source)
