"""Networks and models (they draw nothing). Part 6's CVAE+GAN is in :mod:`.cvae_gan`."""

from keras_autoencoders._lazy import lazy_api

__all__, __getattr__, __dir__ = lazy_api(__name__, """
models.vae: VariationalAutoencoder Sampling build_part4_cvae
models.conv_cvae: build_celeba_cvae
models.dense_autoencoder: build_dense_autoencoder build_dense_vae
models.conv_vae: build_conv_vae
models.conv_face_autoencoder: build_face_autoencoder build_face_vae
models.toy_autoencoder: build_toy_autoencoder
models.precision: PRECISIONS set_precision
models.cvae_gan.model: CVAEGAN build_cvae_gan
""")
