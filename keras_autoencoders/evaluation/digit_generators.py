"""Generated digits scored against real ones (Part 4 and Part 6, "Результаты"): one path for every number.

The judge is a classifier ``keras.Model`` (the digit judge's ``model``,
:mod:`~keras_autoencoders.evaluation.digit_judge`); label accuracy is
:func:`~keras_autoencoders.evaluation.judges.label_accuracy`; the reference is the real test
digits (:class:`RealDigits`): sharpness is over theirs, the Fréchet distance is to the judge's
features of them. Test digits, not training digits: the generators and the judge were fitted to
the training digits and the reconstructions are of test digits, so every number compares with one
held-out set. The real row measures 10,000 training digits against them (two real sets' gap).

* :func:`compare_generators` (the tutorials' ``results.json``): per conditional generator its
  :func:`conditional_scores` (``label_accuracy``, ``per_label``, ``frechet_distance``,
  ``relative_sharpness``, ``within_label_variety``), ``style_transfer_accuracy`` (ten 7s drawn as
  every digit, read as the target digit), ``reconstruction`` (squared errors,
  :func:`~keras_autoencoders.evaluation.image_metrics.style_retention`), ``style`` (slant and
  stroke-width correlations, :func:`style_numbers`) and ``z_kl_by_label``; and the ``real`` row.
* :func:`score_samples` (the report's ``scores.json``): every score the arrays of any
  ``samples.npz`` allow, per generator (:func:`generator_arrays`).
* Generators without a label (a VAE drawing from N(0, I)): :func:`unconditional_numbers`, the
  share of digits the judge reads with confidence, overall and per digit it reads.
"""
from __future__ import annotations

import re
from typing import Mapping

import keras
import numpy as np

from keras_autoencoders.data.mnist import MnistDigits
from keras_autoencoders.evaluation.digit_judge import FEATURES_LAYER
from keras_autoencoders.evaluation.frechet import frechet_distance
from keras_autoencoders.evaluation.image_metrics import relative_sharpness, style_retention, within_label_variety
from keras_autoencoders.evaluation.judges import CONFIDENCE_THRESHOLD, confident_readings, label_accuracy
from keras_autoencoders.evaluation.latent_metrics import code_space_numbers, gaussian_kl_to_standard_normal
from keras_autoencoders.evaluation.style_metrics import style_correlations, transfer_correlations
from keras_autoencoders.generate.digits import CONTRACT_SAMPLES, contract_samples, style_transfer, unconditional_samples
from keras_autoencoders.generate.manifold import Decoder, z_means

#: Training digits measured against the test digits in the real row.
REFERENCE_TRAIN_DIGITS = 10_000
_EPS = 1e-7


class RealDigits:
    """The reference of every score: the test digits, with the ``judge``'s features of them."""

    def __init__(self, judge: keras.Model, digits: MnistDigits):
        self.judge, self.digits = judge, digits
        self._features = keras.Model(judge.inputs, judge.get_layer(FEATURES_LAYER).output)
        self.test_features = self.features(digits.x_test)

    def features(self, images: np.ndarray) -> np.ndarray:
        """``(N, 128)`` activations of the judge's ``features`` layer (for Fréchet distances)."""
        x = np.asarray(images, dtype="float32")
        return self._features.predict(x.reshape(len(x), 28, 28, 1), batch_size=1000, verbose=0).astype(np.float64)

    def frechet(self, images: np.ndarray) -> float:
        """Fréchet distance between the judge's features of ``images`` and of the test digits."""
        return frechet_distance(self.features(images), self.test_features)

    def sharpness(self, images: np.ndarray) -> float:
        """Sharpness of ``images`` over the test digits' (1 = as sharp)."""
        return relative_sharpness(images, self.digits.x_test)

    def scores(self) -> dict:
        """The real row: the judge on the test digits, the first training digits against them."""
        train, x, y = self.digits.x_train[:REFERENCE_TRAIN_DIGITS], self.digits.x_test, self.digits.y_test
        return {"label_accuracy": label_accuracy(self.judge, x, y),
                "confident_fraction": float(confident_readings(self.judge, x)[1].mean()),
                "frechet_distance": self.frechet(train), "relative_sharpness": self.sharpness(train),
                "within_label_variety": within_label_variety(x, y)}


def generated_digits(samples: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The ``gen_0`` .. ``gen_9`` arrays of ``samples.npz`` as one batch, and their requested labels."""
    images = np.concatenate([samples[f"gen_{c}"] for c in range(10)])
    return images, np.repeat(np.arange(10), [len(samples[f"gen_{c}"]) for c in range(10)])


def conditional_scores(samples: Mapping[str, np.ndarray], real: RealDigits) -> dict:
    """Scores of ``gen_0`` .. ``gen_9`` (each ``(n, 28, 28)``, the digits drawn for that label)."""
    per_label = [label_accuracy(real.judge, samples[f"gen_{c}"], np.full(len(samples[f"gen_{c}"]), c))
                 for c in range(10)]
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
    return {"reconstruction": style_correlations(digits.x_test[:CONTRACT_SAMPLES], reconstructed,
                                                 digits.y_test[:CONTRACT_SAMPLES]),
            "transfer": transfer_correlations(sources, style_transfer(z_meaner, decoder, sources, source_label),
                                              source_label)}


def compare_generators(generators: Mapping[str, tuple[keras.Model, Decoder]], judge: keras.Model,
                       digits: MnistDigits, latent_dim: int) -> tuple[dict, dict]:
    """``(comparison, samples)`` of conditional generators (a ``z_meaner`` and a ``decoder`` each, by
    name): each one's ``samples.npz`` arrays (:func:`~keras_autoencoders.generate.digits.contract_samples`)
    and numbers (see the module), with ``comparison["real"]``, the real row (:meth:`RealDigits.scores`).
    ``z_kl_by_label``: per label, the KL divergence from N(0, I) of a Gaussian fitted to its test
    digits' z_mean (near 0 when the label's z is distributed as the prior)."""
    real = RealDigits(judge, digits)
    comparison: dict = {"real": real.scores()}
    samples = {}
    shown, shown_labels = digits.x_test[:CONTRACT_SAMPLES], digits.y_test[:CONTRACT_SAMPLES]
    for name, (z_meaner, decoder) in generators.items():
        arrays = samples[name] = contract_samples(z_meaner, decoder, latent_dim, digits.x_train, digits.y_train,
                                                  digits.x_test, digits.y_test)
        z_test = z_means(z_meaner, digits.x_test, digits.y_test, batch_size=1000)
        comparison[name] = {**conditional_scores(arrays, real),
                            "style_transfer_accuracy": style_transfer_accuracy(judge, arrays["style"]),
                            "reconstruction": style_retention(shown, arrays["rec"], shown_labels),
                            "style": style_numbers(z_meaner, decoder, digits, arrays["rec"]),
                            "z_kl_by_label": [gaussian_kl_to_standard_normal(z_test[digits.y_test == c])
                                              for c in range(10)]}
    return comparison, samples


def reconstruction_scores(reconstructed: np.ndarray, real: RealDigits) -> dict:
    """``reconstructed[i]`` is test digit ``i`` decoded again: the judge's accuracy, BCE and MSE."""
    count = len(reconstructed)
    original = real.digits.x_test[:count].reshape(count, -1).astype(np.float64)
    r = np.asarray(reconstructed, dtype=np.float64).reshape(count, -1)
    clipped = np.clip(r, _EPS, 1 - _EPS)  # log(0) guard, as Keras' binary cross-entropy has
    bce = -(original * np.log(clipped) + (1 - original) * np.log(1 - clipped)).mean()
    return {"accuracy": label_accuracy(real.judge, reconstructed, real.digits.y_test[:count]),
            "bce": float(bce), "mse": float(((r - original) ** 2).mean())}


def unconditional_numbers(judge: keras.Model, images: np.ndarray,
                          threshold: float = CONFIDENCE_THRESHOLD) -> dict:
    """How a judge reads digits drawn without a label (the study's "some look good").

    ``confident_fraction``: the share of ``images`` whose most likely digit has
    probability >= ``threshold``. ``by_digit[d]``: ``share``, the fraction read as
    ``d`` at all, and ``confident_fraction``, the fraction of those read confidently
    (None when no image is read as ``d``). Measure real test digits the same way
    for the reference.
    """
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
    """The arrays of ``samples.npz`` grouped by generator: ``gen_*``, ``rec``, ``style`` and
    ``prior`` under the name ``"samples"``, and ``NAME_gen_*``, ``NAME_rec``, ... under ``NAME``."""
    groups: dict[str, dict[str, np.ndarray]] = {}
    for key in samples:
        match = _PARTS.match(key)
        if match:
            name = match["prefix"].rstrip("_") or "samples"
            groups.setdefault(name, {})[match["part"]] = samples[key]
    return groups


def score_generator(arrays: Mapping[str, np.ndarray], real: RealDigits) -> dict:
    """Every score one generator's arrays allow: ``conditional`` (all of ``gen_0`` .. ``gen_9``),
    ``style`` (its ``accuracy``), ``reconstruction`` (``rec``: :func:`reconstruction_scores`) and
    ``unconditional`` (``prior``: :func:`unconditional_numbers`, Fréchet distance, sharpness)."""
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
    """The study's digits on demand: for each of ``labels``, ``read_as_<label>``, the share of the
    conditional model's ``gen_<label>`` digits the judge reads as that label; and
    ``all_labels``, the share over every ``gen_*`` array (:func:`generated_digits`)."""
    numbers = {f"read_as_{d}": label_accuracy(judge, samples[f"gen_{d}"], np.full(len(samples[f"gen_{d}"]), d))
               for d in labels}
    numbers["all_labels"] = label_accuracy(judge, *generated_digits(samples))
    return numbers


def unconditional_vae_numbers(vae: keras.Model, judge: keras.Model, digits: MnistDigits, test_loss: float,
                              seed: int = 0) -> tuple[dict[str, np.ndarray], dict, np.ndarray]:
    """A VAE without labels (the study's 5-d VAE and conv VAE): its ``samples.npz`` arrays
    (:func:`~keras_autoencoders.generate.digits.unconditional_samples`), its numbers and its
    test codes (z_mean of every test digit).

    The numbers: its ``test_loss``; how the judge reads its digits from N(0, I)
    (:func:`unconditional_numbers`); ``reconstructions_read_as_input``, the share of its first
    1,000 test reconstructions read as the input's label; and ``knn_accuracy``, how well its codes
    keep the digits apart (:func:`~keras_autoencoders.evaluation.latent_metrics.code_space_numbers`,
    with ``seed``). ``vae`` offers ``article_models()`` and ``latent_dim``."""
    parts = vae.article_models()
    samples = unconditional_samples(parts["z_meaner"], parts["decoder"], vae.latent_dim, digits.x_test)
    read_as_input = label_accuracy(judge, samples["rec"], digits.y_test[:len(samples["rec"])])
    code_space, codes = code_space_numbers(parts["z_meaner"], digits.x_train, digits.y_train, digits.x_test,
                                           digits.y_test, seed)
    return samples, {"test_loss": test_loss, "reconstructions_read_as_input": read_as_input,
                     "knn_accuracy": code_space["knn_accuracy"],
                     **unconditional_numbers(judge, samples["prior"])}, codes
