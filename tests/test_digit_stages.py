"""``DigitStages``: each of the MNIST study's models is one call with the data, schedule and record it needs."""
import numpy as np
import pytest

from keras_autoencoders.data.mnist import MnistDigits
from keras_autoencoders.training.digit_stages import DigitStages


class RecordingRun:
    """Stands in for a TutorialRun: keeps the arguments of each ``stage`` call and builds its model."""

    def __init__(self):
        self.calls = {}

    def stage(self, name, build, data, **kwargs):
        self.calls[name] = {"model": build(), "data": data, **kwargs}
        return name


def _digits():
    rng = np.random.default_rng(0)
    return MnistDigits(rng.random((40, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 40),
                       rng.random((20, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 20), "generated")


def _built(*args, seed=None, precision="float32"):
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.built_with = {"args": args, "seed": seed, "precision": precision}
    return model


@pytest.fixture
def stages():
    return DigitStages(RecordingRun(), _digits(), learning_rate=2e-3, epochs=7, batch_size=16, seed=3,
                       validation_digits=5, steps_per_execution=4)


def test_an_autoencoder_learns_the_digits_from_themselves_validated_on_the_first_test_digits(stages):
    digits = stages.digits
    stages.train("ae_2", _built, 2, loss="binary_crossentropy")
    call = stages.run.calls["ae_2"]
    assert call["data"][0] is digits.x_train and call["data"][1] is digits.x_train
    np.testing.assert_array_equal(call["validation_data"][0], digits.x_test[:5])
    np.testing.assert_array_equal(call["validation_data"][1], digits.x_test[:5])
    assert call["epochs"] == 7 and call["batch_size"] == 16 and set(call) == {"model", "data", "validation_data",
                                                                              "epochs", "batch_size"}
    model = call["model"]
    assert model.built_with == {"args": (2,), "seed": 3, "precision": "float32"}
    assert model.loss == "binary_crossentropy" and float(model.optimizer.learning_rate) == pytest.approx(2e-3)
    assert model.steps_per_execution == 4


def test_a_denoiser_learns_clean_digits_from_noisy_ones_and_records_its_noise(stages):
    digits = stages.digits
    noisy_train, noisy_test = digits.x_train + 1, digits.x_test + 1
    stages.train("denoising_ae", _built, 32, noisy=(noisy_train, noisy_test), record={"noise_sigma": 0.5})
    call = stages.run.calls["denoising_ae"]
    assert call["data"][0] is noisy_train and call["data"][1] is digits.x_train
    np.testing.assert_array_equal(call["validation_data"][0], noisy_test[:5])
    np.testing.assert_array_equal(call["validation_data"][1], digits.x_test[:5])
    assert call["noise_sigma"] == 0.5


def test_a_conditional_vae_gets_the_labels_its_own_schedule_and_records_its_precision(stages):
    digits = stages.digits
    stages.train("part4_cvae", _built, precision="mixed_bfloat16", labelled=True, epochs=100, batch_size=500)
    call = stages.run.calls["part4_cvae"]
    (images, labels), target = call["data"]  # the article's fit([x_train, y_train], x_train)
    assert images is digits.x_train and target is digits.x_train
    np.testing.assert_array_equal(labels, digits.y_train_onehot)
    np.testing.assert_array_equal(call["validation_data"][0][1], digits.y_test_onehot[:5])
    assert call["epochs"] == 100 and call["batch_size"] == 500 and call["precision"] == "mixed_bfloat16"
    assert call["model"].built_with["precision"] == "mixed_bfloat16"


def test_no_validation_limit_validates_on_every_test_digit():
    stages = DigitStages(RecordingRun(), _digits(), learning_rate=1e-3, epochs=1, batch_size=8)
    stages.train("ae", _built)
    assert len(stages.run.calls["ae"]["validation_data"][0]) == 20
