"""Digits on demand from a conditional decoder: prior samples, reconstructions, style transfer.

Reproduces Part 4's results sections (digits of every label sampled from
N(0, I); "Перенос стиля": the first ten 7s of the training set re-drawn as
every digit) and fills the ``samples.npz`` contract that every MNIST
tutorial writes (`docs/results-files.md`).
"""
from __future__ import annotations

from typing import Any

import keras
import numpy as np

from keras_autoencoders.arrays import one_hot
from keras_autoencoders.generate.manifold import Decoder, decode_with_labels

#: Draws per label in ``samples.npz`` and the seed of their codes.
CONTRACT_SAMPLES = 1000
CONTRACT_SEED = 0


def prior_codes(count: int, latent_dim: int, seed: int = CONTRACT_SEED) -> np.ndarray:
    """``numpy.random.RandomState(seed).randn(count, latent_dim)`` as float32."""
    return np.random.RandomState(seed).randn(count, latent_dim).astype("float32")


def digits_from_prior(decoder: Decoder, latent_dim: int, labels=range(10),
                      count: int = CONTRACT_SAMPLES, seed: int = CONTRACT_SEED,
                      num_classes: int = 10) -> np.ndarray:
    """``(len(labels), count, h, w)``: the same ``count`` N(0, I) codes decoded as each label.

    One decoder call for all labels.
    """
    labels = list(labels)
    codes = prior_codes(count, latent_dim, seed)
    decoded = decode_with_labels(decoder, np.tile(codes, (len(labels), 1)),
                                 np.repeat(labels, count), num_classes)
    return decoded.reshape(len(labels), count, *decoded.shape[1:3])


def style_transfer(z_meaner: keras.Model, decoder: Decoder, images: np.ndarray, label_in: int,
                   labels_out=range(10), num_classes: int = 10) -> np.ndarray:
    """Encode ``images`` (all of digit ``label_in``) to z_mean and decode them as each label.

    Returns ``(len(labels_out), len(images), h, w)``: row ``d`` is every image drawn as ``d``
    (the article's ``style_t`` model, batched into one decoder call).
    """
    labels_out = list(labels_out)
    z = np.asarray(z_meaner.predict_on_batch([images, one_hot(np.full(len(images), label_in), num_classes)]))
    decoded = decode_with_labels(decoder, np.tile(z, (len(labels_out), 1)),
                                 np.repeat(labels_out, len(images)), num_classes)
    return decoded.reshape(len(labels_out), len(images), *decoded.shape[1:3])


def reconstructions(z_meaner: keras.Model, decoder: Decoder, images: np.ndarray,
                    labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Decode z_mean of ``images`` with their own ``labels``: ``(N, h, w)``."""
    z = z_meaner.predict([images, one_hot(labels, num_classes)], batch_size=1000, verbose=0)
    return decode_with_labels(decoder, z, labels, num_classes)[..., 0]


def sampled_reconstructions(encoder: keras.Model, decoder: Decoder, images: np.ndarray,
                            labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Decode a *sampled* z of ``images`` with their own ``labels`` (the article's ``cvae`` model): ``(N, h, w)``.

    ``encoder`` maps ``[image, one_hot_label]`` to a sampled z.
    """
    z = encoder.predict([images, one_hot(labels, num_classes)], batch_size=1000, verbose=0)
    return decode_with_labels(decoder, z, labels, num_classes)[..., 0]


def random_rows(count: int, chosen: int, seed: int, labels: np.ndarray | None = None, label: int | None = None) -> np.ndarray:
    """``chosen`` row numbers out of ``count``, in the order of a seeded random permutation (the
    article's ``np.random.permutation`` of the test set), optionally only rows whose ``labels`` equal ``label``."""
    order = np.random.default_rng(seed).permutation(count)
    if label is not None:
        order = order[np.asarray(labels)[order] == label]
    if len(order) < chosen:
        raise ValueError(f"only {len(order)} rows to choose from, {chosen} requested")
    return order[:chosen]


def first_of_label(images: np.ndarray, labels: np.ndarray, label: int, count: int = 10) -> np.ndarray:
    """The first ``count`` images of ``label``, in dataset order."""
    picked = images[np.asarray(labels) == label][:count]
    if len(picked) < count:
        raise ValueError(f"only {len(picked)} images of label {label}, {count} requested")
    return picked


def contract_samples(z_meaner: keras.Model, decoder: Decoder, latent_dim: int,
                     x_train: np.ndarray, y_train: np.ndarray,
                     x_test: np.ndarray, y_test: np.ndarray) -> dict[str, np.ndarray]:
    """The arrays of ``samples.npz``: ``gen_0`` .. ``gen_9``, ``rec`` and ``style``.

    ``x_*`` are float images (N, 28, 28, 1) in [0, 1], ``y_*`` integer labels.
    """
    generated = digits_from_prior(decoder, latent_dim)
    samples = {f"gen_{c}": generated[c] for c in range(10)}
    samples["rec"] = reconstructions(z_meaner, decoder, x_test[:CONTRACT_SAMPLES],
                                     y_test[:CONTRACT_SAMPLES])
    sevens = first_of_label(x_train, y_train, 7)
    samples["style"] = style_transfer(z_meaner, decoder, sevens, 7)
    return {k: v.astype("float32") for k, v in samples.items()}


def model_contract_samples(model: keras.Model, digits: Any) -> dict[str, np.ndarray]:
    """:func:`contract_samples` of a conditional VAE (its ``article_models()``' ``z_meaner`` and
    ``decoder``, its ``latent_dim``) on ``digits`` (a :class:`~keras_autoencoders.data.mnist.MnistDigits`)."""
    parts = model.article_models()
    return contract_samples(parts["z_meaner"], parts["decoder"], model.latent_dim, digits.x_train, digits.y_train,
                            digits.x_test, digits.y_test)


def unconditional_samples(z_meaner: Decoder, decoder: Decoder, latent_dim: int,
                          x_test: np.ndarray) -> dict[str, np.ndarray]:
    """A VAE without labels, in the ``samples.npz`` conventions: ``prior`` (1000, h, w), the
    contract codes ``prior_codes(1000, latent_dim)`` decoded, and ``rec`` (1000, h, w), the first
    1000 test digits decoded from their z_mean."""
    prior = np.asarray(decoder(prior_codes(CONTRACT_SAMPLES, latent_dim)))
    z = z_meaner.predict(x_test[:CONTRACT_SAMPLES], batch_size=1000, verbose=0)
    rec = np.asarray(decoder(z))
    return {"prior": prior[..., 0].astype("float32"), "rec": rec[..., 0].astype("float32")}
