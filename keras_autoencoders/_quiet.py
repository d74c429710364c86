"""Quieting TensorFlow's C++ start-up chatter and retracing notes, unless the user chose a level.

``keras_autoencoders/__init__.py`` calls :func:`quiet_tensorflow` first, so importing any part
of the library before TensorFlow is enough (the tutorials do).
"""
import logging
import os


def quiet_tensorflow() -> None:
    """Set ``TF_CPP_MIN_LOG_LEVEL=2`` and the ``tensorflow`` logger to errors, unless the user set them."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if logging.getLogger("tensorflow").level == logging.NOTSET:
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
