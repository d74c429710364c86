"""The MNIST study's new measures and figures: confident readings, anomaly scores, unconditional
samples, code scatters and score histograms."""
import keras
import numpy as np
import pytest

from keras_autoencoders.data.mnist import MnistDigits
from keras_autoencoders.evaluation.anomaly import auroc, reconstruction_errors, uniform_noise_images
from keras_autoencoders.evaluation.digit_generators import (on_demand_numbers, unconditional_numbers,
                                                            unconditional_vae_numbers)
from keras_autoencoders.evaluation.image_metrics import denoising_numbers
from keras_autoencoders.evaluation.judges import confident_readings
from keras_autoencoders.evaluation.latent_metrics import knn_accuracy
from keras_autoencoders.generate.digits import prior_codes, unconditional_samples
from keras_autoencoders.models.dense_autoencoder import build_dense_vae
from keras_autoencoders.plotting.figures import plot_code_scatters, plot_histograms
from keras_autoencoders.records.mnist_study import study_samples


class ProbabilityReader:
    """A stand-in classifier: row ``i`` of ``probabilities`` for an image whose first pixel is ``i``."""

    def __init__(self, probabilities: np.ndarray):
        self.probabilities = probabilities

    def predict(self, images, batch_size=None, verbose=0):
        return self.probabilities[np.asarray(images)[:, 0, 0, 0].astype(int)]


def images_numbered(count: int) -> np.ndarray:
    images = np.zeros((count, 28, 28, 1), "float32")
    images[:, 0, 0, 0] = np.arange(count)
    return images


def test_confident_readings_and_unconditional_numbers_on_known_probabilities():
    probabilities = np.full((5, 10), 0.0)
    probabilities[0, 3] = 0.95; probabilities[0, 1] = 0.05   # a confident 3
    probabilities[1, 3] = 0.6; probabilities[1, 8] = 0.4     # an unsure 3
    probabilities[2, 7] = 0.9; probabilities[2, 2] = 0.1     # a 7 exactly at the threshold
    probabilities[3, 7] = 0.99; probabilities[3, 0] = 0.01   # a confident 7
    probabilities[4, 0] = 0.5; probabilities[4, 9] = 0.5     # a tie: the first digit
    classifier = ProbabilityReader(probabilities)
    digit, confident = confident_readings(classifier, images_numbered(5), threshold=0.9)
    np.testing.assert_array_equal(digit, [3, 3, 7, 7, 0])
    np.testing.assert_array_equal(confident, [True, False, True, True, False])

    numbers = unconditional_numbers(classifier, images_numbered(5), threshold=0.9)
    assert numbers["confident_fraction"] == pytest.approx(3 / 5)
    assert numbers["by_digit"]["3"] == {"share": pytest.approx(0.4), "confident_fraction": pytest.approx(0.5)}
    assert numbers["by_digit"]["7"] == {"share": pytest.approx(0.4), "confident_fraction": pytest.approx(1.0)}
    assert numbers["by_digit"]["0"]["confident_fraction"] == 0.0
    assert numbers["by_digit"]["5"] == {"share": 0.0, "confident_fraction": None}
    with pytest.raises(ValueError, match="threshold"):
        confident_readings(classifier, images_numbered(5), threshold=1.5)


def test_reconstruction_errors_match_numpy_across_batches():
    rng = np.random.default_rng(0)
    images = rng.random((7, 28, 28, 1), dtype=np.float32)
    calls = []

    def halve(batch):
        calls.append(len(batch))
        return batch / 2

    errors = reconstruction_errors(halve, images, batch_size=3)
    np.testing.assert_allclose(errors, ((images / 2) ** 2).reshape(7, -1).mean(axis=1), rtol=1e-6)
    assert calls == [3, 3, 1]
    np.testing.assert_array_equal(reconstruction_errors(lambda b: b, images), np.zeros(7))


def test_a_perfect_score_separates_and_noise_images_are_seeded_uniform():
    noise = uniform_noise_images(500, seed=3)
    assert noise.shape == (500, 28, 28, 1) and noise.dtype == np.float32
    assert 0.0 <= noise.min() and noise.max() < 1.0 and abs(float(noise.mean()) - 0.5) < 0.01
    np.testing.assert_array_equal(noise, uniform_noise_images(500, seed=3))
    assert not np.array_equal(noise, uniform_noise_images(500, seed=4))
    # dark images rebuilt as black score 0; noise rebuilt as black scores its mean square
    blank = np.zeros((100, 28, 28, 1), np.float32)
    to_black = np.zeros_like
    assert auroc(reconstruction_errors(to_black, blank), reconstruction_errors(to_black, noise)) == 1.0


def test_unconditional_samples_decode_the_contract_codes():
    latent_dim = 3
    z = keras.Input((latent_dim,))
    decoder = keras.Model(z, keras.layers.Reshape((28, 28, 1))(keras.layers.Dense(784, activation="sigmoid",
                                                                                  kernel_initializer="ones")(z)))
    image = keras.Input((28, 28, 1))
    z_meaner = keras.Model(image, keras.layers.Dense(latent_dim)(keras.layers.Flatten()(image)))
    x_test = np.random.default_rng(1).random((1200, 28, 28, 1), dtype=np.float32)
    samples = unconditional_samples(z_meaner, decoder, latent_dim, x_test)
    assert samples["prior"].shape == samples["rec"].shape == (1000, 28, 28)
    codes = prior_codes(1000, latent_dim)
    np.testing.assert_allclose(samples["prior"][:, 0, 0], 1 / (1 + np.exp(-codes.sum(axis=1))), rtol=1e-5)
    expected_rec = np.asarray(decoder(z_meaner(x_test[:1000])))[..., 0]
    np.testing.assert_allclose(samples["rec"], expected_rec, rtol=1e-5)


class ReadFirstPixel:
    """A stand-in digit judge: reads digit ``round(9 * first pixel)``, always with probability 1."""

    def predict(self, images, batch_size=None, verbose=0):
        digit = np.rint(9 * np.asarray(images).reshape(len(images), -1)[:, 0]).astype(int)
        return np.eye(10)[digit]


def test_unconditional_vae_numbers_read_the_vaes_own_samples():
    vae = build_dense_vae(2, seed=0)
    rng = np.random.default_rng(2)
    x_test = rng.random((1100, 28, 28, 1), dtype=np.float32)
    y_test = rng.integers(0, 10, 1100)
    digits = MnistDigits(rng.random((300, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 300), x_test, y_test,
                         "generated")
    samples, numbers, codes = unconditional_vae_numbers(vae, ReadFirstPixel(), digits, test_loss=0.5)
    z_meaner = vae.article_models()["z_meaner"]
    test_codes = z_meaner.predict(x_test, verbose=0)
    np.testing.assert_allclose(codes, test_codes, atol=1e-6)  # every test digit's z_mean, in order
    train_codes = z_meaner.predict(digits.x_train, verbose=0)
    assert numbers["knn_accuracy"] == pytest.approx(knn_accuracy(train_codes, digits.y_train, test_codes, y_test))
    parts = vae.article_models()
    expected = unconditional_samples(parts["z_meaner"], parts["decoder"], 2, x_test)
    for kind in ("prior", "rec"):
        np.testing.assert_array_equal(samples[kind], expected[kind])
    read = np.rint(9 * samples["rec"][:, 0, 0]).astype(int)
    assert numbers["reconstructions_read_as_input"] == pytest.approx(np.mean(read == y_test[:1000]))
    assert numbers["test_loss"] == 0.5
    assert numbers["confident_fraction"] == 1.0
    shares = [numbers["by_digit"][str(d)]["share"] for d in range(10)]
    np.testing.assert_allclose(shares, np.bincount(np.rint(9 * samples["prior"][:, 0, 0]).astype(int), minlength=10)
                               / 1000)


def test_code_scatters_share_axes_except_zoomed_panels_and_refuse_other_than_2d_codes():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 300)
    wide, narrow = rng.normal(0, 20, (300, 2)), rng.normal(0, 1, (300, 2))
    fig = plot_code_scatters({"wide": (wide, labels), "narrow": (narrow, labels), "zoom": (narrow, labels)},
                             own_limits={"zoom": 4.0})
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["wide", "narrow", "zoom"]
    limit = 1.05 * np.abs(wide).max()
    for ax in panels[:2]:
        assert ax.get_xlim() == pytest.approx((-limit, limit)) and ax.get_ylim() == pytest.approx((-limit, limit))
    assert panels[2].get_xlim() == pytest.approx((-4.0, 4.0))
    with pytest.raises(ValueError, match="'flat'.*2-d codes"):
        plot_code_scatters({"flat": (rng.normal(size=(10, 3)), labels[:10])})


def test_histograms_share_bins():
    fig = plot_histograms({"a": np.linspace(0.01, 1, 50), "b": np.linspace(0.5, 10, 50)}, "score", bins=20)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and len(ax.patches) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def _digits_reading_as(labels):
    """Images the ReadFirstPixel judge reads as ``labels``."""
    images = np.zeros((len(labels), 28, 28), np.float32)
    images[:, 0, 0] = np.asarray(labels) / 9
    return images


def test_on_demand_numbers_read_each_requested_labels_digits():
    samples = {f"gen_{c}": _digits_reading_as(np.full(20, c)) for c in range(10)}
    samples["gen_5"] = _digits_reading_as([5] * 15 + [3] * 5)  # three quarters read as 5
    samples["gen_7"] = _digits_reading_as([7] * 10 + [1] * 10)
    samples["rec"] = _digits_reading_as(np.zeros(20))  # not a generated digit: not counted
    numbers = on_demand_numbers(ReadFirstPixel(), samples, labels=(5, 7))
    assert numbers["read_as_5"] == 0.75 and numbers["read_as_7"] == 0.5
    assert numbers["all_labels"] == pytest.approx((8 * 20 + 15 + 10) / 200)


def test_study_samples_prefix_each_unconditional_vaes_arrays():
    cvae = {"gen_0": np.zeros(2), "rec": np.ones(2)}
    merged = study_samples(cvae, {"vae_5": {"prior": np.full(2, 5.0), "rec": np.full(2, 6.0)},
                                  "conv_vae": {"prior": np.full(2, 7.0)}})
    assert sorted(merged) == ["conv_vae_prior", "gen_0", "rec", "vae_5_prior", "vae_5_rec"]
    assert merged["rec"][0] == 1.0 and merged["vae_5_rec"][0] == 6.0 and merged["conv_vae_prior"][0] == 7.0


def test_denoising_numbers_against_numpy_psnr():
    rng = np.random.default_rng(1)
    clean = rng.random((8, 28, 28, 1)).astype(np.float32)
    noisy = np.clip(clean + rng.normal(0, 0.3, clean.shape), 0, 1).astype(np.float32)

    class Halfway:  # "denoises" by averaging with the clean digits it knows
        def predict(self, x, verbose=0):
            return (x + clean) / 2

    def reference_psnr(other):
        mse = ((clean.astype(np.float64) - other) ** 2).reshape(8, -1).mean(axis=1)
        return float(np.mean(10 * np.log10(1 / mse)))

    numbers, denoised = denoising_numbers(Halfway(), clean, noisy, 0.3, 0.25, clean_trained=Halfway())
    np.testing.assert_allclose(denoised, (noisy + clean) / 2)
    assert numbers["psnr_noisy_db"] == pytest.approx(reference_psnr(noisy))
    assert numbers["psnr_denoised_db"] == pytest.approx(reference_psnr((noisy + clean) / 2))
    assert numbers["psnr_denoised_db"] > numbers["psnr_noisy_db"]
    assert numbers["psnr_clean_trained_ae_db"] == numbers["psnr_denoised_db"]
    assert numbers["noise_sigma"] == 0.3 and numbers["test_loss"] == 0.25
    assert "psnr_clean_trained_ae_db" not in denoising_numbers(Halfway(), clean, noisy, 0.3, 0.25)[0]
