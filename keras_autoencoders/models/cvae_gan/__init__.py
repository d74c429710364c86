"""Part 6, the conditional VAE+GAN: its networks, presets, optimiser and three-optimiser model.

Where to look: :mod:`.networks` (encoder, decoder, discriminator, the
``article``/``corrected`` presets), :mod:`.model` (:class:`CVAEGAN`, the
discriminator and encoder+decoder steps), :mod:`.optimizer` (TensorFlow 1's
RMSprop), :mod:`.phase_conv` (the fused upsample + conv and the strided
conv, computed on phase-split maps). The article's adaptive loop that drives
the steps is :mod:`keras_autoencoders.training.adaptive_loop`.
"""
from keras_autoencoders.models.cvae_gan.model import CVAEGAN, build_cvae_gan
from keras_autoencoders.models.cvae_gan.networks import (FEATURE_LAYER, LEARNING_RATES, PRECISIONS, PRESETS,
                                                         build_conv_decoder, build_conv_encoder,
                                                         build_discriminator, tile_condition)
from keras_autoencoders.models.cvae_gan.optimizer import ArticleRMSprop
from keras_autoencoders.models.cvae_gan.phase_conv import (PhaseConv2D, PhaseUpSampling2D, StridedConv2D,
                                                           UpsampledConv2D)

__all__ = ["CVAEGAN", "build_cvae_gan", "PRESETS", "PRECISIONS", "FEATURE_LAYER", "LEARNING_RATES",
           "build_conv_encoder", "build_conv_decoder", "build_discriminator", "tile_condition",
           "ArticleRMSprop", "UpsampledConv2D", "StridedConv2D", "PhaseConv2D",
           "PhaseUpSampling2D"]
