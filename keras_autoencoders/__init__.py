"""keras-autoencoders: a Keras 3 / TensorFlow companion to a tutorial series on autoencoders."""

__version__ = "0.1.0"
