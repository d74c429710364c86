"""The reparameterised sampling layer."""
import numpy as np
from keras import ops

from keras_autoencoders.models.vae import Sampling


def test_sample_mean_and_variance_over_many_draws():
    layer = Sampling(seed=3)
    n = 200_000
    mu = np.tile(np.array([[1.5, -2.0, 0.0]], "float32"), (n, 1))
    log_var = np.tile(np.log(np.array([[0.25, 4.0, 1.0]], "float32")), (n, 1))
    z = ops.convert_to_numpy(layer([mu, log_var]))
    np.testing.assert_allclose(z.mean(0), [1.5, -2.0, 0.0], atol=0.02)
    np.testing.assert_allclose(z.var(0), [0.25, 4.0, 1.0], rtol=0.02)


def test_any_batch_size_and_seeded_repeatability():
    for batch in (1, 7, 500):
        mu = np.zeros((batch, 8), "float32")
        a = ops.convert_to_numpy(Sampling(seed=11)([mu, mu]))
        b = ops.convert_to_numpy(Sampling(seed=11)([mu, mu]))
        assert a.shape == (batch, 8)
        np.testing.assert_array_equal(a, b)
    layer = Sampling(seed=11)
    first, second = (ops.convert_to_numpy(layer([mu, mu])) for _ in range(2))
    assert not np.array_equal(first, second)  # fresh noise on each call


def test_log_std_clip_bounds_the_spread():
    n = 100_000
    mu = np.zeros((n, 1), "float32")
    huge = np.full((n, 1), 20.0, "float32")  # std e^10 without the clip
    z = ops.convert_to_numpy(Sampling(log_std_clip=2.0, seed=0)([mu, huge]))
    np.testing.assert_allclose(z.std(), np.exp(2.0), rtol=0.02)
