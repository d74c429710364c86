"""The cached digit judge and the one scoring path of generated digits (issue: the report; issue 36)."""
import json

import keras
import numpy as np
import pytest
from scipy import ndimage

from keras_autoencoders.data.mnist import MnistDigits, load_sample, prepare_images
from keras_autoencoders.evaluation import digit_generators as scoring
from keras_autoencoders.evaluation import digit_judge as judge_module
from keras_autoencoders.evaluation.digit_judge import judge_path, load_digit_judge
from keras_autoencoders.evaluation.frechet import frechet_distance
from keras_autoencoders.evaluation.judges import label_accuracy


@pytest.fixture(scope="module")
def full_digits(full_mnist_digits):
    return full_mnist_digits


@pytest.fixture(scope="module")
def judge(full_digits):
    """The judge of full MNIST from Keras' cache folder (trained there once when missing)."""
    return load_digit_judge(digits=full_digits, verbose=0)


@pytest.fixture(scope="module")
def real(judge, full_digits):
    return scoring.RealDigits(judge.model, full_digits)


def _small_digits(count=1000):
    sample = load_sample()
    return MnistDigits(prepare_images(sample.x_train[:count]), sample.y_train[:count].astype(int),
                       prepare_images(sample.x_test[:500]), sample.y_test[:500].astype(int), "sample")


def test_judge_reads_at_least_99_percent_of_the_test_digits(judge, full_digits):
    accuracy = label_accuracy(judge.model, full_digits.x_test, full_digits.y_test)
    assert accuracy >= 0.99
    assert judge.test_accuracy == pytest.approx(accuracy)  # what its JSON says is what it does
    assert judge.trained_on == "mnist.npz" and judge.path == judge_path()


def test_a_missing_cache_entry_is_filled_from_the_shipped_judge(tmp_path, full_digits, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("trained although the repository ships a judge")

    monkeypatch.setattr(judge_module, "train_judge", no_training)
    judge = load_digit_judge(cache_dir=tmp_path, verbose=0)  # no data given: none needed
    assert judge.path == judge_path(tmp_path) and judge.path.with_suffix(".json").is_file()
    shipped = judge_module.shipped_judge_path()
    assert judge.path.read_bytes() == shipped.read_bytes()
    assert label_accuracy(judge.model, full_digits.x_test[:2000], full_digits.y_test[:2000]) > 0.98


def test_judge_is_trained_once_then_loaded_from_the_cache(tmp_path, monkeypatch):
    digits = _small_digits()
    first = judge_module.load_digit_judge(digits=digits, cache_dir=tmp_path, use_shipped=False, verbose=0)
    cached = judge_path(tmp_path, sample=True)  # fewer than 60,000 digits: the sample's own name
    assert cached.is_file() and json.loads(cached.with_suffix(".json").read_text())["test_accuracy"] > 0.5
    assert not judge_path(tmp_path).exists()  # never stands in for the full judge

    def no_training(*args, **kwargs):
        raise AssertionError("the cached judge was trained again")

    monkeypatch.setattr(judge_module, "train_judge", no_training)
    again = judge_module.load_digit_judge(digits=digits, cache_dir=tmp_path, use_shipped=False, verbose=0)
    np.testing.assert_allclose(again.model.predict(digits.x_test[:50], verbose=0),
                               first.model.predict(digits.x_test[:50], verbose=0), rtol=1e-5, atol=1e-6)
    assert again.test_accuracy == first.test_accuracy


def test_an_incomplete_cache_entry_is_trained_again(tmp_path):
    digits = _small_digits(300)
    path = judge_path(tmp_path, sample=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"half a file")  # a model without its JSON: an interrupted save
    judge = load_digit_judge(digits=digits, cache_dir=tmp_path, use_shipped=False, verbose=0)
    assert path.with_suffix(".json").is_file()
    assert judge.test_accuracy == pytest.approx(label_accuracy(judge.model, digits.x_test, digits.y_test))
    assert scoring.RealDigits(judge.model, digits).features(digits.x_test[:3]).shape == (3, 128)


def _sharpness(images):
    """Mean absolute difference of neighbouring pixels along both axes, in float64 (numpy reference)."""
    x = np.asarray(images, dtype=np.float64).reshape(len(images), 28, 28)
    return (np.abs(np.diff(x, axis=1)).mean() + np.abs(np.diff(x, axis=2)).mean()) / 2


def test_frechet_distance_near_zero_for_real_digits_and_large_for_noise_and_the_real_row(full_digits, real):
    half = full_digits.x_test[::2]
    other_half = full_digits.x_test[1::2]
    same = frechet_distance(real.features(half), real.features(other_half))
    noise = real.frechet(np.random.default_rng(0).random((5000, 28, 28), dtype=np.float32))
    row = real.scores()  # the real row: the first 10,000 training digits against the test digits
    train = row["frechet_distance"]
    assert same < 2.0 and train < 2.0
    assert noise > 100 * max(same, train)
    x, y = full_digits.x_test, full_digits.y_test
    first_train = full_digits.x_train[:10_000]
    assert row["relative_sharpness"] == pytest.approx(_sharpness(first_train) / _sharpness(x), rel=1e-6)
    assert row["label_accuracy"] == pytest.approx(np.mean(real.judge.predict(x, verbose=0).argmax(1) == y))


def _real_as_samples(digits, shift=0, per_label=800):
    """``gen_c``: real test digits of label ``(c + shift) % 10`` (shift 0: correctly labelled)."""
    return {f"gen_{c}": digits.x_test[digits.y_test == (c + shift) % 10][:per_label, ..., 0] for c in range(10)}


def test_conditional_accuracy_falls_on_mislabelled_samples(real, full_digits):
    right = scoring.conditional_scores(_real_as_samples(full_digits), real)
    wrong = scoring.conditional_scores(_real_as_samples(full_digits, shift=1), real)
    assert right["label_accuracy"] > 0.98 and min(right["per_label"]) > 0.95
    assert wrong["label_accuracy"] < 0.03
    assert right["frechet_distance"] < 2.0  # real digits, fewer of them
    assert 0.9 < right["relative_sharpness"] < 1.1


def test_blurred_digits_score_below_real_ones_in_sharpness(real, full_digits):
    digits = full_digits.x_test[:2000, ..., 0]
    blurred = ndimage.gaussian_filter(digits, sigma=(0, 1.0, 1.0))
    assert real.sharpness(digits) == pytest.approx(1.0, abs=0.05)
    assert real.sharpness(blurred) < 0.75 * real.sharpness(digits)
    assert real.frechet(blurred) > real.frechet(digits)


def test_reconstruction_scores_against_a_numpy_reference(real, full_digits):
    original = full_digits.x_test[:1000, ..., 0].astype(np.float64)
    rec = np.clip(original * 0.8 + 0.1, 0, 1).astype(np.float32)
    scores = scoring.reconstruction_scores(rec, real)
    r = np.clip(rec.astype(np.float64), 1e-7, 1 - 1e-7)
    bce = -(original * np.log(r) + (1 - original) * np.log(1 - r)).mean()
    assert scores["bce"] == pytest.approx(bce, rel=1e-9)
    assert scores["mse"] == pytest.approx(((rec - original) ** 2).mean(), rel=1e-5)
    assert scores["accuracy"] > 0.95


def test_style_accuracy_counts_each_row_as_its_target_digit(real, full_digits):
    style = np.stack([full_digits.x_test[full_digits.y_test == d][:10, ..., 0] for d in range(10)])
    assert scoring.style_transfer_accuracy(real.judge, style) > 0.95
    assert scoring.style_transfer_accuracy(real.judge, style[::-1]) < 0.2  # rows swapped: 9 drawn as 0, ...


def test_score_samples_groups_arrays_by_generator(real, full_digits):
    samples = {**_real_as_samples(full_digits, per_label=100),
               "rec": full_digits.x_test[:200, ..., 0],
               **{f"cvae_{k}": v for k, v in _real_as_samples(full_digits, shift=1, per_label=100).items()},
               "vae_5_prior": np.random.default_rng(0).random((300, 28, 28), dtype=np.float32)}
    scores = scoring.score_samples(samples, real)
    assert sorted(scores) == ["cvae", "samples", "vae_5"]
    assert sorted(scores["samples"]) == ["conditional", "reconstruction"]
    assert scores["samples"]["conditional"]["label_accuracy"] > 0.95
    assert scores["cvae"]["conditional"]["label_accuracy"] < 0.05
    assert scores["samples"]["reconstruction"]["mse"] == 0
    noise = scores["vae_5"]["unconditional"]
    assert noise["frechet_distance"] > 100 and noise["confident_fraction"] < 0.5 and len(noise["by_digit"]) == 10


def _class_mean_generator(digits, latent_dim=2):
    """A collapsed conditional generator: label ``c`` decodes to the mean training digit of ``c``, whatever z."""
    means = np.stack([digits.x_train[digits.y_train == c].mean(axis=0).reshape(-1) for c in range(10)])
    z, condition, image = keras.Input((latent_dim,)), keras.Input((10,)), keras.Input((28, 28, 1))
    decode = keras.layers.Dense(784, use_bias=False)
    decoder = keras.Model([z, condition], keras.layers.Reshape((28, 28, 1))(
        decode(keras.layers.Concatenate()([z, condition]))))
    decode.set_weights([np.concatenate([np.zeros((latent_dim, 784)), means])])
    flat = keras.layers.Concatenate()([keras.layers.Flatten()(image), condition])
    z_meaner = keras.Model([image, condition], keras.layers.Dense(latent_dim)(flat))
    return z_meaner, decoder, means


def test_compare_generators_scores_a_collapsed_generator_against_the_test_digits(judge):
    digits = _small_digits()
    z_meaner, decoder, means = _class_mean_generator(digits)
    comparison, samples = scoring.compare_generators({"means": (z_meaner, decoder)}, judge.model, digits, 2)
    numbers = comparison["means"]
    assert sorted(comparison) == ["means", "real"] and samples["means"]["gen_3"].shape == (1000, 28, 28)
    read_right = judge.model.predict(means.reshape(10, 28, 28, 1), verbose=0).argmax(1) == np.arange(10)
    assert numbers["label_accuracy"] == pytest.approx(read_right.mean())
    assert numbers["per_label"] == pytest.approx(read_right.astype(float))
    assert numbers["style_transfer_accuracy"] == pytest.approx(read_right.mean())  # row d: d's mean, whatever 7
    assert numbers["relative_sharpness"] == pytest.approx(_sharpness(means) / _sharpness(digits.x_test), rel=1e-5)
    assert numbers["within_label_variety"] == pytest.approx(0.0, abs=1e-3)  # one drawing per label
    assert len(numbers["z_kl_by_label"]) == 10 and numbers["frechet_distance"] > comparison["real"]["frechet_distance"]
    assert comparison["real"] == scoring.RealDigits(judge.model, digits).scores()
