"""A streaming tf.data pipeline for face images, in place of the CelebA CVAE article's PIL generator.

``(paths, conditions)`` -> shuffle (names only) -> parallel ``map`` (:func:`decode_crop_resize`, which decodes only the
crop window) -> ``ignore_errors`` -> ``batch`` -> ``prefetch``: no pixel is held beyond those in flight. The default
``"area"`` resize is one cheap op; antialiased ``"bilinear"`` (PIL's, the article's) differs by about 0.01 per pixel but
costs as much CPU as the decode (``ScaleAndTranslate`` hands each image to the intra-op pool about 5 times): under 2x
the PIL generator's rate on 2 cores, where "area" reaches 2.5-3x (``bench/celeba_pipeline.py``)."""
from __future__ import annotations

import os
from typing import Any, Callable, Mapping, Sequence, Union

import numpy as np
import tensorflow as tf

from keras_autoencoders.errors import SettingsError

from .checks import check_choice, check_fraction, check_integer
from .locations import PathLike

#: Side of the square images the pipeline yields (the article's 64x64).
DEFAULT_IMAGE_SIZE = 64
#: Side of the centred square crop as a fraction of the image *width*: 140 pixels of
#: a 178-pixel-wide CelebA face, and the same part of the face (70 pixels) at half size.
DEFAULT_CROP_FRACTION = 140 / 178
#: Resize filters: "area" (box filter) or "bilinear" (antialiased triangle filter, as PIL's ``BILINEAR``).
RESIZE_METHODS = ("area", "bilinear")


def _check_crop_fraction(crop_fraction: float) -> float:
    return check_fraction("crop_fraction", crop_fraction, "a number in (0, 1]", one_allowed=True)


def crop_window(height: Any, width: Any, crop_fraction: float = DEFAULT_CROP_FRACTION) -> tf.Tensor:
    """The centred square crop ``[y, x, h, w]`` (int32) of a ``height`` x ``width`` image (ints or scalar tensors):
    side ``round(crop_fraction * width)`` clamped to ``[1, min(height, width)]``, the same part at any resolution."""
    crop_fraction = _check_crop_fraction(crop_fraction)
    height, width = tf.cast(height, tf.int32), tf.cast(width, tf.int32)
    side = tf.cast(tf.floor(crop_fraction * tf.cast(width, tf.float64) + 0.5), tf.int32)
    side = tf.clip_by_value(side, 1, tf.maximum(tf.minimum(height, width), 1))
    return tf.stack([(height - side) // 2, (width - side) // 2, side, side])


def decode_crop_resize(path: Union[tf.Tensor, PathLike], image_size: int = DEFAULT_IMAGE_SIZE,
                       crop_fraction: float = DEFAULT_CROP_FRACTION, *, resize_method: str = "area") -> tf.Tensor:
    """The JPEG at ``path`` as float32 ``(image_size, image_size, 3)`` in [0, 1]: only its :func:`crop_window` is
    decoded, then resized by ``resize_method`` (a crop smaller than ``image_size`` always by antialiased bilinear)."""
    image_size = check_integer("image_size", image_size)
    crop_fraction = _check_crop_fraction(crop_fraction)
    check_choice("resize_method", resize_method, RESIZE_METHODS)
    contents = tf.io.read_file(os.fspath(path) if isinstance(path, os.PathLike) else path)
    shape = tf.io.extract_jpeg_shape(contents)
    window = crop_window(shape[0], shape[1], crop_fraction)
    crop, size = tf.io.decode_and_crop_jpeg(contents, window, channels=3), (image_size, image_size)

    def bilinear() -> tf.Tensor:
        return tf.image.resize(crop, size, method="bilinear", antialias=True)

    image = bilinear() if resize_method == "bilinear" else tf.cond(
        window[2] >= image_size, lambda: tf.image.resize(crop, size, method="area"), bilinear)
    return tf.clip_by_value(image * (1.0 / 255.0), 0.0, 1.0)


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
        raise SettingsError(f"conditions has {len(conditions)} rows but paths has {len(paths)} entries; must match")
    return paths, conditions


def _epoch_permutation(count: Any, seed: int, epoch_variable: tf.Variable) -> tf.Tensor:
    """``0 .. count - 1`` shuffled by ``stateless_shuffle`` keyed by ``[seed, epoch]`` (read now)."""
    key = tf.stack([tf.constant(int(seed), tf.int64), tf.cast(epoch_variable.read_value(), tf.int64)])
    return tf.random.experimental.stateless_shuffle(tf.range(tf.cast(count, tf.int64), dtype=tf.int64), seed=key)


def epoch_order(count: int, seed: int, epoch_variable: tf.Variable) -> tf.data.Dataset:
    """The indices ``0 .. count - 1`` (int64) in an order of ``(seed, epoch)`` only, the epoch read from the integer
    ``epoch_variable`` (:class:`~keras_autoencoders.training.reproducible.EpochSeeds`) as each iterator starts."""
    count = check_integer("count", count)
    seed = check_integer("seed", seed, None, what="an integer")
    if not isinstance(epoch_variable, tf.Variable) or not epoch_variable.dtype.is_integer:
        raise TypeError(f"epoch_variable must be an integer tf.Variable, got {epoch_variable!r}")
    order = tf.data.Dataset.range(1).flat_map(
        lambda _: tf.data.Dataset.from_tensor_slices(_epoch_permutation(count, seed, epoch_variable)))
    return order.apply(tf.data.experimental.assert_cardinality(count))


def _decoded_once(decoded: tf.data.Dataset, count: int, shuffle: bool, seed: int | None,
                  epoch_variable: tf.Variable | None) -> tf.data.Dataset:
    """``decoded`` (file order) cached in memory, then each epoch in the streaming path's order."""
    decoded = decoded.cache()
    if not shuffle:
        return decoded
    if epoch_variable is None:
        return decoded.shuffle(count, seed=seed, reshuffle_each_iteration=True)

    def in_order(images: tf.Tensor, conditions: tf.Tensor) -> tf.data.Dataset:
        # The epoch's permutation of what was decoded (the streaming order when no file was skipped);
        # all images are one tensor here, so an epoch holds the set twice.
        order = _epoch_permutation(tf.shape(images)[0], seed, epoch_variable)
        return tf.data.Dataset.from_tensor_slices(order).map(lambda i: (tf.gather(images, i), tf.gather(conditions, i)))

    return tf.data.Dataset.range(1).flat_map(lambda _: decoded.batch(count).flat_map(in_order))


def make_image_dataset(paths: Sequence[PathLike], conditions: np.ndarray, batch_size: int, *,
                       image_size: int = DEFAULT_IMAGE_SIZE, crop_fraction: float = DEFAULT_CROP_FRACTION,
                       shuffle: bool = True, seed: int | None = 0, drop_remainder: bool = False,
                       skip_decode_errors: bool = True, resize_method: str = "area",
                       num_parallel_calls: int = tf.data.AUTOTUNE, epoch_variable: tf.Variable | None = None,
                       cache_decoded: bool = False, process: tuple[int, int] = (0, 1)) -> tf.data.Dataset:
    """``(images, conditions)`` batches streamed from JPEG files: float32 ``(b, image_size, image_size, 3)`` in [0, 1]
    (:func:`decode_crop_resize`) and the matching rows of ``conditions``, each file once an epoch, in the files' order
    or, with ``shuffle``, one of ``seed`` (and TensorFlow's global seed) anew each epoch; with an ``epoch_variable`` it
    depends only on ``(seed, epoch)`` (:func:`epoch_order`), so a resumed run repeats it. ``skip_decode_errors`` drops
    undecodable files with a logged warning. ``cache_decoded`` keeps the crops decoded in epoch 1
    (``n * image_size^2 * 12`` bytes, twice while an epoch runs: LFW's 10,000 training faces at 32x32 120 MB, CelebA's
    at 64x64 20 GB), so training on a small CPU no longer waits for JPEG decoding. ``process=(p, n)``: on ``n``
    processes training data-parallel, process ``p``'s rows of each global batch of ``batch_size``, the
    ``batch_size / n`` from ``p * batch_size / n`` on, so that only they are decoded here; the last, partial global
    batch is dropped, and an undecodable file raises (a short batch would leave the processes out of step)."""
    paths, conditions = _check_paths_conditions(paths, conditions)
    batch_size = check_integer("batch_size", batch_size)
    image_size = check_integer("image_size", image_size)
    crop_fraction = _check_crop_fraction(crop_fraction)
    check_choice("resize_method", resize_method, RESIZE_METHODS)
    if seed is not None:
        seed = check_integer("seed", seed, None, what="an integer or None")
    if epoch_variable is not None and shuffle and seed is None:
        raise SettingsError("an epoch_variable needs an integer seed (the order is keyed by seed and epoch)")
    share, processes = process
    if processes > 1 and (batch_size % processes or (shuffle and epoch_variable is None) or cache_decoded):
        raise SettingsError(f"on {processes} processes the batch size (the global batch, {batch_size}) must be a "
                            "multiple of their count, and a shuffled order needs an epoch_variable (one order for "
                            "all of them); cache_decoded is for one process")
    if processes > 1 and len(paths) < batch_size:
        raise SettingsError(f"on {processes} processes every batch is whole: {len(paths)} images make no global "
                            f"batch of {batch_size}; use more images or a smaller batch size")

    def decode(pairs: tf.data.Dataset) -> tf.data.Dataset:
        images = pairs.map(lambda path, condition: (decode_crop_resize(
            path, image_size, crop_fraction, resize_method=resize_method), condition),
            num_parallel_calls=num_parallel_calls, deterministic=True)
        return images.ignore_errors(log_warning=True) if skip_decode_errors and processes == 1 else images

    if shuffle and epoch_variable is not None and not cache_decoded or processes > 1:
        table = (tf.constant(paths), tf.constant(conditions))  # gathering names costs what shuffling them does
        order = epoch_order(len(paths), seed, epoch_variable) if shuffle else tf.data.Dataset.range(len(paths))
        if processes > 1:  # this process's rows of each whole global batch
            rows = batch_size // processes
            order, batch_size = order.batch(batch_size, drop_remainder=True).map(
                lambda ids: ids[share * rows:(share + 1) * rows]).unbatch(), rows
        dataset = decode(order.map(lambda i: (tf.gather(table[0], i), tf.gather(table[1], i))))
    else:
        pairs = tf.data.Dataset.from_tensor_slices((paths, conditions))
        if cache_decoded:
            dataset = _decoded_once(decode(pairs), len(paths), shuffle, seed, epoch_variable)
        else:
            dataset = decode(pairs.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True) if shuffle else pairs)
    batches = dataset.batch(batch_size, drop_remainder=drop_remainder or processes > 1)
    if processes > 1:  # each process yields the same number of batches (unbatch forgets it)
        batches = batches.apply(tf.data.experimental.assert_cardinality(len(paths) // (batch_size * processes)))
    return batches.prefetch(tf.data.AUTOTUNE)


def dataset_from_index(index: Any, batch_size: int, **kwargs: Any) -> tf.data.Dataset:
    """:func:`make_image_dataset` on an index's ``paths()`` and ``conditions()`` (CelebA, LFW)."""
    return make_image_dataset(index.paths(), index.conditions(), batch_size, **kwargs)


def split_datasets(splits: Mapping[str, Any], batch_size: int, seed: int = 0, epoch_variable: Any = None,
                   **kwargs: Any) -> dict[str, tf.data.Dataset]:
    """:func:`dataset_from_index` for each split of ``splits`` (name -> index): ``"train"``
    shuffled (with ``seed`` and, for exact resume, ``epoch_variable``), the others in file order; a ``process``
    (:func:`make_image_dataset`) gives this process's share of each."""
    return {name: dataset_from_index(index, batch_size, **kwargs, **(
        {"seed": seed, "epoch_variable": epoch_variable} if name == "train" else {"shuffle": False}))
        for name, index in splits.items()}


def autoencoder_stream(paths: Sequence[PathLike], conditions: np.ndarray, batch_size: int, seed: int = 0,
                       **pipeline: Any) -> Callable[[Any], tf.data.Dataset]:
    """A study stage's data (:meth:`~keras_autoencoders.tutorial_run.TutorialRun.stage`): a function of its epoch seeds
    giving the ``(image, image)`` pairs of ``paths`` ordered by ``seed`` and the epoch, decoded once; ``pipeline`` goes
    to :func:`make_image_dataset`, the ``conditions`` (one row per path) are dropped."""

    def stream(seeds: Any) -> tf.data.Dataset:
        return make_image_dataset(paths, conditions, batch_size, seed=seed, epoch_variable=seeds.epoch,
                                  cache_decoded=True, **pipeline).map(lambda image, _: (image, image))
    return stream


def first_images(index: Any, count: int, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` images of an index (file order) as arrays, with their conditions;
    ``kwargs`` (e.g. ``image_size``) go to :func:`make_image_dataset`."""
    chosen = index.select(np.arange(min(count, len(index))))
    images, conditions = zip(*dataset_from_index(chosen, 256, shuffle=False, **kwargs).as_numpy_iterator())
    return np.concatenate(images), np.concatenate(conditions)


def as_cvae_inputs(batches: tf.data.Dataset) -> tf.data.Dataset:
    """``(images, conditions)`` batches as a conditional VAE's ``x``, ``((images, conditions),)``: the
    layout of the article's ``cvae.fit([x_train, y_train], x_train)``."""
    return batches.map(lambda images, conditions: ((images, conditions),))
