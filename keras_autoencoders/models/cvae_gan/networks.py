"""The three networks of Part 6 ("Автоэнкодеры в Keras, Часть 6: VAE + GAN", "Код").

* encoder ``[image, label] -> [z_mean, z_log_var, z]``: conv 32 3x3 stride 2,
  max-pool, conv 64 3x3, flatten, + label, dense 64, latent 8; every hidden
  layer is followed by LeakyReLU (Keras 2's slope 0.3) and dropout 0.3; z is
  sampled with ``exp(clip(z_log_var / 2, -2, 2))``;
* decoder ``[z, label] -> image``: dense 7*7*128, upsample, conv 64 5x5,
  conv 32 3x3, upsample, conv 1 5x5 sigmoid;
* discriminator ``[image, label] -> [D, l]``: conv 128 7x7 stride 2, max-pool,
  the label tiled over the 7x7 map, conv 64 3x3, max-pool, the feature layer
  l = conv 16 3x3 (linear), then a dense sigmoid head.

The article's code has two quirks in the discriminator:

* its head reads the tensor *before* l (``l = Conv2D(16)(x)`` and then
  ``x = apply_bn_relu_and_dropout(x)``), so l is a side branch that L_GAN never
  reaches and that stays at its random initial weights; the head sees the
  conv-64 block through LeakyReLU and dropout twice. ``head="article"`` keeps
  this; ``head="feature"`` makes the head read l, so l is trained.
* ``add_units_to_conv2d`` tiles the global label input instead of its
  argument. Its only call passes that same label, so what the code computes is
  what :func:`tile_condition` computes; nothing to keep.

:data:`PRESETS` names the two variants: ``"article"`` (the default, faithful)
and ``"corrected"``.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

import keras
from keras import layers, ops

from keras_autoencoders.models.cvae_gan.phase_conv import (PhaseConv2D, PhaseUpSampling2D, StridedConv2D,
                                                           UpsampledConv2D)
from keras_autoencoders.models.sampling import Sampling

IMAGE_SHAPE = (28, 28, 1)
#: Keras 2's LeakyReLU default slope, which the article's ``LeakyReLU()`` used.
LEAKY_SLOPE = 0.3
DROPOUT_RATE = 0.3
#: The article's learning rates: encoder, decoder, discriminator.
LEARNING_RATES = {"encoder": 1e-3, "decoder": 3e-4, "discriminator": 1e-3}
#: Name of the discriminator's feature layer l.
FEATURE_LAYER = "dis_l"

#: The dtype policies a model can be built with (:func:`precision_policy`): the article's float32, and
#: Keras' mixed bfloat16 (bfloat16 arithmetic, float32 weights), about 1.7x faster on CPUs with
#: AMX or AVX-512 BF16 units.
PRECISIONS = ("float32", "mixed_bfloat16")
#: The layers whose outputs the losses read (z_mean, z_log_var, z, the image's sigmoid, l, D)
#: compute in float32 under any policy, as Keras' mixed-precision guide advises for a model's outputs: the
#: losses' logs and 1e-10 guards, and the images the tutorials draw, stay float32.
HEAD_DTYPE = "float32"

HEADS = ("article", "feature")
#: Named variants: the article's code as it ran, and its head fixed to read l.
PRESETS = {
    "article": {"head": "article", "feature_loss": "cross_entropy"},
    "corrected": {"head": "feature", "feature_loss": "cross_entropy"},
}


@contextlib.contextmanager
def precision_policy(policy: str) -> Iterator[None]:
    """Build layers under the dtype policy ``policy`` (one of :data:`PRECISIONS`), then restore the old one."""
    if policy not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {policy!r}")
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class Dropout(layers.Dropout):
    """Keras' ``Dropout`` with its keep/drop draw made in float32 under any dtype policy.

    In float32 it gives Keras' layer's numbers and gradients (the same uniform draws from the
    same seeds; a kept unit is ``x / (1 - rate)``, a dropped one 0, or -0 where x < 0): it
    multiplies by the scaled mask, where Keras selects, which makes the backward pass one
    multiplication (2-3% of a Part 6 step). Keras' layer draws the uniform numbers in the
    compute dtype, and bfloat16's 8-bit mantissa turns a rate of 0.3 into about 0.305.
    """

    def call(self, inputs, training=False):
        if not training or self.rate == 0 or self.noise_shape is not None:  # (no noise_shape here)
            return super().call(inputs, training=training)
        keep = keras.random.uniform(ops.shape(inputs), dtype="float32", seed=self.seed_generator) >= self.rate
        scale = ops.where(keep, ops.cast(1.0 / (1.0 - self.rate), inputs.dtype), ops.zeros((), inputs.dtype))
        return inputs * scale


def _activate(x, name: str, rate: float = DROPOUT_RATE):
    """The article's ``apply_bn_relu_and_dropout`` with its defaults: LeakyReLU, dropout, no BN."""
    x = layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=f"{name}_lrelu")(x)
    return Dropout(rate, name=f"{name}_dropout")(x)


def tile_condition(feature_map, condition, name: str):
    """Concatenate ``condition`` (N, c), repeated over every cell of ``feature_map`` (N, h, w, k)."""
    h, w = int(feature_map.shape[1]), int(feature_map.shape[2])
    tiled = layers.RepeatVector(h * w, name=f"{name}_repeat")(condition)
    tiled = layers.Reshape((h, w, int(condition.shape[-1])), name=f"{name}_tile")(tiled)
    return layers.Concatenate(name=f"{name}_concat")([feature_map, tiled])


def build_conv_encoder(latent_dim: int = 8, num_classes: int = 10, dropout_rate: float = DROPOUT_RATE,
                       seed: int | None = None) -> keras.Model:
    """``[image, label] -> [z_mean, z_log_var, z]``, the article's ``encoder``."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    label = keras.Input((num_classes,), name="label")
    # Its strided conv stays a plain Conv2D: no gradient flows into the image, and
    # StridedConv2D measured no faster here.
    x = layers.Conv2D(32, 3, strides=2, padding="same", name="enc_conv1")(image)
    x = _activate(x, "enc_conv1", dropout_rate)
    x = layers.MaxPool2D(2, padding="same", name="enc_pool")(x)
    x = layers.Conv2D(64, 3, padding="same", name="enc_conv2")(x)
    x = _activate(x, "enc_conv2", dropout_rate)
    x = layers.Concatenate(name="enc_concat")([layers.Flatten(name="enc_flatten")(x), label])
    h = _activate(layers.Dense(64, name="enc_dense")(x), "enc_dense", dropout_rate)
    z_mean = layers.Dense(latent_dim, dtype=HEAD_DTYPE, name="z_mean")(h)
    z_log_var = layers.Dense(latent_dim, dtype=HEAD_DTYPE, name="z_log_var")(h)
    z = Sampling(log_std_clip=2.0, seed=seed, dtype=HEAD_DTYPE, name="sampling")([z_mean, z_log_var])
    return keras.Model([image, label], [z_mean, z_log_var, z], name="encoder")


def build_conv_decoder(latent_dim: int = 8, num_classes: int = 10, dropout_rate: float = DROPOUT_RATE,
                       phase_split: bool = True) -> keras.Model:
    """``[z, label] -> image`` in [0, 1], the article's ``decoder``.

    Two of its blocks are computed on phase-split maps
    (:mod:`~keras_autoencoders.models.cvae_gan.phase_conv`; same kernels, same function,
    faster): the first upsampling + 5x5 convolution as one :class:`UpsampledConv2D`, and the
    last upsampling, activation and 5x5 convolution (one output channel at 28x28) as
    :class:`PhaseUpSampling2D` + :class:`PhaseConv2D`. ``phase_split=False`` computes the
    article's literal layers.
    """
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((num_classes,), name="label")
    x = layers.Concatenate(name="dec_concat")([z, label])
    x = _activate(layers.Dense(7 * 7 * 128, name="dec_dense")(x), "dec_dense", dropout_rate)
    x = layers.Reshape((7, 7, 128), name="dec_reshape")(x)
    x = UpsampledConv2D(64, 5, factor=2, fused=phase_split, name="dec_conv1")(x)  # UpSampling2D + Conv2D
    x = _activate(x, "dec_conv1", dropout_rate)
    x = layers.Conv2D(32, 3, padding="same", name="dec_conv2")(x)
    if phase_split:
        # The article's UpSampling2D -> LeakyReLU -> dropout -> Conv2D(1, 5) on the upsampled map's
        # phases: LeakyReLU commutes with nearest upsampling, so it runs on the 14x14 map; the four
        # phases are copies of it; dropout draws one mask value per unit of the phase-split map,
        # which holds the same 28x28x32 units; the conv reads the phases as they are.
        x = layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name="dec_conv2_lrelu")(x)
        x = PhaseUpSampling2D(2, name="dec_up2")(x)
        x = Dropout(dropout_rate, name="dec_conv2_dropout")(x)
        image = PhaseConv2D(1, 5, phases=2, split_input=True, name="dec_out")(x)
    else:
        x = layers.UpSampling2D(2, name="dec_up2")(x)
        x = _activate(x, "dec_conv2", dropout_rate)
        image = PhaseConv2D(1, 5, phases=2, fused=False, name="dec_out")(x)
    # The article's Conv2D(1, 5, activation="sigmoid"), its sigmoid a layer of its own so that the
    # convolution computes in the policy's dtype and the image comes out in float32.
    image = layers.Activation("sigmoid", dtype=HEAD_DTYPE, name="dec_sigmoid")(image)
    return keras.Model([z, label], image, name="decoder")


def build_discriminator(num_classes: int = 10, head: str = "article",
                        dropout_rate: float = DROPOUT_RATE, phase_split: bool = True) -> keras.Model:
    """``[image, label] -> [D (probability real), l (feature layer, linear)]``.

    ``head="article"`` reproduces the article's code: the head reads the conv-64
    block, activated a second time, and l is an untrained side branch.
    ``head="feature"`` is the corrected network: l -> LeakyReLU, dropout -> head.
    The first convolution (7x7, stride 2) is computed as a :class:`StridedConv2D` (same
    kernel, same result; its input gradient, taken three times per encoder+decoder step, is
    about 3x faster); ``phase_split=False`` computes the article's literal strided convolution.
    """
    if head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, got {head!r}")
    image = keras.Input(IMAGE_SHAPE, name="image")
    label = keras.Input((num_classes,), name="label")
    x = StridedConv2D(128, 7, stride=2, fused=phase_split, name="dis_conv1")(image)
    x = layers.MaxPool2D(2, padding="same", name="dis_pool1")(x)
    x = _activate(x, "dis_conv1", dropout_rate)
    x = tile_condition(x, label, "dis_label")
    x = layers.Conv2D(64, 3, padding="same", name="dis_conv2")(x)
    x = layers.MaxPool2D(2, padding="same", name="dis_pool2")(x)
    x = _activate(x, "dis_conv2", dropout_rate)
    features = layers.Conv2D(16, 3, padding="same", dtype=HEAD_DTYPE, name=FEATURE_LAYER)(x)
    if head == "article":
        # The article's code activates x again and ignores l here (see the module docstring).
        x = _activate(x, "dis_head", dropout_rate)
    else:
        x = _activate(features, "dis_head", dropout_rate)
    d = layers.Dense(1, activation="sigmoid", dtype=HEAD_DTYPE, name="dis_out")(layers.Flatten(name="dis_flatten")(x))
    return keras.Model([image, label], [d, features], name="discriminator")
