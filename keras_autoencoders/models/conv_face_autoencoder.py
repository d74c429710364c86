"""The faces study's conv autoencoder and its VAE twin (seed 000 F0.1; slides S2.4). It trains "a simple architecture
with three convolutional and two linear layers" and "deliberately chose a small latent vector, so that the encoder
cannot keep whole pictures and has to encode the most important parts of a face", without sizes. Ours: three conv +
pooling blocks (:data:`CONV_FILTERS`, ELU) and a linear Dense code, mirrored by a Dense and stride-2 transposed convs.
The VAE ("a convolutional VAE trained on celebrity faces generates new faces") has (z_mean, z_log_var) heads instead."""
from __future__ import annotations

import keras
from keras import layers

from keras_autoencoders.models.dense_autoencoder import built_vae, latent_heads, seeded_glorot_uniform
from keras_autoencoders.models.vae import VariationalAutoencoder

CONV_FILTERS = (32, 64, 128)  #: The encoder's conv blocks' filters (the decoder's deconvs reverse the first two).
DEFAULT_CODE_DIM = 32  #: The study's "small" code.
DEFAULT_IMAGE_SIZE = 32  #: Side of the faces fed to the models.


def _encoder_trunk(image_size: int, seed: int | None):
    """Image input and the flattened output of the three conv blocks; the next free seed offset."""
    factor = 2 ** len(CONV_FILTERS)
    if image_size < factor or image_size % factor:
        raise ValueError(f"image_size must be a positive multiple of {factor}, got {image_size}")
    image = keras.Input((image_size, image_size, 3), name="image")
    x = image
    for i, filters in enumerate(CONV_FILTERS):
        x = layers.Conv2D(filters, 3, padding="same", activation="elu", name=f"enc_conv{i + 1}",
                          kernel_initializer=seeded_glorot_uniform(seed, i))(x)
        x = layers.MaxPooling2D(2, name=f"enc_pool{i + 1}")(x)
    return image, layers.Flatten(name="enc_flatten")(x), len(CONV_FILTERS)


def _decoder(code_dim: int, image_size: int, seed: int | None, offset: int, input_name: str) -> keras.Model:
    side, code = image_size // 2 ** len(CONV_FILTERS), keras.Input((code_dim,), name=input_name)
    x = layers.Dense(side * side * CONV_FILTERS[-1], activation="elu", name="dec_dense",
                     kernel_initializer=seeded_glorot_uniform(seed, offset))(code)
    x = layers.Reshape((side, side, CONV_FILTERS[-1]), name="dec_reshape")(x)
    out_filters = (*reversed(CONV_FILTERS[:-1]), 3)
    for i, filters in enumerate(out_filters):
        last = i == len(out_filters) - 1
        x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation=None if last else "elu",
                                   name="dec_logits" if last else f"dec_deconv{i + 1}",
                                   kernel_initializer=seeded_glorot_uniform(seed, offset + 1 + i))(x)
    return keras.Model(code, layers.Activation("sigmoid", name="dec_image")(x), name="decoder")


def build_face_autoencoder(image_size: int = DEFAULT_IMAGE_SIZE, code_dim: int = DEFAULT_CODE_DIM,
                           seed: int | None = None) -> keras.Model:
    """The study's conv autoencoder of faces ``(image_size, image_size, 3)`` in [0, 1], not compiled (the study trains
    on the pixels' MSE), with sub-models ``"encoder"`` and ``"decoder"``; ``seed`` seeds every kernel initializer."""
    image, x, offset = _encoder_trunk(image_size, seed)
    code = layers.Dense(code_dim, name="code", kernel_initializer=seeded_glorot_uniform(seed, offset))(x)
    encoder = keras.Model(image, code, name="encoder")
    decoder = _decoder(code_dim, image_size, seed, offset + 1, "code")
    inputs = keras.Input((image_size, image_size, 3), name="face")
    return keras.Model(inputs, decoder(encoder(inputs)), name="face_autoencoder")


def build_face_vae(image_size: int = DEFAULT_IMAGE_SIZE, latent_dim: int = DEFAULT_CODE_DIM,
                   seed: int | None = None, precision: str = "float32") -> VariationalAutoencoder:
    """The same encoder and decoder with a VAE head (slides S2.4) on Part 4's loss (``built_vae``)."""
    image, x, offset = _encoder_trunk(image_size, seed)
    encoder_net = keras.Model(image, latent_heads(x, latent_dim, seed, offset), name="encoder_net")
    decoder = _decoder(latent_dim, image_size, seed, offset + 2, "z")
    return built_vae(encoder_net, decoder, seed, "face_vae", precision)
