"""Digit generators side by side, as numbers (Part 6, "Результаты": CVAE+GAN vs CVAE).

For each generator (a ``z_meaner`` and a ``decoder``): its ``samples.npz`` arrays
(:func:`keras_autoencoders.generate.digits.contract_samples`) and

* ``relative_sharpness``: sharpness of its 10,000 digits from N(0, I) over that of
  the reference digits (the training digits);
* ``label_accuracy``: the share a digit classifier reads as the requested label;
* ``within_label_variety``: mean distance between two digits of a label;
* ``style_transfer_accuracy``: the share of the style-transfer digits (ten 7s drawn
  as every digit) read as their target digit;
* ``reconstruction``: how much of an input's style its reconstruction keeps (squared errors);
* ``style``: the same as correlations of slant and stroke width
  (:mod:`~keras_autoencoders.evaluation.style_metrics`): ``reconstruction`` (the first 1,000
  test digits and their reconstructions, within each label) and ``transfer`` (every test 7
  drawn as each other digit).

For generators without a label (a VAE drawing from N(0, I)),
:func:`unconditional_numbers` gives the share of digits the classifier reads with
confidence, overall and per digit it reads.

Real test digits are measured the same way (their sharpness over the training
digits', their accuracy, their variety), so every number has a real-data row.
"""
from __future__ import annotations

from typing import Mapping

import keras
import numpy as np

from keras_autoencoders.data.mnist import MnistDigits
from keras_autoencoders.evaluation.image_metrics import relative_sharpness, style_retention, within_label_variety
from keras_autoencoders.evaluation.judges import CONFIDENCE_THRESHOLD, confident_readings, label_accuracy
from keras_autoencoders.evaluation.style_metrics import style_correlations, transfer_correlations
from keras_autoencoders.generate.digits import CONTRACT_SAMPLES, contract_samples, style_transfer
from keras_autoencoders.generate.manifold import Decoder

#: Training digits whose sharpness is the reference (1.0).
REFERENCE_DIGITS = 10_000


def generated_digits(samples: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The ``gen_0`` .. ``gen_9`` arrays of ``samples.npz`` as one batch, and their requested labels."""
    images = np.concatenate([samples[f"gen_{c}"] for c in range(10)])
    return images, np.repeat(np.arange(10), [len(samples[f"gen_{c}"]) for c in range(10)])


def real_digit_numbers(classifier: keras.Model, digits: MnistDigits) -> dict[str, float]:
    """The test digits measured like a generator's digits."""
    reference = digits.x_train[:REFERENCE_DIGITS]
    return {"relative_sharpness": relative_sharpness(digits.x_test, reference),
            "label_accuracy": label_accuracy(classifier, digits.x_test, digits.y_test),
            "within_label_variety": within_label_variety(digits.x_test, digits.y_test)}


def style_transfer_accuracy(classifier: keras.Model, style: np.ndarray) -> float:
    """The share of ``style[d, i]`` (input ``i`` drawn as digit ``d``) read as ``d``."""
    style = np.asarray(style)
    return label_accuracy(classifier, style.reshape(-1, *style.shape[2:]), np.repeat(np.arange(len(style)), style.shape[1]))


def generator_numbers(classifier: keras.Model, samples: Mapping[str, np.ndarray],
                      digits: MnistDigits) -> dict:
    """The numbers of one generator, from its ``samples.npz`` arrays."""
    images, labels = generated_digits(samples)
    shown = digits.x_test[:CONTRACT_SAMPLES]
    return {"relative_sharpness": relative_sharpness(images, digits.x_train[:REFERENCE_DIGITS]),
            "label_accuracy": label_accuracy(classifier, images, labels),
            "within_label_variety": within_label_variety(images, labels),
            "style_transfer_accuracy": style_transfer_accuracy(classifier, samples["style"]),
            "reconstruction": style_retention(shown, samples["rec"], digits.y_test[:CONTRACT_SAMPLES])}


def style_numbers(z_meaner: keras.Model, decoder: Decoder, digits: MnistDigits, reconstructed: np.ndarray,
                  source_label: int = 7) -> dict[str, dict[str, float]]:
    """Slant and stroke-width correlations of reconstructions (``reconstructed``: the first
    :data:`CONTRACT_SAMPLES` test digits') and of every test ``source_label`` drawn as the other digits."""
    shown = digits.x_test[:CONTRACT_SAMPLES]
    sources = digits.x_test[digits.y_test == source_label]
    return {"reconstruction": style_correlations(shown, reconstructed, digits.y_test[:CONTRACT_SAMPLES]),
            "transfer": transfer_correlations(sources, style_transfer(z_meaner, decoder, sources, source_label),
                                              source_label)}


def cvae_numbers(classifier: keras.Model, z_meaner: keras.Model, decoder: Decoder, digits: MnistDigits,
                 latent_dim: int) -> tuple[dict, dict[str, np.ndarray]]:
    """``(numbers, samples)`` of one conditional generator (Part 4, "Результаты"): its
    :func:`generator_numbers` and ``style`` (:func:`style_numbers`), the classifier's own test
    accuracy, and ``z_kl_by_label``: for each label, the KL divergence from N(0, I) of a
    Gaussian fitted to its test digits' z_mean (near 0 when the label's z is distributed as the prior)."""
    from keras_autoencoders.evaluation.latent_metrics import gaussian_kl_to_standard_normal

    samples = contract_samples(z_meaner, decoder, latent_dim, digits.x_train, digits.y_train,
                               digits.x_test, digits.y_test)
    numbers = generator_numbers(classifier, samples, digits)
    numbers["style"] = style_numbers(z_meaner, decoder, digits, samples["rec"])
    numbers["classifier_test_accuracy"] = label_accuracy(classifier, digits.x_test, digits.y_test)
    z_test = z_meaner.predict([digits.x_test, digits.y_test_onehot], batch_size=1000, verbose=0)
    numbers["z_kl_by_label"] = [gaussian_kl_to_standard_normal(z_test[digits.y_test == c]) for c in range(10)]
    return numbers, samples


def compare_generators(generators: Mapping[str, tuple[Decoder, Decoder]], classifier: keras.Model,
                       digits: MnistDigits, latent_dim: int) -> tuple[dict, dict]:
    """``(comparison, samples)``: numbers per generator name and ``"real"``, and each one's samples."""
    comparison: dict = {"real": real_digit_numbers(classifier, digits)}
    samples = {}
    for name, (z_meaner, decoder) in generators.items():
        samples[name] = contract_samples(z_meaner, decoder, latent_dim, digits.x_train, digits.y_train,
                                         digits.x_test, digits.y_test)
        comparison[name] = generator_numbers(classifier, samples[name], digits)
        comparison[name]["style"] = style_numbers(z_meaner, decoder, digits, samples[name]["rec"])
    return comparison, samples


def on_demand_numbers(classifier: keras.Model, samples: Mapping[str, np.ndarray],
                      labels: tuple[int, ...] = (5, 7)) -> dict[str, float]:
    """The study's digits on demand: for each of ``labels``, ``read_as_<label>``, the share of the
    conditional model's ``gen_<label>`` digits the classifier reads as that label; and
    ``all_labels``, the share over every ``gen_*`` array (:func:`generated_digits`)."""
    numbers = {f"read_as_{d}": label_accuracy(classifier, samples[f"gen_{d}"], np.full(len(samples[f"gen_{d}"]), d))
               for d in labels}
    numbers["all_labels"] = label_accuracy(classifier, *generated_digits(samples))
    return numbers


def unconditional_numbers(classifier: keras.Model, images: np.ndarray,
                          threshold: float = CONFIDENCE_THRESHOLD) -> dict:
    """How a classifier reads digits drawn without a label (the study's "some look good").

    ``confident_fraction``: the share of ``images`` whose most likely digit has
    probability >= ``threshold``. ``by_digit[d]``: ``share``, the fraction read as
    ``d`` at all, and ``confident_fraction``, the fraction of those read confidently
    (None when no image is read as ``d``). Measure real test digits the same way
    for the reference.
    """
    digit, confident = confident_readings(classifier, images, threshold)
    by_digit = {}
    for d in range(10):
        read = digit == d
        by_digit[str(d)] = {"share": float(read.mean()),
                            "confident_fraction": float(confident[read].mean()) if read.any() else None}
    return {"threshold": threshold, "confident_fraction": float(confident.mean()), "by_digit": by_digit}


def unconditional_vae_numbers(vae: keras.Model, classifier: keras.Model, digits: MnistDigits, test_loss: float,
                              seed: int = 0) -> tuple[dict[str, np.ndarray], dict, np.ndarray]:
    """A VAE without labels (the study's 5-d VAE and conv VAE): its ``samples.npz`` arrays
    (:func:`~keras_autoencoders.generate.digits.unconditional_samples`), its numbers and its
    test codes (z_mean of every test digit).

    The numbers: its ``test_loss``; how the classifier reads its digits from N(0, I)
    (:func:`unconditional_numbers`); ``reconstructions_read_as_input``, the share of its first
    1,000 test reconstructions read as the input's label; and ``knn_accuracy``, how well its codes
    keep the digits apart (:func:`~keras_autoencoders.evaluation.latent_metrics.code_space_numbers`,
    with ``seed``). ``vae`` offers ``article_models()`` and ``latent_dim``."""
    from keras_autoencoders.evaluation.latent_metrics import code_space_numbers
    from keras_autoencoders.generate.digits import unconditional_samples

    parts = vae.article_models()
    samples = unconditional_samples(parts["z_meaner"], parts["decoder"], vae.latent_dim, digits.x_test)
    read_as_input = label_accuracy(classifier, samples["rec"], digits.y_test[:len(samples["rec"])])
    code_space, codes = code_space_numbers(parts["z_meaner"], digits.x_train, digits.y_train, digits.x_test,
                                           digits.y_test, seed)
    return samples, {"test_loss": test_loss, "reconstructions_read_as_input": read_as_input,
                     "knn_accuracy": code_space["knn_accuracy"],
                     **unconditional_numbers(classifier, samples["prior"])}, codes
