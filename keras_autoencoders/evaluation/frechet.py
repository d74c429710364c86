"""The Fréchet distance between Gaussians fitted to two sets of features (the FID's formula),
``d^2 = |mu_a - mu_b|^2 + tr(C_a + C_b - 2 (C_a C_b)^(1/2))``: on a digit classifier's features, how far generated
digits are from real ones, quality and variety together. Compare only numbers of the same feature extractor."""
from __future__ import annotations

import numpy as np


def _moments(features: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"{name} must be (N, d) features with N >= 2, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return x.mean(axis=0), np.atleast_2d(np.cov(x, rowvar=False))


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """d^2 between Gaussians fitted to two ``(N, d)`` sets; ``tr (C_a C_b)^(1/2)`` from the eigenvalues of the
    symmetric ``C_a^(1/2) C_b C_a^(1/2)``: exact and real for singular covariances (a unit that never fires)."""
    mu_a, cov_a = _moments(features_a, "features_a")
    mu_b, cov_b = _moments(features_b, "features_b")
    if mu_a.shape != mu_b.shape:
        raise ValueError(f"the two sets have {mu_a.size} and {mu_b.size} features")
    values, vectors = np.linalg.eigh(cov_a)  # C_a^(1/2), eigenvalues rounded below 0 counting as 0
    root_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    product = root_a @ cov_b @ root_a
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((product + product.T) / 2), 0.0, None)).sum()
    return max(float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_root), 0.0)
