"""Nearest-neighbour upsampling followed by a "same" convolution, computed at the low resolution.

The Part 6 decoder ("Код") upsamples a 7x7x128 map by 2 and convolves it with
64 5x5 filters: 40 M multiply-adds per image, most of the model's cost. After
a nearest-neighbour upsampling by ``f``, each of the ``f*f`` output phases
(output row mod f, column mod f) sees a few low-resolution pixels, each
through a sum of kernel taps. So the same result is a small convolution at the
low resolution with ``f*f*filters`` folded filters, followed by
depth-to-space: for 5x5 and f=2, 3x3 taps instead of 25 at four times fewer
positions, 2.8x fewer multiply-adds. The layer keeps the plain ``Conv2D``
kernel (shape, initialiser, saved weights), so it is the article's
``UpSampling2D`` + ``Conv2D`` pair in every observable way but speed;
``fused=False`` computes that pair literally.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops


def phase_fold_matrix(kernel_size: int, factor: int) -> tuple[np.ndarray, int]:
    """``A[r, t, k]``: which tap ``k`` of a 1-D kernel lands on low-res offset ``t`` for output phase ``r``.

    Returns ``(A, first_offset)``; low-res offsets run from ``first_offset`` to
    ``first_offset + A.shape[1] - 1``.
    """
    centre = kernel_size // 2
    offsets = [[(r + k - centre) // factor for k in range(kernel_size)] for r in range(factor)]
    first = min(min(row) for row in offsets)
    last = max(max(row) for row in offsets)
    fold = np.zeros((factor, last - first + 1, kernel_size), np.float32)
    for r, row in enumerate(offsets):
        for k, offset in enumerate(row):
            fold[r, offset - first, k] = 1.0
    return fold, first


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class UpsampledConv2D(layers.Layer):
    """``Conv2D(filters, kernel_size, padding="same")(UpSampling2D(factor)(x))``, computed fused.

    Odd ``kernel_size`` only (what "same" padding centres exactly).
    """

    def __init__(self, filters: int, kernel_size: int, factor: int = 2, fused: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if kernel_size % 2 != 1:
            raise ValueError(f"kernel_size must be odd, got {kernel_size}")
        self.filters, self.kernel_size, self.factor, self.fused = filters, kernel_size, factor, fused
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        fold, first = phase_fold_matrix(kernel_size, factor)
        self._fold = fold
        self._pad = (-first, fold.shape[1] - 1 + first)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        self.kernel = self.add_weight(name="kernel", initializer=self.kernel_initializer,
                                      shape=(self.kernel_size, self.kernel_size, channels, self.filters))
        self.bias = self.add_weight(name="bias", initializer=self.bias_initializer, shape=(self.filters,))

    def folded_kernel(self):
        """The ``(T, T, channels, factor*factor*filters)`` kernel of the low-resolution convolution."""
        fold = ops.convert_to_tensor(self._fold)
        # [a, t, k] x [b, u, j] x [k, j, i, o] -> [t, u, i, a, b, o]
        folded = ops.einsum("atk,buj,kjio->tuiabo", fold, fold, self.kernel)
        taps = self._fold.shape[1]
        return ops.reshape(folded, (taps, taps, -1, self.factor * self.factor * self.filters))

    def call(self, x):
        f = self.factor
        if not self.fused:
            up = ops.repeat(ops.repeat(x, f, axis=1), f, axis=2)
            return ops.conv(up, self.kernel, padding="same") + self.bias
        before, after = self._pad
        padded = ops.pad(x, ((0, 0), (before, after), (before, after), (0, 0)))
        y = ops.conv(padded, self.folded_kernel(), padding="valid")
        h, w = ops.shape(x)[1], ops.shape(x)[2]
        y = ops.reshape(y, (-1, h, w, f, f, self.filters))
        y = ops.transpose(y, (0, 1, 3, 2, 4, 5))
        return ops.reshape(y, (-1, h * f, w * f, self.filters)) + self.bias

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        scale = (lambda d: None if d is None else d * self.factor)
        return (n, scale(h), scale(w), self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "factor": self.factor, "fused": self.fused,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer)}
