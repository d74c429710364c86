"""Part 4's conditional VAE ("Автоэнкодеры в Keras, Часть 4", "Код на Keras"): networks, loss, step.

Loss per digit (784 * BCE + KL) / 2 / 784, Adam 1e-3, batch 500. :class:`VariationalAutoencoder` is every VAE
here: the condition is optional (CelebA's: 40 attributes), and P, the pixels per image, comes from the input."""
from __future__ import annotations

import math

import keras
from keras import layers, ops

from keras_autoencoders.compat import scale_loss_for_distribution
from keras_autoencoders.models.precision import set_precision

IMAGE_SHAPE = (28, 28, 1)
_PARTS = ("encoder_net", "decoder", "sampling")  # what a saved model's config holds


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class Sampling(layers.Layer):
    """The article's ``sampling`` Lambda, ``z = z_mean + exp(z_log_var / 2) * eps``, also at inference;
    its noise follows the batch's size and a seeded generator. Part 6 clips ``z_log_var / 2`` to ±2."""

    def __init__(self, log_std_clip: float | None = None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.log_std_clip, self.seed, self.seed_generator = log_std_clip, seed, keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        log_std = z_log_var / 2.0
        if self.log_std_clip is not None:
            log_std = ops.clip(log_std, -self.log_std_clip, self.log_std_clip)
        epsilon = keras.random.normal(ops.shape(z_mean), dtype=self.compute_dtype, seed=self.seed_generator)
        return z_mean + ops.exp(log_std) * epsilon

    def get_config(self) -> dict:
        return {**super().get_config(), "log_std_clip": self.log_std_clip, "seed": self.seed}


def build_part4_encoder(latent_dim: int = 8, num_classes: int = 10, hidden: int = 256,
                        dropout_rate: float = 0.3) -> keras.Model:
    """``[image, label] -> [z_mean, z_log_var]``: the article's encoder up to the sampling."""
    image, label = keras.Input(IMAGE_SHAPE, name="image"), keras.Input((num_classes,), name="label")
    x = layers.Concatenate()([layers.Flatten()(image), label])
    x = layers.Dense(hidden, activation="relu", name="enc_dense")(x)
    x = layers.BatchNormalization(name="enc_bn")(x)  # the article's apply_bn_and_dropout
    x = layers.Dropout(dropout_rate, name="enc_dropout")(x)
    z_mean, z_log_var = (layers.Dense(latent_dim, name=name)(x) for name in ("z_mean", "z_log_var"))
    return keras.Model([image, label], [z_mean, z_log_var], name="encoder_net")


def build_part4_decoder(latent_dim: int = 8, num_classes: int = 10, hidden: int = 256,
                        dropout_rate: float = 0.3) -> keras.Model:
    """``[z, label] -> image`` in [0, 1]: the article's ``decoder``."""
    z, label = keras.Input((latent_dim,), name="z"), keras.Input((num_classes,), name="label")
    x = layers.Dense(hidden, name="dec_dense")(layers.Concatenate()([z, label]))
    x = layers.LeakyReLU(negative_slope=0.3, name="dec_leaky_relu")(x)  # Keras 2's default slope
    x = layers.BatchNormalization(name="dec_bn")(x)
    x = layers.Dropout(dropout_rate, name="dec_dropout")(x)
    x = layers.Dense(math.prod(IMAGE_SHAPE), activation="sigmoid", name="dec_image")(x)
    return keras.Model([z, label], layers.Reshape(IMAGE_SHAPE)(x), name="decoder")


def _with(condition, tensor):  # what a net is fed: the tensor, beside the condition if there is one
    return tensor if condition is None else [tensor, condition]


def article_models(encode, decoder: keras.Model) -> dict[str, keras.Model]:
    """Part 4's ``create_cvae`` models of ``encode(inputs) -> (z_mean, z_log_var, z)`` and ``decoder``, sharing
    their weights: ``encoder`` (z), ``z_meaner``, ``z_lvarer``, ``decoder``, and ``cvae``/``style_t``
    (``[image, label_in, label_out]``, decoding z or z_mean) when conditional, else ``vae``."""
    image = keras.Input(decoder.outputs[0].shape[1:], name="image")
    label_in, label_out = ((keras.Input(decoder.inputs[1].shape[1:], name=name) for name in ("label_in", "label_out"))
                           if len(decoder.inputs) == 2 else (None, None))
    inputs = _with(label_in, image)
    z_mean, z_log_var, z = encode(inputs)
    models = {name: keras.Model(inputs, t, name=name) for name, t in
              (("encoder", z), ("z_meaner", z_mean), ("z_lvarer", z_log_var))} | {"decoder": decoder}
    if label_in is None:
        return {**models, "vae": keras.Model(image, decoder(z), name="vae")}
    both = [image, label_in, label_out]
    return {**models, "cvae": keras.Model(both, decoder([z, label_out]), name="cvae"),
            "style_t": keras.Model(both, decoder([z_mean, label_out]), name="style_t")}


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class VariationalAutoencoder(keras.Model):
    """A VAE on Part 4's loss. ``encoder_net``: ``image`` or ``[image, condition] -> [z_mean, z_log_var]``;
    ``decoder``: ``z`` or ``[z, condition] -> image`` in [0, 1]. Fit it on ``x=images`` or ``x=[images,
    conditions]`` (a ``y`` is ignored). ``call`` returns ``(reconstruction, z_mean, z_log_var)``."""

    def __init__(self, encoder_net: keras.Model, decoder: keras.Model, sampling: Sampling | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        if len(encoder_net.inputs) != len(decoder.inputs) or len(decoder.inputs) not in (1, 2):
            raise ValueError(f"encoder_net and decoder need 1 input each, or 2 (with the condition); "
                             f"got {len(encoder_net.inputs)} and {len(decoder.inputs)}")
        self.encoder_net, self.decoder = encoder_net, decoder
        self.sampling = sampling if sampling is not None else Sampling(name="sampling")
        self.conditional = len(decoder.inputs) == 2
        self.pixels = math.prod(encoder_net.inputs[0].shape[1:])  # P: 784 for MNIST
        self.latent_dim = int(decoder.inputs[0].shape[-1])
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    def encode(self, inputs, training=False):
        """``(z_mean, z_log_var, z)``: the article's encoder, z sampled."""
        z_mean, z_log_var = self.encoder_net(inputs, training=training)
        return z_mean, z_log_var, self.sampling([z_mean, z_log_var])

    def call(self, inputs, training=False):
        if self.conditional and not (isinstance(inputs, (list, tuple)) and len(inputs) == 2):
            raise ValueError(f"{self.name} takes x=[images, conditions], as in cvae.fit([x_train, y_train], x_train)")
        # As tensors, since each net's inputs must all be tensors (JAX's fit feeds NumPy arrays; z is a tensor).
        images, condition = [ops.convert_to_tensor(t) for t in inputs] if self.conditional else (inputs, None)
        z_mean, z_log_var, z = self.encode(_with(condition, images), training=training)
        return self.decoder(_with(condition, z), training=training), z_mean, z_log_var

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        images = x[0] if self.conditional else x
        batch = ops.shape(images)[0]
        # In float32 whatever the nets compute in (see keras_autoencoders.models.precision).
        images, reconstruction, z_mean, z_log_var = (ops.cast(t, "float32") for t in (images, *y_pred))
        # Keras' binary cross-entropy as the article's Keras 2 ran it, per pixel: clipped probabilities.
        eps, target = keras.config.epsilon(), ops.reshape(images, (batch, -1))  # Keras' fuzz factor, 1e-7
        p = ops.clip(ops.reshape(reconstruction, (batch, -1)), eps, 1.0 - eps)
        bce = -ops.mean(target * ops.log(p) + (1.0 - target) * ops.log(1.0 - p), axis=-1)
        kl = -0.5 * ops.sum(1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)
        # The article's vae_loss, (P * BCE + KL) / 2 / P, split into its two terms.
        reconstruction_loss, kl_loss = ops.mean(bce) / 2.0, ops.mean(kl) / 2.0 / self.pixels
        for tracker, value in ((self.reconstruction_loss_tracker, reconstruction_loss), (self.kl_loss_tracker, kl_loss)):
            tracker.update_state(value, sample_weight=ops.cast(batch, "float32"))  # per image, a short batch too
        # Each replica's share under tf.distribute, as Keras' own losses do (unchanged on one device).
        return scale_loss_for_distribution(reconstruction_loss + kl_loss)

    def summary(self, **kwargs) -> None:
        """Keras' summary of the encoder net, then of the decoder."""
        for net in (self.encoder_net, self.decoder):
            net.summary(**kwargs)

    def article_models(self) -> dict[str, keras.Model]:
        """The article's sub-models (:func:`article_models`), sharing this model's weights."""
        return article_models(self.encode, self.decoder)

    def get_config(self) -> dict:
        return {**super().get_config(), **{k: keras.saving.serialize_keras_object(getattr(self, k)) for k in _PARTS}}

    @classmethod
    def from_config(cls, config):
        return cls(**{**config, **{k: keras.saving.deserialize_keras_object(config[k]) for k in _PARTS}})


def build_part4_cvae(latent_dim: int = 8, num_classes: int = 10, hidden: int = 256, dropout_rate: float = 0.3,
                     seed: int | None = None, precision: str = "float32") -> VariationalAutoencoder:
    """The Part 4 CVAE, built; ``precision="mixed_bfloat16"`` is an option, not the article's."""
    model = VariationalAutoencoder(build_part4_encoder(latent_dim, num_classes, hidden, dropout_rate),
                                   build_part4_decoder(latent_dim, num_classes, hidden, dropout_rate),
                                   Sampling(seed=seed, name="sampling"), name="part4_cvae")
    model([ops.zeros((1, *IMAGE_SHAPE)), ops.zeros((1, num_classes))])
    return set_precision(model, precision)
