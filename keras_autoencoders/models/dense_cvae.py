"""The dense conditional VAE of Part 4 ("Autoencoders in Keras, part 4", "Код на Keras").

Encoder: flattened image + one-hot label -> Dense 256 relu -> BatchNorm ->
Dropout 0.3 -> (z_mean, z_log_var), latent 8, then a sampled z.
Decoder: z + label -> Dense 256 -> LeakyReLU -> BatchNorm -> Dropout 0.3 ->
Dense 784 sigmoid -> 28x28x1. Loss per sample (784 * BCE + KL) / 2 / 784,
Adam 1e-3, batch 500 (see :mod:`keras_autoencoders.losses`).

:class:`ConditionalVAE` owns the loss in its ``train_step``/``test_step``;
:meth:`ConditionalVAE.article_models` returns the article's six sub-models
(``encoder``, ``z_meaner``, ``z_lvarer``, ``decoder``, ``cvae``, ``style_t``),
all sharing the trained weights.
"""
from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from keras_autoencoders.losses import part4_cvae_loss_terms
from keras_autoencoders.models.conditional import ConditionalDecoderMixin, deserialize_parts, serialize_parts
from keras_autoencoders.models.sampling import Sampling

IMAGE_SHAPE = (28, 28, 1)
#: Name of the decoder's last Dense layer, whose pre-sigmoid output the loss reads.
DECODER_LOGITS = "dec_logits"


def _bn_dropout(x, rate: float, name: str):
    """The article's ``apply_bn_and_dropout``: BatchNorm, then Dropout (after the activation)."""
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.Dropout(rate, name=f"{name}_dropout")(x)


def build_dense_encoder(latent_dim: int = 8, num_classes: int = 10, hidden: int = 256,
                        dropout_rate: float = 0.3, image_shape=IMAGE_SHAPE) -> keras.Model:
    """``[image, label] -> [z_mean, z_log_var]``: the deterministic part of the article's encoder."""
    image = keras.Input(image_shape, name="image")
    label = keras.Input((num_classes,), name="label")
    x = layers.Concatenate()([layers.Flatten()(image), label])
    x = layers.Dense(hidden, activation="relu", name="enc_dense")(x)
    x = _bn_dropout(x, dropout_rate, "enc")
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    return keras.Model([image, label], [z_mean, z_log_var], name="encoder_net")


def build_dense_decoder(latent_dim: int = 8, num_classes: int = 10, hidden: int = 256,
                        dropout_rate: float = 0.3, image_shape=IMAGE_SHAPE) -> keras.Model:
    """``[z, label] -> image`` in [0, 1]: the article's ``decoder``."""
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((num_classes,), name="label")
    x = layers.Concatenate()([z, label])
    x = layers.Dense(hidden, name="dec_dense")(x)
    x = layers.LeakyReLU(negative_slope=0.3)(x)  # Keras 2's default alpha, as in the article
    x = _bn_dropout(x, dropout_rate, "dec")
    pixels = image_shape[0] * image_shape[1] * image_shape[2]
    logits = layers.Dense(pixels, name=DECODER_LOGITS)(x)
    image = layers.Reshape(image_shape)(layers.Activation("sigmoid")(logits))
    return keras.Model([z, label], image, name="decoder")


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class ConditionalVAE(ConditionalDecoderMixin, keras.Model):
    """A conditional VAE trained on ``(images, one_hot_labels)`` batches.

    ``call([image, label_in, label_out])`` is the article's ``cvae``: encode with
    ``label_in``, sample z, decode with ``label_out``. ``fit(x=images, y=labels)``
    trains it with the article's loss; the reported ``loss`` is the article's
    ``vae_loss`` and equals ``reconstruction_loss + kl_loss``.
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
        reconstruction, kl = part4_cvae_loss_terms(image, logits, z_mean, z_log_var)
        return keras.ops.mean(reconstruction), keras.ops.mean(kl)

    def _report(self, reconstruction, kl) -> dict:
        self.loss_tracker.update_state(reconstruction + kl)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        with tf.GradientTape() as tape:
            reconstruction, kl = self._loss_terms(data, training=True)
            loss = reconstruction + kl
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply(grads, self.trainable_weights)
        return self._report(reconstruction, kl)

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


def build_part4_cvae(latent_dim: int = 8, num_classes: int = 10, hidden: int = 256,
                     dropout_rate: float = 0.3, seed: int | None = None) -> ConditionalVAE:
    """The Part 4 CVAE with the article's sizes (latent 8, 256 units, dropout 0.3)."""
    encoder_net = build_dense_encoder(latent_dim, num_classes, hidden, dropout_rate)
    decoder = build_dense_decoder(latent_dim, num_classes, hidden, dropout_rate)
    model = ConditionalVAE(encoder_net, decoder, Sampling(seed=seed, name="sampling"),
                           name="part4_cvae")
    image = keras.ops.zeros((1, *IMAGE_SHAPE))
    label = keras.ops.zeros((1, num_classes))
    model([image, label, label])  # build all weights
    return model
