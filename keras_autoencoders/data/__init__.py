"""Loaders, which know no model: MNIST, Fashion-MNIST's test set, the toy manifold, CelebA, LFW, the
streaming image pipeline, and Part 6's batch draws."""

from keras_autoencoders._lazy import lazy_api

__all__, __getattr__, __dir__ = lazy_api(__name__, """
data.mnist: load_mnist load_mnist_digits MnistDigits prepare_images
data.locations: DataNotFoundError DATA_ENV_VAR
data.fashion_mnist: load_fashion_mnist_test FashionMnistTest read_idx write_idx
data.toy_manifold: make_sine_circle
data.celeba: load_celeba_index CelebaIndex CelebaFormatError
data.lfw: load_lfw_index LfwIndex LfwFormatError read_lfw_attributes read_smile_labels
data.make_celeba_folder: write_celeba_folder
data.image_pipeline: make_image_dataset dataset_from_index first_images
data.iteration_draws: iteration_draws DRAWS_PER_ITERATION
""")
