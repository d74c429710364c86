"""A plain autoencoder's code space (faces study, seed 000): F0.2 "New faces", codes sampled from a normal fitted to
the validation faces' codes (:func:`fit_normal`), not copies (:func:`nearest_neighbours`); F0.3 "The smile vector"
(:func:`attribute_vector`) added in steps to codes (:func:`add_in_steps`). A decoder is anything with ``predict``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from keras_autoencoders.evaluation.image_metrics import rms_distances


@dataclass(frozen=True)
class FittedNormal:
    """A normal distribution N(mean, covariance) fitted to codes."""

    mean: np.ndarray
    covariance: np.ndarray

    def sample(self, count: int, seed: int = 0) -> np.ndarray:
        """``count`` codes drawn with ``seed`` (float32)."""
        rng = np.random.default_rng(seed)
        return rng.multivariate_normal(self.mean, self.covariance, size=count, method="eigh").astype("float32")


def fit_normal(codes: np.ndarray) -> FittedNormal:
    """The mean and the (unbiased) covariance of ``codes`` ``(N, d)``, N >= 2."""
    x = np.asarray(codes, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"fit_normal needs codes (N, d) with N >= 2, got shape {x.shape}")
    return FittedNormal(x.mean(axis=0), np.atleast_2d(np.cov(x, rowvar=False)))


def nearest_neighbours(queries: np.ndarray, references: np.ndarray, block: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """For each query image, the index of the nearest reference image and the RMS pixel distance to it."""
    q = np.asarray(queries, dtype=np.float32).reshape(len(queries), -1)
    r = np.asarray(references, dtype=np.float32).reshape(len(references), -1)
    if q.shape[1] != r.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} values each, references {r.shape[1]}")
    r_sq, index = (r.astype(np.float64) ** 2).sum(axis=1), np.empty(len(q), dtype=np.int64)
    for start in range(0, len(q), block):
        # |q - r|^2 up to the per-query constant |q|^2, which does not change the ranking.
        index[start:start + block] = np.argmin(r_sq[None, :] - 2.0 * (q[start:start + block] @ r.T), axis=1)
    return index, rms_distances(q, r[index])  # computed directly: the expansion above loses digits


def attribute_vector(codes: np.ndarray, has_attribute: np.ndarray) -> np.ndarray:
    """Mean code of the faces with the attribute minus the mean code of those without it."""
    x, mask = np.asarray(codes, dtype=np.float64), np.asarray(has_attribute).astype(bool)
    if mask.shape != (len(x),):
        raise ValueError(f"expected one flag per code ({len(x)}), got shape {mask.shape}")
    if mask.all() or not mask.any():
        raise ValueError("attribute_vector needs faces with and without the attribute")
    return (x[mask].mean(axis=0) - x[~mask].mean(axis=0)).astype("float32")


def add_in_steps(codes: np.ndarray, vector: np.ndarray, steps: Sequence[float]) -> np.ndarray:
    """``(len(steps), N, d)``: ``codes + s * vector`` for each step ``s`` (the study's 0, 0.5, ... 2)."""
    codes = np.asarray(codes, dtype=np.float32)
    return np.stack([codes + np.float32(s) * np.asarray(vector, np.float32) for s in steps])


def decode_in_steps(decoder: Any, codes: np.ndarray, vector: np.ndarray, steps: Sequence[float],
                    batch_size: int = 512) -> np.ndarray:
    """``(len(steps), N, *image)``: ``decoder`` on :func:`add_in_steps` (every step in one ``predict``)."""
    stepped = add_in_steps(codes, vector, steps)
    images = decoder.predict(stepped.reshape(-1, stepped.shape[-1]), batch_size=batch_size, verbose=0)
    return images.reshape(len(steps), len(stepped[0]), *images.shape[1:])
