"""Small metric functions for judging reconstructions.

The toy metrics measure how close an autoencoder's outputs come to the defining
manifold of the Part 4 "disconnected manifold" example (sine + circle).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from keras_autoencoders.data.toy_manifold import ToyManifold

#: Upper bound on point-segment pairs handled at once by :func:`distance_to_curves`.
_MAX_PAIRS = 2_000_000


def _distance_to_polyline(points: np.ndarray, vertices: np.ndarray) -> np.ndarray:
    """Exact Euclidean distance from each point to the polyline through ``vertices``."""
    if len(vertices) == 1:
        return np.linalg.norm(points - vertices[0], axis=1)
    start = vertices[:-1]                        # (S, D)
    seg = vertices[1:] - start                   # (S, D)
    seg_len2 = np.einsum("sd,sd->s", seg, seg)   # (S,)
    safe_len2 = np.where(seg_len2 > 0, seg_len2, 1.0)
    out = np.empty(len(points))
    chunk = max(1, _MAX_PAIRS // len(start))
    for lo in range(0, len(points), chunk):
        p = points[lo:lo + chunk]
        rel = p[:, None, :] - start[None, :, :]                    # (C, S, D)
        t = np.einsum("csd,sd->cs", rel, seg) / safe_len2
        t = np.clip(np.where(seg_len2 > 0, t, 0.0), 0.0, 1.0)
        diff = rel - t[:, :, None] * seg[None, :, :]
        out[lo:lo + chunk] = np.sqrt(np.einsum("csd,csd->cs", diff, diff).min(axis=1))
    return out


def distance_to_curves(points: np.ndarray, curves: Sequence[np.ndarray]) -> np.ndarray:
    """For each point, the distance to the nearest segment of any polyline in ``curves``."""
    points = np.asarray(points, dtype=np.float64)
    if not curves:
        raise ValueError("need at least one curve")
    dists = [_distance_to_polyline(points, np.asarray(c, dtype=np.float64)) for c in curves]
    return np.min(np.stack(dists), axis=0)


def toy_manifold_distances(predicted: np.ndarray, data: ToyManifold) -> dict[str, float]:
    """Mean distance of reconstructions to the nearest curve and to their own label's curve.

    Small values mean the autoencoder maps the data onto the sine and circle of the
    Part 4 toy example; the own-curve value also penalises points sent to the wrong piece.
    """
    predicted = np.asarray(predicted, dtype=np.float64)
    labels = np.asarray(data.labels).astype(int).ravel()
    per_curve = np.stack([distance_to_curves(predicted, [c]) for c in data.curves])  # (K, N)
    own = per_curve[labels, np.arange(len(labels))]
    return {
        "mean_distance_to_nearest_curve": float(per_curve.min(axis=0).mean()),
        "mean_distance_to_own_curve": float(own.mean()),
    }


# ---------------------------------------------------------------------------- Part 6: digit quality
# The article (Part 6, "Результаты") says the CVAE+GAN's digits are sharper than the
# CVAE's; these turn that, and what a GAN can cost (collapse, lost style), into numbers.


def image_sharpness(images: np.ndarray) -> float:
    """Mean absolute difference between neighbouring pixels (both axes), over all images.

    Blurred strokes change slowly, so they score low; crisp 0/1 strokes score high.
    Speckle also scores high, so read it beside :func:`within_label_variety`
    and a classifier's accuracy.
    """
    x = np.asarray(images, dtype=np.float64).reshape(len(images), *np.shape(images)[1:3])
    dy = np.abs(np.diff(x, axis=1)).mean(axis=(1, 2))
    dx = np.abs(np.diff(x, axis=2)).mean(axis=(1, 2))
    return float(np.mean((dx + dy) / 2))


def relative_sharpness(images: np.ndarray, reference: np.ndarray) -> float:
    """:func:`image_sharpness` of ``images`` over that of ``reference`` (real digits): 1 = as sharp."""
    return image_sharpness(images) / image_sharpness(reference)


def within_label_variety(images: np.ndarray, labels: np.ndarray, per_label: int = 200,
                         seed: int = 0) -> float:
    """Mean Euclidean distance between two digits of the same label, averaged over labels.

    Collapsed generators (one style per label) score near 0; compare with real digits.
    Up to ``per_label`` digits per label (chosen with ``seed``) keep it quick.
    """
    x = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    labels = np.asarray(labels).astype(int)
    rng = np.random.default_rng(seed)
    means = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        members = rng.permutation(members)[:per_label]
        if len(members) < 2:
            continue
        v = x[members]
        sq = (v * v).sum(axis=1)
        d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * v @ v.T, 0.0)
        iu = np.triu_indices(len(v), k=1)
        means.append(np.sqrt(d2[iu]).mean())
    return float(np.mean(means))


def style_retention(inputs: np.ndarray, reconstructed: np.ndarray, labels: np.ndarray,
                    seed: int = 0) -> dict[str, float]:
    """Does a reconstruction look like its own input, or only like its label?

    ``mse_own``: mean squared pixel error to the input; ``mse_same_label``: to another
    input of the same label (a random pairing, seeded); ``ratio`` = own / same-label:
    near 1 when the encoder is ignored (only the label survives), well below 1 when the
    input's style is kept.
    """
    x = np.asarray(inputs, dtype=np.float64).reshape(len(inputs), -1)
    r = np.asarray(reconstructed, dtype=np.float64).reshape(len(reconstructed), -1)
    labels = np.asarray(labels).astype(int)
    rng = np.random.default_rng(seed)
    other = np.arange(len(x))
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) > 1:
            # A cyclic shift of a random order pairs every digit with a different one.
            shuffled = rng.permutation(members)
            other[shuffled] = np.roll(shuffled, 1)
    own = float(((r - x) ** 2).mean())
    same_label = float(((r - x[other]) ** 2).mean())
    return {"mse_own": own, "mse_same_label": same_label, "ratio": own / same_label}
