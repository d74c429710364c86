"""Latent manifolds, Part 4's ``draw_manifold`` ("Код на Keras"): a 15x15 grid of digits per label, z[0] (column)
and z[1] (row) over ``norm.ppf(linspace(0.05, 0.95, 15))``, the other coordinates 0. The article calls ``predict``
per cell; here one call decodes all cells of all labels."""
from __future__ import annotations

import time
from typing import Callable, Sequence

import keras
import numpy as np
from scipy.stats import norm

from keras_autoencoders.arrays import one_hot, tile_images

Decoder = keras.Model | Callable[[list[np.ndarray]], np.ndarray]


def manifold_grid(n: int = 15, low: float = 0.05, high: float = 0.95) -> np.ndarray:
    """Grid values ``norm.ppf(linspace(low, high, n))`` of the article."""
    return norm.ppf(np.linspace(low, high, n))


def manifold_codes(latent_dim: int, n: int = 15) -> np.ndarray:
    """The ``(n * n, latent_dim)`` codes of one manifold, in row-major cell order."""
    grid, codes = manifold_grid(n), np.zeros((n, n, latent_dim), dtype="float32")
    codes[:, :, 0] = grid[None, :]  # column j -> z[0]
    codes[:, :, 1] = grid[:, None]  # row i -> z[1]
    return codes.reshape(n * n, latent_dim)


def decode_with_labels(decoder: Decoder, codes: np.ndarray, labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Decode ``codes`` conditioned on integer ``labels`` in one call; returns float images."""
    decode = decoder.predict_on_batch if isinstance(decoder, keras.Model) else decoder
    return np.asarray(decode([np.asarray(codes, dtype="float32"), one_hot(np.asarray(labels, dtype=int), num_classes)]))


def decode_as_each_label(decoder: Decoder, codes: np.ndarray, labels: Sequence[int],
                         num_classes: int = 10) -> np.ndarray:
    """``(len(labels), len(codes), *image)``: every code decoded as each label, in one call."""
    labels = list(labels)
    decoded = decode_with_labels(decoder, np.tile(codes, (len(labels), 1)), np.repeat(labels, len(codes)), num_classes)
    return decoded.reshape(len(labels), len(codes), *decoded.shape[1:])


def render_manifolds(decoder: Decoder, latent_dim: int, labels: Sequence[int] = range(10),
                     n: int = 15, num_classes: int = 10) -> np.ndarray:
    """Manifolds of ``labels`` as ``(len(labels), n * h, n * w)`` images, one decoder call."""
    return tile_images(decode_as_each_label(decoder, manifold_codes(latent_dim, n), labels, num_classes), n, n)


def manifold_render_seconds(decoder: Decoder, latent_dim: int) -> float:
    """Wall time of :func:`render_manifolds` for all ten labels, after one warm-up call (which traces)."""
    render_manifolds(decoder, latent_dim)
    start = time.perf_counter()
    render_manifolds(decoder, latent_dim)
    return time.perf_counter() - start


def z_means(z_meaner: Decoder, images: np.ndarray, labels: np.ndarray, num_classes: int = 10,
            batch_size: int = 2000) -> np.ndarray:
    """z_mean of every image, encoded with its own label, in the images' order ``(N, latent_dim)``."""
    conditions = one_hot(np.asarray(labels, dtype=int), num_classes)
    if isinstance(z_meaner, keras.Model):
        if len(images) <= batch_size:  # one batch: without predict's per-call setup (tens of ms)
            return np.asarray(z_meaner.predict_on_batch([images, conditions]))
        return z_meaner.predict([images, conditions], batch_size=batch_size, verbose=0)
    return np.asarray(z_meaner([images, conditions]))


def z_means_by_label(z_meaner: Decoder, images: np.ndarray, labels: np.ndarray,
                     num_classes: int = 10, batch_size: int = 2000) -> list[np.ndarray]:
    """z_mean of every image with its own label, split by label: the article's ``draw_z_distr`` input."""
    labels = np.asarray(labels, dtype=int)
    z = z_means(z_meaner, images, labels, num_classes, batch_size)
    return [z[labels == c] for c in range(num_classes)]
