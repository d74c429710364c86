"""Part 6's batches and prior codes as a ``tf.data`` pipeline ("Процесс обучения", ``gen_batch``). As in ``gen_batch``,
each pass over the training digits is a fresh permutation cut into ``len // batch_size`` full batches (the remainder
left out); draw ``g`` is batch ``g mod B`` of pass ``g div B``, its rows picked by ``index_shuffle`` keyed by the seed
and the pass, its codes by ``stateless_normal`` keyed by the seed and ``g``: what an iteration trains on depends only on
``(seed, iteration)``, so a resumed run draws what an uninterrupted one draws."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from keras_autoencoders.errors import SettingsError

from .checks import check_integer

#: Draws (a batch and prior codes ``randn(batch_size, latent_dim)``) one outer iteration may use: one per
#: discriminator step (at most 3) and one after each encoder+decoder step that does not end the phase (3).
DRAWS_PER_ITERATION = 6


def _seed_pair(seed: int, stream: int) -> list[int]:
    """A well-spread stateless seed for one of the pipeline's random streams."""
    return [int(v) for v in np.random.SeedSequence([seed, stream]).generate_state(2, np.uint32) & 0x7FFFFFFF]


def draw_indices(draws: tf.Tensor, count: int, batch_size: int, seed: int) -> tf.Tensor:
    """Row numbers ``(len(draws), batch_size)`` of the batches numbered ``draws`` (int64)."""
    per_pass, key = count // batch_size, tf.constant(_seed_pair(seed, 0), tf.int64)

    def one(draw):  # the positions of the draw's batch within its pass, through that pass's permutation
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
    """One element per outer iteration, endless, for ``fit(steps_per_epoch=iterations_per_epoch)``: the 6
    draws ``(images, labels, z_prior)``, ``(6, batch, 28, 28, 1)``, ``(6, batch, classes)``, ``(6, batch,
    latent)``, of ``images`` ``(N, 28, 28, 1)`` and one-hot ``labels``. Element ``k`` of an iterator started in
    epoch ``e`` (the integer ``epoch_variable``, ``EpochSeeds.epoch``) is iteration ``e * iterations_per_epoch + k``."""
    count = len(images)
    if len(labels) != count:
        raise SettingsError(f"images and labels differ in length: {count} vs {len(labels)}")
    batch_size = check_integer("batch_size", batch_size, 1, count, f"an integer in 1..{count}")
    iterations_per_epoch = check_integer("iterations_per_epoch", iterations_per_epoch)
    data = (tf.convert_to_tensor(images, tf.float32), tf.convert_to_tensor(labels, tf.float32))

    def iterations_from_epoch(_):  # runs when an iterator starts: reads the epoch it starts at
        first = tf.cast(epoch_variable.read_value(), tf.int64) * iterations_per_epoch
        return tf.data.Dataset.range(first, tf.int64.max)

    def draws_of(iteration, arrays):
        draws = iteration * DRAWS_PER_ITERATION + tf.range(DRAWS_PER_ITERATION, dtype=tf.int64)
        rows = draw_indices(draws, count, batch_size, seed)
        x, y = arrays
        return tf.gather(x, rows), tf.gather(y, rows), draw_priors(draws, batch_size, latent_dim, seed)

    iterations = tf.data.Dataset.range(1).flat_map(iterations_from_epoch)
    iterations = iterations.apply(tf.data.experimental.assert_cardinality(tf.data.INFINITE_CARDINALITY))
    # Keras' idiom: the arrays enter the pipeline once, and each element is gathered from them.
    pairs = tf.data.Dataset.zip(iterations, tf.data.Dataset.from_tensors(data).repeat())
    return pairs.map(draws_of, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
