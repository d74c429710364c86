"""AUROC, PCA and PSNR on inputs with known answers."""
import numpy as np
import pytest

from keras_autoencoders.data.mnist import load_sample, prepare_images
from keras_autoencoders.evaluation.anomaly import auroc
from keras_autoencoders.evaluation.image_metrics import add_gaussian_noise, psnr
from keras_autoencoders.evaluation.image_metrics import reconstruction_mse
from keras_autoencoders.evaluation.pca import compare_with_pca, fit_pca


# --------------------------------------------------------------------------- AUROC


def test_auroc_extremes():
    assert auroc([0.1, 0.2, 0.3], [0.5, 0.9]) == 1.0
    assert auroc([0.5, 0.9], [0.1, 0.2, 0.3]) == 0.0
    assert auroc([0.4] * 5, [0.4] * 3) == 0.5
    assert auroc([1.0, 3.0], [2.0]) == 0.5
    assert auroc([1.0, 2.0], [2.0]) == 0.75  # one win, one tie


def test_auroc_matches_a_pairwise_count_with_ties():
    rng = np.random.default_rng(0)
    normal = rng.integers(0, 20, 300).astype(float)          # many ties
    anomalous = rng.integers(5, 25, 200).astype(float)
    diff = anomalous[:, None] - normal[None, :]
    expected = ((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size
    assert auroc(normal, anomalous) == pytest.approx(expected, abs=1e-12)
    assert auroc(anomalous, normal) == pytest.approx(1 - expected, abs=1e-12)


def test_auroc_rejects_empty_or_nan_scores():
    with pytest.raises(ValueError, match="empty"):
        auroc([], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        auroc([1.0, np.nan], [1.0])


# --------------------------------------------------------------------------- PCA


@pytest.fixture(scope="module")
def digits():
    return prepare_images(load_sample().x_train[:1000])[..., 0].astype(np.float64)  # (1000, 28, 28)


@pytest.fixture(scope="module")
def pca80(digits):
    return fit_pca(digits, 80)


def test_pca_reconstruction_matches_a_numpy_svd_reference(digits, pca80):
    k = 20
    pca = pca80.first(k)
    flat = digits.reshape(len(digits), -1)
    mean = flat.mean(axis=0)
    _, _, vt = np.linalg.svd(flat - mean, full_matrices=False)
    reference = ((flat - mean) @ vt[:k].T @ vt[:k] + mean).reshape(digits.shape)
    rebuilt = pca.reconstruct(digits)
    assert rebuilt.shape == digits.shape
    np.testing.assert_allclose(rebuilt, reference, atol=1e-9)
    assert pca.components.shape == (k, 784) and pca.mean.shape == (28, 28)
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(k), atol=1e-10)
    codes = pca.encode(digits)
    assert codes.shape == (len(digits), k)
    np.testing.assert_allclose(codes.var(axis=0, ddof=1), pca.explained_variance, rtol=1e-8)
    np.testing.assert_allclose(pca.decode(codes), rebuilt, atol=1e-12)
    # Keeps a channel axis, and unseen inputs use the same projection.
    with_channel = digits[:5, :, :, None]
    np.testing.assert_allclose(pca.reconstruct(with_channel)[..., 0], rebuilt[:5], atol=1e-12)


def test_pca_error_falls_with_components_and_is_zero_with_all(digits, pca80):
    errors = [reconstruction_mse(digits, pca80.first(k).reconstruct(digits)) for k in (1, 5, 20, 80)]
    assert all(a > b for a, b in zip(errors, errors[1:]))
    # The error left by k components is the variance along the others, per pixel value.
    total = np.mean((digits - digits.mean(axis=0)) ** 2)
    scale = (len(digits) - 1) / len(digits) / 784
    for k, error in zip((1, 5, 20, 80), errors):
        assert error == pytest.approx(total - pca80.explained_variance[:k].sum() * scale, rel=1e-9)
    # first(k) is what fitting k components gives.
    small = digits[:300]
    np.testing.assert_allclose(fit_pca(small, 6).reconstruct(small), fit_pca(small, 30).first(6).reconstruct(small),
                               atol=1e-9)

    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, 4, 3))  # D = 12 <= n
    full = fit_pca(x, 12)
    np.testing.assert_allclose(full.reconstruct(x), x, atol=1e-12)
    np.testing.assert_allclose(fit_pca(x[:8], 8).reconstruct(x[:8]), x[:8], atol=1e-12)  # n < D
    assert reconstruction_mse(x, full.reconstruct(x)) < 1e-25
    with pytest.raises(ValueError, match="components"):
        fit_pca(x, 13)


def test_reconstruction_mse_is_the_mean_squared_difference_per_value():
    a, b = np.zeros((2, 2, 2)), np.array([[[1, 0], [0, 0]], [[0, 0], [2, 0]]], dtype=float)
    assert reconstruction_mse(a, b) == pytest.approx((1 + 4) / 8)
    assert reconstruction_mse(a, b.reshape(2, 4)) == pytest.approx(5 / 8)


# --------------------------------------------------------------------------- PSNR and noise


def test_psnr_of_a_hand_computed_pair():
    clean = np.zeros((1, 2, 2))
    other = np.array([[[0.1, 0.0], [0.0, 0.3]]])
    mse = (0.01 + 0.09) / 4
    assert psnr(clean, other) == pytest.approx(10 * np.log10(1 / mse))
    assert psnr(clean * 255, other * 255, data_range=255.0) == pytest.approx(10 * np.log10(1 / mse))
    # Mean over images of each image's PSNR (not the PSNR of the pooled MSE).
    two = np.concatenate([other, other / 10])
    per_image = [10 * np.log10(1 / mse), 10 * np.log10(1 / (mse / 100))]
    assert psnr(np.zeros_like(two), two) == pytest.approx(np.mean(per_image))
    # Identical images are capped at max_db.
    assert psnr(two, two) == 100.0
    assert psnr(np.zeros_like(two), np.concatenate([other, np.zeros_like(other)]), max_db=60.0) == \
        pytest.approx((per_image[0] + 60.0) / 2)


def test_noise_is_clipped_seeded_and_psnr_falls_as_sigma_grows(digits):
    x = digits[:200].astype(np.float32)
    noisy = add_gaussian_noise(x, 0.5, seed=3)
    assert noisy.dtype == np.float32 and noisy.shape == x.shape
    assert noisy.min() == 0.0 and noisy.max() == 1.0  # clipped, and the clipping is reached
    np.testing.assert_array_equal(noisy, add_gaussian_noise(x, 0.5, seed=3))
    assert not np.array_equal(noisy, add_gaussian_noise(x, 0.5, seed=4))
    np.testing.assert_array_equal(add_gaussian_noise(x, 0.0, seed=0), x)
    # uint8 pixels are scaled to [0, 1] first.
    np.testing.assert_allclose(add_gaussian_noise(np.full((1, 2, 2), 255, np.uint8), 0.0), 1.0)
    # Unclipped middle-grey noise has the requested spread.
    grey = add_gaussian_noise(np.full((100, 28, 28), 0.5, np.float32), 0.05, seed=0)
    assert grey.std() == pytest.approx(0.05, rel=0.02)

    values = [psnr(x, add_gaussian_noise(x, sigma, seed=0)) for sigma in (0.05, 0.1, 0.2, 0.4)]
    assert all(a > b for a, b in zip(values, values[1:]))
    assert 20 < values[0] < 40  # about 10 log10(1 / sigma^2) = 26 dB, a little more from clipping


def test_compare_with_pca_measures_both_against_the_inputs():
    rng = np.random.default_rng(0)
    x = rng.random((50, 4, 4, 1))
    pca = fit_pca(x, 16)
    noisy = x + 0.1  # an "autoencoder" off by 0.1 everywhere
    table = compare_with_pca({2: noisy.reshape(50, 16), 16: x}, pca, x)
    assert set(table) == {"2", "16"}
    assert table["2"]["ae_test_mse"] == pytest.approx(0.01) and table["16"]["ae_test_mse"] == pytest.approx(0.0)
    assert table["16"]["pca_test_mse"] == pytest.approx(0.0, abs=1e-20)  # every component: exact
    assert table["2"]["pca_test_mse"] == pytest.approx(reconstruction_mse(x, pca.first(2).reconstruct(x)))
    assert "ae_test_loss" not in table["2"]
    with_losses = compare_with_pca({2: noisy.reshape(50, 16), 16: x}, pca, x, {2: 0.25, 16: 0.125})
    assert with_losses["2"]["ae_test_loss"] == 0.25 and with_losses["16"]["ae_test_loss"] == 0.125
    assert with_losses["2"]["ae_test_mse"] == table["2"]["ae_test_mse"]
