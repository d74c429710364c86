"""The conv VAE of the MNIST study (seed 000), which uses "всего по два свёрточных слоя на энкодер и декодер" (only two
conv layers in the encoder and two in the decoder) and gives no sizes; these are the classic Keras conv VAE example's,
its 3x3 conv giving the logits (``"dec_logits"``) before the sigmoid. All pad "same": 28 -> 14 -> 7 and back."""
from __future__ import annotations

import keras
from keras import layers

from keras_autoencoders.models.dense_autoencoder import built_vae, latent_heads, seeded_glorot_uniform
from keras_autoencoders.models.vae import VariationalAutoencoder

IMAGE_SHAPE = (28, 28, 1)
CONV_FILTERS = (32, 64)  #: Filters of the encoder's two stride-2 convs (the decoder's transposed convs reverse them).
HIDDEN_UNITS = 16  #: Units of the dense layer before the latent heads.


def build_conv_vae(latent_dim: int = 2, seed: int | None = None, precision: str = "float32") -> VariationalAutoencoder:
    """The study's conv VAE on MNIST (:func:`~keras_autoencoders.models.dense_autoencoder.built_vae`); ``seed``
    seeds every kernel initializer and the sampling noise (None: Keras' global seed)."""
    def init(offset: int):
        return seeded_glorot_uniform(seed, offset)

    image = keras.Input(IMAGE_SHAPE, name="image")
    x = image
    for i, filters in enumerate(CONV_FILTERS):
        x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu",
                          name=f"enc_conv{i + 1}", kernel_initializer=init(i))(x)
    x = layers.Flatten(name="enc_flatten")(x)
    x = layers.Dense(HIDDEN_UNITS, activation="relu", name="enc_dense", kernel_initializer=init(2))(x)
    encoder_net = keras.Model(image, latent_heads(x, latent_dim, seed, 3), name="encoder_net")

    side, z = IMAGE_SHAPE[0] // 2 ** len(CONV_FILTERS), keras.Input((latent_dim,), name="z")
    x = layers.Dense(side * side * CONV_FILTERS[-1], activation="relu", name="dec_dense", kernel_initializer=init(5))(z)
    x = layers.Reshape((side, side, CONV_FILTERS[-1]), name="dec_reshape")(x)
    for i, filters in enumerate(reversed(CONV_FILTERS)):
        x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu",
                                   name=f"dec_deconv{i + 1}", kernel_initializer=init(6 + i))(x)
    logits = layers.Conv2D(IMAGE_SHAPE[-1], 3, padding="same", name="dec_logits", kernel_initializer=init(8))(x)
    decoder = keras.Model(z, layers.Activation("sigmoid", name="dec_image")(logits), name="decoder")
    return built_vae(encoder_net, decoder, seed, "conv_vae", precision)
