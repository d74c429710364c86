"""The conditional VAE+GAN of Part 6 (Larsen et al., 2016): three networks, three optimisers.

Each network is trained only on its own loss (:mod:`keras_autoencoders.models.losses`):
``L_enc = L_llike + L_prior``, ``L_dec = gamma * L_llike - L_GAN``, ``L_dis = L_GAN``,
with RMSprop 1e-3, 3e-4 and 1e-3
(:class:`~keras_autoencoders.models.cvae_gan.optimizer.ArticleRMSprop`). The
networks and the two presets are in :mod:`keras_autoencoders.models.cvae_gan.networks`.
"""
from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from keras_autoencoders.models.conditional import ConditionalDecoderMixin
from keras_autoencoders.models.cvae_gan.networks import (IMAGE_SHAPE, LEARNING_RATES, PRESETS, build_conv_decoder,
                                                         build_conv_encoder, build_discriminator,
                                                         precision_policy)
from keras_autoencoders.models.cvae_gan.optimizer import ArticleRMSprop
from keras_autoencoders.models.losses import part6_feature_loss, part6_gan_loss, part6_prior_loss
from keras_autoencoders.models.serialization import deserialize_parts, serialize_parts


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class CVAEGAN(ConditionalDecoderMixin, keras.Model):
    """Encoder, decoder and discriminator trained by three optimisers on their own losses.

    ``call([image, label])`` is the article's ``cvae``: encode, sample, decode.
    After :meth:`compile`, :meth:`discriminator_step` and
    :meth:`encoder_decoder_step` are compiled (``tf.function``) steps on
    ``(image, label, z_prior)`` that return ``{"l_prior", "l_llike", "l_gan"}``
    computed before the update, like the article's ``sess.run`` calls;
    ``fit`` alternates one of each per batch (:meth:`train_step`).
    """

    _PARTS = ("encoder", "decoder", "discriminator")
    _OPTIMIZERS = ("encoder_optimizer", "decoder_optimizer", "discriminator_optimizer")

    def __init__(self, encoder: keras.Model, decoder: keras.Model, discriminator: keras.Model,
                 feature_loss: str = "cross_entropy", seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if feature_loss not in ("cross_entropy", "mse"):
            raise ValueError(f"feature_loss must be 'cross_entropy' or 'mse', got {feature_loss!r}")
        self.encoder = encoder
        self.decoder = decoder
        self.discriminator = discriminator
        self.feature_loss = feature_loss
        self.seed = seed
        self.prior_seed = keras.random.SeedGenerator(seed, name="prior_seed")
        self.gamma = 1.0
        self.trackers = {name: keras.metrics.Mean(name=name) for name in ("l_prior", "l_llike", "l_gan")}
        self.encoder_optimizer = self.decoder_optimizer = self.discriminator_optimizer = None
        self._discriminator_trained = None

    @property
    def metrics(self):
        return list(self.trackers.values())

    @property
    def discriminator_trained_variables(self) -> list:
        """The discriminator's variables that D (hence L_GAN) depends on.

        Found once by differentiating D on a dummy batch: with the article's head,
        l's kernel and bias get no gradient and are left out.
        """
        if self._discriminator_trained is None:
            image = ops.zeros((1, *IMAGE_SHAPE))
            label = ops.zeros((1, self.num_classes))
            variables = self.discriminator.trainable_variables
            with tf.GradientTape() as tape:
                d, _ = self.discriminator([image, label], training=False)
            grads = tape.gradient(d, variables)
            # Kept as indices: a list of variables set on a built layer would be tracked as new state.
            self._discriminator_trained = tuple(i for i, g in enumerate(grads) if g is not None)
        variables = self.discriminator.trainable_variables
        return [variables[i] for i in self._discriminator_trained]

    def call(self, inputs, training=False):
        image, label = inputs
        z = self.encoder([image, label], training=training)[2]
        return self.decoder([z, label], training=training)

    # ------------------------------------------------------------------ training

    def compile(self, encoder_optimizer: keras.optimizers.Optimizer | None = None,
                decoder_optimizer: keras.optimizers.Optimizer | None = None,
                discriminator_optimizer: keras.optimizers.Optimizer | None = None,
                gamma: float = 1.0, **kwargs) -> None:
        """Set the three optimisers (default: the article's RMSprop rates) and gamma."""
        super().compile(optimizer=None, **kwargs)
        self.encoder_optimizer = encoder_optimizer or ArticleRMSprop(LEARNING_RATES["encoder"])
        self.decoder_optimizer = decoder_optimizer or ArticleRMSprop(LEARNING_RATES["decoder"])
        self.discriminator_optimizer = (discriminator_optimizer
                                        or ArticleRMSprop(LEARNING_RATES["discriminator"]))
        self.gamma = float(gamma)
        # Build the optimisers' slots now, so a checkpoint can be restored before any step.
        self.encoder_optimizer.build(self.encoder.trainable_variables)
        self.decoder_optimizer.build(self.decoder.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator_trained_variables)
        specs = (tf.TensorSpec((None, *IMAGE_SHAPE), tf.float32),
                 tf.TensorSpec((None, self.num_classes), tf.float32),
                 tf.TensorSpec((None, self.latent_dim), tf.float32))
        self.discriminator_step = tf.function(self._discriminator_step, input_signature=specs)
        self.encoder_decoder_step = tf.function(self._encoder_decoder_step, input_signature=specs)

    def losses_on(self, image, label, z_prior, training: bool = True) -> dict:
        """The three losses on one batch: ``{"l_prior", "l_llike", "l_gan"}`` (article's scale)."""
        image, label, z_prior = (ops.convert_to_tensor(t, "float32") for t in (image, label, z_prior))
        z_mean, z_log_var, z = self.encoder([image, label], training=training)
        # Separate calls, as in the article: batching them into one decoder call and one
        # discriminator call makes the encoder's gradient flow through the prior half too (slower).
        reconstructed = self.decoder([z, label], training=training)
        from_prior = self.decoder([z_prior, label], training=training)
        d_real, l_real = self.discriminator([image, label], training=training)
        d_rec, l_rec = self.discriminator([reconstructed, label], training=training)
        d_prior, _ = self.discriminator([from_prior, label], training=training)
        return {
            "l_prior": part6_prior_loss(z_mean, z_log_var),
            "l_llike": part6_feature_loss(l_real, l_rec, self.feature_loss),
            "l_gan": part6_gan_loss(d_real, d_prior, d_rec),
        }

    def network_losses(self, losses: dict) -> dict:
        """``{"encoder": L_enc, "decoder": L_dec, "discriminator": L_dis}`` from the three terms."""
        return {
            "encoder": losses["l_llike"] + losses["l_prior"],
            "decoder": self.gamma * losses["l_llike"] - losses["l_gan"],
            "discriminator": losses["l_gan"],
        }

    def gradients(self, image, label, z_prior, networks=("encoder", "decoder", "discriminator")):
        """Gradients of each network's own loss w.r.t. its trained variables, and the losses."""
        variables = {
            "encoder": self.encoder.trainable_variables,
            "decoder": self.decoder.trainable_variables,
            "discriminator": self.discriminator_trained_variables,
        }
        with tf.GradientTape(persistent=len(networks) > 1) as tape:
            losses = self.losses_on(image, label, z_prior, training=True)
            targets = self.network_losses(losses)
        grads = {name: tape.gradient(targets[name], variables[name]) for name in networks}
        del tape
        return grads, variables, losses

    def _apply(self, networks, image, label, z_prior) -> dict:
        grads, variables, losses = self.gradients(image, label, z_prior, networks)
        for name in networks:
            getattr(self, f"{name}_optimizer").apply(grads[name], variables[name])
        return losses

    def _discriminator_step(self, image, label, z_prior) -> dict:
        return self._apply(("discriminator",), image, label, z_prior)

    def _encoder_decoder_step(self, image, label, z_prior) -> dict:
        losses = self._apply(("encoder", "decoder"), image, label, z_prior)
        for name, value in losses.items():
            self.trackers[name].update_state(value)
        return losses

    def train_step(self, data):
        """One discriminator step, then one encoder+decoder step, on the same batch."""
        image, label = data[0], data[1]
        z_prior = keras.random.normal((ops.shape(image)[0], self.latent_dim), seed=self.prior_seed)
        self._discriminator_step(image, label, z_prior)
        self._encoder_decoder_step(image, label, z_prior)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def test_step(self, data):
        image, label = data[0], data[1]
        z_prior = keras.random.normal((ops.shape(image)[0], self.latent_dim), seed=self.prior_seed)
        for name, value in self.losses_on(image, label, z_prior, training=False).items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    # ------------------------------------------------------------------ article sub-models

    def article_models(self) -> dict[str, keras.Model]:
        """``z_meaner`` (``[image, label] -> z_mean``), ``decoder`` and ``cvae``, sharing weights."""
        image = keras.Input(IMAGE_SHAPE, name="image")
        label = keras.Input((self.num_classes,), name="label")
        z_mean, _, z = self.encoder([image, label])
        return {
            "z_meaner": keras.Model([image, label], z_mean, name="z_meaner"),
            "decoder": self.decoder,
            "cvae": keras.Model([image, label], self.decoder([z, label]), name="cvae"),
        }

    # ------------------------------------------------------------------ saving

    def get_config(self) -> dict:
        return {**super().get_config(), **serialize_parts(self, self._PARTS),
                "feature_loss": self.feature_loss, "seed": self.seed}

    @classmethod
    def from_config(cls, config):
        return cls(**deserialize_parts(config, cls._PARTS))

    def get_compile_config(self) -> dict | None:
        if self.encoder_optimizer is None:
            return None
        return {**serialize_parts(self, self._OPTIMIZERS), "gamma": self.gamma}

    def compile_from_config(self, config: dict) -> None:
        self.compile(**deserialize_parts(config, self._OPTIMIZERS))


def build_cvae_gan(latent_dim: int = 8, num_classes: int = 10, preset: str = "article",
                   head: str | None = None, feature_loss: str | None = None,
                   seed: int | None = None, precision: str = "float32") -> CVAEGAN:
    """The Part 6 model with the article's sizes; ``preset`` picks the variant (see PRESETS).

    ``head`` and ``feature_loss`` override the preset's choices. ``precision`` is the
    article's ``"float32"`` or ``"mixed_bfloat16"`` (an option, not the article's: bfloat16
    arithmetic with float32 weights and output layers; see ``networks.PRECISIONS``). The
    policy is stored in each layer's config, so a saved model loads back with it.
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {preset!r}")
    options = {**PRESETS[preset], **{k: v for k, v in (("head", head), ("feature_loss", feature_loss))
                                     if v is not None}}
    with precision_policy(precision):
        model = CVAEGAN(build_conv_encoder(latent_dim, num_classes, seed=seed),
                        build_conv_decoder(latent_dim, num_classes),
                        build_discriminator(num_classes, options["head"]),
                        feature_loss=options["feature_loss"], seed=seed, name=f"cvae_gan_{preset}")
    image = ops.zeros((1, *IMAGE_SHAPE))
    label = ops.zeros((1, num_classes))
    model([image, label])  # build every weight
    model.discriminator([image, label])
    return model
