"""Part 6's conditional VAE+GAN (Larsen et al., 2016): three networks (:mod:`.networks`), three optimisers.

Each network learns on its own loss ("Определение лоссов", terms in :mod:`..losses`) with TensorFlow 1's
RMSprop ("Определение шагов оптимизатора"); :meth:`CVAEGAN.train_step` is one outer iteration of the
article's loop ("Процесс обучения"). At the article's scale (batch sums / 784) L_GAN at chance is
``64 ln 2 / 784 = 0.057`` for a batch of 64, far below both thresholds (1.0 and 0.4): in the article's
code as here, an iteration is in practice one discriminator step and three encoder+decoder steps.
"""
from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from keras_autoencoders.errors import require_tensorflow
from keras_autoencoders.models.cvae_gan.networks import (IMAGE_SHAPE, PRESETS, build_conv_decoder,
                                                         build_conv_encoder, build_discriminator)
from keras_autoencoders.models.losses import part6_feature_loss, part6_gan_loss, part6_prior_loss
from keras_autoencoders.models.precision import set_precision
from keras_autoencoders.models.vae import article_models

#: The article's ``nb_step``: at most 3 steps in each inner loop.
MAX_STEPS = 3
LOSS_NAMES = ("l_prior", "l_llike", "l_gan")
STEP_NAMES = ("d_steps", "ed_steps")
#: The article's ``batches_per_period``: it logs (and at its ``save_periods`` snapshots) every 3
#: iterations. Training with ``fit``, a period is an epoch of 3 steps (iterations).
ITERATIONS_PER_PERIOD = 3
_PARTS = ("encoder", "decoder", "discriminator")
_OPTIMIZERS = ("encoder_optimizer", "decoder_optimizer", "discriminator_optimizer")


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class ArticleRMSprop(keras.optimizers.RMSprop):
    """TensorFlow 1's ``RMSPropOptimizer``, as the article ran it: Keras' RMSprop (decay 0.9, no
    momentum) whose mean of squared gradients starts at 1, not 0 (the first steps are about
    ``lr * g``, not ``lr * sign(g) * 3.2``), with TF1's epsilon 1e-10 instead of 1e-7."""

    def __init__(self, learning_rate: float = 1e-3, rho: float = 0.9, epsilon: float = 1e-10,
                 initial_accumulator: float = 1.0, **kwargs):
        super().__init__(learning_rate=learning_rate, rho=rho, epsilon=epsilon, **kwargs)
        self.initial_accumulator = initial_accumulator

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        # Without momentum or centring, RMSprop's build adds one mean per variable, last.
        for velocity in self.variables[len(self.variables) - len(var_list):]:
            velocity.assign(ops.full(velocity.shape, self.initial_accumulator, velocity.dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "initial_accumulator": self.initial_accumulator}


def _optimizer(optimizer: keras.optimizers.Optimizer | float) -> keras.optimizers.Optimizer:
    return ArticleRMSprop(optimizer) if isinstance(optimizer, (int, float)) else optimizer


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class CVAEGAN(keras.Model):
    """Encoder, decoder and discriminator, each trained by its own optimiser on its own loss.

    ``call([image, label])`` is the article's ``cvae``: encode, sample, decode. ``fit`` takes
    :func:`~keras_autoencoders.data.iteration_draws.iteration_draws`: per iteration, 6 draws of
    ``(images, labels, z_prior)``.
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, discriminator: keras.Model,
                 feature_loss: str = "cross_entropy", seed: int | None = None, **kwargs):
        require_tensorflow("Part 6's CVAE+GAN (its train_step: GradientTape, graph loops)")
        super().__init__(**kwargs)
        if feature_loss not in ("cross_entropy", "mse"):
            raise ValueError(f"feature_loss must be 'cross_entropy' or 'mse', got {feature_loss!r}")
        self.encoder, self.decoder, self.discriminator = encoder, decoder, discriminator
        self.feature_loss, self.seed = feature_loss, seed
        self.latent_dim, self.num_classes = (int(tensor.shape[-1]) for tensor in decoder.inputs)  # [z, label]
        # How the steps run the decoder; a faster equivalent may replace it
        # (keras_autoencoders.models.upsampled_conv). A plain function: Keras neither tracks nor saves it.
        self.decode_for_training = lambda inputs, training: self.decoder(inputs, training=training)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in (*LOSS_NAMES, *STEP_NAMES)}
        self.gamma = 1.0
        self.encoder_optimizer = self.decoder_optimizer = self.discriminator_optimizer = None
        self._trained_indices = None

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, inputs, training=False):
        image, label = inputs
        z = self.encoder([image, label], training=training)[2]
        return self.decoder([z, label], training=training)

    def compile(self, encoder_optimizer: keras.optimizers.Optimizer | float = 1e-3,
                decoder_optimizer: keras.optimizers.Optimizer | float = 3e-4,
                discriminator_optimizer: keras.optimizers.Optimizer | float = 1e-3,
                gamma: float = 1.0, **kwargs) -> None:
        """The three optimisers (a number: the article's RMSprop at that rate) and gamma.

        Other arguments go to ``keras.Model.compile`` (``steps_per_execution``, ...).
        """
        super().compile(optimizer=None, **kwargs)
        self.encoder_optimizer = _optimizer(encoder_optimizer)
        self.decoder_optimizer = _optimizer(decoder_optimizer)
        self.discriminator_optimizer = _optimizer(discriminator_optimizer)
        self.gamma = float(gamma)
        # The slots now, so that a backup can be restored before the first step.
        self.encoder_optimizer.build(self.encoder.trainable_variables)
        self.decoder_optimizer.build(self.decoder.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator_trained_variables)

    def losses_on(self, image, label, z_prior, training: bool = True) -> dict:
        """The three terms on one batch, in the article's scale: ``{"l_prior", "l_llike", "l_gan"}``."""
        image, label, z_prior = (ops.convert_to_tensor(t, "float32") for t in (image, label, z_prior))
        z_mean, z_log_var, z = self.encoder([image, label], training=training)
        reconstructed = self.decode_for_training([z, label], training=training)
        from_prior = self.decode_for_training([z_prior, label], training=training)
        d_real, l_real = self.discriminator([image, label], training=training)
        d_rec, l_rec = self.discriminator([reconstructed, label], training=training)
        d_prior, _ = self.discriminator([from_prior, label], training=training)
        return {"l_prior": part6_prior_loss(z_mean, z_log_var),
                "l_llike": part6_feature_loss(l_real, l_rec, self.feature_loss),
                "l_gan": part6_gan_loss(d_real, d_prior, d_rec)}

    def network_losses(self, losses: dict) -> dict:
        """Each network's own loss: ``L_enc``, ``L_dec`` and ``L_dis``."""
        return {"encoder": losses["l_llike"] + losses["l_prior"],
                "decoder": self.gamma * losses["l_llike"] - losses["l_gan"],
                "discriminator": losses["l_gan"]}

    def _step(self, networks: tuple[str, ...], image, label, z_prior) -> dict:
        """One step of each of ``networks`` on its own loss; the losses before it, as the article's ``sess.run``."""
        variables = {"encoder": self.encoder.trainable_variables, "decoder": self.decoder.trainable_variables,
                     "discriminator": self.discriminator_trained_variables}
        with tf.GradientTape(persistent=True) as tape:
            losses = self.losses_on(image, label, z_prior)
            own = self.network_losses(losses)
        grads = {name: tape.gradient(own[name], variables[name]) for name in networks}
        for name in networks:
            getattr(self, f"{name}_optimizer").apply(grads[name], variables[name])
        return losses

    def discriminator_step(self, image, label, z_prior) -> dict:
        """The article's ``step_d``: the discriminator on L_dis."""
        return self._step(("discriminator",), image, label, z_prior)

    def encoder_decoder_step(self, image, label, z_prior) -> dict:
        """The article's ``step``: the encoder on L_enc and the decoder on L_dec."""
        return self._step(("encoder", "decoder"), image, label, z_prior)

    @tf.function  # with autograph (Keras traces its step without): the loops become graph loops
    def train_step(self, data):
        """One outer iteration of the article's loop on ``(images, labels, z_prior)``, 6 draws each.

        A NaN L_GAN breaks neither loop, as in the article (``nan < 1.0`` and ``nan > 0.4`` are false).
        """
        images, labels, priors = data
        draw, d_steps, ed_steps = -1, 0, 0
        for _ in tf.range(MAX_STEPS):
            draw += 1  # the article's next(batches) and a new z_prior
            l_gan = self.discriminator_step(images[draw], labels[draw], priors[draw])["l_gan"]
            d_steps += 1
            if l_gan < 1.0:
                break
        losses = {name: tf.constant(0.0) for name in LOSS_NAMES}
        for _ in tf.range(MAX_STEPS):  # the first step on the discriminator's last batch
            losses = self.encoder_decoder_step(images[draw], labels[draw], priors[draw])
            ed_steps += 1
            if losses["l_gan"] > 0.4:
                break
            draw += 1
        for name in LOSS_NAMES:
            self.trackers[name].update_state(losses[name])
        self.trackers["d_steps"].update_state(ops.cast(d_steps, "float32"))
        self.trackers["ed_steps"].update_state(ops.cast(ed_steps, "float32"))
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def test_step(self, data):
        """The three terms, without updates, on ``(image, label, z_prior)`` batches."""
        for name, value in self.losses_on(*data, training=False).items():
            self.trackers[name].update_state(value)
        return {name: self.trackers[name].result() for name in LOSS_NAMES}

    @property
    def discriminator_trained_variables(self) -> list:
        """The discriminator's variables that D depends on: with the article's head, not l's."""
        variables = self.discriminator.trainable_variables
        if self._trained_indices is None:  # found once, on a dummy batch
            image, label = ops.zeros((1, *IMAGE_SHAPE)), ops.zeros((1, self.num_classes))
            with tf.GradientTape() as tape:
                d, _ = self.discriminator([image, label], training=False)
            grads = tape.gradient(d, variables)
            self._trained_indices = tuple(i for i, g in enumerate(grads) if g is not None)
        return [variables[i] for i in self._trained_indices]

    @property
    def discriminator_untrained_variables(self) -> list:
        """The discriminator's variables L_GAN never reaches (l's, with the article's head)."""
        trained = {v.path for v in self.discriminator_trained_variables}
        return [v for v in self.discriminator.trainable_variables if v.path not in trained]

    def summary(self, line_length: int = 100, **kwargs) -> None:
        """Keras' summary of each network, then the discriminator variables L_GAN never reaches."""
        for network in (self.encoder, self.decoder, self.discriminator):
            network.summary(line_length=line_length, **kwargs)
        print("discriminator variables L_GAN never reaches:",
              [v.path for v in self.discriminator_untrained_variables] or "none")

    @property
    def step_counts(self) -> dict[str, int]:
        """Optimiser steps taken so far: ``{"discriminator": n, "encoder_decoder": m}``."""
        steps = [0 if o is None else int(o.iterations.numpy()) for o in (self.discriminator_optimizer,
                                                                         self.encoder_optimizer)]
        return dict(zip(("discriminator", "encoder_decoder"), steps))

    def article_models(self) -> dict[str, keras.Model]:
        """Part 4's sub-models (:func:`~keras_autoencoders.models.vae.article_models`) of this encoder and
        decoder; the article's Part 6 ``cvae_model`` is ``cvae`` with ``label_out = label_in``."""
        return article_models(self.encoder, self.decoder)

    def get_config(self) -> dict:
        parts = {key: keras.saving.serialize_keras_object(getattr(self, key)) for key in _PARTS}
        return {**super().get_config(), **parts, "feature_loss": self.feature_loss, "seed": self.seed}

    @classmethod
    def from_config(cls, config):
        return cls(**{**config, **{key: keras.saving.deserialize_keras_object(config[key]) for key in _PARTS}})

    def get_compile_config(self) -> dict | None:
        if self.encoder_optimizer is None:
            return None
        optimizers = {key: keras.saving.serialize_keras_object(getattr(self, key)) for key in _OPTIMIZERS}
        return {**optimizers, "gamma": self.gamma}

    def compile_from_config(self, config: dict) -> None:
        self.compile(**{**config, **{key: keras.saving.deserialize_keras_object(config[key]) for key in _OPTIMIZERS}})


def build_cvae_gan(latent_dim: int = 8, num_classes: int = 10, preset: str = "article",
                   head: str | None = None, feature_loss: str | None = None,
                   seed: int | None = None, precision: str = "float32") -> CVAEGAN:
    """The Part 6 model with the article's sizes, built; ``preset`` picks the variant (see PRESETS).

    ``head`` and ``feature_loss`` override the preset's choices; ``precision="mixed_bfloat16"`` is
    an option, not the article's (:mod:`keras_autoencoders.models.precision`).
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {preset!r}")
    options = {**PRESETS[preset], **{k: v for k, v in (("head", head), ("feature_loss", feature_loss))
                                     if v is not None}}
    model = CVAEGAN(build_conv_encoder(latent_dim, num_classes, seed=seed), build_conv_decoder(latent_dim, num_classes),
                    build_discriminator(num_classes, options["head"]), feature_loss=options["feature_loss"],
                    seed=seed, name=f"cvae_gan_{preset}")
    image, label = ops.zeros((1, *IMAGE_SHAPE)), ops.zeros((1, num_classes))
    model([image, label])  # build every weight
    model.discriminator([image, label])
    return set_precision(model, precision)
