"""The dtype policies a model can be built under, shared by the VAEs and Part 6's CVAE+GAN.

``float32`` is the articles' arithmetic and the default. ``mixed_bfloat16`` is Keras' mixed
policy: bfloat16 arithmetic with float32 weights, faster only where bfloat16 is native (CPUs
with AMX or AVX512_BF16, GPUs of compute capability 8.0 or more) and several times slower
elsewhere, which building under it says once (:mod:`keras_autoencoders.machine`). Under it
the layers whose outputs the losses read (z_mean, z_log_var, the sampled z, the decoder's logits and image, ...) are built with ``dtype=HEAD_DTYPE``,
as Keras' mixed-precision guide advises for a model's outputs, so every loss is computed
in float32. A saved ``.keras`` model keeps each layer's policy.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

#: The dtype policies a model can be built with (:func:`precision_policy`): the articles' float32, and
#: Keras' mixed bfloat16 (bfloat16 arithmetic, float32 weights).
PRECISIONS = ("float32", "mixed_bfloat16")
#: The dtype of the layers whose outputs the losses read, under any policy (Keras' mixed-precision
#: guide: a model's outputs in float32), so the losses' logs and guards stay float32.
HEAD_DTYPE = "float32"


@contextlib.contextmanager
def precision_policy(policy: str) -> Iterator[None]:
    """Build layers under the dtype policy ``policy`` (one of :data:`PRECISIONS`), then restore the old one."""
    if policy not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {policy!r}")
    import keras  # here, so that the settings can name PRECISIONS before TensorFlow is imported

    from keras_autoencoders.machine import check_precision

    check_precision(policy)

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
