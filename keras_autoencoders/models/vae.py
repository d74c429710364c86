"""The VAE training step that every VAE of the series shares, conditional or not.

:class:`VariationalAutoencoder` wraps an encoder net ``image -> [z_mean, z_log_var]``,
a :class:`~keras_autoencoders.models.sampling.Sampling` layer and a decoder
``z -> image`` whose pre-sigmoid layer is named :data:`DECODER_LOGITS`. Its
``train_step``/``test_step`` minimise Part 4's loss, per sample
``(sum of pixel BCEs + KL) / 2 / P`` for P pixel values per image
(:func:`~keras_autoencoders.models.losses.part4_cvae_loss_terms`), always in float32:
under the ``mixed_bfloat16`` policy (:mod:`keras_autoencoders.models.precision`) the nets
compute in bfloat16 and the loss in float32.

:class:`~keras_autoencoders.models.conditional.ConditionalVAE` is the same model
whose nets also take a condition vector: it only overrides how a batch is
unpacked and what the two nets are fed (:meth:`VariationalAutoencoder._unpack`,
``_encoder_inputs``, ``_decoder_inputs``), the forward ``call`` and the
article's sub-models.
"""
from __future__ import annotations

import math

import keras
import tensorflow as tf

from keras_autoencoders.models.losses import part4_cvae_loss_terms
from keras_autoencoders.models.sampling import Sampling
from keras_autoencoders.models.serialization import deserialize_parts, serialize_parts

#: Name of the decoder's layer whose pre-sigmoid output the loss reads.
DECODER_LOGITS = "dec_logits"


def seeded_glorot_uniform(seed: int | None, offset: int) -> keras.initializers.Initializer:
    """Keras' default kernel initializer, seeded with ``seed + offset`` (unseeded when ``seed`` is None).

    Each layer needs its own offset: one seeded initializer gives the same values every call.
    """
    return keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class VariationalAutoencoder(keras.Model):
    """A VAE trained on batches of images alone.

    ``fit(x=images)``, ``fit(x=images, y=images)`` or ``fit(dataset)`` of
    ``images``, ``(images,)`` or ``(images, images)`` trains it on Part 4's loss,
    per sample ``(sum of pixel BCEs + KL) / 2 / P`` (P = 784 for MNIST); any
    ``y`` is ignored, the target is the input. The reported ``loss`` equals
    ``reconstruction_loss + kl_loss``; the metrics are per-image means, a short
    last batch weighted by its size. ``call(image)`` encodes, samples z and
    decodes.

    Under a ``tf.distribute`` strategy each replica's loss is divided by the
    number of replicas before the gradient, as Keras' own ``train_step`` does,
    so that the summed gradients equal the single-device gradient of the
    global batch (:mod:`keras_autoencoders.training.distribute`).

    Args:
        encoder_net: ``image -> [z_mean, z_log_var]``.
        decoder: ``z -> image`` in [0, 1], with a layer named :data:`DECODER_LOGITS`
            giving the pre-sigmoid values (the loss works on them).
        sampling: the reparameterisation layer; a fresh unseeded one if None.
    """

    _PARTS = ("encoder_net", "decoder", "sampling")
    #: Inputs of the encoder net and of the decoder (subclasses add a condition).
    _NET_INPUTS = 1

    def __init__(self, encoder_net: keras.Model, decoder: keras.Model,
                 sampling: Sampling | None = None, **kwargs):
        super().__init__(**kwargs)
        for role, net in (("encoder_net", encoder_net), ("decoder", decoder)):
            if len(net.inputs) != self._NET_INPUTS:
                raise ValueError(f"{type(self).__name__} needs a {role} with {self._NET_INPUTS} input(s); "
                                 f"{net.name!r} has {len(net.inputs)}")
        self.encoder_net = encoder_net
        self.decoder = decoder
        # Same layers, stopping before the sigmoid: the loss works on logits (see losses.py).
        self._decoder_logits = keras.Model(decoder.inputs, decoder.get_layer(DECODER_LOGITS).output)
        self.sampling = sampling if sampling is not None else Sampling(name="sampling")
        self.pixels = math.prod(int(d) for d in encoder_net.inputs[0].shape[1:])
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")

    def summary(self, **kwargs) -> None:
        """Keras' summary of the encoder net, then of the decoder (``kwargs`` go to both)."""
        self.encoder_net.summary(**kwargs)
        self.decoder.summary(**kwargs)

    @property
    def latent_dim(self) -> int:
        return int(self.decoder.inputs[0].shape[-1])

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    # -- what a subclass with a condition overrides ---------------------------------

    def _unpack(self, data):
        """``(images, condition)`` of a batch; the condition is None here."""
        images, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        if isinstance(images, (list, tuple)):  # e.g. ``x=[images]``
            images = images[0]
        return images, None

    def _encoder_inputs(self, images, condition):
        return images

    def _decoder_inputs(self, z, condition):
        return z

    # -- shared -------------------------------------------------------------------

    def call(self, inputs, training=False):
        images = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        z_mean, z_log_var = self.encoder_net(images, training=training)
        z = self.sampling([z_mean, z_log_var])
        return self.decoder(z, training=training)

    def _loss_terms(self, data, training: bool):
        image, condition = self._unpack(data)
        z_mean, z_log_var = self.encoder_net(self._encoder_inputs(image, condition), training=training)
        z = self.sampling([z_mean, z_log_var])
        logits = self._decoder_logits(self._decoder_inputs(z, condition), training=training)
        # In float32 under any dtype policy (a mixed_bfloat16 net's heads are float32 already;
        # the cast also covers nets built otherwise, and images fed as other dtypes).
        image, logits, z_mean, z_log_var = (keras.ops.cast(t, "float32") for t in (image, logits, z_mean, z_log_var))
        reconstruction, kl = part4_cvae_loss_terms(image, logits, z_mean, z_log_var, pixels=self.pixels)
        return keras.ops.mean(reconstruction), keras.ops.mean(kl), keras.ops.shape(image)[0]

    def _report(self, reconstruction, kl, batch_size) -> dict:
        # Weighted by the batch's size: per-sample means over an epoch (a short last
        # batch counts for its size), and every update depends on the batch itself. An
        # unweighted update's count += 1 does not, so in a compiled step it can run
        # before the iterator reports the end of a dataset of unknown length (e.g.
        # after ``ignore_errors``), averaging an extra 0 into the epoch's loss.
        weight = keras.ops.cast(batch_size, "float32")
        self.loss_tracker.update_state(reconstruction + kl, sample_weight=weight)
        self.reconstruction_tracker.update_state(reconstruction, sample_weight=weight)
        self.kl_tracker.update_state(kl, sample_weight=weight)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        with tf.GradientTape() as tape:
            reconstruction, kl, batch_size = self._loss_terms(data, training=True)
            loss = reconstruction + kl
            replica_loss = loss / tf.distribute.get_strategy().num_replicas_in_sync
        grads = tape.gradient(replica_loss, self.trainable_weights)
        self.optimizer.apply(grads, self.trainable_weights)
        return self._report(reconstruction, kl, batch_size)

    def test_step(self, data):
        return self._report(*self._loss_terms(data, training=False))

    def article_models(self) -> dict[str, keras.Model]:
        """The usual sub-models, sharing this model's layers and weights.

        ``encoder`` gives a sampled z, ``z_meaner`` z_mean, ``z_lvarer`` z_log_var,
        ``decoder`` images from z, ``vae`` decodes a sampled z of its input image.
        """
        image = keras.Input(self.encoder_net.inputs[0].shape[1:], name="image")
        z_mean, z_log_var = self.encoder_net(image)
        z = self.sampling([z_mean, z_log_var])
        return {
            "encoder": keras.Model(image, z, name="encoder"),
            "z_meaner": keras.Model(image, z_mean, name="z_meaner"),
            "z_lvarer": keras.Model(image, z_log_var, name="z_lvarer"),
            "decoder": self.decoder,
            "vae": keras.Model(image, self.decoder(z), name="vae"),
        }

    def get_config(self) -> dict:
        return {**super().get_config(), **serialize_parts(self, self._PARTS)}

    @classmethod
    def from_config(cls, config):
        return cls(**deserialize_parts(config, cls._PARTS))
