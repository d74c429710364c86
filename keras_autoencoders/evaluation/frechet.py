"""The Fréchet distance between two sets of feature vectors (the FID's formula).

Fit a Gaussian to each set (mean and covariance) and take the Fréchet (2-Wasserstein)
distance between the two Gaussians:

    d^2 = |mu_a - mu_b|^2 + tr(C_a + C_b - 2 (C_a C_b)^(1/2))

With a digit classifier's penultimate-layer features this measures how far generated
digits are from real ones as a whole (quality and variety together); 0 means the same
Gaussian. The number depends on the feature extractor, so compare runs scored by the same
classifier.
"""
from __future__ import annotations

import numpy as np
from scipy import linalg


def _moments(features, name: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"{name} must be (N, d) features with N >= 2, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return x.mean(axis=0), np.atleast_2d(np.cov(x, rowvar=False))


def frechet_distance(features_a, features_b) -> float:
    """The squared Fréchet distance d^2 above between Gaussians fitted to two ``(N, d)`` sets.

    The matrix square root is ``scipy.linalg.sqrtm``; the tiny imaginary parts rounding can
    leave are dropped, and a nearly singular product is regularised by adding 1e-6 to the
    diagonals (as the FID's reference code does).
    """
    mu_a, cov_a = _moments(features_a, "features_a")
    mu_b, cov_b = _moments(features_b, "features_b")
    if mu_a.shape != mu_b.shape:
        raise ValueError(f"the two sets have {mu_a.size} and {mu_b.size} features")
    root = linalg.sqrtm(cov_a @ cov_b)
    if not np.isfinite(root).all():
        offset = np.eye(len(mu_a)) * 1e-6
        root = linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    root = np.real(root)
    distance = float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(root))
    return max(distance, 0.0)
