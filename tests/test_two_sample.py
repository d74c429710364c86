"""The classifier two-sample test: chance on one distribution, near 1 on two clearly different ones, seeded."""
import numpy as np
import pytest

from keras_autoencoders.evaluation.two_sample import classifier_two_sample_accuracy

N, SIZE = 400, 16  # per set: 800 images, of which 160 are held out


def _blurred_noise(rng, n):
    """Uniform noise averaged over 3x3 neighbourhoods (wrapping round): smooth random images in [0, 1]."""
    noise = rng.random((n, SIZE, SIZE, 1), dtype=np.float32)
    return sum(np.roll(noise, (dy, dx), axis=(1, 2)) for dy in (-1, 0, 1) for dx in (-1, 0, 1)) / 9


def _striped(rng, n, axis):
    """Stripes of period 4 along ``axis`` (1: horizontal, 2: vertical), contrast 0.4, at a random phase, under
    Gaussian noise of sd 0.1: the mean brightness (before the noise) is the same, only the direction differs."""
    phase = rng.integers(0, 4, (n, 1))
    stripes = (np.arange(SIZE)[None] + phase) % 4 < 2  # (n, SIZE)
    stripes = stripes[:, :, None] if axis == 1 else stripes[:, None, :]
    return np.clip(0.3 + 0.4 * stripes[..., None] + 0.1 * rng.standard_normal((n, SIZE, SIZE, 1)), 0, 1
                   ).astype("float32")


def test_one_distribution_gives_chance_accuracy():
    rng = np.random.default_rng(0)
    accuracy = classifier_two_sample_accuracy(_blurred_noise(rng, N), _blurred_noise(rng, N), seed=0)
    # 160 held-out images scored by a classifier that can only guess: a binomial count, sd sqrt(0.25 / 160) = 0.04;
    # 4 sd either side of 0.5.
    assert abs(accuracy - 0.5) <= 4 * np.sqrt(0.25 / (2 * N * 0.2))


def test_clearly_different_sets_are_told_apart():
    rng = np.random.default_rng(1)
    assert classifier_two_sample_accuracy(_striped(rng, N, axis=1), _striped(rng, N, axis=2), seed=0) >= 0.95


def test_the_same_seed_gives_the_same_accuracy_and_sizes_are_cut_to_the_smaller():
    rng = np.random.default_rng(2)
    real, other = _blurred_noise(rng, 120), np.clip(_blurred_noise(rng, 100) + 0.05, 0, 1)
    first = classifier_two_sample_accuracy(real, other, epochs=2, seed=3)
    assert classifier_two_sample_accuracy(real, other, epochs=2, seed=3) == first
    assert first in {k / 40 for k in range(41)}  # 2 x 100 images, 40 of them held out


def test_mismatched_images_are_refused():
    with pytest.raises(ValueError, match="one shape"):
        classifier_two_sample_accuracy(np.zeros((10, 8, 8, 1)), np.zeros((10, 8, 8, 3)))
