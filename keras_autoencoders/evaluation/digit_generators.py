"""Generated digits scored against real ones (Part 4 and Part 6, "Результаты") with the digit judge, one path for
every number: against the held-out test digits (:class:`RealDigits`); :func:`compare_generators` for the tutorials'
``results.json``, :func:`score_samples` for the report's ``scores.json``, :func:`unconditional_numbers` for a VAE."""
from __future__ import annotations

import re
from typing import Mapping

import keras
import numpy as np

from keras_autoencoders.data.mnist import MnistDigits
from keras_autoencoders.evaluation.digit_judge import FEATURES_LAYER
from keras_autoencoders.evaluation.frechet import frechet_distance
from keras_autoencoders.evaluation.image_metrics import relative_sharpness, style_retention, within_label_variety
from keras_autoencoders.evaluation.judges import CONFIDENCE_THRESHOLD, confident_readings, label_accuracy, read_digits
from keras_autoencoders.evaluation.latent_metrics import code_space_numbers, gaussian_kl_to_standard_normal
from keras_autoencoders.evaluation.style_metrics import style_correlations, transfer_correlations
from keras_autoencoders.generate.digits import (CONTRACT_SAMPLES, CONTRACT_SEED, contract_samples, style_transfer,
                                                unconditional_samples)
from keras_autoencoders.generate.manifold import Decoder, z_means

REFERENCE_TRAIN_DIGITS = 10_000  #: Training digits measured against the test digits in the real row.


class RealDigits:
    """The reference of every score: the test digits, with the ``judge``'s features of them."""

    def __init__(self, judge: keras.Model, digits: MnistDigits):
        self.judge, self.digits = judge, digits
        self._features = keras.Model(judge.inputs, judge.get_layer(FEATURES_LAYER).output)
        self.test_features = self.features(digits.x_test)

    def features(self, images: np.ndarray) -> np.ndarray:
        """``(N, 128)`` activations of the judge's ``features`` layer (for Fréchet distances)."""
        return read_digits(self._features, images).astype(np.float64)

    def frechet(self, images: np.ndarray) -> float:
        """Fréchet distance between the judge's features of ``images`` and of the test digits."""
        return frechet_distance(self.features(images), self.test_features)

    def sharpness(self, images: np.ndarray) -> float:
        """Sharpness of ``images`` over the test digits' (1 = as sharp)."""
        return relative_sharpness(images, self.digits.x_test)

    def scores(self) -> dict:
        """The real row: the judge on the test digits, the first training digits against them."""
        train, x, y = self.digits.x_train[:REFERENCE_TRAIN_DIGITS], self.digits.x_test, self.digits.y_test
        return {"label_accuracy": label_accuracy(self.judge, x, y), **unconditional_numbers(self.judge, x),
                "frechet_distance": self.frechet(train), "relative_sharpness": self.sharpness(train),
                "within_label_variety": within_label_variety(x, y)}


def generated_digits(samples: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The ``gen_0`` .. ``gen_9`` arrays of ``samples.npz`` as one batch, and their requested labels."""
    images = np.concatenate([samples[f"gen_{c}"] for c in range(10)])
    return images, np.repeat(np.arange(10), [len(samples[f"gen_{c}"]) for c in range(10)])


def _read_as_label(judge: keras.Model, samples: Mapping[str, np.ndarray], label: int) -> float:
    """The share of ``samples[f"gen_{label}"]`` the judge reads as ``label``."""
    return label_accuracy(judge, samples[f"gen_{label}"], np.full(len(samples[f"gen_{label}"]), label))


def conditional_scores(samples: Mapping[str, np.ndarray], real: RealDigits) -> dict:
    """Scores of ``gen_0`` .. ``gen_9`` (each ``(n, 28, 28)``, the digits drawn for that label)."""
    per_label = [_read_as_label(real.judge, samples, c) for c in range(10)]
    images, labels = generated_digits(samples)
    return {"label_accuracy": label_accuracy(real.judge, images, labels), "per_label": per_label,
            "frechet_distance": real.frechet(images), "relative_sharpness": real.sharpness(images),
            "within_label_variety": within_label_variety(images, labels)}


def style_transfer_accuracy(judge: keras.Model, style: np.ndarray) -> float:
    """The share of ``style[d, i]`` (input ``i`` drawn as digit ``d``) read as ``d``."""
    style = np.asarray(style)
    return label_accuracy(judge, style.reshape(-1, *style.shape[2:]), np.repeat(np.arange(len(style)), style.shape[1]))


def style_numbers(z_meaner: keras.Model, decoder: Decoder, digits: MnistDigits, reconstructed: np.ndarray,
                  source_label: int = 7) -> dict[str, dict[str, float]]:
    """Slant and stroke-width correlations of reconstructions (``reconstructed``: the first
    :data:`CONTRACT_SAMPLES` test digits') and of every test ``source_label`` drawn as the other digits."""
    sources = digits.x_test[digits.y_test == source_label]
    transferred = style_transfer(z_meaner, decoder, sources, source_label)
    return {"reconstruction": style_correlations(digits.x_test[:CONTRACT_SAMPLES], reconstructed,
                                                 digits.y_test[:CONTRACT_SAMPLES]),
            "transfer": transfer_correlations(sources, transferred, source_label)}


def compare_generators(generators: Mapping[str, tuple[keras.Model, Decoder]], judge: keras.Model,
                       digits: MnistDigits, latent_dim: int, seed: int = CONTRACT_SEED) -> tuple[dict, dict]:
    """``(comparison, samples)`` of ``{name: (z_meaner, decoder)}``: each one's ``samples.npz`` arrays and numbers
    (:func:`conditional_scores`, ``style_transfer_accuracy``, ``reconstruction``, ``style``, ``z_kl_by_label``: per
    label, the KL from N(0, I) of its test digits' z_mean), and the ``"real"`` row (:meth:`RealDigits.scores`);
    ``seed`` draws the samples (:func:`~keras_autoencoders.generate.digits.contract_samples`)."""
    real = RealDigits(judge, digits)
    comparison: dict = {"real": real.scores()}
    samples = {}
    shown, shown_labels = digits.x_test[:CONTRACT_SAMPLES], digits.y_test[:CONTRACT_SAMPLES]
    for name, (z_meaner, decoder) in generators.items():
        arrays = samples[name] = contract_samples(z_meaner, decoder, latent_dim, digits.x_train, digits.y_train,
                                                  digits.x_test, digits.y_test, seed)
        z_test = z_means(z_meaner, digits.x_test, digits.y_test, batch_size=1000)
        z_kl = [gaussian_kl_to_standard_normal(z_test[digits.y_test == c]) for c in range(10)]
        comparison[name] = {**conditional_scores(arrays, real),
                            "style_transfer_accuracy": style_transfer_accuracy(judge, arrays["style"]),
                            "reconstruction": style_retention(shown, arrays["rec"], shown_labels),
                            "style": style_numbers(z_meaner, decoder, digits, arrays["rec"]), "z_kl_by_label": z_kl}
    return comparison, samples


def reconstruction_scores(reconstructed: np.ndarray, real: RealDigits) -> dict:
    """``reconstructed[i]`` is test digit ``i`` decoded again: the judge's accuracy, BCE and MSE."""
    count = len(reconstructed)
    original = real.digits.x_test[:count].reshape(count, -1).astype(np.float64)
    r = np.asarray(reconstructed, dtype=np.float64).reshape(count, -1)
    clipped = np.clip(r, 1e-7, 1 - 1e-7)  # log(0) guard, as Keras' binary cross-entropy has
    bce = -(original * np.log(clipped) + (1 - original) * np.log(1 - clipped)).mean()
    return {"accuracy": label_accuracy(real.judge, reconstructed, real.digits.y_test[:count]),
            "bce": float(bce), "mse": float(((r - original) ** 2).mean())}


def unconditional_numbers(judge: keras.Model, images: np.ndarray, threshold: float = CONFIDENCE_THRESHOLD) -> dict:
    """How a judge reads digits drawn without a label (the study's "some look good"): the ``confident_fraction``
    (probability >= ``threshold``), overall and per digit read (``by_digit[d]``, with its ``share``; None if 0)."""
    digit, confident = confident_readings(judge, images, threshold)
    by_digit = {}
    for d in range(10):
        read = digit == d
        by_digit[str(d)] = {"share": float(read.mean()),
                            "confident_fraction": float(confident[read].mean()) if read.any() else None}
    return {"threshold": threshold, "confident_fraction": float(confident.mean()), "by_digit": by_digit}


#: Array names within one generator's share of ``samples.npz`` (after its prefix).
_PARTS = re.compile(r"^(?P<prefix>(?:\w+?_)?)(?P<part>gen_\d|rec|style|prior)$")


def generator_arrays(samples: Mapping[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """The arrays of ``samples.npz`` by generator: ``gen_*``, ``rec``, ``style``, ``prior`` under ``"samples"``,
    ``NAME_gen_*``, ``NAME_rec``, ... under ``NAME``."""
    groups: dict[str, dict[str, np.ndarray]] = {}
    for key in samples:
        match = _PARTS.match(key)
        if match:
            name = match["prefix"].rstrip("_") or "samples"
            groups.setdefault(name, {})[match["part"]] = samples[key]
    return groups


def score_generator(arrays: Mapping[str, np.ndarray], real: RealDigits) -> dict:
    """Every score one generator's arrays allow: ``conditional`` (``gen_0`` .. ``gen_9``), ``style``, ``reconstruction``
    (``rec``) and ``unconditional`` (``prior``: :func:`unconditional_numbers`, Fréchet distance, sharpness)."""
    scores: dict = {}
    if all(f"gen_{c}" in arrays for c in range(10)):
        scores["conditional"] = conditional_scores(arrays, real)
    if "style" in arrays:
        scores["style"] = {"accuracy": style_transfer_accuracy(real.judge, arrays["style"])}
    if "rec" in arrays:
        scores["reconstruction"] = reconstruction_scores(arrays["rec"], real)
    if "prior" in arrays:
        prior = arrays["prior"]
        scores["unconditional"] = {**unconditional_numbers(real.judge, prior), "frechet_distance": real.frechet(prior),
                                   "relative_sharpness": real.sharpness(prior)}
    return scores


def score_samples(samples: Mapping[str, np.ndarray], real: RealDigits) -> dict[str, dict]:
    """:func:`score_generator` for each generator of one ``samples.npz`` (:func:`generator_arrays`)."""
    return {name: score_generator(arrays, real) for name, arrays in generator_arrays(samples).items()}


def on_demand_numbers(judge: keras.Model, samples: Mapping[str, np.ndarray],
                      labels: tuple[int, ...] = (5, 7)) -> dict[str, float]:
    """The study's digits on demand: ``read_as_<label>``, the share of ``gen_<label>`` read as that label, for each
    of ``labels``, and ``all_labels`` over every ``gen_*`` array."""
    numbers = {f"read_as_{d}": _read_as_label(judge, samples, d) for d in labels}
    numbers["all_labels"] = label_accuracy(judge, *generated_digits(samples))
    return numbers


def unconditional_vae_numbers(vae: keras.Model, judge: keras.Model, digits: MnistDigits, test_loss: float,
                              seed: int = 0) -> tuple[dict[str, np.ndarray], dict, np.ndarray]:
    """A VAE without labels (the study's 5-d and conv VAEs): its ``samples.npz`` arrays, its numbers (``test_loss``,
    :func:`unconditional_numbers`, ``reconstructions_read_as_input``, ``knn_accuracy``) and its test codes; ``seed``
    draws the prior codes and the energy distance's reference."""
    parts = vae.article_models()
    samples = unconditional_samples(parts["z_meaner"], parts["decoder"], vae.latent_dim, digits.x_test, seed)
    read_as_input = label_accuracy(judge, samples["rec"], digits.y_test[:len(samples["rec"])])
    code_space, codes = code_space_numbers(parts["z_meaner"], digits.x_train, digits.y_train, digits.x_test,
                                           digits.y_test, seed)
    numbers = {"test_loss": test_loss, "reconstructions_read_as_input": read_as_input,
               "knn_accuracy": code_space["knn_accuracy"], **unconditional_numbers(judge, samples["prior"])}
    return samples, numbers, codes
