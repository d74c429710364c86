"""An opt-in fast path for ``UpSampling2D(2)`` followed by a ``'same'`` ``Conv2D``: the same function, computed on the
small map. Up-sampling repeats each pixel in a 2x2 block, so for output phase ``a`` (row ``2i + a``) kernel tap ``t``
reads input row ``i + floor((a + t) / 2)``: summing the taps that read the same row folds a ``k``-tap kernel
(``k <= 5``) into 3 taps per phase, and the four phases are one convolution on the small map with ``4 * filters``
outputs, rearranged by ``depth_to_space``. Part 6's decoder (7x7 -> 14x14, ``Conv2D`` 64 5x5 on 128 channels, most of a
step) then does 9 instead of 25 multiply-adds per input channel and pixel. :func:`folded_upsampling_view` computes a
model so while sharing all its layers and variables, gradients reaching the kernel through the fold."""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

FACTOR = 2  #: The up-sampling factor the fold handles (the articles' only one).


def fold_matrices(kernel_size: int) -> np.ndarray:
    """``(2, 3, k)``: for output phase ``a``, which of the ``k`` taps land on input offsets -1, 0, +1."""
    radius = kernel_size // 2
    if kernel_size % 2 == 0 or radius > 2:
        raise ValueError(f"the fold handles odd kernels of at most 5 taps, got {kernel_size}")
    folds = np.zeros((FACTOR, 3, kernel_size), "float32")
    for phase in range(FACTOR):
        for tap in range(kernel_size):
            offset = (phase + tap - radius) // FACTOR  # input row read by this tap, relative to i
            folds[phase, offset + 1, tap] = 1.0
    return folds


class FoldedUpsampledConv2D(layers.Layer):
    """``conv(UpSampling2D(2)(x))`` for a stride-1 ``'same'`` ``conv`` (its kernel and bias used, not copied),
    computed on ``x``'s grid; never saved, it lives in the view :func:`folded_upsampling_view` builds."""

    def __init__(self, conv: layers.Conv2D, **kwargs):
        super().__init__(dtype=conv.dtype_policy, **kwargs)
        if not can_fold(conv):
            raise ValueError(f"{conv.name}: only a stride-1, undilated 'same' Conv2D with an odd kernel of at most "
                             "5 taps folds")
        self.conv = conv
        rows, cols = conv.kernel_size
        self._folds = (fold_matrices(rows), fold_matrices(cols))

    def folded_kernel(self):
        """``(3, 3, in, 4 * filters)``, the output channels ordered (row phase, column phase, filter)."""
        kernel = ops.cast(self.conv.kernel, self.compute_dtype)
        row_folds, col_folds = (ops.convert_to_tensor(f, self.compute_dtype) for f in self._folds)
        folded = ops.einsum("ayr,bxc,rcio->yxiabo", row_folds, col_folds, kernel)
        return ops.reshape(folded, (3, 3, -1, FACTOR * FACTOR * self.conv.filters))

    def call(self, inputs):
        phases = ops.conv(inputs, self.folded_kernel(), strides=1, padding="same")
        outputs = tf.nn.depth_to_space(phases, FACTOR)  # block (a, b) of pixel (i, j) -> pixel (2i + a, 2j + b)
        if self.conv.use_bias:
            outputs = outputs + ops.cast(self.conv.bias, self.compute_dtype)
        if self.conv.activation is not None:
            outputs = self.conv.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        return (n, None if h is None else FACTOR * h, None if w is None else FACTOR * w, self.conv.filters)


def can_fold(conv: layers.Layer) -> bool:
    """Whether ``conv`` is a Conv2D the fold reproduces exactly (after a 2x nearest up-sampling)."""
    return (isinstance(conv, layers.Conv2D) and conv.padding == "same" and tuple(conv.strides) == (1, 1)
            and tuple(conv.dilation_rate) == (1, 1) and conv.groups == 1 and conv.data_format == "channels_last"
            and all(k % 2 == 1 and k <= 5 for k in conv.kernel_size))


def _is_plain_upsampling(layer: layers.Layer) -> bool:
    return (isinstance(layer, layers.UpSampling2D) and tuple(layer.size) == (FACTOR, FACTOR)
            and layer.interpolation == "nearest" and layer.data_format == "channels_last")


def folded_upsampling_view(model: keras.Model, merge: str) -> keras.Model:
    """A view of ``model`` computing each ``UpSampling2D(2)`` -> ``Conv2D`` pair folded, sharing every layer; its
    layers after ``merge`` (the layer joining its inputs, e.g. the decoder's ``Concatenate``) must form a chain."""
    names = [layer.name for layer in model.layers]
    if merge not in names:
        raise ValueError(f"{model.name} has no layer {merge!r}")
    inputs = [keras.Input(tensor.shape[1:], dtype=tensor.dtype, name=f"folded_{tensor.name}")
              for tensor in model.inputs]
    x, chain = model.get_layer(merge)(inputs), model.layers[names.index(merge) + 1:]
    folded = i = 0
    while i < len(chain):
        if _is_plain_upsampling(chain[i]) and i + 1 < len(chain) and can_fold(chain[i + 1]):
            x = FoldedUpsampledConv2D(chain[i + 1], name=f"{chain[i + 1].name}_folded")(x)
            folded, i = folded + 1, i + 2
        else:
            x, i = chain[i](x), i + 1
    if not folded:
        raise ValueError(f"{model.name}: no UpSampling2D(2) directly followed by a foldable Conv2D")
    return keras.Model(inputs, x, name=f"{model.name}_folded")


def fold_upsampling(model: keras.Model) -> keras.Model:
    """Train Part 6's ``model`` (a :class:`~keras_autoencoders.models.cvae_gan.model.CVAEGAN`) with its
    decoder's up-sampled convolutions folded; returns ``model``, whose saved decoder stays the article's."""
    view = folded_upsampling_view(model.decoder, "dec_concat")
    model.decode_for_training = lambda inputs, training: view(inputs, training=training)
    return model
