"""The conditional VAE+GAN of Part 6 (Larsen et al., 2016): three networks, three optimisers.

Each network is trained only on its own loss (:mod:`keras_autoencoders.models.losses`):
``L_enc = L_llike + L_prior``, ``L_dec = gamma * L_llike - L_GAN``, ``L_dis = L_GAN``,
with RMSprop 1e-3, 3e-4 and 1e-3
(:class:`~keras_autoencoders.models.cvae_gan.optimizer.ArticleRMSprop`). The
networks and the two presets are in :mod:`keras_autoencoders.models.cvae_gan.networks`.

:meth:`CVAEGAN.train_step` is one outer iteration of the article's loop ("Процесс
обучения"), in the graph: up to 3 discriminator steps, then up to 3 encoder+decoder
steps, on the draws of :func:`keras_autoencoders.data.iteration_draws.iteration_draws`.
``fit`` runs it; ``compile(steps_per_execution=N)`` runs N iterations per call.

At the article's scale (sums over the batch divided by 784) L_GAN at chance is
``64 ln 2 / 784 = 0.057`` for a batch of 64, far below both thresholds (1.0 and 0.4): in the
article's code as here, an iteration is in practice one discriminator step and three
encoder+decoder steps. The thresholds are kept, and the loops honour them.
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
from keras_autoencoders.models.upsampled_conv import folded_upsampling_view

#: The article's inner loops: at most 3 steps each; the discriminator's phase ends once
#: L_GAN < 1.0, the encoder+decoder's once L_GAN > 0.4 ("nb_step", "if l_g < 1.0: break").
MAX_STEPS = 3
DISCRIMINATOR_STOP_BELOW = 1.0
ENCODER_DECODER_STOP_ABOVE = 0.4
LOSS_NAMES = ("l_prior", "l_llike", "l_gan")
STEP_NAMES = ("d_steps", "ed_steps")
#: The article's ``batches_per_period``: it logs (and at its ``save_periods`` snapshots) every 3
#: iterations. Training with ``fit``, a period is an epoch of 3 steps (iterations).
ITERATIONS_PER_PERIOD = 3


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class CVAEGAN(ConditionalDecoderMixin, keras.Model):
    """Encoder, decoder and discriminator trained by three optimisers on their own losses.

    ``call([image, label])`` is the article's ``cvae``: encode, sample, decode.
    :meth:`discriminator_step` and :meth:`encoder_decoder_step` are the article's
    ``step_d`` and ``step`` on ``(image, label, z_prior)``: they return
    ``{"l_prior", "l_llike", "l_gan"}`` computed before the update, as its ``sess.run``
    calls do. :meth:`train_step` is one outer iteration of the article's loop.
    """

    _PARTS = ("encoder", "decoder", "discriminator")
    _OPTIMIZERS = ("encoder_optimizer", "decoder_optimizer", "discriminator_optimizer")

    def __init__(self, encoder: keras.Model, decoder: keras.Model, discriminator: keras.Model,
                 feature_loss: str = "cross_entropy", seed: int | None = None, fold_upsampling: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        if feature_loss not in ("cross_entropy", "mse"):
            raise ValueError(f"feature_loss must be 'cross_entropy' or 'mse', got {feature_loss!r}")
        self.encoder = encoder
        self.decoder = decoder
        self.discriminator = discriminator
        self.feature_loss = feature_loss
        self.seed = seed
        # Not the article's, and not saved: how the training steps compute the decoder (see
        # keras_autoencoders.models.upsampled_conv). The view shares the decoder's layers; kept
        # out of Keras' tracking so the saved model holds the plain decoder alone.
        object.__setattr__(self, "_training_decoder",
                           folded_upsampling_view(decoder, "dec_concat") if fold_upsampling else decoder)
        self.gamma = 1.0
        # One tracker per key train_step returns; fit resets them every epoch, so an epoch's
        # logs are the means over its iterations.
        self.trackers = {name: keras.metrics.Mean(name=name) for name in (*LOSS_NAMES, *STEP_NAMES)}
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

    @property
    def discriminator_untrained_variables(self) -> list:
        """The discriminator's variables L_GAN never reaches (l's, with the article's head)."""
        trained = {v.path for v in self.discriminator_trained_variables}
        return [v for v in self.discriminator.trainable_variables if v.path not in trained]

    def summary(self, line_length: int = 100, **kwargs) -> None:
        """Keras' summary of each network (encoder, decoder, discriminator), then the
        discriminator variables L_GAN never reaches (the article's head leaves l untrained)."""
        for network in (self.encoder, self.decoder, self.discriminator):
            network.summary(line_length=line_length, **kwargs)
        untrained = [v.path for v in self.discriminator_untrained_variables]
        print("discriminator variables L_GAN never reaches:", untrained or "none")

    @property
    def step_counts(self) -> dict[str, int]:
        """Optimiser steps taken so far: ``{"discriminator": n, "encoder_decoder": m}``."""
        if self.encoder_optimizer is None:
            return {"discriminator": 0, "encoder_decoder": 0}
        return {"discriminator": int(self.discriminator_optimizer.iterations.numpy()),
                "encoder_decoder": int(self.encoder_optimizer.iterations.numpy())}

    def call(self, inputs, training=False):
        image, label = inputs
        z = self.encoder([image, label], training=training)[2]
        return self.decoder([z, label], training=training)

    # ------------------------------------------------------------------ training

    def compile(self, encoder_optimizer: keras.optimizers.Optimizer | None = None,
                decoder_optimizer: keras.optimizers.Optimizer | None = None,
                discriminator_optimizer: keras.optimizers.Optimizer | None = None,
                gamma: float = 1.0, **kwargs) -> None:
        """Set the three optimisers (default: the article's RMSprop rates) and gamma.

        Other arguments go to ``keras.Model.compile`` (``steps_per_execution``, ...).
        """
        super().compile(optimizer=None, **kwargs)
        self.encoder_optimizer = encoder_optimizer or ArticleRMSprop(LEARNING_RATES["encoder"])
        self.decoder_optimizer = decoder_optimizer or ArticleRMSprop(LEARNING_RATES["decoder"])
        self.discriminator_optimizer = (discriminator_optimizer
                                        or ArticleRMSprop(LEARNING_RATES["discriminator"]))
        self.gamma = float(gamma)
        # Build the optimisers' slots now, so BackupAndRestore can restore them before any step.
        self.encoder_optimizer.build(self.encoder.trainable_variables)
        self.decoder_optimizer.build(self.decoder.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator_trained_variables)

    def losses_on(self, image, label, z_prior, training: bool = True) -> dict:
        """The three losses on one batch: ``{"l_prior", "l_llike", "l_gan"}`` (article's scale)."""
        image, label, z_prior = (ops.convert_to_tensor(t, "float32") for t in (image, label, z_prior))
        z_mean, z_log_var, z = self.encoder([image, label], training=training)
        # Separate calls, as in the article: batching them into one decoder call and one
        # discriminator call makes the encoder's gradient flow through the prior half too (slower).
        reconstructed = self._training_decoder([z, label], training=training)
        from_prior = self._training_decoder([z_prior, label], training=training)
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

    def discriminator_step(self, image, label, z_prior) -> dict:
        """The article's ``step_d``: one RMSprop step of the discriminator on L_GAN."""
        return self._apply(("discriminator",), image, label, z_prior)

    def encoder_decoder_step(self, image, label, z_prior) -> dict:
        """The article's ``step``: one step of the encoder on L_enc and of the decoder on L_dec."""
        return self._apply(("encoder", "decoder"), image, label, z_prior)

    def train_step(self, data):
        """One outer iteration of the article's loop on one element of ``iteration_draws``.

        ``data`` is ``(images, labels, z_prior)``, each holding up to 6 draws (batches and
        their prior codes). Up to 3 discriminator steps, each on the next draw, end once L_GAN
        < 1.0; then up to 3 encoder+decoder steps, the first on the discriminator's last
        draw, end once L_GAN > 0.4, moving to the next draw after each step that does not end
        the phase. Returns the trackers: the last encoder+decoder step's losses and the number
        of steps of each kind.
        """
        images, labels, priors = data
        zero = {name: tf.constant(0.0) for name in LOSS_NAMES}

        def phase(step_fn, first_draw, goes_on):
            """Steps of ``step_fn`` on draws ``first_draw``, ``first_draw + 1``, ... while ``goes_on(l_gan)``."""
            def more(steps, losses):  # the article's loop: at most 3 steps, break once it ends
                return tf.logical_and(steps < MAX_STEPS, tf.logical_or(steps == 0, goes_on(losses["l_gan"])))

            def step(steps, losses):
                draw = first_draw + steps
                return steps + 1, step_fn(images[draw], labels[draw], priors[draw])

            return tf.while_loop(more, step, (tf.constant(0), zero))

        # "if l_g < 1.0: break" and "if l_g > 0.4: break": a NaN breaks neither, as in the article
        # (written out, since TensorFlow rewrites not(a < b) as a >= b, which a NaN fails).
        d_steps, _ = phase(self.discriminator_step, 0,
                           lambda l_gan: tf.logical_or(l_gan >= DISCRIMINATOR_STOP_BELOW, tf.math.is_nan(l_gan)))
        ed_steps, losses = phase(self.encoder_decoder_step, d_steps - 1,
                                 lambda l_gan: tf.logical_or(l_gan <= ENCODER_DECODER_STOP_ABOVE,
                                                             tf.math.is_nan(l_gan)))
        for name in LOSS_NAMES:
            self.trackers[name].update_state(losses[name])
        self.trackers["d_steps"].update_state(ops.cast(d_steps, "float32"))
        self.trackers["ed_steps"].update_state(ops.cast(ed_steps, "float32"))
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def test_step(self, data):
        """The three losses, without updates, on ``(image, label, z_prior)`` batches."""
        image, label, z_prior = data
        for name, value in self.losses_on(image, label, z_prior, training=False).items():
            self.trackers[name].update_state(value)
        return {name: self.trackers[name].result() for name in LOSS_NAMES}

    # ------------------------------------------------------------------ article sub-models

    def article_models(self) -> dict[str, keras.Model]:
        """``z_meaner`` (``[image, label] -> z_mean``), ``encoder`` (a sampled z), ``decoder`` and ``cvae``, sharing weights."""
        image = keras.Input(IMAGE_SHAPE, name="image")
        label = keras.Input((self.num_classes,), name="label")
        z_mean, _, z = self.encoder([image, label])
        return {
            "z_meaner": keras.Model([image, label], z_mean, name="z_meaner"),
            "encoder": keras.Model([image, label], z, name="sampled_encoder"),
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
                   seed: int | None = None, precision: str = "float32", fold_upsampling: bool = False) -> CVAEGAN:
    """The Part 6 model with the article's sizes; ``preset`` picks the variant (see PRESETS).

    ``head`` and ``feature_loss`` override the preset's choices. ``precision`` is the
    article's ``"float32"`` or ``"mixed_bfloat16"`` (an option, not the article's: bfloat16
    arithmetic with float32 weights and output layers; see ``networks.PRECISIONS``). The
    policy is stored in each layer's config, so a saved model loads back with it.
    ``fold_upsampling`` (an option, not saved) trains with the decoder's up-sampled convolution
    computed on the small map (:mod:`keras_autoencoders.models.upsampled_conv`): the same function,
    faster; the model keeps the article's layers.
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {preset!r}")
    options = {**PRESETS[preset], **{k: v for k, v in (("head", head), ("feature_loss", feature_loss))
                                     if v is not None}}
    with precision_policy(precision):
        model = CVAEGAN(build_conv_encoder(latent_dim, num_classes, seed=seed),
                        build_conv_decoder(latent_dim, num_classes),
                        build_discriminator(num_classes, options["head"]),
                        feature_loss=options["feature_loss"], seed=seed, fold_upsampling=fold_upsampling,
                        name=f"cvae_gan_{preset}")
    image = ops.zeros((1, *IMAGE_SHAPE))
    label = ops.zeros((1, num_classes))
    model([image, label])  # build every weight
    model.discriminator([image, label])
    return model
