"""Digits on demand from a conditional decoder, as Part 4's results (every label from the same N(0, I) codes, and
"Перенос стиля"), and the ``samples.npz`` arrays every MNIST tutorial writes (`docs/results-files.md`)."""
from __future__ import annotations

from typing import Any, Sequence

import keras
import numpy as np

from keras_autoencoders.arrays import one_hot
from keras_autoencoders.generate.manifold import Decoder, decode_as_each_label, decode_with_labels

CONTRACT_SAMPLES = 1000  #: Draws per label in ``samples.npz``.
CONTRACT_SEED = 0  #: The seed of their codes.


def prior_codes(count: int, latent_dim: int, seed: int = CONTRACT_SEED) -> np.ndarray:
    """``numpy.random.RandomState(seed).randn(count, latent_dim)`` as float32."""
    return np.random.RandomState(seed).randn(count, latent_dim).astype("float32")


def digits_from_prior(decoder: Decoder, latent_dim: int, labels: Sequence[int] = range(10),
                      count: int = CONTRACT_SAMPLES, seed: int = CONTRACT_SEED, num_classes: int = 10) -> np.ndarray:
    """``(len(labels), count, h, w)``: the same ``count`` N(0, I) codes decoded as each label, in one call."""
    decoded = decode_as_each_label(decoder, prior_codes(count, latent_dim, seed), labels, num_classes)
    return decoded.reshape(decoded.shape[:4])


def style_transfer(z_meaner: keras.Model, decoder: Decoder, images: np.ndarray, label_in: int,
                   labels_out: Sequence[int] = range(10), num_classes: int = 10) -> np.ndarray:
    """``(len(labels_out), len(images), h, w)``: ``images`` (all of digit ``label_in``) encoded to z_mean, row ``d``
    decoded as ``d`` (the article's ``style_t`` model, in one decoder call)."""
    z = np.asarray(z_meaner.predict_on_batch([images, one_hot(np.full(len(images), label_in), num_classes)]))
    decoded = decode_as_each_label(decoder, z, labels_out, num_classes)
    return decoded.reshape(decoded.shape[:4])


def reconstructions(z_meaner: keras.Model, decoder: Decoder, images: np.ndarray,
                    labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """``(N, h, w)``: z_mean of ``images`` decoded with their own ``labels`` (a sampled z when ``z_meaner`` is the
    article's sampling ``encoder``, as its ``cvae`` model)."""
    z = z_meaner.predict([images, one_hot(labels, num_classes)], batch_size=1000, verbose=0)
    return decode_with_labels(decoder, z, labels, num_classes)[..., 0]


def random_rows(count: int, chosen: int, seed: int, labels: np.ndarray | None = None,
                label: int | None = None) -> np.ndarray:
    """``chosen`` of ``count`` row numbers in a seeded random order (the article's ``np.random.permutation`` of the
    test set), optionally only rows whose ``labels`` equal ``label``."""
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


def contract_samples(z_meaner: keras.Model, decoder: Decoder, latent_dim: int, x_train: np.ndarray, y_train: np.ndarray,
                     x_test: np.ndarray, y_test: np.ndarray, seed: int = CONTRACT_SEED) -> dict[str, np.ndarray]:
    """The arrays of ``samples.npz``: ``gen_0`` .. ``gen_9``, ``rec`` and ``style`` (``x_*``: (N, 28, 28, 1) floats).
    Another ``seed`` is a new draw: other prior codes, and ten random training 7s for ``style`` (not the first ten)."""
    generated = digits_from_prior(decoder, latent_dim, seed=seed)
    samples = {f"gen_{c}": generated[c] for c in range(10)}
    samples["rec"] = reconstructions(z_meaner, decoder, x_test[:CONTRACT_SAMPLES], y_test[:CONTRACT_SAMPLES])
    sevens = (first_of_label(x_train, y_train, 7) if seed == CONTRACT_SEED
              else x_train[random_rows(len(x_train), 10, seed, y_train, 7)])
    samples["style"] = style_transfer(z_meaner, decoder, sevens, 7)
    return {k: v.astype("float32") for k, v in samples.items()}


def model_contract_samples(model: keras.Model, digits: Any, seed: int = CONTRACT_SEED) -> dict[str, np.ndarray]:
    """:func:`contract_samples` of a conditional VAE's ``article_models()`` on ``digits`` (an ``MnistDigits``)."""
    parts = model.article_models()
    return contract_samples(parts["z_meaner"], parts["decoder"], model.latent_dim, digits.x_train, digits.y_train,
                            digits.x_test, digits.y_test, seed)


def unconditional_samples(z_meaner: Decoder, decoder: Decoder, latent_dim: int,
                          x_test: np.ndarray, seed: int = CONTRACT_SEED) -> dict[str, np.ndarray]:
    """A VAE without labels in the ``samples.npz`` conventions: ``prior``, ``prior_codes(1000, latent_dim)`` decoded,
    and ``rec``, the first 1000 test digits decoded from their z_mean (each (1000, h, w))."""
    prior = np.asarray(decoder(prior_codes(CONTRACT_SAMPLES, latent_dim, seed)))
    rec = np.asarray(decoder(z_meaner.predict(x_test[:CONTRACT_SAMPLES], batch_size=1000, verbose=0)))
    return {"prior": prior[..., 0].astype("float32"), "rec": rec[..., 0].astype("float32")}
