"""Quieting TensorFlow's start-up chatter; ``keras_autoencoders/__init__.py`` calls it before anything imports TF."""
import logging
import os


def quiet_tensorflow() -> None:
    """Set ``TF_CPP_MIN_LOG_LEVEL=2`` and the ``tensorflow`` logger to errors, unless the user set them."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if logging.getLogger("tensorflow").level == logging.NOTSET:
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
