"""The numbers behind Part 6's claims: sharpness, variety, style retention, label accuracy."""
import numpy as np
import pytest

from keras_autoencoders.evaluation import image_metrics
from keras_autoencoders.data.mnist import MnistDigits, load_sample, prepare_images
from keras_autoencoders.evaluation.digit_judge import train_judge
from keras_autoencoders.evaluation.judges import label_accuracy


def box_blur(images):
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)), mode="edge")
    return sum(padded[:, i:i + 28, j:j + 28] for i in range(3) for j in range(3)) / 9


@pytest.fixture(scope="module")
def digits():
    sample = load_sample()
    return prepare_images(sample.x_test)[..., 0], sample.y_test.astype(int)


def test_sharpness_matches_numpy_and_drops_when_blurred(digits):
    x, _ = digits
    expected = np.mean([(np.abs(np.diff(d, axis=0)).mean() + np.abs(np.diff(d, axis=1)).mean()) / 2 for d in x])
    assert image_metrics.image_sharpness(x) == pytest.approx(expected, rel=1e-6)
    assert image_metrics.relative_sharpness(x, x) == pytest.approx(1.0)
    once, twice = (image_metrics.relative_sharpness(b, x) for b in (box_blur(x), box_blur(box_blur(x))))
    assert twice < once < 0.8


def test_variety_is_zero_for_a_collapsed_generator(digits):
    x, y = digits
    collapsed = np.stack([x[y == c][0] for c in y])  # every digit replaced by its label's first
    assert image_metrics.within_label_variety(collapsed, y) == pytest.approx(0.0, abs=1e-6)
    assert image_metrics.within_label_variety(x, y) > 5.0


def test_style_retention_tells_copies_from_label_only_reconstructions(digits):
    x, y = digits
    exact = image_metrics.style_retention(x, x, y)
    assert exact["mse_own"] == 0 and exact["ratio"] == 0
    label_only = np.stack([x[y == c].mean(axis=0) for c in y])  # the label's mean digit
    ratio = image_metrics.style_retention(x, label_only, y)["ratio"]
    assert 0.8 < ratio < 1.2  # nothing of the input's own style


def test_classifier_reads_real_digits_and_rejects_wrong_labels():
    sample = load_sample()
    x, y = prepare_images(sample.x_train), sample.y_train.astype(int)
    digits = MnistDigits(x, y, prepare_images(sample.x_test), sample.y_test.astype(int), "sample")
    classifier = train_judge(digits, epochs=3, verbose=0).model
    xt, yt = prepare_images(sample.x_test), sample.y_test.astype(int)
    assert label_accuracy(classifier, xt, yt) > 0.9
    assert label_accuracy(classifier, xt, (yt + 1) % 10) < 0.1


def test_rms_distances_per_image_against_a_hand_computed_pair():
    a = np.zeros((2, 2, 2, 1))
    b = np.stack([np.full((2, 2, 1), 0.5), np.array([[[1.0], [0.0]], [[0.0], [0.0]]])])
    np.testing.assert_allclose(image_metrics.rms_distances(a, b), [0.5, 0.5])  # sqrt(1/4) for the single 1
    np.testing.assert_allclose(image_metrics.rms_distances(b, b), [0.0, 0.0])
    with pytest.raises(ValueError, match="matching"):
        image_metrics.rms_distances(a, b[:1])
