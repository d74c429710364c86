"""The dense conditional VAE of Part 4 ("Autoencoders in Keras, part 4", "Код на Keras").

Encoder: flattened image + one-hot label -> Dense 256 relu -> BatchNorm ->
Dropout 0.3 -> (z_mean, z_log_var), latent 8, then a sampled z.
Decoder: z + label -> Dense 256 -> LeakyReLU -> BatchNorm -> Dropout 0.3 ->
Dense 784 sigmoid -> 28x28x1. Loss per sample (784 * BCE + KL) / 2 / 784,
Adam 1e-3, batch 500 (see :mod:`keras_autoencoders.models.losses`).

:class:`~keras_autoencoders.models.conditional.ConditionalVAE` (shared with the
CelebA CVAE) owns the loss in its ``train_step``/``test_step``;
:meth:`ConditionalVAE.article_models` returns the article's six sub-models
(``encoder``, ``z_meaner``, ``z_lvarer``, ``decoder``, ``cvae``, ``style_t``),
all sharing the trained weights.

``precision="mixed_bfloat16"`` builds it under Keras' mixed policy (bfloat16 arithmetic,
float32 weights); z_mean, z_log_var, z, the logits and the image stay float32
(:mod:`keras_autoencoders.models.precision`), so the loss is computed in float32.
"""
from __future__ import annotations

import keras
from keras import layers

from keras_autoencoders.models.conditional import DECODER_LOGITS, ConditionalVAE
from keras_autoencoders.models.dropout import Float32DrawDropout
from keras_autoencoders.models.precision import HEAD_DTYPE, precision_policy
from keras_autoencoders.models.sampling import Sampling

__all__ = ["ConditionalVAE", "build_dense_encoder", "build_dense_decoder", "build_part4_cvae"]

IMAGE_SHAPE = (28, 28, 1)


def _bn_dropout(x, rate: float, name: str):
    """The article's ``apply_bn_and_dropout``: BatchNorm, then Dropout (after the activation).

    The dropout is :class:`~keras_autoencoders.models.dropout.Float32DrawDropout`: Keras' layer,
    unchanged in a float32 graph, with its rate kept under ``mixed_bfloat16`` and its draws
    from ThreeFry when the step is XLA-compiled (a fifth of a ``--jit-compile`` epoch saved).
    """
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return Float32DrawDropout(rate, name=f"{name}_dropout")(x)


def build_dense_encoder(latent_dim: int = 8, num_classes: int = 10, hidden: int = 256,
                        dropout_rate: float = 0.3, image_shape=IMAGE_SHAPE) -> keras.Model:
    """``[image, label] -> [z_mean, z_log_var]``: the deterministic part of the article's encoder."""
    image = keras.Input(image_shape, name="image")
    label = keras.Input((num_classes,), name="label")
    x = layers.Concatenate()([layers.Flatten()(image), label])
    x = layers.Dense(hidden, activation="relu", name="enc_dense")(x)
    x = _bn_dropout(x, dropout_rate, "enc")
    z_mean = layers.Dense(latent_dim, dtype=HEAD_DTYPE, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, dtype=HEAD_DTYPE, name="z_log_var")(x)
    return keras.Model([image, label], [z_mean, z_log_var], name="encoder_net")


def build_dense_decoder(latent_dim: int = 8, num_classes: int = 10, hidden: int = 256,
                        dropout_rate: float = 0.3, image_shape=IMAGE_SHAPE) -> keras.Model:
    """``[z, label] -> image`` in [0, 1]: the article's ``decoder``."""
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((num_classes,), name="label")
    x = layers.Concatenate()([z, label])
    x = layers.Dense(hidden, name="dec_dense")(x)
    x = layers.LeakyReLU(negative_slope=0.3, name="dec_leaky_relu")(x)  # Keras 2's default alpha, as in the article
    x = _bn_dropout(x, dropout_rate, "dec")
    pixels = image_shape[0] * image_shape[1] * image_shape[2]
    logits = layers.Dense(pixels, dtype=HEAD_DTYPE, name=DECODER_LOGITS)(x)
    image = layers.Reshape(image_shape, dtype=HEAD_DTYPE)(layers.Activation("sigmoid", dtype=HEAD_DTYPE)(logits))
    return keras.Model([z, label], image, name="decoder")


def build_part4_cvae(latent_dim: int = 8, num_classes: int = 10, hidden: int = 256,
                     dropout_rate: float = 0.3, seed: int | None = None,
                     precision: str = "float32") -> ConditionalVAE:
    """The Part 4 CVAE with the article's sizes (latent 8, 256 units, dropout 0.3).

    ``precision``: the article's ``"float32"`` or ``"mixed_bfloat16"`` (see the module docstring).
    """
    with precision_policy(precision):
        encoder_net = build_dense_encoder(latent_dim, num_classes, hidden, dropout_rate)
        decoder = build_dense_decoder(latent_dim, num_classes, hidden, dropout_rate)
        model = ConditionalVAE(encoder_net, decoder, Sampling(seed=seed, dtype=HEAD_DTYPE, name="sampling"),
                               name="part4_cvae")
    image = keras.ops.zeros((1, *IMAGE_SHAPE))
    label = keras.ops.zeros((1, num_classes))
    model([image, label, label])  # build all weights
    return model
