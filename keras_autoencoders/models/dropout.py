"""An opt-in dropout for XLA-compiled steps (not the articles'; Part 4's ``--jit-compile``), outside the model modules;
models saved with the earlier mixed-precision dropout hold it too, so it stays registered. :class:`Float32DrawDropout`
drops the same units as ``keras.layers.Dropout`` at the same seed (bit for bit in float32, outside XLA), but draws in
float32 under a mixed policy (bfloat16 turns a rate of 0.3 into about 0.305) and with ThreeFry under XLA: TensorFlow's
stateless draws pick Philox, which XLA's CPU code runs about 3x slower, a fifth of Part 4's XLA epoch (two 500x256 masks
a step, ``bench/part4.py``). XLA draws other numbers than a plain graph anyway, so nothing reproducible changes."""
from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

from keras_autoencoders.compat import in_xla_context
from keras_autoencoders.errors import require_tensorflow

__all__ = ["Float32DrawDropout", "with_threefry_dropout"]


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class Float32DrawDropout(layers.Dropout):
    """``keras.layers.Dropout`` drawing its keep/drop numbers in float32, with ThreeFry under XLA."""

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        require_tensorflow("Float32DrawDropout (ThreeFry draws under XLA, the --jit-compile option)")
        if noise_shape is not None:
            raise ValueError(f"Float32DrawDropout draws one number per unit; noise_shape={noise_shape!r} "
                             "is not supported (use keras.layers.Dropout)")
        super().__init__(rate, seed=seed, **kwargs)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = ops.shape(inputs)
        if in_xla_context():
            seed = tf.cast(tf.math.floormod(self.seed_generator.next(), tf.int32.max - 1), tf.int32)
            uniform = tf.random.stateless_uniform(shape, seed=seed, dtype=tf.float32, alg="threefry")
        else:
            uniform = keras.random.uniform(shape, dtype="float32", seed=self.seed_generator)
        scaled = inputs * ops.cast(1.0 / (1.0 - self.rate), inputs.dtype)
        return ops.where(uniform >= self.rate, scaled, ops.zeros_like(inputs))


def with_threefry_dropout(model: keras.Model) -> keras.Model:
    """``model`` (a :class:`~keras_autoencoders.models.vae.VariationalAutoencoder`) with each net's ``Dropout`` a
    :class:`Float32DrawDropout`: the same function and weights."""
    def swap(layer: keras.layers.Layer) -> keras.layers.Layer:
        kind = Float32DrawDropout if type(layer) is layers.Dropout else type(layer)
        return kind.from_config(layer.get_config())

    nets = []
    for net in (model.encoder_net, model.decoder):
        clone = keras.models.clone_model(net, clone_function=swap)
        clone.set_weights(net.get_weights())
        nets.append(clone)
    return type(model)(*nets, model.sampling, name=model.name)
