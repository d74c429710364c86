"""Saving models built from sub-models: their configs hold the sub-models' serialised configs.

``VariationalAutoencoder`` and ``CVAEGAN`` are ``keras.Model`` subclasses around functional
sub-models; ``get_config``/``from_config`` go through these two helpers so that
``model.save(... .keras)`` and ``keras.models.load_model`` round-trip them.
"""
from __future__ import annotations

import keras


def serialize_parts(model, keys) -> dict:
    """``{key: serialised model.key}`` for the sub-models and layers named in ``keys``."""
    return {key: keras.saving.serialize_keras_object(getattr(model, key)) for key in keys}


def deserialize_parts(config: dict, keys) -> dict:
    """A copy of ``config`` with the entries named in ``keys`` deserialised."""
    config = dict(config)
    for key in keys:
        config[key] = keras.saving.deserialize_keras_object(config[key])
    return config
