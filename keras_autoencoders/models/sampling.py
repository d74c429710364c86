"""The reparameterisation trick as a layer.

Reproduces the ``sampling`` Lambda of the articles (Part 4, "Код на Keras";
Part 6, encoder): ``z = z_mean + exp(z_log_var / 2) * eps`` with
``eps ~ N(0, I)``.

Departures from the article's code, both without effect on its results:
the noise shape follows the input batch (the article fixes it to
``(batch_size, latent_dim)``, so its models only accept whole batches), and
the noise comes from a :class:`keras.random.SeedGenerator`, so runs repeat.
Like the article's Lambda, the layer samples in inference too: the article's
``encoder`` and ``cvae`` models are stochastic, and its ``val_loss`` is measured
on sampled codes.
"""
from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class Sampling(keras.layers.Layer):
    """Draw ``z ~ N(z_mean, exp(z_log_var))`` from ``[z_mean, z_log_var]``.

    Args:
        log_std_clip: if given, ``z_log_var / 2`` is clipped to
            ``[-log_std_clip, log_std_clip]`` before ``exp`` (Part 6 uses 2).
        seed: seed of the layer's own :class:`keras.random.SeedGenerator`.
    """

    def __init__(self, log_std_clip: float | None = None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.log_std_clip = log_std_clip
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        log_std = z_log_var / 2.0
        if self.log_std_clip is not None:
            log_std = ops.clip(log_std, -self.log_std_clip, self.log_std_clip)
        epsilon = keras.random.normal(ops.shape(z_mean), dtype=self.compute_dtype, seed=self.seed_generator)
        return z_mean + ops.exp(log_std) * epsilon

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self) -> dict:
        return {**super().get_config(), "log_std_clip": self.log_std_clip, "seed": self.seed}
