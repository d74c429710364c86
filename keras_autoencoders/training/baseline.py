"""The Part 4 CVAE trained as long as a Part 6 run, as the article's baseline ("Результаты").

Part 6 compares its CVAE+GAN with the Part 4 CVAE. For a fair comparison the CVAE
gets as many optimiser steps as the CVAE+GAN's encoder and decoder had, on
batches of the same size, drawn from the same training digits: fit
:func:`baseline_cvae` on :func:`baseline_batches` for one epoch of that many steps.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras_autoencoders.arrays import one_hot
from keras_autoencoders.models.vae import VariationalAutoencoder, build_part4_cvae


def baseline_cvae(latent_dim: int = 8, learning_rate: float = 1e-3, seed: int = 0) -> VariationalAutoencoder:
    """The Part 4 CVAE, compiled with Adam(``learning_rate``)."""
    cvae = build_part4_cvae(latent_dim=latent_dim, seed=seed)
    cvae.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return cvae


def baseline_batches(images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int = 0) -> tf.data.Dataset:
    """Endless shuffled batches of ``((images, one-hot labels),)``, the CVAE's ``x``; ``labels`` are integers."""
    return (tf.data.Dataset.from_tensor_slices(((images, one_hot(labels)),))
            .shuffle(len(images), seed=seed).repeat().batch(batch_size))
