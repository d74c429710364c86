"""Codes for TensorBoard's embedding projector (``tensorboard --logdir OUT/logs``, Projector tab), drawn as digits
coloured by label. Keras 3 has no working callback, so :func:`write_projector` writes the files TensorBoard reads."""
from __future__ import annotations

import os
import pathlib

import numpy as np

#: The checkpoint key of the codes: the variable saved as ``embedding`` by ``tf.train.Checkpoint``.
TENSOR_NAME = "embedding/.ATTRIBUTES/VARIABLE_VALUE"
MAX_SPRITE_SIDE = 8192  #: The projector shows sprites up to this many pixels a side.


def sprite_sheet(images: np.ndarray) -> np.ndarray:
    """``(N, h, w[, 1])`` images in [0, 1] as one uint8 sheet of ``ceil(sqrt(N))`` per row, blank cells last."""
    images = np.asarray(images, dtype="float32")
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    count, h, w = images.shape[:3]
    side = int(np.ceil(np.sqrt(count)))
    if side * max(h, w) > MAX_SPRITE_SIDE:
        raise ValueError(f"{count} images of {h}x{w} make a sprite over {MAX_SPRITE_SIDE} pixels a side; pass fewer")
    padded = np.zeros((side * side, h, w) + images.shape[3:], dtype="float32")
    padded[:count] = images
    grid = padded.reshape(side, side, h, w, *images.shape[3:]).swapaxes(1, 2)
    return np.round(np.clip(grid.reshape(side * h, side * w, *images.shape[3:]), 0, 1) * 255).astype("uint8")


def write_projector(folder: str | os.PathLike, codes: np.ndarray, labels: np.ndarray,
                    images: np.ndarray | None = None) -> pathlib.Path:
    """Write ``codes`` (N, d) with their ``labels`` (and ``images`` as the sprite) for the projector in ``folder``."""
    import imageio.v3 as iio
    import tensorflow as tf

    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    codes, labels = np.asarray(codes, dtype="float32"), np.asarray(labels).reshape(-1)
    if len(labels) != len(codes) or (images is not None and len(images) != len(codes)):
        raise ValueError(f"write_projector: {len(codes)} codes, {len(labels)} labels"
                         + ("" if images is None else f", {len(images)} images") + "; they must match")
    for old in folder.glob("embedding.ckpt*"):  # a rerun replaces the codes (TensorBoard reads the latest)
        old.unlink()
    tf.train.Checkpoint(embedding=tf.Variable(codes)).save(str(folder / "embedding.ckpt"))  # + its "checkpoint" file
    (folder / "metadata.tsv").write_text("".join(f"{label}\n" for label in labels))
    config = [f'  tensor_name: "{TENSOR_NAME}"', '  metadata_path: "metadata.tsv"']
    if images is not None:
        iio.imwrite(folder / "sprite.png", sprite_sheet(images))
        h, w = np.asarray(images).shape[1:3]
        config += ['  sprite {', '    image_path: "sprite.png"', f'    single_image_dim: {w}',
                   f'    single_image_dim: {h}', '  }']
    (folder / "projector_config.pbtxt").write_text("embeddings {\n" + "\n".join(config) + "\n}\n")
    return folder
