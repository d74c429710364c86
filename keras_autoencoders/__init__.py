"""keras-autoencoders: a Keras 3 / TensorFlow companion to a tutorial series on autoencoders.

The most used names are here; each subpackage lists its own: ``data`` (loaders),
``models`` (networks; ``models.cvae_gan`` is Part 6), ``training``, ``generate``
(sampling from trained models), ``evaluation`` (numbers), ``plotting`` (figures,
animations).
"""

__version__ = "0.1.0"

from keras_autoencoders._lazy import lazy_api

_API = {
    "load_mnist_digits": "keras_autoencoders.data.mnist",
    "load_celeba_index": "keras_autoencoders.data.celeba",
    "dataset_from_index": "keras_autoencoders.data.image_pipeline",
    "ConditionalVAE": "keras_autoencoders.models.conditional",
    "build_part4_cvae": "keras_autoencoders.models.dense_cvae",
    "build_celeba_cvae": "keras_autoencoders.models.conv_cvae",
    "CVAEGAN": "keras_autoencoders.models.cvae_gan.model",
    "build_cvae_gan": "keras_autoencoders.models.cvae_gan.model",
    "RunFolder": "keras_autoencoders.run_folder",
    "KerasAutoencodersError": "keras_autoencoders.errors",
}
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
