"""Mixed precision for any built model, in one place (not the articles': they compute in float32).

:func:`set_precision` gives a built model Keras' ``mixed_bfloat16`` policy (bfloat16 arithmetic,
float32 weights), layer by layer, keeping float32 where the losses read: each net's output
layers, back to its last layer with weights (z_mean, z_log_var, the image's sigmoid, Part 6's l
and D), as Keras' mixed-precision guide advises for outputs; and every ``Dropout``, whose
keep/drop numbers drawn in bfloat16 turn a rate of 0.3 into about 0.305. The policies are part
of each layer's config, so a saved model loads back with them.

bfloat16 is faster only where it is native (CPUs with AMX or AVX512_BF16, GPUs of compute
capability 8.0 or more) and several times slower elsewhere, which this says once
(:mod:`keras_autoencoders.machine`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the settings read PRECISIONS before TensorFlow is imported
    import keras

#: The dtype policies a model can compute in: the articles' float32, and Keras' mixed bfloat16.
PRECISIONS = ("float32", "mixed_bfloat16")


def check_precision_name(precision: str) -> None:
    """Raise ``ValueError`` unless ``precision`` is one of :data:`PRECISIONS`."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")


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
    """Make ``model``'s functional nets compute in ``precision``; returns ``model``.

    ``"float32"`` leaves it as built. The other layers a subclassed model holds (a
    :class:`~keras_autoencoders.models.vae.Sampling`) keep float32.
    """
    check_precision_name(precision)
    if precision == "float32":
        return model
    import keras

    from keras_autoencoders.machine import check_precision

    check_precision(precision)
    nets = [layer for layer in model.layers if isinstance(layer, keras.Model)] or [model]
    for net in nets:
        heads = float32_heads(net)
        for layer in net.layers:
            if isinstance(layer, keras.layers.InputLayer):
                continue
            float32 = layer in heads or isinstance(layer, keras.layers.Dropout)
            layer.dtype_policy = "float32" if float32 else precision
    return model
