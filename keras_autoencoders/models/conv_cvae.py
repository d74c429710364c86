"""The convolutional conditional VAE on CelebA ("VAE for dummies", "Нейронная сеть VAE"). The article prints no code:
two conv layers and pooling give Q(z | [x, c]) with a 16-d latent, a mirrored decoder P(x | [z, c]), c the face's 0/1
attributes (``CelebaIndex.conditions``). The sizes are ours. Each transposed conv of the decoder undoes one conv +
pooling stage, keeping it as cheap as the encoder (64- and 32-filter transposed convs then a 3-filter conv at 64x64 made
a CPU step about 4x slower). Departure: the article's encoder has "two convolutional layers and a pooling layer"; ours
pools after each, as one pooling would feed a 32x32x64 map to the Dense 256: 16.8 million weights (four times the 4.2
million here, twice the whole model's 8.5 million) for a code of 16 numbers."""
from __future__ import annotations

import keras
from keras import layers

from keras_autoencoders.models.dense_autoencoder import built_vae
from keras_autoencoders.models.vae import VariationalAutoencoder

LATENT_DIM = 16  #: The article's latent size.
CONV_FILTERS = (32, 64)  #: Filters of the two conv layers of the encoder (the decoder mirrors them).
HIDDEN_UNITS = 256  #: Units of the dense layer on each side of the latent code.


def _check_image_size(image_size: int) -> None:
    step = 2 ** len(CONV_FILTERS)
    if image_size <= 0 or image_size % step:
        raise ValueError(f"image_size must be a positive multiple of {step} (two poolings); got {image_size}")


def build_conv_encoder(num_conditions: int, image_size: int = 64, latent_dim: int = LATENT_DIM,
                       hidden: int = HIDDEN_UNITS) -> keras.Model:
    """``[image, condition] -> [z_mean, z_log_var]``: two conv + pooling stages, c joined before the latent layers."""
    _check_image_size(image_size)
    image = keras.Input((image_size, image_size, 3), name="image")
    condition = keras.Input((num_conditions,), name="condition")
    x = image
    for i, filters in enumerate(CONV_FILTERS):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"enc_conv{i + 1}")(x)
        x = layers.MaxPooling2D(2, name=f"enc_pool{i + 1}")(x)
    x = layers.Concatenate(name="enc_join_condition")([layers.Flatten()(x), condition])
    x = layers.Dense(hidden, activation="relu", name="enc_dense")(x)
    z_mean, z_log_var = layers.Dense(latent_dim, name="z_mean")(x), layers.Dense(latent_dim, name="z_log_var")(x)
    return keras.Model([image, condition], [z_mean, z_log_var], name="encoder_net")


def build_conv_decoder(num_conditions: int, image_size: int = 64, latent_dim: int = LATENT_DIM,
                       hidden: int = HIDDEN_UNITS) -> keras.Model:
    """``[z, condition] -> image`` in [0, 1]: the encoder mirrored, upsampling by stride-2 transposed convs."""
    _check_image_size(image_size)
    z, condition = keras.Input((latent_dim,), name="z"), keras.Input((num_conditions,), name="condition")
    side = image_size // 2 ** len(CONV_FILTERS)
    x = layers.Concatenate(name="dec_join_condition")([z, condition])
    x = layers.Dense(hidden, activation="relu", name="dec_dense")(x)
    x = layers.Dense(side * side * CONV_FILTERS[-1], activation="relu", name="dec_dense_grid")(x)
    x = layers.Reshape((side, side, CONV_FILTERS[-1]))(x)
    # Mirror the encoder's channels: 64 -> 32 -> 3 (the last stage gives the logits).
    for filters in reversed(CONV_FILTERS[:-1]):
        x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu",
                                   name=f"dec_deconv_{filters}")(x)
    logits = layers.Conv2DTranspose(3, 3, strides=2, padding="same", name="dec_logits")(x)
    return keras.Model([z, condition], layers.Activation("sigmoid", name="dec_image")(logits), name="decoder")


def build_celeba_cvae(num_conditions: int = 40, image_size: int = 64, latent_dim: int = LATENT_DIM,
                      hidden: int = HIDDEN_UNITS, seed: int | None = None,
                      precision: str = "float32") -> VariationalAutoencoder:
    """The CelebA conditional VAE (:func:`~keras_autoencoders.models.dense_autoencoder.built_vae`), fitted on
    ``((images, conditions),)``; ``seed`` seeds the sampling noise, ``keras.utils.set_random_seed`` the weights."""
    return built_vae(build_conv_encoder(num_conditions, image_size, latent_dim, hidden),
                     build_conv_decoder(num_conditions, image_size, latent_dim, hidden), seed, "celeba_cvae", precision)
