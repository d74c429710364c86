"""The dense autoencoder and VAE of the MNIST study ("Analiza porównawcza ... autoenkoderów"), and the builders the
study's models share. The slides' denoising autoencoder has "dwie warstwy ukryte ... po 120 i 500 neuronów" (two hidden
layers of 120 and 500 neurons): 784 -> 500 -> 120 -> code -> 120 -> 500 -> 784, ReLU, a linear code and a sigmoid
output. Their VAE has "the same neurons and activations", with (z_mean, z_log_var) in place of the code and a 5-d code
for generation. The slides name no loss for the autoencoder; its sigmoid output suits per-pixel binary cross-entropy."""
from __future__ import annotations

import math
from typing import Sequence

import keras
from keras import layers

from keras_autoencoders.models.precision import set_precision
from keras_autoencoders.models.vae import Sampling, VariationalAutoencoder

IMAGE_SHAPE = (28, 28, 1)
HIDDEN = (500, 120)  #: The slides' hidden sizes, encoder side (the decoder takes them in reverse).


def seeded_glorot_uniform(seed: int | None, offset: int) -> keras.initializers.Initializer:
    """Keras' default kernel initializer seeded with ``seed + offset`` (unseeded when ``seed`` is None);
    each layer needs its own offset, as one seeded initializer gives the same values every call."""
    return keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)


def latent_heads(x: keras.KerasTensor, latent_dim: int, seed: int | None, offset: int) -> list:
    """``[z_mean, z_log_var]`` of ``x``: linear Dense layers seeded ``offset`` and ``offset + 1``."""
    return [layers.Dense(latent_dim, name=name, kernel_initializer=seeded_glorot_uniform(seed, offset + i))(x)
            for i, name in enumerate(("z_mean", "z_log_var"))]


def built_vae(encoder_net: keras.Model, decoder: keras.Model, seed: int | None, name: str,
              precision: str) -> VariationalAutoencoder:
    """The :class:`VariationalAutoencoder` of the nets, its ``Sampling`` seeded with ``seed``, built (all weights
    created), not compiled, computing in ``precision`` (:func:`~keras_autoencoders.models.precision.set_precision`)."""
    model = VariationalAutoencoder(encoder_net, decoder, Sampling(seed=seed, name="sampling"), name=name)
    zeros = [keras.ops.zeros((1, *tensor.shape[1:])) for tensor in encoder_net.inputs]
    model(zeros if len(zeros) == 2 else zeros[0])  # build all weights
    return set_precision(model, precision)


def _hidden_stack(x, hidden: Sequence[int], prefix: str, seed: int | None, offset: int):
    """ReLU dense layers of the given sizes; returns the output and the next free seed offset."""
    for i, units in enumerate(hidden):
        x = layers.Dense(units, activation="relu", name=f"{prefix}_dense{i + 1}",
                         kernel_initializer=seeded_glorot_uniform(seed, offset + i))(x)
    return x, offset + len(hidden)


def build_dense_autoencoder(code_dim: int, hidden=HIDDEN, seed: int | None = None) -> keras.Model:
    """The slides' dense autoencoder, image -> image, not compiled (use ``loss="binary_crossentropy"``), with
    sub-models ``"encoder"`` (to the linear ``"code"``) and ``"decoder"``; ``seed`` seeds every kernel initializer."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    x, offset = _hidden_stack(layers.Flatten(name="enc_flatten")(image), hidden, "enc", seed, 0)
    code = layers.Dense(code_dim, activation="linear", name="code",
                        kernel_initializer=seeded_glorot_uniform(seed, offset))(x)
    encoder = keras.Model(image, code, name="encoder")

    code_in = keras.Input((code_dim,), name="code")
    x, offset = _hidden_stack(code_in, tuple(reversed(hidden)), "dec", seed, offset + 1)
    x = layers.Dense(math.prod(IMAGE_SHAPE), activation="sigmoid", name="dec_output",
                     kernel_initializer=seeded_glorot_uniform(seed, offset))(x)
    decoder = keras.Model(code_in, layers.Reshape(IMAGE_SHAPE, name="dec_image")(x), name="decoder")

    inputs = keras.Input(IMAGE_SHAPE, name="image")
    return keras.Model(inputs, decoder(encoder(inputs)), name="dense_autoencoder")


def build_dense_vae(code_dim: int, hidden=HIDDEN, seed: int | None = None,
                    precision: str = "float32") -> VariationalAutoencoder:
    """The slides' dense VAE with the autoencoder's sizes (:func:`built_vae`), heads of ``code_dim`` (5 for generation),
    a sigmoid on ``"dec_logits"`` like Part 4's; ``seed`` seeds every kernel initializer and the sampling noise."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    x, offset = _hidden_stack(layers.Flatten(name="enc_flatten")(image), hidden, "enc", seed, 0)
    encoder_net = keras.Model(image, latent_heads(x, code_dim, seed, offset), name="encoder_net")

    z = keras.Input((code_dim,), name="z")
    x, offset = _hidden_stack(z, tuple(reversed(hidden)), "dec", seed, offset + 2)
    logits = layers.Dense(math.prod(IMAGE_SHAPE), name="dec_logits",
                          kernel_initializer=seeded_glorot_uniform(seed, offset))(x)
    out = layers.Activation("sigmoid", name="dec_sigmoid")(logits)
    decoder = keras.Model(z, layers.Reshape(IMAGE_SHAPE, name="dec_image")(out), name="decoder")
    return built_vae(encoder_net, decoder, seed, "dense_vae", precision)
