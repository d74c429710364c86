"""Principal component analysis: the linear baseline an autoencoder's reconstructions are measured against."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np


@dataclass(frozen=True)
class PCA:
    """A fitted PCA: ``mean`` in the shape of one input, ``components`` (k, D) with orthonormal rows (each signed so
    that its largest entry is positive), ``explained_variance`` (k,) of the training data along each, largest first."""

    mean: np.ndarray
    components: np.ndarray
    explained_variance: np.ndarray

    def first(self, k: int) -> "PCA":
        """The PCA of the first ``k`` components only (what ``fit_pca`` with ``k`` would give)."""
        if not 1 <= k <= len(self.components):
            raise ValueError(f"k must lie in 1..{len(self.components)}, got {k}")
        return PCA(self.mean, self.components[:k], self.explained_variance[:k])

    def encode(self, x: np.ndarray) -> np.ndarray:
        """Codes (n, k): the inputs' coordinates along the components, after centring."""
        x, size = np.asarray(x, dtype=np.float64), self.components.shape[1]
        if x.ndim < 1 or x.size != len(x) * size:
            raise ValueError(f"expected inputs of {size} values each, got shape {x.shape}")
        return (x.reshape(len(x), size) - self.mean.ravel()) @ self.components.T

    def decode(self, codes) -> np.ndarray:
        """Inputs (n, *mean.shape) rebuilt from codes (n, k)."""
        codes = np.atleast_2d(np.asarray(codes, dtype=np.float64))
        return (codes @ self.components + self.mean.ravel()).reshape((len(codes),) + self.mean.shape)

    def reconstruct(self, x) -> np.ndarray:
        """``decode(encode(x))`` in the shape of ``x``: the projection onto the components."""
        x = np.asarray(x)
        return self.decode(self.encode(x)).reshape(x.shape)


def fit_pca(x: np.ndarray, components: int) -> PCA:
    """The first ``components`` (1..min(n, D)) principal components of ``x`` (n, ...), from the SVD of the centred
    data in float64 (of its QR factor R when n > D); for several k, take :meth:`PCA.first` of the largest."""
    data = np.asarray(x, dtype=np.float64)
    if data.ndim < 2 or len(data) < 2:
        raise ValueError(f"fit_pca needs at least 2 inputs (n, ...), got shape {data.shape}")
    flat = data.reshape(len(data), -1)
    n, size = flat.shape
    if not 1 <= components <= min(n, size):
        raise ValueError(f"components must lie in 1..{min(n, size)}, got {components}")
    mean = flat.mean(axis=0)
    centred = flat - mean
    if n > size:
        # R has the same singular values and right vectors; skipping the (n, D) left ones halves the time.
        centred = np.linalg.qr(centred, mode="r")
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    vt = vt[:components]
    signs = np.sign(vt[np.arange(components), np.argmax(np.abs(vt), axis=1)])
    vt = vt * np.where(signs == 0, 1.0, signs)[:, None]
    variance = singular[:components] ** 2 / (n - 1)
    return PCA(mean=mean.reshape(data.shape[1:]), components=vt, explained_variance=variance)


def compare_with_pca(reconstructions: Mapping[int, np.ndarray], pca: PCA, x: np.ndarray,
                     test_losses: Mapping[int, float] | None = None) -> dict[str, dict[str, float]]:
    """The study's slide 5: per code size (as text), the MSE per pixel of ``reconstructions[size]`` of ``x`` and of
    PCA with as many components, and ``ae_test_loss`` when ``test_losses`` are given."""
    from keras_autoencoders.evaluation.image_metrics import reconstruction_mse

    return {str(size): {"ae_test_mse": reconstruction_mse(x, rebuilt),
                        "pca_test_mse": reconstruction_mse(x, pca.first(size).reconstruct(x)),
                        **({"ae_test_loss": test_losses[size]} if test_losses else {})}
            for size, rebuilt in reconstructions.items()}
