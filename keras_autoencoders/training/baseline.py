"""Part 6's baseline ("Результаты"): the Part 4 CVAE given as many optimiser steps as the CVAE+GAN's encoder and decoder
had, on batches of the same size from the same digits."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from keras_autoencoders.arrays import one_hot
from keras_autoencoders.models.vae import VariationalAutoencoder, build_part4_cvae
from keras_autoencoders.training.compile import compile_with_adam


def baseline_cvae(latent_dim: int = 8, learning_rate: float = 1e-3, seed: int = 0) -> VariationalAutoencoder:
    """The Part 4 CVAE, compiled with Adam(``learning_rate``)."""
    return compile_with_adam(build_part4_cvae(latent_dim=latent_dim, seed=seed), learning_rate)


def baseline_batches(images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int = 0) -> tf.data.Dataset:
    """Endless shuffled batches of ``((images, one-hot labels),)``, the CVAE's ``x``; ``labels`` are integers."""
    return (tf.data.Dataset.from_tensor_slices(((images, one_hot(labels)),))
            .shuffle(len(images), seed=seed).repeat().batch(batch_size))
