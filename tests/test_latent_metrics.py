"""Latent-space numbers on inputs with known answers: KL and energy distance to N(0, I), kNN accuracy."""
from collections import Counter

import numpy as np
import pytest

from keras_autoencoders.data.mnist import MnistDigits
from keras_autoencoders.evaluation.latent_metrics import (
    code_space_numbers,
    code_spaces,
    energy_distance_to_standard_normal,
    gaussian_kl_to_standard_normal,
    knn_accuracy,
)


def closed_form_kl(mean, std):
    """KL( N(mean, diag(std^2)) || N(0, I) )."""
    var = np.asarray(std, dtype=float) ** 2
    return 0.5 * (var.sum() + np.sum(np.square(mean)) - len(var) - np.log(var).sum())


def test_kl_is_zero_for_standard_normal_and_matches_the_closed_form():
    rng = np.random.default_rng(0)
    n, d = 200_000, 4
    assert gaussian_kl_to_standard_normal(rng.standard_normal((n, d))) == pytest.approx(0.0, abs=2e-3)

    mean, std = np.array([1.0, -0.5, 0.0, 2.0]), np.array([0.5, 1.0, 2.0, 1.5])
    shifted = mean + std * rng.standard_normal((n, d))
    expected = closed_form_kl(mean, std)  # 3.26...
    assert gaussian_kl_to_standard_normal(shifted) == pytest.approx(expected, rel=5e-3)

    # A pure shift only adds |mean|^2 / 2.
    base = rng.standard_normal((n, d))
    assert gaussian_kl_to_standard_normal(base + 1.0) > gaussian_kl_to_standard_normal(base) + 1.9


def test_kl_uses_the_full_covariance():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((100_000, 2))
    correlated = z @ np.linalg.cholesky(np.array([[1.0, 0.8], [0.8, 1.0]])).T  # unit variances
    expected = -0.5 * np.log(1 - 0.8 ** 2)  # only the log-determinant term remains
    assert gaussian_kl_to_standard_normal(correlated) == pytest.approx(expected, rel=2e-2)


def test_kl_refuses_a_singular_covariance_unless_given_a_ridge():
    rng = np.random.default_rng(2)
    codes = rng.standard_normal((500, 3))
    codes[:, 1] = 0.7  # a dimension that never varies
    with pytest.raises(ValueError, match="singular"):
        gaussian_kl_to_standard_normal(codes)
    with pytest.raises(ValueError, match="singular"):
        gaussian_kl_to_standard_normal(rng.standard_normal((3, 5)))  # fewer codes than dimensions
    # The constant dimension (value 0.7, variance 0 + ridge) adds its own term to the other two's KL.
    ridge = 1e-6
    with_ridge = gaussian_kl_to_standard_normal(codes, ridge=ridge)
    others = gaussian_kl_to_standard_normal(codes[:, [0, 2]], ridge=ridge)
    assert with_ridge == pytest.approx(others + 0.5 * (ridge + 0.7 ** 2 - 1 - np.log(ridge)), rel=1e-9)


def test_energy_distance_is_near_zero_for_standard_normal_and_grows_with_a_shift():
    rng = np.random.default_rng(3)
    same = energy_distance_to_standard_normal(rng.standard_normal((10_000, 2)), samples=2000, seed=0)
    assert abs(same) < 0.01
    shifted = energy_distance_to_standard_normal(rng.standard_normal((10_000, 2)) + [1.0, 0.0], seed=0)
    assert shifted > 0.2  # about 0.27 for a unit shift in 2-D
    wide = energy_distance_to_standard_normal(2.0 * rng.standard_normal((10_000, 2)), seed=0)
    assert wide > 0.2


def test_energy_distance_matches_a_brute_force_u_statistic_and_is_seeded():
    rng = np.random.default_rng(4)
    codes = rng.standard_normal((50, 3)) + 0.3
    got = energy_distance_to_standard_normal(codes, samples=50, seed=7)
    # The same draws: all 50 codes (no subsampling), then 50 normal draws from the seeded generator.
    y = np.random.default_rng(7).standard_normal(codes.shape)
    dist = lambda a, b: np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)  # noqa: E731
    m = len(codes)
    expected = (2 * dist(codes, y).mean() - dist(codes, codes).sum() / (m * (m - 1))
                - dist(y, y).sum() / (m * (m - 1)))
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert energy_distance_to_standard_normal(codes, samples=20, seed=1) == \
        energy_distance_to_standard_normal(codes, samples=20, seed=1)
    assert energy_distance_to_standard_normal(codes, samples=20, seed=1) != \
        energy_distance_to_standard_normal(codes, samples=20, seed=2)


def brute_force_knn(train, train_labels, test, k):
    """Sort every distance; majority vote; ties to the tied label met first (nearest first)."""
    predicted = []
    for t in test:
        order = np.argsort(np.linalg.norm(train - t, axis=1), kind="stable")[:k]
        votes = [train_labels[i] for i in order]
        counts = Counter(votes)
        top = max(counts.values())
        predicted.append(next(v for v in votes if counts[v] == top))
    return np.array(predicted)


def test_knn_accuracy_is_perfect_on_separated_clusters_and_chance_on_random_labels():
    rng = np.random.default_rng(5)
    centres = 20.0 * rng.standard_normal((10, 8))
    train_y, test_y = rng.integers(0, 10, 3000), rng.integers(0, 10, 1000)
    train = centres[train_y] + rng.standard_normal((3000, 8))
    test = centres[test_y] + rng.standard_normal((1000, 8))
    assert knn_accuracy(train, train_y, test, test_y, k=5) == 1.0

    noise_train, noise_test = rng.standard_normal((3000, 8)), rng.standard_normal((2000, 8))
    chance = knn_accuracy(noise_train, rng.integers(0, 10, 3000), noise_test, rng.integers(0, 10, 2000))
    assert abs(chance - 0.1) < 0.03


@pytest.mark.parametrize("k", [1, 2, 4, 5, 40])
def test_knn_accuracy_matches_brute_force(k, monkeypatch):
    from keras_autoencoders.evaluation import latent_metrics

    monkeypatch.setattr(latent_metrics, "_BLOCK_ENTRIES", 7 * 40)  # several blocks of 7 test codes
    rng = np.random.default_rng(6)
    train, test = rng.standard_normal((40, 3)), rng.standard_normal((60, 3))
    train_y, test_y = rng.integers(0, 4, 40), rng.integers(0, 4, 60)
    expected = np.mean(brute_force_knn(train, train_y, test, k) == test_y)
    assert knn_accuracy(train, train_y, test, test_y, k=k) == pytest.approx(expected)


def test_knn_tie_goes_to_the_nearest_tied_label():
    train = np.array([[0.0], [1.0], [2.0], [3.0]])
    # From 0.1: label 7 (distance 0.1), 3 (0.9), 3 (1.9), 7 (2.9): a 2-2 tie, 7 is nearest.
    assert knn_accuracy(train, [7, 3, 3, 7], [[0.1]], [7], k=4) == 1.0
    # k=3 from 0.1: 9, 3, 3 -> 3 wins the vote though 9 is nearest.
    assert knn_accuracy(train, [9, 3, 3, 7], [[0.1]], [3], k=3) == 1.0


class FirstValues:
    """A stand-in encoder: an image's first ``size`` pixels are its code."""

    def __init__(self, size: int):
        self.size = size

    def predict(self, images, batch_size=None, verbose=0):
        return np.asarray(images).reshape(len(images), -1)[:, :self.size]


def test_code_spaces_measure_each_encoder_given_and_skip_a_missing_one():
    rng = np.random.default_rng(3)
    y_train, y_test = rng.integers(0, 10, 300), rng.integers(0, 10, 100)
    x_train = (rng.normal(size=(300, 28, 28, 1)) + 8 * y_train[:, None, None, None]).astype("float32")
    x_test = (rng.normal(size=(100, 28, 28, 1)) + 8 * y_test[:, None, None, None]).astype("float32")
    digits = MnistDigits(x_train, y_train, x_test, y_test, "test arrays")
    numbers, codes = code_spaces({"one": FirstValues(1), "none": None, "two": FirstValues(2)}, digits, seed=4)
    assert list(numbers) == list(codes) == ["one", "two"]
    for key, size in (("one", 1), ("two", 2)):
        expected, expected_codes = code_space_numbers(FirstValues(size), x_train, y_train, x_test, y_test, seed=4)
        assert numbers[key] == expected
        np.testing.assert_array_equal(codes[key], expected_codes)
    assert numbers["one"]["knn_accuracy"] > 0.95  # labels 8 noise deviations apart: the codes separate them
