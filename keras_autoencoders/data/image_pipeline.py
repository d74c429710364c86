"""A streaming tf.data input pipeline for face images: decode, centre crop, resize, batch.

The CelebA CVAE article ("VAE for dummies") trains from a memory-efficient Python
generator that opens each JPEG with PIL, crops and resizes it, and yields numpy
batches, one image at a time on one core.  This module replaces that generator
with ``tf.data``; it takes file paths and a condition matrix, so it works on any
folder of JPEGs (see :func:`dataset_from_index` for a CelebA index).

Design (:func:`make_image_dataset`)::

    from_tensor_slices((paths, conditions))     # file names + conditions only
    -> shuffle(len(paths), seed, reshuffle_each_iteration=True)
    -> map(decode_crop_resize, num_parallel_calls=AUTOTUNE, deterministic=True)
    -> ignore_errors(log_warning=True)          # optional backstop for bad files
    -> batch(batch_size) -> prefetch(AUTOTUNE)

Why it is fast:

* :func:`decode_crop_resize` reads the image size from the JPEG header
  (``tf.io.extract_jpeg_shape``) and decodes only the centred crop window
  (``tf.io.decode_and_crop_jpeg``): the inverse DCT and colour conversion are
  skipped outside the window (about half the pixels of a 178x218 face for the
  default crop; roughly a fifth less decoding time than decoding everything and
  cropping afterwards, since the entropy decoding of the whole file remains).
* The per-image work runs in TensorFlow's C++ threads on all cores, outside the
  Python interpreter, in parallel with the training step; ``prefetch`` keeps
  batches ready.  Only file names travel through the shuffle.

Why it is memory-bounded: only the (path, condition) pairs are held for the whole
set (file names, a few tens of MB even for CelebA's 202,599 images), the shuffle
buffer holds those pairs, not pixels, and the pixels in flight are bounded by the
parallel map and the prefetch buffer (a few batches).  There is no ``cache()``
and no whole-set array.

Order: the shuffle covers the whole set with a fixed ``seed``, a new order each
epoch (each iteration of the dataset, as Keras ``fit`` does per epoch), the whole
sequence of orders reproducible from ``seed``; as for any TensorFlow random op,
the orders also depend on TensorFlow's global seed when one is set
(``keras.utils.set_random_seed``).  The parallel map keeps that order
(``deterministic=True``).  With ``epoch_variable`` (a ``tf.Variable`` holding the
epoch, e.g. :class:`keras_autoencoders.training.reproducible.EpochSeeds`'s) the
order of epoch e is instead a stateless shuffle keyed by ``(seed, e)``
(:func:`epoch_order`): it depends on nothing else, so a run resumed at epoch e in
a new process reads the files in the same order as an uninterrupted one.

Accuracy options: by default the decode is exact (libjpeg's default accurate
integer inverse DCT; ``dct_method="INTEGER_FAST"`` was measured and gave no
material speed-up, so it is not exposed) and the downscale is ``tf.image.resize``
with ``method="area"``: each output pixel is the mean of the input pixels under
it (a box filter), an anti-aliased downscale done by one cheap op.
``resize_method="bilinear"`` uses antialiased bilinear instead (the triangle
filter of PIL's ``BILINEAR`` resize, the article's generator): the two differ by
about 0.01 per pixel on a 0..1 scale, and the bilinear op costs about as much CPU
as the decode (below), which on 2 cores kept the pipeline under 2x the PIL
generator's rate on 178x218 faces where the area filter reaches about 2.5-3x
(``bench/celeba_pipeline.py``): the antialiased bilinear op (``ScaleAndTranslate``)
hands each image to TensorFlow's intra-op pool about 5 times, which on a small CPU
costs as much as the resize itself.
"""
from __future__ import annotations

import numbers
import os
from typing import Any, Callable, Mapping, Sequence, Union

import numpy as np
import tensorflow as tf

from keras_autoencoders.errors import SettingsError

#: Side of the square images the pipeline yields (the article's 64x64).
DEFAULT_IMAGE_SIZE = 64
#: Side of the centred square crop as a fraction of the image *width*: 140 pixels of
#: a 178-pixel-wide CelebA face, and the same part of the face (70 pixels) at half size.
DEFAULT_CROP_FRACTION = 140 / 178

PathLike = Union[str, os.PathLike]


def _check_crop_fraction(crop_fraction: float) -> float:
    if isinstance(crop_fraction, bool) or not isinstance(crop_fraction, numbers.Real):
        raise TypeError(f"crop_fraction must be a number in (0, 1], got {crop_fraction!r}")
    if not 0.0 < float(crop_fraction) <= 1.0:
        raise SettingsError(f"crop_fraction must be in (0, 1], got {crop_fraction!r}")
    return float(crop_fraction)


def _check_positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise SettingsError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def crop_window(height: Any, width: Any, crop_fraction: float = DEFAULT_CROP_FRACTION) -> tf.Tensor:
    """The centred square crop ``[y, x, h, w]`` (int32) of an image of ``height`` x ``width``.

    The side is ``round(crop_fraction * width)``, clamped to ``[1, min(height, width)]``,
    so the crop covers the same part of the image at any resolution.  ``height`` and
    ``width`` may be Python ints or scalar tensors (e.g. from ``tf.io.extract_jpeg_shape``).
    """
    crop_fraction = _check_crop_fraction(crop_fraction)
    height = tf.cast(height, tf.int32)
    width = tf.cast(width, tf.int32)
    side = tf.cast(tf.floor(crop_fraction * tf.cast(width, tf.float64) + 0.5), tf.int32)
    side = tf.clip_by_value(side, 1, tf.maximum(tf.minimum(height, width), 1))
    return tf.stack([(height - side) // 2, (width - side) // 2, side, side])


#: Resize filters for the decoded crop: "area" (box filter, the default) or "bilinear"
#: (antialiased triangle filter, as PIL's ``BILINEAR``).
RESIZE_METHODS = ("area", "bilinear")


def _check_resize_method(resize_method: str) -> str:
    if resize_method not in RESIZE_METHODS:
        raise SettingsError(f"resize_method must be one of {RESIZE_METHODS}, got {resize_method!r}")
    return resize_method


def _decode_resize_exact(contents: tf.Tensor, window: tf.Tensor, image_size: int,
                         resize_method: str = "area") -> tf.Tensor:
    """Decode only the crop ``window`` at full resolution, then resize it.

    ``"area"`` averages the input pixels under each output pixel (a box filter,
    anti-aliased like PIL's filters for a downscale, and one cheap op); a crop
    smaller than ``image_size`` (an upscale) always uses antialiased bilinear.
    """
    crop = tf.io.decode_and_crop_jpeg(contents, window, channels=3)
    size = (image_size, image_size)

    def bilinear() -> tf.Tensor:
        return tf.image.resize(crop, size, method="bilinear", antialias=True)

    if resize_method == "bilinear":
        return bilinear()
    return tf.cond(window[2] >= image_size, lambda: tf.image.resize(crop, size, method="area"), bilinear)


def decode_crop_resize_bytes(
    contents: tf.Tensor,
    image_size: int = DEFAULT_IMAGE_SIZE,
    crop_fraction: float = DEFAULT_CROP_FRACTION,
    *,
    resize_method: str = "area",
) -> tf.Tensor:
    """JPEG bytes -> float32 ``(image_size, image_size, 3)`` in [0, 1]: centred crop, then resize.

    The crop (:func:`crop_window`, from the size in the JPEG header) is the only part
    decoded (``tf.io.decode_and_crop_jpeg``, RGB); it is resized with
    ``tf.image.resize`` (``resize_method``: ``"area"``, the default, or antialiased
    ``"bilinear"``, see the module notes) and clipped to [0, 1].
    """
    image_size = _check_positive_int("image_size", image_size)
    crop_fraction = _check_crop_fraction(crop_fraction)
    resize_method = _check_resize_method(resize_method)
    shape = tf.io.extract_jpeg_shape(contents)
    window = crop_window(shape[0], shape[1], crop_fraction)
    image = _decode_resize_exact(contents, window, image_size, resize_method)
    return tf.clip_by_value(image * (1.0 / 255.0), 0.0, 1.0)


def decode_crop_resize(
    path: Union[tf.Tensor, PathLike],
    image_size: int = DEFAULT_IMAGE_SIZE,
    crop_fraction: float = DEFAULT_CROP_FRACTION,
    *,
    resize_method: str = "area",
) -> tf.Tensor:
    """Read the JPEG at ``path`` and return its centred crop resized to ``image_size`` (see
    :func:`decode_crop_resize_bytes`)."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    return decode_crop_resize_bytes(tf.io.read_file(path), image_size, crop_fraction, resize_method=resize_method)


def _check_paths_conditions(paths: Sequence[PathLike], conditions: Any) -> tuple[list[str], np.ndarray]:
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise TypeError(f"paths must be a sequence of file paths, not a single path: {paths!r}")
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise SettingsError("paths is empty: the dataset needs at least one image")
    conditions = np.asarray(conditions, dtype=np.float32)
    if conditions.ndim != 2:
        raise SettingsError(f"conditions must be a 2-d array (images, condition size), got shape {conditions.shape}")
    if len(conditions) != len(paths):
        raise SettingsError(
            f"conditions has {len(conditions)} rows but paths has {len(paths)} entries; they must match")
    return paths, conditions


def epoch_order(count: int, seed: int, epoch_variable: tf.Variable) -> tf.data.Dataset:
    """The indices ``0 .. count - 1`` (int64) in an order that depends only on ``(seed, epoch)``.

    ``epoch`` is the value of ``epoch_variable`` (an integer ``tf.Variable``) when an
    iterator of the dataset starts producing, so each iteration (each Keras epoch,
    see :class:`~keras_autoencoders.training.reproducible.EpochSeeds`) reads the
    epoch set before it.  The order is ``tf.random.experimental.stateless_shuffle``
    keyed by ``[seed, epoch]``; the cardinality stays known (``count``).
    """
    count = _check_positive_int("count", count)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise SettingsError(f"seed must be an integer, got {seed!r}")
    if not isinstance(epoch_variable, tf.Variable) or not epoch_variable.dtype.is_integer:
        raise TypeError(f"epoch_variable must be an integer tf.Variable, got {epoch_variable!r}")
    def permutation(_: tf.Tensor) -> tf.data.Dataset:
        # Runs when an iterator starts: reads the epoch of that iteration.
        return tf.data.Dataset.from_tensor_slices(_epoch_permutation(count, seed, epoch_variable))

    order = tf.data.Dataset.range(1).flat_map(permutation)
    return order.apply(tf.data.experimental.assert_cardinality(count))


def _epoch_permutation(count: Any, seed: int, epoch_variable: tf.Variable) -> tf.Tensor:
    """``0 .. count - 1`` shuffled by ``stateless_shuffle`` keyed by ``[seed, epoch]`` (read now)."""
    key = tf.stack([tf.constant(int(seed), tf.int64), tf.cast(epoch_variable.read_value(), tf.int64)])
    return tf.random.experimental.stateless_shuffle(tf.range(tf.cast(count, tf.int64), dtype=tf.int64), seed=key)


def _decoded_once(decoded: tf.data.Dataset, count: int, shuffle: bool, seed: int | None,
                  epoch_variable: tf.Variable | None) -> tf.data.Dataset:
    """``decoded`` (file order, at most ``count`` images) cached in memory, then each epoch in
    the order the streaming path uses."""
    decoded = decoded.cache()
    if not shuffle:
        return decoded
    if epoch_variable is None:
        return decoded.shuffle(count, seed=seed, reshuffle_each_iteration=True)

    def epoch(_: tf.Tensor) -> tf.data.Dataset:
        def in_order(images: tf.Tensor, conditions: tf.Tensor) -> tf.data.Dataset:
            # The epoch's permutation of what was decoded: the streaming path's order when no file
            # was skipped. All images are one tensor here, so an epoch holds the set twice.
            order = _epoch_permutation(tf.shape(images)[0], seed, epoch_variable)
            return tf.data.Dataset.from_tensor_slices(order).map(
                lambda i: (tf.gather(images, i), tf.gather(conditions, i)))
        return decoded.batch(count).flat_map(in_order)

    return tf.data.Dataset.range(1).flat_map(epoch)


def make_image_dataset(
    paths: Sequence[PathLike],
    conditions: np.ndarray,
    batch_size: int,
    *,
    image_size: int = DEFAULT_IMAGE_SIZE,
    crop_fraction: float = DEFAULT_CROP_FRACTION,
    shuffle: bool = True,
    seed: int | None = 0,
    drop_remainder: bool = False,
    skip_decode_errors: bool = True,
    resize_method: str = "area",
    num_parallel_calls: int = tf.data.AUTOTUNE,
    epoch_variable: tf.Variable | None = None,
    cache_decoded: bool = False,
) -> tf.data.Dataset:
    """A dataset of ``(images, conditions)`` batches streamed from JPEG files.

    ``images`` is float32 ``(b, image_size, image_size, 3)`` in [0, 1] (the centred
    crop of each file, see :func:`decode_crop_resize`), ``conditions`` the matching
    float32 rows of ``conditions`` ``(b, k)``.  With ``shuffle`` the whole set is
    shuffled with ``seed``, in a new order each epoch, reproducibly (module notes);
    without it the files come in the order given.  With ``shuffle`` and an
    ``epoch_variable`` (integer ``tf.Variable`` set to the epoch before each
    iteration, e.g. ``EpochSeeds.epoch``), the order of epoch e depends only on
    ``(seed, e)`` (:func:`epoch_order`), so resuming at epoch e repeats it.  ``skip_decode_errors`` drops
    (with a logged warning) files that fail to read or decode instead of stopping
    the epoch.  Each file appears once per epoch; the last batch is smaller unless
    ``drop_remainder``.  Keras ``fit`` iterates the dataset anew each epoch, so no
    ``repeat`` is needed.

    ``cache_decoded`` trades memory for CPU on sets whose decoded images fit in memory:
    the first epoch decodes every file (in file order, in parallel) and keeps the
    crops; later epochs decode nothing and only shuffle them, in the same order as
    without the cache (keyed by ``(seed, epoch)`` with an ``epoch_variable``). It holds
    ``n * image_size^2 * 3 * 4`` bytes, twice while an epoch runs (LFW's 10,000 training
    faces at 32x32: 120 MB, 240 MB); CelebA's 202,599 at 64x64 would need 20 GB, so it
    stays off by default. On a small CPU, where decoding competes with the training step
    for the same cores, it keeps training from waiting for JPEG decoding after epoch 1.
    """
    paths, conditions = _check_paths_conditions(paths, conditions)
    batch_size = _check_positive_int("batch_size", batch_size)
    image_size = _check_positive_int("image_size", image_size)
    crop_fraction = _check_crop_fraction(crop_fraction)
    resize_method = _check_resize_method(resize_method)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise SettingsError(f"seed must be an integer or None, got {seed!r}")
    if epoch_variable is not None and shuffle and seed is None:
        raise SettingsError("an epoch_variable needs an integer seed (the order is keyed by seed and epoch)")

    def load(path: tf.Tensor, condition: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return decode_crop_resize(path, image_size, crop_fraction, resize_method=resize_method), condition

    if cache_decoded:
        decoded = tf.data.Dataset.from_tensor_slices((paths, conditions)).map(
            load, num_parallel_calls=num_parallel_calls, deterministic=True)
        if skip_decode_errors:
            decoded = decoded.ignore_errors(log_warning=True)
        dataset = _decoded_once(decoded, len(paths), shuffle, seed, epoch_variable)
        return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)

    if shuffle and epoch_variable is not None:
        # Only file names and conditions are gathered: the same cost as shuffling them.
        table = (tf.constant(paths), tf.constant(conditions))
        dataset = epoch_order(len(paths), seed, epoch_variable).map(
            lambda i: (tf.gather(table[0], i), tf.gather(table[1], i)))
    else:
        dataset = tf.data.Dataset.from_tensor_slices((paths, conditions))
        if shuffle:
            dataset = dataset.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)

    dataset = dataset.map(load, num_parallel_calls=num_parallel_calls, deterministic=True)
    if skip_decode_errors:
        dataset = dataset.ignore_errors(log_warning=True)
    return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def dataset_from_index(index: Any, batch_size: int, **kwargs: Any) -> tf.data.Dataset:
    """:func:`make_image_dataset` on an index with ``paths()`` and ``conditions()`` (e.g. a
    :class:`~keras_autoencoders.data.celeba.CelebaIndex`); ``kwargs`` are passed on."""
    return make_image_dataset(index.paths(), index.conditions(), batch_size, **kwargs)


def split_datasets(splits: Mapping[str, Any], batch_size: int, seed: int = 0, epoch_variable: Any = None,
                   **kwargs: Any) -> dict[str, tf.data.Dataset]:
    """:func:`dataset_from_index` for each split of ``splits`` (name -> index): ``"train"``
    shuffled (with ``seed`` and, for exact resume, ``epoch_variable``), the others in file order."""
    return {name: dataset_from_index(index, batch_size, **kwargs, **(
        {"seed": seed, "epoch_variable": epoch_variable} if name == "train" else {"shuffle": False}))
        for name, index in splits.items()}


def autoencoder_stream(paths: Sequence[PathLike], conditions: np.ndarray, batch_size: int, seed: int = 0,
                       **pipeline: Any) -> Callable[[Any], tf.data.Dataset]:
    """A study stage's training data (:func:`~keras_autoencoders.training.stages.train_stage`): a
    function of the stage's epoch seeds returning the images of ``paths`` as ``(image, image)``
    pairs, in an order of ``seed`` and the epoch, decoded once and then kept (``cache_decoded``).
    ``pipeline`` goes to :func:`make_image_dataset` (``image_size``, ``crop_fraction``, ...); the
    ``conditions`` (one row per path) are read and dropped."""

    def stream(seeds: Any) -> tf.data.Dataset:
        return make_image_dataset(paths, conditions, batch_size, seed=seed, epoch_variable=seeds.epoch,
                                  cache_decoded=True, **pipeline).map(lambda image, _: (image, image))
    return stream


__all__ = [
    "autoencoder_stream", "first_images", "DEFAULT_CROP_FRACTION", "DEFAULT_IMAGE_SIZE", "crop_window",
    "dataset_from_index", "decode_crop_resize", "decode_crop_resize_bytes", "epoch_order", "make_image_dataset",
    "split_datasets",
]


def first_images(index: Any, count: int, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` images of an index (in file order, unshuffled) as arrays, with their
    conditions; ``kwargs`` (e.g. ``image_size``) go to :func:`make_image_dataset`."""
    chosen = index.select(np.arange(min(count, len(index))))
    images, conditions = zip(*dataset_from_index(chosen, 256, shuffle=False, **kwargs).as_numpy_iterator())
    return np.concatenate(images), np.concatenate(conditions)


def as_cvae_inputs(batches: tf.data.Dataset) -> tf.data.Dataset:
    """``(images, conditions)`` batches as a conditional VAE's ``x``: ``((images, conditions),)``, the
    layout of the article's ``cvae.fit([x_train, y_train], x_train)``."""
    return batches.map(lambda images, conditions: ((images, conditions),))
