"""Anomaly detection, as the MNIST study closes: an autoencoder trained on digits rebuilds anything else badly, so
its :func:`reconstruction_errors` score anomalies, judged by :func:`auroc` against Fashion-MNIST and noise."""
from __future__ import annotations

from typing import Callable

import numpy as np


def _scores(values: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size == 0:
        raise ValueError(f"{name} is empty")
    if np.isnan(x).any():
        raise ValueError(f"{name} holds NaN")
    return x


def auroc(normal_scores: np.ndarray, anomalous_scores: np.ndarray) -> float:
    """Area under the ROC curve, "higher = more anomalous": P(anomalous score > normal one), ties counting 1/2 (0.5 =
    chance), as the Mann-Whitney U of the anomalous scores' ranks (ties share their average rank)."""
    from scipy.stats import rankdata

    normal, anomalous = _scores(normal_scores, "normal_scores"), _scores(anomalous_scores, "anomalous_scores")
    ranks, n_a = rankdata(np.concatenate([normal, anomalous])), len(anomalous)
    u = ranks[len(normal):].sum() - n_a * (n_a + 1) / 2.0
    return float(u / (n_a * len(normal)))


def reconstruction_errors(reconstruct: Callable[[np.ndarray], np.ndarray], images: np.ndarray,
                          batch_size: int = 2000) -> np.ndarray:
    """Each image's mean squared reconstruction error, ``(N,)`` float64; ``reconstruct`` (a Keras autoencoder,
    :meth:`~keras_autoencoders.evaluation.pca.PCA.reconstruct`) is called once per ``batch_size`` images."""
    images, errors = np.asarray(images, dtype=np.float32), []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size]
        rebuilt = np.asarray(reconstruct(batch), dtype=np.float64).reshape(len(batch), -1)
        errors.append(((rebuilt - batch.reshape(len(batch), -1)) ** 2).mean(axis=1))
    return np.concatenate(errors) if errors else np.zeros(0)


def uniform_noise_images(count: int, shape: tuple[int, ...] = (28, 28, 1), seed: int = 0) -> np.ndarray:
    """``count`` images of independent uniform [0, 1) pixels, float32, drawn with ``seed``."""
    return np.random.default_rng(seed).random((count, *shape), dtype=np.float32)


#: The image sets the MNIST study scores (key -> the label its figure shows); ``mnist`` is the normal one.
SCORED_SETS = {"mnist": "MNIST test", "noise": "noise", "fashion_mnist": "Fashion-MNIST test"}


def anomaly_test_sets(x_test: np.ndarray, data_dir: str | None = None) -> dict[str, np.ndarray]:
    """The :data:`SCORED_SETS` images: the MNIST test digits, as many uniform-noise images, and the
    Fashion-MNIST test set when it is at hand (else a printed note and no such key)."""
    from keras_autoencoders.data.fashion_mnist import load_fashion_mnist_test
    from keras_autoencoders.data.locations import DataNotFoundError
    from keras_autoencoders.data.mnist import prepare_images

    sets = {"mnist": x_test, "noise": uniform_noise_images(len(x_test))}
    try:
        sets["fashion_mnist"] = prepare_images(load_fashion_mnist_test(data_dir).x_test)
    except DataNotFoundError as missing:
        print(f"Fashion-MNIST is not at hand ({missing}); scoring noise only")
    return sets


def anomaly_aurocs(reconstruct: Callable[[np.ndarray], np.ndarray],
                   sets: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Each set's :func:`reconstruction_errors`, and ``{"mnist_vs_KEY": auroc}`` of each other set against MNIST."""
    scores = {key: reconstruction_errors(reconstruct, images) for key, images in sets.items()}
    return scores, {f"mnist_vs_{key}": auroc(scores["mnist"], errors) for key, errors in scores.items()
                    if key != "mnist"}
