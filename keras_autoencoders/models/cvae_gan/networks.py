"""The three networks of Part 6 ("Автоэнкодеры в Keras, Часть 6: VAE + GAN", "Код"), in the article's layers and order:
every hidden layer is followed by ``LeakyReLU`` (Keras 2's slope 0.3) and ``Dropout`` 0.3 (the article's
``apply_bn_relu_and_dropout`` with its defaults: no batch norm); z is sampled with ``exp(clip(z_log_var / 2, -2, 2))``.

The article's discriminator head reads the tensor *before* the feature layer l (``l = Conv2D(16)(x)``, then
``x = apply_bn_relu_and_dropout(x)``): l is a side branch L_GAN never reaches, left at its initial weights, and the
head sees the conv-64 block activated twice. ``head="article"`` keeps this (preset ``"article"``, the default);
``head="feature"`` reads l (preset ``"corrected"``). Its ``add_units_to_conv2d`` tiles the global label instead of its
argument, but its only call passes that label, so :func:`tile_condition` computes the same."""
from __future__ import annotations

import keras
from keras import layers

from keras_autoencoders.models.vae import Sampling

IMAGE_SHAPE = (28, 28, 1)
LEAKY_SLOPE = 0.3  #: Keras 2's LeakyReLU default slope, which the article's ``LeakyReLU()`` used.
DROPOUT_RATE = 0.3
FEATURE_LAYER = "dis_l"  #: Name of the discriminator's feature layer l.

HEADS = ("article", "feature")
#: Named variants: the article's code as it ran, and its head fixed to read l.
PRESETS = {"article": {"head": "article", "feature_loss": "cross_entropy"},
           "corrected": {"head": "feature", "feature_loss": "cross_entropy"}}


def _activate(x, name: str, rate: float = DROPOUT_RATE):
    """The article's ``apply_bn_relu_and_dropout`` with its defaults: LeakyReLU, dropout, no BN."""
    x = layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=f"{name}_lrelu")(x)
    return layers.Dropout(rate, name=f"{name}_dropout")(x)


def tile_condition(feature_map, condition, name: str):
    """Concatenate ``condition`` (N, c), repeated over every cell of ``feature_map`` (N, h, w, k)."""
    h, w = int(feature_map.shape[1]), int(feature_map.shape[2])
    tiled = layers.RepeatVector(h * w, name=f"{name}_repeat")(condition)
    tiled = layers.Reshape((h, w, int(condition.shape[-1])), name=f"{name}_tile")(tiled)
    return layers.Concatenate(name=f"{name}_concat")([feature_map, tiled])


def build_conv_encoder(latent_dim: int = 8, num_classes: int = 10, dropout_rate: float = DROPOUT_RATE,
                       seed: int | None = None) -> keras.Model:
    """``[image, label] -> [z_mean, z_log_var, z]``, the article's ``encoder``."""
    image, label = keras.Input(IMAGE_SHAPE, name="image"), keras.Input((num_classes,), name="label")
    x = layers.Conv2D(32, 3, strides=2, padding="same", name="enc_conv1")(image)
    x = _activate(x, "enc_conv1", dropout_rate)
    x = layers.MaxPool2D(2, padding="same", name="enc_pool")(x)
    x = layers.Conv2D(64, 3, padding="same", name="enc_conv2")(x)
    x = _activate(x, "enc_conv2", dropout_rate)
    x = layers.Concatenate(name="enc_concat")([layers.Flatten(name="enc_flatten")(x), label])
    h = _activate(layers.Dense(64, name="enc_dense")(x), "enc_dense", dropout_rate)
    z_mean, z_log_var = layers.Dense(latent_dim, name="z_mean")(h), layers.Dense(latent_dim, name="z_log_var")(h)
    z = Sampling(log_std_clip=2.0, seed=seed, name="sampling")([z_mean, z_log_var])
    return keras.Model([image, label], [z_mean, z_log_var, z], name="encoder")


def build_conv_decoder(latent_dim: int = 8, num_classes: int = 10, dropout_rate: float = DROPOUT_RATE) -> keras.Model:
    """``[z, label] -> image`` in [0, 1], the article's ``decoder``."""
    z, label = keras.Input((latent_dim,), name="z"), keras.Input((num_classes,), name="label")
    x = layers.Concatenate(name="dec_concat")([z, label])
    x = _activate(layers.Dense(7 * 7 * 128, name="dec_dense")(x), "dec_dense", dropout_rate)
    x = layers.Reshape((7, 7, 128), name="dec_reshape")(x)
    x = layers.UpSampling2D(2, name="dec_up1")(x)
    x = layers.Conv2D(64, 5, padding="same", name="dec_conv1")(x)
    x = _activate(x, "dec_conv1", dropout_rate)
    x = layers.Conv2D(32, 3, padding="same", name="dec_conv2")(x)
    x = layers.UpSampling2D(2, name="dec_up2")(x)
    x = _activate(x, "dec_conv2", dropout_rate)
    x = layers.Conv2D(1, 5, padding="same", name="dec_out")(x)
    # The article's Conv2D(1, 5, activation="sigmoid"), its sigmoid a layer of its own so that the
    # convolution computes in the policy's dtype and the image comes out in float32.
    return keras.Model([z, label], layers.Activation("sigmoid", name="dec_sigmoid")(x), name="decoder")


def build_discriminator(num_classes: int = 10, head: str = "article",
                        dropout_rate: float = DROPOUT_RATE) -> keras.Model:
    """``[image, label] -> [D (probability real), l (feature layer, linear)]``, the head reading the conv-64
    block again (``head="article"``) or l (``"feature"``; see the module docstring)."""
    if head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, got {head!r}")
    image, label = keras.Input(IMAGE_SHAPE, name="image"), keras.Input((num_classes,), name="label")
    x = layers.Conv2D(128, 7, strides=2, padding="same", name="dis_conv1")(image)
    x = layers.MaxPool2D(2, padding="same", name="dis_pool1")(x)
    x = _activate(x, "dis_conv1", dropout_rate)
    x = tile_condition(x, label, "dis_label")
    x = layers.Conv2D(64, 3, padding="same", name="dis_conv2")(x)
    x = layers.MaxPool2D(2, padding="same", name="dis_pool2")(x)
    x = _activate(x, "dis_conv2", dropout_rate)
    features = layers.Conv2D(16, 3, padding="same", name=FEATURE_LAYER)(x)
    # The article's code activates x again and ignores l here (see the module docstring).
    x = _activate(x if head == "article" else features, "dis_head", dropout_rate)
    x = layers.Flatten(name="dis_flatten")(x)
    d = layers.Dense(1, activation="sigmoid", name="dis_out")(x)
    return keras.Model([image, label], [d, features], name="discriminator")
