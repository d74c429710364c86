"""Part 6's adaptive iteration as one compiled graph: the inner loops, their stopping rules and
the batches all run in TensorFlow, and the host reads the results back once per call.

The article drives its two ``sess.run`` steps from Python and reads L_GAN back after
every step to decide the next one (:func:`~keras_autoencoders.training.adaptive_loop.adaptive_iteration`
does the same). On two CPU cores that host round trip, the batch copies and the
progress bar cost about 0.09 s per outer iteration; on a GPU they would cost more than
the steps. Here :func:`compiled_iterations` runs several outer iterations per call:

* up to 3 discriminator steps, each on a fresh batch and fresh prior codes, stopping
  once L_GAN < 1.0; then up to 3 encoder+decoder steps, the first on the
  discriminator's last batch, stopping once L_GAN > 0.4, drawing a fresh batch and
  codes after every step that does not stop (also after the third), as the article does;
* a batch is ``tf.gather`` of the training digits (held on the device) at indices drawn
  on the host ahead of time by :class:`DrawQueue`, in exactly the order the Python loop
  draws them, so both loops train on the same batches and prior codes and reach the
  same weights; the graph reports how many draws it used and the rest stay queued;
* a non-finite loss stops the call at once and is reported with its iteration.
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
import tensorflow as tf

from keras_autoencoders.training.adaptive_loop import (DISCRIMINATOR_STOP_BELOW, ENCODER_DECODER_STOP_ABOVE,
                                                       LOSS_NAMES, MAX_STEPS, BatchStream)

#: Draws one outer iteration may use: one per discriminator step, one after each encoder+decoder step.
DRAWS_PER_ITERATION = 2 * MAX_STEPS
#: ``failed_kind`` values of a call's result.
STEP_KINDS = {1: "discriminator", 2: "encoder_decoder"}


class DrawQueue:
    """Batch indices and prior codes drawn ahead, in the Python loop's order.

    ``peek(n)`` tops the queue up to ``n`` draws (each a batch's indices from the
    :class:`BatchStream` and ``standard_normal((batch, latent))`` codes from
    ``prior_rng``, the pair the Python loop draws together) and returns the first
    ``n``; ``consume(c)`` drops the ``c`` the graph used. The queued draws are part of
    :meth:`state`, so a resumed run continues with the same ones.
    """

    def __init__(self, batches: BatchStream, prior_rng: np.random.Generator, latent_dim: int):
        self.batches, self.prior_rng, self.latent_dim = batches, prior_rng, latent_dim
        self.indices: list[np.ndarray] = []
        self.priors: list[np.ndarray] = []

    def peek(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        while len(self.indices) < n:
            self.indices.append(self.batches.next_indices())
            shape = (self.batches.batch_size, self.latent_dim)
            self.priors.append(self.prior_rng.standard_normal(shape).astype("float32"))
        return np.stack(self.indices[:n]).astype("int32"), np.stack(self.priors[:n])

    def consume(self, count: int) -> None:
        del self.indices[:count], self.priors[:count]

    def state(self) -> dict:
        return {"indices": [i.tolist() for i in self.indices], "priors": [p.tolist() for p in self.priors]}

    def set_state(self, state: Mapping) -> None:
        self.indices = [np.asarray(i, dtype=np.int64) for i in state["indices"]]
        self.priors = [np.asarray(p, dtype=np.float32) for p in state["priors"]]


StepFn = Callable[[tf.Tensor, tf.Tensor, tf.Tensor], Mapping[str, tf.Tensor]]


def compiled_iterations(discriminator_step: StepFn, encoder_decoder_step: StepFn, images: np.ndarray,
                        labels: np.ndarray, max_steps: int = MAX_STEPS,
                        discriminator_stop_below: float = DISCRIMINATOR_STOP_BELOW,
                        encoder_decoder_stop_above: float = ENCODER_DECODER_STOP_ABOVE) -> Callable:
    """A ``tf.function`` running ``count`` outer iterations on queued draws.

    Call it as ``run(indices, priors, count)`` with ``indices`` ``(draws, batch)`` int32
    and ``priors`` ``(draws, batch, latent)`` float32 (``draws`` >= ``count *``
    :data:`DRAWS_PER_ITERATION`). The steps are traced into the graph (the model's
    uncompiled step functions, or scripted ones in tests). Returns a dict of tensors:
    ``results`` ``(done, 5)``, per finished iteration the last encoder+decoder step's
    ``l_prior, l_llike, l_gan`` and its ``d_steps, ed_steps``; ``draws``, how many
    draws it used; ``failed_kind`` (0, or 1 / 2 when a discriminator / encoder+decoder
    step returned a non-finite loss in iteration ``done``) and ``failed_losses``.
    """
    images = tf.convert_to_tensor(np.asarray(images, dtype="float32"))  # on the device, once
    labels = tf.convert_to_tensor(np.asarray(labels, dtype="float32"))

    def as_vector(losses):
        return tf.stack([tf.cast(losses[name], tf.float32) for name in LOSS_NAMES])

    @tf.function(reduce_retracing=True)
    def run(indices, priors, count):
        def take(draw):
            return tf.gather(images, indices[draw]), tf.gather(labels, indices[draw]), priors[draw]

        results = tf.TensorArray(tf.float32, size=0, dynamic_size=True, element_shape=(5,))
        draw = tf.constant(0)
        done = tf.constant(0)
        failed_kind = tf.constant(0)
        losses = tf.zeros(3)
        image, label, z_prior = take(0)
        for _ in tf.range(count):
            d_steps = tf.constant(0)
            for _ in tf.range(max_steps):
                image, label, z_prior = take(draw)
                draw += 1
                losses = as_vector(discriminator_step(image, label, z_prior))
                d_steps += 1
                if not tf.reduce_all(tf.math.is_finite(losses)):
                    failed_kind = tf.constant(1)
                    break
                if losses[2] < discriminator_stop_below:
                    break
            if failed_kind > 0:
                break
            ed_steps = tf.constant(0)
            for _ in tf.range(max_steps):
                losses = as_vector(encoder_decoder_step(image, label, z_prior))
                ed_steps += 1
                if not tf.reduce_all(tf.math.is_finite(losses)):
                    failed_kind = tf.constant(2)
                    break
                if losses[2] > encoder_decoder_stop_above:
                    break
                image, label, z_prior = take(draw)
                draw += 1
            if failed_kind > 0:
                break
            results = results.write(done, tf.concat([losses, tf.cast(tf.stack([d_steps, ed_steps]), tf.float32)], 0))
            done += 1
        return {"results": results.stack(), "draws": draw, "failed_kind": failed_kind, "failed_losses": losses}

    return run
