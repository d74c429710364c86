"""Part 6, the conditional VAE+GAN: its networks, presets, optimiser and three-optimiser model.

Where to look: :mod:`.networks` (encoder, decoder, discriminator in the article's layers, the
``article``/``corrected`` presets), :mod:`.model` (:class:`CVAEGAN`: the discriminator and
encoder+decoder steps, and ``train_step``, one outer iteration of the article's loop),
:mod:`.optimizer` (TensorFlow 1's RMSprop). Its batches come from
:mod:`keras_autoencoders.data.iteration_draws`; ``fit`` with the callbacks of
:func:`keras_autoencoders.training.callbacks.part6_callbacks` trains it.
"""
from keras_autoencoders.models.cvae_gan.model import CVAEGAN, build_cvae_gan
from keras_autoencoders.models.cvae_gan.networks import (FEATURE_LAYER, LEARNING_RATES, PRECISIONS, PRESETS,
                                                         build_conv_decoder, build_conv_encoder,
                                                         build_discriminator, tile_condition)
from keras_autoencoders.models.cvae_gan.optimizer import ArticleRMSprop

__all__ = ["CVAEGAN", "build_cvae_gan", "PRESETS", "PRECISIONS", "FEATURE_LAYER", "LEARNING_RATES",
           "build_conv_encoder", "build_conv_decoder", "build_discriminator", "tile_condition",
           "ArticleRMSprop"]
