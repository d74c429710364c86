"""Part 6, the conditional VAE+GAN: :mod:`.networks` (the three networks, the ``article``/``corrected`` presets) and
:mod:`.model` (:class:`CVAEGAN`: three optimisers, the losses, ``train_step`` = one outer iteration of the article's
loop); batches from :mod:`keras_autoencoders.data.iteration_draws`."""
from keras_autoencoders.models.cvae_gan.model import CVAEGAN, ArticleRMSprop, build_cvae_gan
from keras_autoencoders.models.cvae_gan.networks import (FEATURE_LAYER, PRESETS, build_conv_decoder,
                                                         build_conv_encoder, build_discriminator, tile_condition)

__all__ = ["CVAEGAN", "build_cvae_gan", "PRESETS", "FEATURE_LAYER", "build_conv_encoder", "build_conv_decoder",
           "build_discriminator", "tile_condition", "ArticleRMSprop"]
