"""Scores for any ``samples.npz`` of the results contract, read by the digit judge.

The articles show digits and say what they are: "the requested digit" (Part 4,
"Результаты"; Part 6), "the style is kept" (Part 4, "Перенос стиля"), "sharper than
the CVAE's" (Part 6). For one run's samples this gives, beside the same numbers for
real test digits:

* ``conditional`` (``gen_0`` .. ``gen_9``): ``label_accuracy`` (the share the judge
  reads as the requested label, also ``per_label``), ``frechet_distance`` between the
  judge's features of the generated digits and of the test digits,
  ``relative_sharpness`` (over the real test digits' sharpness, computed here) and
  ``within_label_variety``;
* ``style`` (``style[d, i]``: input ``i`` drawn as ``d``): ``accuracy``, the share read as ``d``;
* ``reconstruction`` (``rec``, the first test digits decoded again): the judge's
  ``accuracy`` on them, and ``bce`` and ``mse`` per pixel to the originals;
* ``unconditional`` (``prior``, digits drawn without a label): ``confident_fraction``,
  ``frechet_distance`` and ``relative_sharpness``.

A ``samples.npz`` may hold several generators: ``NAME_gen_0``, ``NAME_rec``, ... belong
to generator ``NAME`` (:func:`generator_arrays`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from keras_autoencoders.data.mnist import MnistDigits
from keras_autoencoders.evaluation.digit_judge import DigitJudge
from keras_autoencoders.evaluation.frechet import frechet_distance
from keras_autoencoders.evaluation.image_metrics import image_sharpness, within_label_variety
from keras_autoencoders.evaluation.digit_generators import generated_digits, style_transfer_accuracy
from keras_autoencoders.evaluation.judges import CONFIDENCE_THRESHOLD, confident_readings

#: Training digits the test digits are compared with (the real-data Fréchet distance).
REFERENCE_TRAIN_DIGITS = 10_000
_EPS = 1e-7


@dataclass
class RealDigits:
    """The real test digits, measured once: the judge's features and their sharpness."""

    digits: MnistDigits
    judge: DigitJudge
    test_features: np.ndarray
    test_sharpness: float

    @classmethod
    def measure(cls, judge: DigitJudge, digits: MnistDigits) -> "RealDigits":
        return cls(digits, judge, judge.features(digits.x_test), image_sharpness(digits.x_test))

    def scores(self) -> dict:
        """The real-data row: the judge on test digits, test against training digits."""
        train = self.digits.x_train[:REFERENCE_TRAIN_DIGITS]
        _, confident = confident_readings(self.judge.model, self.digits.x_test)
        return {"label_accuracy": self.judge.accuracy(self.digits.x_test, self.digits.y_test),
                "confident_fraction": float(confident.mean()),
                "frechet_distance": frechet_distance(self.judge.features(train), self.test_features),
                "relative_sharpness": image_sharpness(train) / self.test_sharpness,
                "within_label_variety": within_label_variety(self.digits.x_test, self.digits.y_test)}

    def frechet(self, images: np.ndarray) -> float:
        return frechet_distance(self.judge.features(images), self.test_features)

    def sharpness(self, images: np.ndarray) -> float:
        return image_sharpness(images) / self.test_sharpness


def conditional_scores(samples: Mapping[str, np.ndarray], real: RealDigits) -> dict:
    """Scores of ``gen_0`` .. ``gen_9`` (each ``(n, 28, 28)``, the digits drawn for that label)."""
    per_label = [real.judge.accuracy(samples[f"gen_{c}"], np.full(len(samples[f"gen_{c}"]), c)) for c in range(10)]
    images, labels = generated_digits(samples)
    return {"label_accuracy": real.judge.accuracy(images, labels), "per_label": per_label,
            "frechet_distance": real.frechet(images), "relative_sharpness": real.sharpness(images),
            "within_label_variety": within_label_variety(images, labels)}


def style_accuracy(style: np.ndarray, judge: DigitJudge) -> float:
    """Share of ``style[d, i]`` read as ``d`` (:func:`style_transfer_accuracy` with the judge)."""
    return style_transfer_accuracy(judge.model, style)


def reconstruction_scores(reconstructed: np.ndarray, real: RealDigits) -> dict:
    """``reconstructed[i]`` is test digit ``i`` decoded again: the judge's accuracy, BCE and MSE."""
    count = len(reconstructed)
    original = real.digits.x_test[:count].reshape(count, -1).astype(np.float64)
    r = np.asarray(reconstructed, dtype=np.float64).reshape(count, -1)
    clipped = np.clip(r, _EPS, 1 - _EPS)  # log(0) guard, as Keras' binary cross-entropy has
    bce = -(original * np.log(clipped) + (1 - original) * np.log(1 - clipped)).mean()
    return {"accuracy": real.judge.accuracy(reconstructed, real.digits.y_test[:count]),
            "bce": float(bce), "mse": float(((r - original) ** 2).mean())}


def unconditional_scores(images: np.ndarray, real: RealDigits, threshold: float = CONFIDENCE_THRESHOLD) -> dict:
    """Digits drawn without a label: how many the judge reads confidently, and how real they look."""
    _, confident = confident_readings(real.judge.model, images, threshold)
    return {"confident_fraction": float(confident.mean()), "threshold": threshold,
            "frechet_distance": real.frechet(images), "relative_sharpness": real.sharpness(images)}


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
    ``style``, ``reconstruction`` (``rec``) and ``unconditional`` (``prior``)."""
    scores: dict = {}
    if all(f"gen_{c}" in arrays for c in range(10)):
        scores["conditional"] = conditional_scores(arrays, real)
    if "style" in arrays:
        scores["style"] = {"accuracy": style_accuracy(arrays["style"], real.judge)}
    if "rec" in arrays:
        scores["reconstruction"] = reconstruction_scores(arrays["rec"], real)
    if "prior" in arrays:
        scores["unconditional"] = unconditional_scores(arrays["prior"], real)
    return scores


def score_samples(samples: Mapping[str, np.ndarray], real: RealDigits) -> dict[str, dict]:
    """:func:`score_generator` for each generator of one ``samples.npz`` (:func:`generator_arrays`)."""
    return {name: score_generator(arrays, real) for name, arrays in generator_arrays(samples).items()}
