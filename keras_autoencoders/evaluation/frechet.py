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


def _moments(features, name: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"{name} must be (N, d) features with N >= 2, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return x.mean(axis=0), np.atleast_2d(np.cov(x, rowvar=False))


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """The symmetric square root of a symmetric positive semi-definite matrix (eigenvalues
    that rounding left slightly negative count as 0)."""
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def frechet_distance(features_a, features_b) -> float:
    """The squared Fréchet distance d^2 above between Gaussians fitted to two ``(N, d)`` sets.

    ``tr (C_a C_b)^(1/2)`` is the sum of the square roots of the eigenvalues of the
    symmetric ``C_a^(1/2) C_b C_a^(1/2)``, which has the same eigenvalues as ``C_a C_b``.
    Computed that way it stays exact and real when a feature never varies (a unit that
    never fires makes the covariances singular), where a general matrix square root
    warns and needs a regularising offset.
    """
    mu_a, cov_a = _moments(features_a, "features_a")
    mu_b, cov_b = _moments(features_b, "features_b")
    if mu_a.shape != mu_b.shape:
        raise ValueError(f"the two sets have {mu_a.size} and {mu_b.size} features")
    root_a = _psd_sqrt(cov_a)
    product = root_a @ cov_b @ root_a
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((product + product.T) / 2), 0.0, None)).sum()
    distance = float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_root)
    return max(distance, 0.0)
