"""Loaders, which know no model: MNIST, the toy manifold, CelebA, and the streaming image pipeline."""

from keras_autoencoders._lazy import lazy_api

_API = {
    "load_mnist": "keras_autoencoders.data.mnist",
    "load_mnist_digits": "keras_autoencoders.data.mnist",
    "MnistDigits": "keras_autoencoders.data.mnist",
    "prepare_images": "keras_autoencoders.data.mnist",
    "DataNotFoundError": "keras_autoencoders.data.locations",
    "DATA_ENV_VAR": "keras_autoencoders.data.locations",
    "make_sine_circle": "keras_autoencoders.data.toy_manifold",
    "load_celeba_index": "keras_autoencoders.data.celeba",
    "CelebaIndex": "keras_autoencoders.data.celeba",
    "CelebaFormatError": "keras_autoencoders.data.celeba",
    "write_celeba_folder": "keras_autoencoders.data.make_celeba_folder",
    "make_image_dataset": "keras_autoencoders.data.image_pipeline",
    "dataset_from_index": "keras_autoencoders.data.image_pipeline",
    "first_images": "keras_autoencoders.data.image_pipeline",
}
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
