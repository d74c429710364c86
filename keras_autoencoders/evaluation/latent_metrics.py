"""Numbers for a latent space: how far the codes lie from a VAE's prior N(0, I) (the KL sees mean and covariance, the
energy distance the whole shape), and whether nearby codes share a label (:func:`knn_accuracy`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

if TYPE_CHECKING:
    from keras_autoencoders.data.mnist import MnistDigits

_BLOCK_ENTRIES = 1 << 24  #: Entries of one block of a distance matrix (float64: 128 MiB), so large sets fit in memory.


def _as_codes(codes: np.ndarray, name: str = "codes") -> np.ndarray:
    x = np.asarray(codes, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (n, d), got {np.shape(codes)}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} hold NaN or infinite values")
    return x


def gaussian_kl_to_standard_normal(codes: np.ndarray, *, ridge: float = 0.0) -> float:
    """KL( N(m, S) || N(0, I) ) = 0.5 * (tr S + |m|^2 - d - log det S) in nats, for the mean ``m`` and unbiased
    covariance ``S`` of ``codes`` (n, d). A singular ``S`` (n <= d, a dimension that never varies) makes it infinite:
    ``ValueError`` unless ``ridge`` > 0 adds ``ridge * I`` to ``S`` (a ridge-dependent number: report the ridge)."""
    x = _as_codes(codes)
    n, d = x.shape
    if n < 2:
        raise ValueError(f"need at least 2 codes to fit a covariance, got {n}")
    if ridge < 0:
        raise ValueError(f"ridge must be >= 0, got {ridge}")
    mean, cov = x.mean(axis=0), np.atleast_2d(np.cov(x, rowvar=False)) + ridge * np.eye(d)
    eig = np.linalg.eigvalsh(cov)
    if eig[0] <= eig[-1] * 1e-12:  # numerically singular (also catches a zero covariance)
        raise ValueError(f"the covariance of the codes is singular (smallest eigenvalue {eig[0]:.3g}, {n} codes in "
                         f"{d} dimensions), so the KL is infinite; pass ridge > 0 (e.g. 1e-6) to add ridge * I to it")
    return float(0.5 * (eig.sum() + mean @ mean - d - np.log(eig).sum()))


def _distance_sum(a: np.ndarray, b: np.ndarray, *, same: bool = False) -> float:
    """Sum of the distances between all rows of ``a`` and ``b`` (``same``: ``b`` is ``a``, self-distances 0)."""
    b_sq, step = (b * b).sum(axis=1), max(1, _BLOCK_ENTRIES // max(len(b), 1))
    total = 0.0
    for start in range(0, len(a), step):
        block = a[start:start + step]
        d2 = (block * block).sum(axis=1)[:, None] + b_sq[None, :] - 2.0 * block @ b.T
        if same:
            d2[np.arange(len(block)), np.arange(start, start + len(block))] = 0.0
        total += float(np.sqrt(np.maximum(d2, 0.0)).sum())
    return total


def energy_distance_to_standard_normal(codes: np.ndarray, samples: int = 2000, seed: int = 0) -> float:
    """Energy distance 2 E|X-Y| - E|X-X'| - E|Y-Y'| between up to ``samples`` codes and as many N(0, I) draws (both
    with ``seed``): the unbiased U-statistic, near 0 (maybe below) for N(0, I) codes, growing with any difference."""
    x = _as_codes(codes)
    if samples < 2:
        raise ValueError(f"samples must be at least 2, got {samples}")
    if len(x) < 2:
        raise ValueError(f"need at least 2 codes, got {len(x)}")
    rng, m = np.random.default_rng(seed), min(samples, len(x))
    if m < len(x):
        x = x[rng.choice(len(x), size=m, replace=False)]
    y = rng.standard_normal(x.shape)
    # Centre on the pooled mean (distances do not change) so the squared-norm trick stays accurate.
    centre = (x.mean(axis=0) + y.mean(axis=0)) / 2
    x, y = x - centre, y - centre
    between = _distance_sum(x, y) / (m * m)
    within_x, within_y = (_distance_sum(v, v, same=True) / (m * (m - 1)) for v in (x, y))  # self-pairs left out
    return float(2.0 * between - within_x - within_y)


def knn_accuracy(train_codes: np.ndarray, train_labels: np.ndarray, test_codes: np.ndarray, test_labels: np.ndarray,
                 k: int = 5) -> float:
    """Fraction of test codes whose k nearest training codes vote for their label (a tie goes to the label nearest;
    equal distances in any order); in blocks of test codes, so 60,000 x 10,000 fits in memory."""
    train, test = _as_codes(train_codes, "train_codes"), _as_codes(test_codes, "test_codes")
    train_labels, test_labels = np.asarray(train_labels), np.asarray(test_labels)
    if train.shape[1] != test.shape[1]:
        raise ValueError(f"train codes have {train.shape[1]} dimensions, test codes {test.shape[1]}")
    if train_labels.shape != (len(train),) or test_labels.shape != (len(test),):
        raise ValueError(f"expected one label per code: {train_labels.shape} for {len(train)} train codes, "
                         f"{test_labels.shape} for {len(test)} test codes")
    if not 1 <= k <= len(train):
        raise ValueError(f"k must lie in 1..{len(train)} (the number of training codes), got {k}")
    if len(test) == 0:
        raise ValueError("no test codes")
    classes, train_index = np.unique(train_labels, return_inverse=True)
    train_sq, step = (train * train).sum(axis=1), max(1, _BLOCK_ENTRIES // len(train))
    rank_order, predicted = np.arange(k), np.empty(len(test), dtype=np.int64)
    for start in range(0, len(test), step):
        block = test[start:start + step]
        d2 = train_sq[None, :] - 2.0 * block @ train.T  # |t - x|^2 up to the per-row constant |t|^2: same ranking
        nearest = np.argpartition(d2, k - 1, axis=1)[:, :k]
        rows = np.arange(len(block))[:, None]
        nearest = nearest[rows, np.argsort(d2[rows, nearest], axis=1, kind="stable")]
        votes = train_index[nearest]                                  # (b, k), nearest first
        counts = (votes[:, :, None] == votes[:, None, :]).sum(axis=2)  # votes for each one's label
        best = np.argmax(counts * (k + 1) - rank_order, axis=1)       # most votes, then nearest
        predicted[start:start + step] = votes[np.arange(len(block)), best]
    return float(np.mean(classes[predicted] == test_labels))


def code_space_numbers(encoder: Any, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
                       seed: int = 0, reference: int = 10000) -> tuple[dict[str, float], np.ndarray]:
    """``kl_to_standard_normal``, ``energy_distance_to_standard_normal`` and ``knn_accuracy`` (the first
    ``reference`` training codes voting) of an encoder's test codes, and the test codes."""
    train_codes = encoder.predict(x_train[:reference], batch_size=1000, verbose=0)
    test_codes = encoder.predict(x_test, batch_size=1000, verbose=0)
    return {"kl_to_standard_normal": gaussian_kl_to_standard_normal(test_codes),
            "energy_distance_to_standard_normal": energy_distance_to_standard_normal(test_codes, seed=seed),
            "knn_accuracy": knn_accuracy(train_codes, y_train[:reference], test_codes, y_test)}, test_codes


def code_spaces(encoders: Mapping[str, Any], digits: MnistDigits,
                seed: int = 0) -> tuple[dict[str, dict[str, float]], dict[str, np.ndarray]]:
    """:func:`code_space_numbers` on ``digits`` of each encoder not None (slides 7-9): numbers and test codes by key."""
    numbers, codes = {}, {}
    for key, encoder in encoders.items():
        if encoder is not None:
            numbers[key], codes[key] = code_space_numbers(encoder, digits.x_train, digits.y_train, digits.x_test,
                                                          digits.y_test, seed)
    return numbers, codes
