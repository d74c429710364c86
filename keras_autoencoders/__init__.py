"""keras-autoencoders, a Keras 3 / TensorFlow companion to a tutorial series on autoencoders: the most used names; each
subpackage lists its own: ``data`` (loaders), ``models`` (networks; ``models.cvae_gan`` is Part 6), ``training``,
``generate`` (sampling from trained models), ``evaluation`` (numbers), ``plotting`` (figures, animations)."""

__version__ = "0.1.0"

from keras_autoencoders._lazy import lazy_api
from keras_autoencoders._quiet import quiet_tensorflow

quiet_tensorflow()  # before anything imports TensorFlow

__all__, __getattr__, __dir__ = lazy_api(__name__, """
data.mnist: load_mnist_digits
data.celeba: load_celeba_index
data.image_pipeline: dataset_from_index
models.vae: VariationalAutoencoder build_part4_cvae
models.conv_cvae: build_celeba_cvae
models.cvae_gan.model: CVAEGAN build_cvae_gan
run_folder: RunFolder
tutorial_run: TutorialRun start_tutorial
errors: KerasAutoencodersError
""")
