"""What the conditional models share: sizes read off the decoder, sub-model configs, the CVAE itself.

:class:`ConditionalVAE` is the conditional VAE of Part 4 (a dense net on MNIST
digits and one-hot labels) and of the CelebA article (a conv net on faces and
their 40 attributes): the same loss and training step for any image shape and
any condition vector; only the encoder and decoder networks differ.
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


class ConditionalDecoderMixin:
    """For a ``keras.Model`` whose ``self.decoder`` maps ``[z, one_hot_label]`` to an image."""

    @property
    def latent_dim(self) -> int:
        return int(self.decoder.inputs[0].shape[-1])

    @property
    def num_classes(self) -> int:
        return int(self.decoder.inputs[1].shape[-1])


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class ConditionalVAE(ConditionalDecoderMixin, keras.Model):
    """A conditional VAE trained on ``(images, conditions)`` batches.

    The condition is any vector: a one-hot digit label (Part 4) or 0/1 face
    attributes (CelebA). ``call([image, label_in, label_out])`` is Part 4's
    ``cvae``: encode with ``label_in``, sample z, decode with ``label_out``.
    ``fit(x=images, y=labels)`` or ``fit(dataset)`` of ``(images, conditions)``
    trains it on Part 4's loss, per sample ``(sum of pixel BCEs + KL) / 2 / P``
    for P pixel values per image (784 for MNIST): the negative ELBO, rescaled
    so that reported numbers compare with Part 4's ``vae_loss``. The reported
    ``loss`` equals ``reconstruction_loss + kl_loss``.

    Under a ``tf.distribute`` strategy each replica's loss is divided by the
    number of replicas before the gradient, as Keras' own ``train_step`` does,
    so that the summed gradients equal the single-device gradient of the
    global batch (:mod:`keras_autoencoders.training.distribute`).
    """

    _PARTS = ("encoder_net", "decoder", "sampling")

    def __init__(self, encoder_net: keras.Model, decoder: keras.Model,
                 sampling: Sampling | None = None, **kwargs):
        super().__init__(**kwargs)
        self.encoder_net = encoder_net
        self.decoder = decoder
        # Same layers, stopping before the sigmoid: the loss works on logits (see losses.py).
        self._decoder_logits = keras.Model(decoder.inputs, decoder.get_layer(DECODER_LOGITS).output)
        self.sampling = sampling if sampling is not None else Sampling(name="sampling")
        self.pixels = math.prod(int(d) for d in encoder_net.inputs[0].shape[1:])
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    def call(self, inputs, training=False):
        image, label_in, label_out = inputs
        z_mean, z_log_var = self.encoder_net([image, label_in], training=training)
        z = self.sampling([z_mean, z_log_var])
        return self.decoder([z, label_out], training=training)

    def _loss_terms(self, data, training: bool):
        image, label = data[0], data[1]
        z_mean, z_log_var = self.encoder_net([image, label], training=training)
        z = self.sampling([z_mean, z_log_var])
        logits = self._decoder_logits([z, label], training=training)
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
        """The article's sub-models, sharing this model's layers and weights.

        ``encoder`` gives a sampled z, ``z_meaner`` z_mean, ``z_lvarer`` z_log_var,
        ``decoder`` images from ``[z, label]``, ``cvae`` and ``style_t`` take
        ``[image, label_in, label_out]`` and decode a sampled z or z_mean.
        """
        image = keras.Input(self.encoder_net.inputs[0].shape[1:], name="image")
        label_in = keras.Input((self.num_classes,), name="label_in")
        label_out = keras.Input((self.num_classes,), name="label_out")
        z_mean, z_log_var = self.encoder_net([image, label_in])
        z = self.sampling([z_mean, z_log_var])
        encoder = keras.Model([image, label_in], z, name="encoder")
        z_meaner = keras.Model([image, label_in], z_mean, name="z_meaner")
        z_lvarer = keras.Model([image, label_in], z_log_var, name="z_lvarer")
        return {
            "encoder": encoder,
            "z_meaner": z_meaner,
            "z_lvarer": z_lvarer,
            "decoder": self.decoder,
            "cvae": keras.Model([image, label_in, label_out],
                                self.decoder([z, label_out]), name="cvae"),
            "style_t": keras.Model([image, label_in, label_out],
                                   self.decoder([z_mean, label_out]), name="style_t"),
        }

    def get_config(self) -> dict:
        return {**super().get_config(), **serialize_parts(self, self._PARTS)}

    @classmethod
    def from_config(cls, config):
        return cls(**deserialize_parts(config, cls._PARTS))
