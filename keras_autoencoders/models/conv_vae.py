"""The convolutional VAE of the MNIST study (seed 000).

The study uses "всего по два свёрточных слоя на энкодер и декодер" (only two
convolutional layers in the encoder and two in the decoder) and gives no sizes.
The sizes below are those of the classic Keras convolutional VAE example on MNIST:

- encoder: (28, 28, 1) -> Conv2D 32 3x3 stride 2 relu -> Conv2D 64 3x3 stride 2
  relu -> flatten -> Dense 16 relu -> (z_mean, z_log_var), ``latent_dim`` each;
- decoder: z -> Dense 7*7*64 relu -> reshape (7, 7, 64) -> Conv2DTranspose 64
  3x3 stride 2 relu -> Conv2DTranspose 32 3x3 stride 2 relu -> Conv2D 1 3x3
  "same" (the logits, layer ``"dec_logits"``) -> sigmoid.

The decoder's third convolution is its output layer, the 1-channel 3x3 conv that turns the
32 feature maps into the image's logits; its hidden convolutions are the two transposed
ones, as the study's "two convolutional layers" in each net (the study gives no code, and
the classic example it follows ends the same way). All convolutions pad "same", so
28 -> 14 -> 7 and back. The model is a
:class:`~keras_autoencoders.models.vae.VariationalAutoencoder`: Part 4's loss
(per-pixel BCE + KL) and training step, fitted on images alone.
"""
from __future__ import annotations

import keras
from keras import layers

from keras_autoencoders.models.precision import set_precision
from keras_autoencoders.models.dense_autoencoder import seeded_glorot_uniform
from keras_autoencoders.models.vae import Sampling, VariationalAutoencoder

IMAGE_SHAPE = (28, 28, 1)
#: Filters of the encoder's two stride-2 convs (the decoder's transposed convs reverse them).
CONV_FILTERS = (32, 64)
#: Units of the dense layer before the latent heads.
HIDDEN_UNITS = 16


def build_conv_vae(latent_dim: int = 2, seed: int | None = None, precision: str = "float32") -> VariationalAutoencoder:
    """The study's conv VAE on MNIST, built (all weights created), not compiled.

    ``seed`` seeds every kernel initializer and the sampling noise (None: Keras' global seed).
    ``precision``: ``"float32"`` or ``"mixed_bfloat16"`` (bfloat16 arithmetic, float32 weights;
    the heads the loss reads stay float32, :mod:`keras_autoencoders.models.precision`).
    """
    model = _conv_vae(latent_dim, seed)
    model(keras.ops.zeros((1, *IMAGE_SHAPE)))  # build all weights
    return set_precision(model, precision)


def _conv_vae(latent_dim: int, seed: int | None) -> VariationalAutoencoder:
    def init(offset: int):
        return seeded_glorot_uniform(seed, offset)

    image = keras.Input(IMAGE_SHAPE, name="image")
    x = image
    for i, filters in enumerate(CONV_FILTERS):
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu",
                          name=f"enc_conv{i + 1}", kernel_initializer=init(i))(x)
    x = layers.Flatten(name="enc_flatten")(x)
    x = layers.Dense(HIDDEN_UNITS, activation="relu", name="enc_dense", kernel_initializer=init(2))(x)
    z_mean = layers.Dense(latent_dim, name="z_mean", kernel_initializer=init(3))(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var", kernel_initializer=init(4))(x)
    encoder_net = keras.Model(image, [z_mean, z_log_var], name="encoder_net")

    side = IMAGE_SHAPE[0] // 2 ** len(CONV_FILTERS)
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(side * side * CONV_FILTERS[-1], activation="relu", name="dec_dense",
                     kernel_initializer=init(5))(z)
    x = layers.Reshape((side, side, CONV_FILTERS[-1]), name="dec_reshape")(x)
    for i, filters in enumerate(reversed(CONV_FILTERS)):
        x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu",
                                   name=f"dec_deconv{i + 1}", kernel_initializer=init(6 + i))(x)
    logits = layers.Conv2D(IMAGE_SHAPE[-1], 3, padding="same", name="dec_logits",
                           kernel_initializer=init(8))(x)
    decoder = keras.Model(z, layers.Activation("sigmoid", name="dec_image")(logits), name="decoder")
    return VariationalAutoencoder(encoder_net, decoder, Sampling(seed=seed, name="sampling"),
                                  name="conv_vae")
