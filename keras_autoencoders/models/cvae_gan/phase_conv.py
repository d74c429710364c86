"""Part 6's convolutions computed on phase-split maps: same kernels, same results, faster.

A map split into its ``p x p`` phases (row mod p, column mod p) is the same numbers
rearranged, ``(N, p*h, p*w, c) -> (N, h, w, p*p*c)`` (space-to-depth). The layers keep
the plain ``Conv2D`` kernel (shape, initialiser, saved weights) and fold it, inside the
graph, into the kernel of an equivalent stride-1 convolution at the low resolution;
``fused=False`` computes the literal layers.

* :class:`UpsampledConv2D`: nearest-neighbour upsampling by ``f`` then a
  convolution, as in the decoder ("Код": ``UpSampling2D`` then ``Conv2D(64, 5)``
  on a 7x7x128 map, 40 M multiply-adds per image, most of the model's cost).
  Each of the ``f*f`` output phases sees a few low-resolution pixels through sums
  of kernel taps, so the pair is one small convolution with ``f*f*filters`` folded
  filters followed by depth-to-space: for 5x5 and f=2, 3x3 taps at four times fewer
  positions, 2.8x fewer multiply-adds.
* :class:`StridedConv2D`: a stride-``s`` convolution, as in the discriminator's
  first layer (``Conv2D(128, 7, strides=2)`` on the 28x28 image). The input is split
  into its ``s*s`` phases and convolved with stride 1 by the kernel's taps regrouped
  per phase. The forward pass costs about the same; the gradient with respect to the
  input, which the encoder+decoder step needs through the discriminator three times,
  becomes a stride-1 transposed convolution over ``s*s`` channels instead of a
  strided one into one channel: about 3x faster on CPU.
* :class:`PhaseConv2D` and :class:`PhaseUpSampling2D`: the decoder's last block,
  ``UpSampling2D(2)``, LeakyReLU, dropout, ``Conv2D(1, 5)`` at 28x28. One output
  channel is slow in oneDNN's kernels; on the phases it is 128 to 4 channels at
  14x14. The upsampled map's phases are copies of the 14x14 map, so it is never
  built at 28x28 nor split.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops


def fold_matrix(kernel_size: int, shift: int, step: int, out_phases: int, in_phases: int) -> tuple[np.ndarray, int]:
    """``F[a, t, r, k]``: for output phase ``a``, tap ``k`` of a 1-D kernel reads input phase ``r`` at
    low-resolution offset ``first + t``. Returns ``(F, first)``.

    Output ``out_phases*i + a`` (or ``i``) reads ``a + k - shift`` past the cell's start, which is
    ``step*q + r``: low-resolution offset ``q``, phase ``r`` (0 when the input is not split,
    ``in_phases=1``: a nearest-upsampled map's phases are all the same low-resolution pixel).
    """
    placed = {(a, k): divmod(a + k - shift, step) for a in range(out_phases) for k in range(kernel_size)}
    first = min(q for q, _ in placed.values())
    last = max(q for q, _ in placed.values())
    fold = np.zeros((out_phases, last - first + 1, in_phases, kernel_size), np.float32)
    for (a, k), (q, r) in placed.items():
        fold[a, q - first, r if in_phases > 1 else 0, k] = 1.0
    return fold, first


def _split_phases(x, p: int):
    """Space-to-depth: ``(N, p*h, p*w, c) -> (N, h, w, p*p*c)``, channels ordered (row phase, column phase, c)."""
    h, w, c = ops.shape(x)[1] // p, ops.shape(x)[2] // p, ops.shape(x)[3]
    return ops.reshape(ops.transpose(ops.reshape(x, (-1, h, p, w, p, c)), (0, 1, 3, 2, 4, 5)), (-1, h, w, p * p * c))


def _merge_phases(y, p: int, channels: int):
    """Depth-to-space, the inverse of :func:`_split_phases`: ``(N, h, w, p*p*channels) -> (N, p*h, p*w, channels)``."""
    h, w = ops.shape(y)[1], ops.shape(y)[2]
    y = ops.transpose(ops.reshape(y, (-1, h, w, p, p, channels)), (0, 1, 3, 2, 4, 5))
    return ops.reshape(y, (-1, h * p, w * p, channels))


def _require_odd(kernel_size: int) -> None:
    """"Same" padding centres only odd kernels exactly."""
    if kernel_size % 2 != 1:
        raise ValueError(f"kernel_size must be odd, got {kernel_size}")


class _PhaseConv(layers.Layer):
    """A ``Conv2D``'s kernel and bias, computed as one stride-1 "valid" convolution at the low resolution.

    A subclass sets, through :meth:`_use_fold`, how many phases its input (``in_phases``) and
    its output (``out_phases``) are split into and the :func:`fold_matrix` that regroups the
    kernel's taps; :meth:`folded_kernel` and the fused :meth:`call` are shared. It writes the
    literal computation in :meth:`literal_call` (``fused=False``).
    """

    def __init__(self, filters: int, kernel_size: int, fused: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.fused = filters, kernel_size, fused
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.split_input = False  # True: the input comes already split into in_phases x in_phases

    def _use_fold(self, shift: int, step: int, out_phases: int, in_phases: int) -> None:
        """Set the phases and keep the fold matrix and the low-resolution padding its offsets need."""
        self.out_phases, self.in_phases = out_phases, in_phases
        self._fold, first = fold_matrix(self.kernel_size, shift, step, out_phases, in_phases)
        self._pad = (-first, self._fold.shape[1] - 1 + first)

    def build(self, input_shape):
        multiple = 1 if self.split_input else self.in_phases
        for axis in (1, 2):
            if input_shape[axis] is not None and input_shape[axis] % multiple:
                raise ValueError(f"{self.name}: input height and width must be multiples of "
                                 f"{multiple}, got shape {tuple(input_shape)}")
        channels = int(input_shape[-1]) // (self.in_phases ** 2 if self.split_input else 1)
        self.kernel = self.add_weight(name="kernel", initializer=self.kernel_initializer,
                                      shape=(self.kernel_size, self.kernel_size, channels, self.filters))
        self.bias = self.add_weight(name="bias", initializer=self.bias_initializer, shape=(self.filters,))

    def folded_kernel(self):
        """The ``(T, T, in_phases**2 * channels, out_phases**2 * filters)`` low-resolution kernel.

        ``[t, u, (r, v, i), (a, b, o)] = sum over k, j of F[a, t, r, k] F[b, u, v, j] kernel[k, j, i, o]``,
        one matmul; input channels in space-to-depth order, outputs in depth-to-space order.
        """
        taps, inp, out = self._fold.shape[1], self.in_phases, self.out_phases
        fold = np.einsum("atrk,buvj->turvabkj", self._fold, self._fold)
        rows = int(np.prod(fold.shape[:-2]))
        k, j, channels, filters = self.kernel.shape
        fold = ops.convert_to_tensor(fold.reshape(rows, k * j), dtype=self.kernel.dtype)
        folded = ops.matmul(fold, ops.reshape(self.kernel, (k * j, channels * filters)))
        folded = ops.reshape(folded, (taps, taps, inp, inp, out, out, channels, filters))
        folded = ops.transpose(folded, (0, 1, 2, 3, 6, 4, 5, 7))
        return ops.reshape(folded, (taps, taps, inp * inp * channels, out * out * filters))

    def call(self, x):
        if not self.fused:
            return self.literal_call(x)
        split = x if self.split_input or self.in_phases == 1 else _split_phases(x, self.in_phases)
        before, after = self._pad
        padded = ops.pad(split, ((0, 0), (before, after), (before, after), (0, 0)))
        y = ops.conv(padded, self.folded_kernel(), padding="valid")
        if self.out_phases > 1:
            y = _merge_phases(y, self.out_phases, self.filters)
        return y + self.bias

    def literal_call(self, x):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "fused": self.fused,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer)}


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class UpsampledConv2D(_PhaseConv):
    """``Conv2D(filters, kernel_size, padding="same")(UpSampling2D(factor)(x))``, computed fused.

    Odd ``kernel_size`` only (what "same" padding centres exactly).
    """

    def __init__(self, filters: int, kernel_size: int, factor: int = 2, fused: bool = True, **kwargs):
        super().__init__(filters, kernel_size, fused, **kwargs)
        _require_odd(kernel_size)
        self.factor = factor
        self._use_fold(shift=kernel_size // 2, step=factor, out_phases=factor, in_phases=1)

    def literal_call(self, x):
        up = ops.repeat(ops.repeat(x, self.factor, axis=1), self.factor, axis=2)
        return ops.conv(up, self.kernel, padding="same") + self.bias

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        scale = (lambda d: None if d is None else d * self.factor)
        return (n, scale(h), scale(w), self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class StridedConv2D(_PhaseConv):
    """``Conv2D(filters, kernel_size, strides=stride, padding="same")``, computed on the input's phases.

    The input's height and width must be multiples of ``stride`` (28 with stride 2 here).
    """

    def __init__(self, filters: int, kernel_size: int, stride: int = 2, fused: bool = True, **kwargs):
        super().__init__(filters, kernel_size, fused, **kwargs)
        self.stride = stride
        # TensorFlow's "same" padding when the size is a multiple of the stride: the total is
        # kernel_size - stride (if positive), the smaller half before.
        self._use_fold(shift=max(kernel_size - stride, 0) // 2, step=stride, out_phases=1, in_phases=stride)

    def literal_call(self, x):
        return ops.conv(x, self.kernel, strides=self.stride, padding="same") + self.bias

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        scale = (lambda d: None if d is None else d // self.stride)
        return (n, scale(h), scale(w), self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "stride": self.stride}


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class PhaseConv2D(_PhaseConv):
    """``Conv2D(filters, kernel_size, padding="same")`` (stride 1), computed on ``phases x phases`` phases.

    Input and output are split into their phases (space-to-depth), and the convolution
    runs at the low resolution from ``phases*phases*channels`` to ``phases*phases*filters``
    channels with the kernel's taps regrouped per phase pair. For the decoder's last
    layer (5x5, 32 channels to 1, on 28x28) oneDNN's kernels are slow with one output
    channel; on 14x14 with 128 to 4 channels its forward pass is about 1.8x faster.
    Odd ``kernel_size``; height and width multiples of ``phases``.

    ``split_input=True`` takes the input already split into its phases,
    ``(N, h, w, phases*phases*channels)`` as :class:`PhaseUpSampling2D` writes it, and
    saves the split (a transpose of the whole map, forward and backward).
    """

    def __init__(self, filters: int, kernel_size: int, phases: int = 2, fused: bool = True,
                 split_input: bool = False, **kwargs):
        super().__init__(filters, kernel_size, fused, **kwargs)
        _require_odd(kernel_size)
        self.phases, self.split_input = phases, split_input
        self._use_fold(shift=kernel_size // 2, step=phases, out_phases=phases, in_phases=phases)

    def literal_call(self, x):
        if self.split_input:
            x = _merge_phases(x, self.phases, int(self.kernel.shape[2]))
        return ops.conv(x, self.kernel, padding="same") + self.bias

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        if self.split_input:
            h, w = (None if d is None else d * self.phases for d in (h, w))
        return (n, h, w, self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "phases": self.phases, "split_input": self.split_input}


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class PhaseUpSampling2D(layers.Layer):
    """Nearest-neighbour ``UpSampling2D(factor)`` written split into its phases, as
    :class:`PhaseConv2D` (``split_input=True``) reads it: ``(N, h, w, c) -> (N, h, w, factor*factor*c)``.

    Every phase of a nearest-neighbour upsampling is the input itself, so this is the input
    repeated along the channels: no 4x map to build and split again.
    """

    def __init__(self, factor: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return ops.tile(x, (1, 1, 1, self.factor * self.factor))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], None if input_shape[-1] is None else input_shape[-1] * self.factor ** 2)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}
