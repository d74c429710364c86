"""Networks and models (they draw nothing). Part 6's CVAE+GAN is in :mod:`.cvae_gan`."""

from keras_autoencoders._lazy import lazy_api

_API = {
    "ConditionalVAE": "keras_autoencoders.models.conditional",
    "build_part4_cvae": "keras_autoencoders.models.dense_cvae",
    "build_celeba_cvae": "keras_autoencoders.models.conv_cvae",
    "build_toy_autoencoder": "keras_autoencoders.models.toy_autoencoder",
    "Sampling": "keras_autoencoders.models.sampling",
    "CVAEGAN": "keras_autoencoders.models.cvae_gan.model",
    "build_cvae_gan": "keras_autoencoders.models.cvae_gan.model",
}
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
