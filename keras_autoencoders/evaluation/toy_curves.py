"""How close an autoencoder's outputs come to Part 4's toy "disconnected manifold": both curves, or one joining them?"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from keras_autoencoders.data.toy_manifold import ToyManifold

_MAX_PAIRS = 2_000_000  #: Upper bound on point-segment pairs handled at once by :func:`distance_to_curves`.


def _distance_to_polyline(points: np.ndarray, vertices: np.ndarray) -> np.ndarray:
    """Exact Euclidean distance from each point to the polyline through ``vertices``."""
    if len(vertices) == 1:
        return np.linalg.norm(points - vertices[0], axis=1)
    start = vertices[:-1]                        # (S, D)
    seg = vertices[1:] - start                   # (S, D)
    seg_len2 = np.einsum("sd,sd->s", seg, seg)   # (S,)
    safe_len2 = np.where(seg_len2 > 0, seg_len2, 1.0)
    out, chunk = np.empty(len(points)), max(1, _MAX_PAIRS // len(start))
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
    """Mean distance of reconstructions to the nearest curve and to their own label's curve (the wrong piece's)."""
    predicted, labels = np.asarray(predicted, dtype=np.float64), np.asarray(data.labels).astype(int).ravel()
    per_curve = np.stack([distance_to_curves(predicted, [c]) for c in data.curves])  # (K, N)
    own = per_curve[labels, np.arange(len(labels))]
    return {"mean_distance_to_nearest_curve": float(per_curve.min(axis=0).mean()),
            "mean_distance_to_own_curve": float(own.mean())}
