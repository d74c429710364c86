"""Dense autoencoder and dense VAE of the MNIST study ("Analiza porównawcza ... autoenkoderów").

The slides' denoising autoencoder has "dwie warstwy ukryte ... po 120 i 500
neuronów" (two hidden layers of 120 and 500 neurons) on each side of the code:
784 -> 500 -> 120 -> code -> 120 -> 500 -> 784, ReLU in the hidden layers, a
linear code and a sigmoid output. Their VAE has "the same neurons and
activations", with (z_mean, z_log_var) in place of the code and a 5-d code for
generation.

The slides name no loss for the autoencoder; since its output is a sigmoid
(pixel values in [0, 1]), this library recommends the per-pixel binary
cross-entropy, ``model.compile(loss="binary_crossentropy")``. The VAE is a
:class:`~keras_autoencoders.models.vae.VariationalAutoencoder` and owns its
loss (Part 4's BCE + KL, see :mod:`keras_autoencoders.models.losses`).
"""
from __future__ import annotations

import math

import keras
from keras import layers

from keras_autoencoders.models.precision import set_precision
from keras_autoencoders.models.vae import Sampling, VariationalAutoencoder

IMAGE_SHAPE = (28, 28, 1)


def seeded_glorot_uniform(seed: int | None, offset: int) -> keras.initializers.Initializer:
    """Keras' default kernel initializer, seeded with ``seed + offset`` (unseeded when ``seed`` is None).

    Each layer needs its own offset: one seeded initializer gives the same values every call.
    """
    return keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)
#: The slides' hidden sizes, encoder side (the decoder takes them in reverse).
HIDDEN = (500, 120)
#: The slides' code size for generation with the VAE.
GENERATION_CODE_DIM = 5


def _hidden_stack(x, hidden, prefix: str, seed: int | None, offset: int):
    """ReLU dense layers of the given sizes; returns the output and the next free seed offset."""
    for i, units in enumerate(hidden):
        x = layers.Dense(units, activation="relu", name=f"{prefix}_dense{i + 1}",
                         kernel_initializer=seeded_glorot_uniform(seed, offset))(x)
        offset += 1
    return x, offset


def _encoder_trunk(hidden, seed):
    image = keras.Input(IMAGE_SHAPE, name="image")
    x, offset = _hidden_stack(layers.Flatten(name="enc_flatten")(image), hidden, "enc", seed, 0)
    return image, x, offset


def _decoder_trunk(code_dim: int, hidden, seed, offset: int, input_name: str):
    code = keras.Input((code_dim,), name=input_name)
    x, offset = _hidden_stack(code, tuple(reversed(hidden)), "dec", seed, offset)
    return code, x, offset


def build_dense_autoencoder(code_dim: int, hidden=HIDDEN, seed: int | None = None) -> keras.Model:
    """The slides' dense autoencoder, image (28, 28, 1) -> image, not compiled.

    Encoder (``model.get_layer("encoder")``): flatten -> Dense ``hidden[0]`` relu
    -> Dense ``hidden[1]`` relu -> Dense ``code_dim`` linear (layer ``"code"``).
    Decoder (``model.get_layer("decoder")``): the hidden sizes in reverse, relu,
    then Dense 784 sigmoid (layer ``"dec_output"``) reshaped to (28, 28, 1).

    The slides give no loss; compile with the per-pixel binary cross-entropy
    (``loss="binary_crossentropy"``), which suits the sigmoid output, and fit
    ``(images, images)`` (or noisy images to clean ones for denoising).

    ``seed`` seeds every kernel initializer (None: Keras' global seed).
    """
    image, x, offset = _encoder_trunk(hidden, seed)
    code = layers.Dense(code_dim, activation="linear", name="code",
                        kernel_initializer=seeded_glorot_uniform(seed, offset))(x)
    encoder = keras.Model(image, code, name="encoder")

    code_in, x, offset = _decoder_trunk(code_dim, hidden, seed, offset + 1, "code")
    pixels = math.prod(IMAGE_SHAPE)
    x = layers.Dense(pixels, activation="sigmoid", name="dec_output",
                     kernel_initializer=seeded_glorot_uniform(seed, offset))(x)
    decoder = keras.Model(code_in, layers.Reshape(IMAGE_SHAPE, name="dec_image")(x), name="decoder")

    inputs = keras.Input(IMAGE_SHAPE, name="image")
    return keras.Model(inputs, decoder(encoder(inputs)), name="dense_autoencoder")


def build_dense_vae(code_dim: int, hidden=HIDDEN, seed: int | None = None,
                    precision: str = "float32") -> VariationalAutoencoder:
    """The slides' dense VAE with the autoencoder's sizes, built (all weights created), not compiled.

    Encoder net: flatten -> Dense ``hidden[0]`` relu -> Dense ``hidden[1]`` relu
    -> (z_mean, z_log_var), ``code_dim`` each, linear. Decoder: z -> the hidden
    sizes in reverse, relu -> Dense 784 (layer ``"dec_logits"``) -> sigmoid ->
    (28, 28, 1), like Part 4's. The slides use ``code_dim=5`` for generation.

    ``seed`` seeds every kernel initializer and the sampling noise (None: Keras' global seed).
    ``precision``: ``"float32"`` or ``"mixed_bfloat16"`` (bfloat16 arithmetic, float32 weights;
    the heads the loss reads stay float32, :mod:`keras_autoencoders.models.precision`).
    """
    image, x, offset = _encoder_trunk(hidden, seed)
    z_mean = layers.Dense(code_dim, name="z_mean",
                          kernel_initializer=seeded_glorot_uniform(seed, offset))(x)
    z_log_var = layers.Dense(code_dim, name="z_log_var",
                             kernel_initializer=seeded_glorot_uniform(seed, offset + 1))(x)
    encoder_net = keras.Model(image, [z_mean, z_log_var], name="encoder_net")

    z, x, offset = _decoder_trunk(code_dim, hidden, seed, offset + 2, "z")
    logits = layers.Dense(math.prod(IMAGE_SHAPE), name="dec_logits",
                          kernel_initializer=seeded_glorot_uniform(seed, offset))(x)
    out = layers.Activation("sigmoid", name="dec_sigmoid")(logits)
    decoder = keras.Model(z, layers.Reshape(IMAGE_SHAPE, name="dec_image")(out), name="decoder")

    model = VariationalAutoencoder(encoder_net, decoder, Sampling(seed=seed, name="sampling"),
                                   name="dense_vae")
    model(keras.ops.zeros((1, *IMAGE_SHAPE)))  # build all weights
    return set_precision(model, precision)
