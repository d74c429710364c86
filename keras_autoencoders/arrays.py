"""Array helpers every part shares: one-hot labels, tiling images into one picture, ``.npz`` files."""
from __future__ import annotations

import os
import pathlib
import zipfile
from typing import Mapping

import numpy as np

NUM_CLASSES = 10  #: Digit classes of MNIST, the default of :func:`one_hot`.


def one_hot(y: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """``(N,)`` or ``(N, 1)`` whole-number labels in ``0..num_classes-1`` as float32 one-hot rows
    ``(N, num_classes)``; ``ValueError`` otherwise."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"expected labels of shape (N,) or (N, 1), got {y.shape}")
    if num_classes < 1:
        raise ValueError(f"num_classes must be positive, got {num_classes}")
    whole_floats = np.issubdtype(y.dtype, np.floating) and (not y.size or np.all(np.isfinite(y) & (y == np.round(y))))
    if not (np.issubdtype(y.dtype, np.integer) or y.dtype == np.bool_ or whole_floats):
        raise ValueError(f"labels must be whole numbers, got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}, got min {y.min()}, max {y.max()}")
    return np.eye(num_classes, dtype=np.float32)[y.astype(np.int64)]


def tile_images(images: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Tile ``(..., rows * cols, h, w[, 1])`` images into ``(..., rows * h, cols * w)``."""
    images = np.asarray(images)
    if images.shape[-1] == 1:
        images = images[..., 0]
    *lead, count, h, w = images.shape
    if count != rows * cols:
        raise ValueError(f"tile_images: {count} images do not fill {rows}x{cols}")
    grid = images.reshape(*lead, rows, cols, h, w)
    return np.moveaxis(grid, -3, -2).reshape(*lead, rows * h, cols * w)  # via (..., rows, h, cols, w)


def tile_grid(images: np.ndarray) -> np.ndarray:
    """``(rows, cols, h, w[, 1 or 3])`` images -> one ``(rows * h, cols * w[, 3])`` picture."""
    images = np.asarray(images)
    if images.ndim == 5 and images.shape[-1] == 3:
        rows, cols, h, w, _ = images.shape
        return images.transpose(0, 2, 1, 3, 4).reshape(rows * h, cols * w, 3)
    rows, cols, h, w = images.shape[:4]
    return tile_images(images.reshape(rows * cols, h, w, *images.shape[4:]), rows, cols)


def save_npz(path: str | os.PathLike, arrays: Mapping[str, np.ndarray], compress_level: int = 1) -> pathlib.Path:
    """Write ``arrays`` as a compressed ``.npz`` atomically (a temporary file, then renamed). zlib level 1,
    not ``np.savez_compressed``'s 6: 70 MB of generated images in 1.5 s against 3.6 s, a file 2% smaller."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compress_level) as archive:
            for name, array in arrays.items():
                with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)
    except BaseException:
        tmp.unlink(missing_ok=True)  # the file already there stays as it was
        raise
    os.replace(tmp, path)
    return path
