"""The toy "disconnected manifold" of Part 4 (the sine + circle example before CVAE), Part 2's 2-D toy example again:
1000 points on the sine ``y = sin(x)``, ``x`` in [-2.2, 2.2], and 1000 on a circle of radius 0.5 centred at (1.5, -0.5),
both with Gaussian noise of std 0.06; the label says which piece a point came from (0 sine, 1 circle)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SINE_X_RANGE = (-2.2, 2.2)
CIRCLE_RADIUS = 0.5
CIRCLE_CENTRE = (1.5, -0.5)


@dataclass(frozen=True)
class ToyManifold:
    """``points`` ``(2 * n, 2)`` float32, sine samples first; ``labels`` ``(2 * n,)`` float32, 0 sine,
    1 circle; ``curves``: the noise-free sine and circle, each ``(n, 2)`` polyline vertices."""

    points: np.ndarray
    labels: np.ndarray
    curves: tuple[np.ndarray, np.ndarray]


def make_sine_circle(n_per_curve: int = 1000, noise: float = 0.06, seed: int = 0) -> ToyManifold:
    """The Part 4 toy data set: ``n_per_curve`` points on each curve plus isotropic Gaussian noise of
    std ``noise`` from ``np.random.default_rng(seed)``."""
    x, t = np.linspace(*SINE_X_RANGE, n_per_curve), np.linspace(0.0, 2.0 * np.pi, n_per_curve)
    sine = np.stack([x, np.sin(x)], axis=1)
    circle = CIRCLE_RADIUS * np.stack([np.sin(t), np.cos(t)], axis=1) + np.asarray(CIRCLE_CENTRE)
    clean = np.concatenate([sine, circle], axis=0)
    points = (clean + noise * np.random.default_rng(seed).standard_normal(clean.shape)).astype(np.float32)
    labels = np.repeat(np.array([0.0, 1.0], dtype=np.float32), n_per_curve)
    return ToyManifold(points=points, labels=labels, curves=(sine, circle))
