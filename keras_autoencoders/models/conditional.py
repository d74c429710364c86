"""What the conditional models share: sizes read off the decoder, sub-model configs, the CVAE itself.

:class:`ConditionalVAE` is the conditional VAE of Part 4 (a dense net on MNIST
digits and one-hot labels) and of the CelebA article (a conv net on faces and
their 40 attributes): the same loss and training step for any image shape and
any condition vector; only the encoder and decoder networks differ.

The loss, training and test steps, metrics and saving are those of the
unconditional :class:`~keras_autoencoders.models.vae.VariationalAutoencoder`;
:class:`ConditionalVAE` only feeds the condition to both nets.
"""
from __future__ import annotations

import keras

# DECODER_LOGITS is imported from here by the conditional models' builders.
from keras_autoencoders.models.vae import DECODER_LOGITS, VariationalAutoencoder

__all__ = ["DECODER_LOGITS", "ConditionalDecoderMixin", "ConditionalVAE"]


class ConditionalDecoderMixin:
    """For a ``keras.Model`` whose ``self.decoder`` maps ``[z, one_hot_label]`` to an image."""

    @property
    def latent_dim(self) -> int:
        return int(self.decoder.inputs[0].shape[-1])

    @property
    def num_classes(self) -> int:
        return int(self.decoder.inputs[1].shape[-1])


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class ConditionalVAE(ConditionalDecoderMixin, VariationalAutoencoder):
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

    _NET_INPUTS = 2

    def _unpack(self, data):
        return data[0], data[1]

    def _encoder_inputs(self, images, condition):
        return [images, condition]

    def _decoder_inputs(self, z, condition):
        return [z, condition]

    def call(self, inputs, training=False):
        image, label_in, label_out = inputs
        z_mean, z_log_var = self.encoder_net([image, label_in], training=training)
        z = self.sampling([z_mean, z_log_var])
        return self.decoder([z, label_out], training=training)

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
