"""Prior samples, style transfer and the samples.npz contract, with stand-in networks."""
import numpy as np
import pytest

from keras_autoencoders.generate.digits import (contract_samples, digits_from_prior, first_of_label,
                                           model_contract_samples, prior_codes, style_transfer)


class StandInDecoder:
    """Pixel (0, 0) holds the label, pixel (0, 1) a squashed z[0]; counts calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, inputs):
        z, labels = inputs
        self.calls += 1
        out = np.zeros((len(z), 28, 28, 1), "float32")
        out[:, 0, 0, 0] = labels.argmax(1) / 10
        out[:, 0, 1, 0] = 1 / (1 + np.exp(-z[:, 0]))
        return out


class StandInMeaner:
    """z_mean = [mean pixel, label index, 0, ...]."""

    def predict_on_batch(self, inputs):
        images, labels = inputs
        z = np.zeros((len(images), 8), "float32")
        z[:, 0] = images.reshape(len(images), -1).mean(1)
        z[:, 1] = labels.argmax(1)
        return z

    def predict(self, inputs, batch_size=None, verbose=0):
        return self.predict_on_batch(inputs)


def test_prior_codes_are_the_contracts_draws():
    np.testing.assert_array_equal(prior_codes(1000, 8), np.random.RandomState(0).randn(1000, 8).astype("float32"))


def test_digits_from_prior_same_codes_for_every_label_in_one_call():
    decoder = StandInDecoder()
    digits = digits_from_prior(decoder, latent_dim=8, count=50)
    assert decoder.calls == 1 and digits.shape == (10, 50, 28, 28)
    np.testing.assert_allclose(digits[:, :, 0, 0], np.arange(10)[:, None] / 10 * np.ones((1, 50)), atol=1e-6)
    np.testing.assert_array_equal(digits[3, :, 0, 1], digits[8, :, 0, 1])  # same code per column


def test_style_transfer_rows_are_target_labels():
    images = np.random.rand(10, 28, 28, 1).astype("float32")
    styled = style_transfer(StandInMeaner(), StandInDecoder(), images, label_in=7)
    assert styled.shape == (10, 10, 28, 28)
    np.testing.assert_allclose(styled[4, :, 0, 0], 0.4, atol=1e-6)
    expected_style = 1 / (1 + np.exp(-images.reshape(10, -1).mean(1)))
    np.testing.assert_allclose(styled[2, :, 0, 1], expected_style, rtol=1e-5)


def test_first_of_label_and_error():
    labels = np.array([7, 1, 7, 7])
    images = np.arange(4)
    np.testing.assert_array_equal(first_of_label(images, labels, 7, 3), [0, 2, 3])
    with pytest.raises(ValueError, match="only 1 images of label 1"):
        first_of_label(images, labels, 1, 2)


def test_contract_samples_shapes_and_ranges():
    rng = np.random.RandomState(0)
    x_train, y_train = rng.rand(200, 28, 28, 1).astype("float32"), np.arange(200) % 10
    x_test, y_test = rng.rand(1000, 28, 28, 1).astype("float32"), np.arange(1000) % 10
    samples = contract_samples(StandInMeaner(), StandInDecoder(), 8, x_train, y_train, x_test, y_test)
    assert sorted(samples) == sorted([f"gen_{c}" for c in range(10)] + ["rec", "style"])
    assert all(samples[f"gen_{c}"].shape == (1000, 28, 28) for c in range(10))
    assert samples["rec"].shape == (1000, 28, 28) and samples["style"].shape == (10, 10, 28, 28)
    np.testing.assert_allclose(samples["rec"][:, 0, 0], y_test / 10, atol=1e-6)  # own labels
    assert all(0 <= v.min() and v.max() <= 1 for v in samples.values())


def test_a_models_contract_samples_use_its_z_meaner_decoder_and_latent_size():
    from keras_autoencoders.data.mnist import MnistDigits

    rng = np.random.RandomState(1)
    digits = MnistDigits(rng.rand(200, 28, 28, 1).astype("float32"), np.arange(200) % 10,
                         rng.rand(1000, 28, 28, 1).astype("float32"), np.arange(1000) % 10, "generated")

    class Model:
        latent_dim = 8

        def article_models(self):
            return {"z_meaner": StandInMeaner(), "decoder": StandInDecoder()}

    direct = contract_samples(StandInMeaner(), StandInDecoder(), 8, digits.x_train, digits.y_train, digits.x_test,
                              digits.y_test)
    via_model = model_contract_samples(Model(), digits)
    assert sorted(via_model) == sorted(direct)
    for name, array in direct.items():
        np.testing.assert_array_equal(via_model[name], array)
