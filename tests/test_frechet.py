"""The Fréchet distance against closed forms and its basic properties."""
import numpy as np
import pytest

from keras_autoencoders.evaluation.frechet import frechet_distance


def test_a_set_against_itself_is_zero_and_a_shift_adds_its_squared_length():
    x = np.random.default_rng(0).normal(size=(2000, 6))
    assert frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)
    shift = np.array([1.0, -2.0, 0, 0, 0.5, 0])
    assert frechet_distance(x, x + shift) == pytest.approx(np.sum(shift ** 2), rel=1e-6)


def test_diagonal_gaussians_match_the_closed_form():
    rng = np.random.default_rng(1)
    a = rng.normal(0.0, [1.0, 2.0, 0.5], size=(200000, 3))
    b = rng.normal(1.0, [3.0, 1.0, 0.5], size=(200000, 3))
    # d^2 = |mu_a - mu_b|^2 + sum (s_a - s_b)^2 for diagonal covariances
    expected = 3 * 1.0 + (1 - 3) ** 2 + (2 - 1) ** 2 + 0.0
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.02)


def test_symmetric_and_growing_with_the_spread():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(3000, 4))
    near, far = rng.normal(scale=1.1, size=(3000, 4)), rng.normal(scale=3.0, size=(3000, 4))
    assert frechet_distance(real, near) == pytest.approx(frechet_distance(near, real), rel=1e-6)
    assert 0 < frechet_distance(real, near) < frechet_distance(real, far)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="N >= 2"):
        frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="3 and 4 features"):
        frechet_distance(np.random.rand(5, 3), np.random.rand(5, 4))
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(np.full((5, 3), np.nan), np.random.rand(5, 3))
