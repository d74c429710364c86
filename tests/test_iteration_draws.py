"""Part 6's batch draws (``data/iteration_draws``): the article's ``gen_batch`` passes, seeded by iteration."""
import numpy as np
import pytest
import tensorflow as tf

from keras_autoencoders.data.iteration_draws import DRAWS_PER_ITERATION, draw_indices, iteration_draws
from keras_autoencoders.errors import SettingsError


def rows_of(first_draw, count, n, batch, seed=0):
    return draw_indices(tf.range(first_draw, first_draw + count), n, batch, seed).numpy()


def test_each_pass_is_a_permutation_cut_into_full_batches():
    n, batch = 50, 8  # 6 full batches per pass, 2 digits left out of each pass
    first, second = rows_of(0, 6, n, batch), rows_of(6, 6, n, batch)
    for one_pass in (first, second):
        assert len(set(one_pass.ravel())) == 48 and one_pass.min() >= 0 and one_pass.max() < n
    assert not np.array_equal(first, second)  # each pass is shuffled anew


def test_a_draw_depends_only_on_the_seed_and_its_number():
    np.testing.assert_array_equal(rows_of(7, 3, 100, 10), rows_of(0, 10, 100, 10)[7:])
    assert not np.array_equal(rows_of(0, 3, 100, 10, seed=0), rows_of(0, 3, 100, 10, seed=1))


def elements(dataset, count=3):
    return [tuple(t.numpy() for t in element) for element in dataset.take(count)]


def test_an_iterator_runs_on_from_the_iteration_of_the_epoch_it_starts_in():
    rng = np.random.default_rng(0)
    x = rng.random((40, 28, 28, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[np.arange(40) % 10]
    epoch = tf.Variable(0, dtype=tf.int64)
    dataset = iteration_draws(x, y, 4, 2, seed=5, epoch_variable=epoch, iterations_per_epoch=3)
    assert int(dataset.cardinality()) == tf.data.INFINITE_CARDINALITY  # fit takes steps_per_epoch=3
    runs = elements(dataset, 6)  # epochs 0 and 1 from one iterator
    images, labels, priors = runs[4]  # iteration 4: draws 24..29
    assert images.shape == (DRAWS_PER_ITERATION, 4, 28, 28, 1) and labels.shape == (DRAWS_PER_ITERATION, 4, 10)
    assert priors.shape == (DRAWS_PER_ITERATION, 4, 2)
    rows = draw_indices(tf.range(24, 30), 40, 4, 5).numpy()
    np.testing.assert_array_equal(images, x[rows])
    np.testing.assert_array_equal(labels, y[rows])
    # An iterator started in epoch 1 (a resumed run's) draws what the first one drew there.
    epoch.assign(1)
    for a, b in zip(elements(dataset)[1], runs[4]):
        np.testing.assert_array_equal(a, b)
    assert abs(float(np.mean(np.concatenate([r[2] for r in runs])))) < 0.2  # standard normal codes
    assert not np.array_equal(runs[0][2], runs[1][2])


def test_bad_sizes_name_the_argument():
    x, y = np.zeros((10, 28, 28, 1), np.float32), np.zeros((10, 10), np.float32)
    epoch = tf.Variable(0, dtype=tf.int64)
    with pytest.raises(SettingsError, match="batch_size must be an integer in 1..10, got 11"):
        iteration_draws(x, y, 11, 2, 0, epoch, 3)
    with pytest.raises(SettingsError, match="differ in length: 10 vs 9"):
        iteration_draws(x, y[:9], 4, 2, 0, epoch, 3)
