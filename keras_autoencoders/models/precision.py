"""Mixed precision for any built model (not the articles': they compute in float32). :func:`set_precision` gives a built
model's layers Keras' ``mixed_bfloat16`` policy (bfloat16 arithmetic, float32 weights), keeping float32 where the losses
read: each net's output layers back to its last layer with weights (z_mean, z_log_var, the image's sigmoid, Part 6's l
and D), as Keras' guide advises, and every ``Dropout`` (bfloat16 draws turn a rate of 0.3 into about 0.305). A saved
model keeps the policies. bfloat16 is faster only where native (:mod:`keras_autoencoders.machine` warns elsewhere)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the settings read PRECISIONS before TensorFlow is imported
    import keras

PRECISIONS = ("float32", "mixed_bfloat16")  #: The dtype policies: the articles' float32, and Keras' mixed bfloat16.


def _flatten(tensors) -> list:
    return list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]


def float32_heads(net: keras.Model) -> set[keras.layers.Layer]:
    """The layers of a functional ``net`` from its outputs back to the last layer with weights."""
    made_by = {}
    for layer in net.layers:
        try:
            for tensor in _flatten(layer.output):
                made_by[id(tensor)] = layer
        except (AttributeError, ValueError):  # a layer called more than once in ``net``
            continue
    heads, stack = set(), list(net.outputs)
    while stack:
        layer = made_by.get(id(stack.pop()))
        if layer is None or layer in heads:
            continue
        heads.add(layer)
        if not layer.trainable_weights:
            stack.extend(_flatten(layer.input))
    return heads


def set_precision(model: keras.Model, precision: str) -> keras.Model:
    """Make ``model``'s functional nets compute in ``precision`` (``"float32"``: as built; a subclassed
    model's other layers, a :class:`~keras_autoencoders.models.vae.Sampling`, keep float32); returns ``model``."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision == "float32":
        return model
    import keras

    from keras_autoencoders.machine import check_precision

    check_precision(precision)
    for net in [layer for layer in model.layers if isinstance(layer, keras.Model)] or [model]:
        heads = float32_heads(net)
        for layer in net.layers:
            if isinstance(layer, keras.layers.InputLayer):
                continue
            float32 = layer in heads or isinstance(layer, keras.layers.Dropout)
            layer.dtype_policy = "float32" if float32 else precision
    return model
