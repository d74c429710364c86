"""Part 4 loss terms against a NumPy reference on fixed tensors."""
import numpy as np
import pytest
from keras import ops

from keras_autoencoders.models.losses import (EPSILON, binary_crossentropy_per_sample,
                                       kl_divergence_per_sample, part4_cvae_loss_terms)


def numpy_keras2_bce(x, p):
    """Keras 2's BCE on probabilities: clip, then mean over pixels."""
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return -np.mean(x * np.log(p) + (1 - x) * np.log(1 - p), axis=-1)


def numpy_kl(mu, log_var):
    return -0.5 * np.sum(1 + log_var - mu ** 2 - np.exp(log_var), axis=-1)


@pytest.fixture
def fixed():
    rng = np.random.RandomState(7)
    x = rng.rand(4, 28, 28, 1).astype("float32")
    x[0] = (x[0] > 0.5)  # binary targets too
    logits = (rng.randn(4, 28 * 28) * 3).astype("float32")
    mu = rng.randn(4, 8).astype("float32")
    log_var = (rng.randn(4, 8) * 0.5).astype("float32")
    return x, logits, mu, log_var


def test_bce_matches_keras2_reference(fixed):
    x, logits, _, _ = fixed
    p = 1 / (1 + np.exp(-logits.astype("float64")))
    expected = numpy_keras2_bce(x.reshape(4, -1), p)
    got = ops.convert_to_numpy(binary_crossentropy_per_sample(x, logits))
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_bce_saturates_like_clipped_probabilities():
    x = np.zeros((1, 4), "float32")
    logits = np.array([[40.0, 100.0, 16.2, -50.0]], "float32")
    got = ops.convert_to_numpy(binary_crossentropy_per_sample(x, logits))
    # Keras 2 clips p to 1 - 1e-7 -> per-pixel loss -log(1e-7) for the saturated ones.
    cap = -np.log(EPSILON)
    expected = np.mean([cap, cap, cap, 0.0])
    np.testing.assert_allclose(got, [expected], rtol=1e-3)


def test_kl_matches_reference_and_is_zero_at_prior(fixed):
    _, _, mu, log_var = fixed
    got = ops.convert_to_numpy(kl_divergence_per_sample(mu, log_var))
    np.testing.assert_allclose(got, numpy_kl(mu, log_var), rtol=1e-5)
    zero = ops.convert_to_numpy(kl_divergence_per_sample(np.zeros((2, 8), "float32"),
                                                         np.zeros((2, 8), "float32")))
    np.testing.assert_allclose(zero, 0.0, atol=1e-7)


def test_part4_loss_is_article_normalisation(fixed):
    x, logits, mu, log_var = fixed
    rec, kl = part4_cvae_loss_terms(x, logits, mu, log_var)
    p = 1 / (1 + np.exp(-logits.astype("float64")))
    article = (784 * numpy_keras2_bce(x.reshape(4, -1), p) + numpy_kl(mu, log_var)) / 2 / 784
    total = ops.convert_to_numpy(rec) + ops.convert_to_numpy(kl)
    np.testing.assert_allclose(total, article, rtol=1e-5)
