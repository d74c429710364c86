"""Part 6's batches and prior codes as a ``tf.data`` pipeline ("Процесс обучения", ``gen_batch``).

One outer iteration of the article's loop draws a fresh batch and fresh prior codes
``randn(batch_size, latent_dim)`` for each discriminator step, and again after each
encoder+decoder step that does not end the phase: at most :data:`DRAWS_PER_ITERATION`
(6) draws. Each element of :func:`iteration_draws` holds those 6 draws, ``(images,
labels, z_prior)`` shaped ``(6, batch, 28, 28, 1)``, ``(6, batch, classes)`` and ``(6,
batch, latent)``; the model's ``train_step`` takes what it needs and leaves the rest.

Batches follow the article's ``gen_batch``: each pass over the training digits is a fresh
permutation cut into ``len // batch_size`` full batches (the remainder is left out of that
pass). Draw ``g`` (counted over the whole run, 6 per iteration) is batch ``g mod B`` of pass
``g div B``, its rows picked by ``tf.random.experimental.index_shuffle`` keyed by the seed
and the pass, its codes by ``stateless_normal`` keyed by the seed and ``g``. So what an
iteration trains on depends only on ``(seed, iteration)``: a run resumed at any epoch
draws what an uninterrupted one draws. A Keras epoch is ``iterations_per_epoch``
iterations, and ``fit`` takes the pipeline with ``steps_per_epoch=iterations_per_epoch``:
the pipeline is endless, and ``fit`` keeps one iterator for all the epochs of a call, so
its prefetching runs on across epochs. The iterator starts at the iteration of the epoch in
an integer ``tf.Variable`` (``EpochSeeds.epoch``), read when ``fit`` starts it: the first
epoch of the call (0, or the epoch a resumed run restarts at).
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from keras_autoencoders.errors import SettingsError

#: Draws one outer iteration may use: one per discriminator step (at most 3) and one after each
#: encoder+decoder step (at most 3).
DRAWS_PER_ITERATION = 6


def _seed_pair(seed: int, stream: int) -> list[int]:
    """A well-spread stateless seed for one of the pipeline's random streams."""
    return [int(v) for v in np.random.SeedSequence([seed, stream]).generate_state(2, np.uint32) & 0x7FFFFFFF]


def draw_indices(draws: tf.Tensor, count: int, batch_size: int, seed: int) -> tf.Tensor:
    """Row numbers ``(len(draws), batch_size)`` of the batches numbered ``draws`` (int64)."""
    per_pass = count // batch_size
    key = tf.constant(_seed_pair(seed, 0), tf.int64)

    def one(draw):
        # Positions of the draw's batch within its pass, through that pass's permutation.
        pass_number, batch = draw // per_pass, draw % per_pass
        positions = batch * batch_size + tf.range(batch_size, dtype=tf.int64)
        return tf.random.experimental.index_shuffle(positions, tf.stack([key[0], key[1] + pass_number]),
                                                    tf.constant(count - 1, tf.int64))

    return tf.map_fn(one, tf.cast(draws, tf.int64), fn_output_signature=tf.int64)


def draw_priors(draws: tf.Tensor, batch_size: int, latent_dim: int, seed: int) -> tf.Tensor:
    """Prior codes ``(len(draws), batch_size, latent_dim)`` of the draws numbered ``draws``."""
    key = tf.constant(_seed_pair(seed, 1), tf.int64)

    def one(draw):
        return tf.random.stateless_normal((batch_size, latent_dim), seed=tf.stack([key[0], key[1] + draw]))

    return tf.map_fn(one, tf.cast(draws, tf.int64), fn_output_signature=tf.float32)


def iteration_draws(images: np.ndarray, labels: np.ndarray, batch_size: int, latent_dim: int, seed: int,
                    epoch_variable: tf.Variable, iterations_per_epoch: int) -> tf.data.Dataset:
    """One element per outer iteration, endless (see the module docstring).

    ``images`` ``(N, 28, 28, 1)`` float32 and one-hot ``labels`` ``(N, classes)``; element ``k``
    of an iterator started in epoch ``e`` is iteration ``e * iterations_per_epoch + k``.
    """
    count = len(images)
    if len(labels) != count:
        raise SettingsError(f"images and labels differ in length: {count} vs {len(labels)}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= count:
        raise SettingsError(f"batch_size must be an integer in 1..{count}, got {batch_size!r}")
    if iterations_per_epoch < 1:
        raise SettingsError(f"iterations_per_epoch must be >= 1, got {iterations_per_epoch}")
    data = (tf.convert_to_tensor(images, tf.float32), tf.convert_to_tensor(labels, tf.float32))

    def iterations_from_epoch(_):
        # Runs when an iterator starts: reads the epoch it starts at.
        first = tf.cast(epoch_variable.read_value(), tf.int64) * iterations_per_epoch
        return tf.data.Dataset.range(first, tf.int64.max)

    def draws_of(iteration, arrays):
        draws = iteration * DRAWS_PER_ITERATION + tf.range(DRAWS_PER_ITERATION, dtype=tf.int64)
        rows = draw_indices(draws, count, int(batch_size), seed)
        x, y = arrays
        return tf.gather(x, rows), tf.gather(y, rows), draw_priors(draws, int(batch_size), latent_dim, seed)

    iterations = tf.data.Dataset.range(1).flat_map(iterations_from_epoch)
    iterations = iterations.apply(tf.data.experimental.assert_cardinality(tf.data.INFINITE_CARDINALITY))
    # Keras' idiom: the arrays enter the pipeline once, and each element is gathered from them.
    pairs = tf.data.Dataset.zip(iterations, tf.data.Dataset.from_tensors(data).repeat())
    return pairs.map(draws_of, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
