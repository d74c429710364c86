"""What the conditional models of Parts 4 and 6 share: sizes read off the decoder, sub-model configs."""
from __future__ import annotations

import keras


class ConditionalDecoderMixin:
    """For a ``keras.Model`` whose ``self.decoder`` maps ``[z, one_hot_label]`` to an image."""

    @property
    def latent_dim(self) -> int:
        return int(self.decoder.inputs[0].shape[-1])

    @property
    def num_classes(self) -> int:
        return int(self.decoder.inputs[1].shape[-1])


def serialize_parts(model, keys) -> dict:
    """``{key: serialised model.key}`` for the sub-models and layers named in ``keys``."""
    return {key: keras.saving.serialize_keras_object(getattr(model, key)) for key in keys}


def deserialize_parts(config: dict, keys) -> dict:
    """A copy of ``config`` with the entries named in ``keys`` deserialised."""
    config = dict(config)
    for key in keys:
        config[key] = keras.saving.deserialize_keras_object(config[key])
    return config
