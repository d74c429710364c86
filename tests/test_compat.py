"""The private Keras APIs of :mod:`keras_autoencoders.compat` still exist and behave as relied upon.

A failure here after a Keras upgrade means exact resume (or Part 6's optimizer) may no longer
do what the library promises: each message names the installed Keras and the version tested.
"""
import importlib.util

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_autoencoders.compat import (KERAS_TESTED, flatten_layers, in_xla_context, initialize_shared_rng,
                                       layer_seed_generators)
from keras_autoencoders.models.vae import Sampling
from keras_autoencoders.training.reproducible import seed_generators


def _changed(what: str) -> str:
    return (f"Keras {keras.__version__} changed {what} (keras_autoencoders/compat.py was tested with "
            f"Keras {KERAS_TESTED}); update compat.py before trusting exact resume")


class _TwoGenerators(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = keras.random.SeedGenerator(1)
        self.second = keras.random.SeedGenerator(2)

    def call(self, x):
        return x


def _nested_model():
    """outer(input, inner(a, b: Dropout, two: _TwoGenerators), c, s: Sampling)."""
    inner = keras.Sequential([keras.layers.Dense(2, name="a"), keras.layers.Dropout(0.5, seed=1, name="b"),
                              _TwoGenerators(name="two")], name="inner")
    x = keras.Input((3,), name="x")
    h = keras.layers.Dense(2, name="c")(inner(x))
    return keras.Model(x, Sampling(seed=3, name="s")([h, h]), name="outer")


def test_private_apis_exist():
    layer = keras.layers.Dense(1)
    assert callable(getattr(layer, "_flatten_layers", None)), _changed("Layer._flatten_layers (gone)")
    assert isinstance(getattr(layer, "_seed_generators", None), list), _changed("Layer._seed_generators (gone)")
    optimizer = keras.optimizers.RMSprop()
    optimizer.build([keras.Variable(np.zeros(2, "float32"))])
    assert isinstance(getattr(optimizer, "_velocities", None), list), _changed("RMSprop._velocities (gone)")


def test_flatten_layers_order_is_the_one_seeds_are_numbered_by():
    model = _nested_model()
    names = [layer.name for layer in flatten_layers(model) if not isinstance(layer, keras.layers.InputLayer)]
    # The model, its layers in attachment order, each nested model's layers right after it, reversed.
    assert names == ["outer", "inner", "two", "b", "a", "c", "s"], _changed(f"the _flatten_layers order: {names}")
    assert [layer.name for layer in flatten_layers(_nested_model())
            if not isinstance(layer, keras.layers.InputLayer)] == names, _changed("_flatten_layers (not repeatable)")


def test_seed_generators_are_found_on_dropout_sampling_and_custom_layers():
    dropout, sampling, two = keras.layers.Dropout(0.5, seed=1), Sampling(seed=2), _TwoGenerators()
    assert layer_seed_generators(dropout) == (dropout.seed_generator,), _changed("Dropout's _seed_generators")
    assert layer_seed_generators(sampling) == (sampling.seed_generator,), _changed("Layer._seed_generators tracking")
    assert layer_seed_generators(two) == (two.first, two.second), _changed("the _seed_generators order")
    assert layer_seed_generators(keras.layers.Dense(1)) == (), _changed("Dense's _seed_generators (not empty)")

    model = _nested_model()
    by_name = {layer.name: layer for layer in flatten_layers(model)}
    expected = [by_name["two"].first, by_name["two"].second, by_name["b"].seed_generator, by_name["s"].seed_generator]
    assert seed_generators(model) == expected, _changed("where seed generators are tracked")


@pytest.mark.parametrize("make", [lambda: keras.layers.Dropout(0.5, seed=1), lambda: Sampling(seed=1)],
                         ids=["dropout", "sampling"])
def test_assigning_a_generator_state_sets_the_layer_draws(make):
    layer = make()
    x = np.ones((4, 16), "float32")

    def draw():
        return np.asarray(layer(x, training=True) if isinstance(layer, keras.layers.Dropout) else layer([x, x]))

    (generator,) = layer_seed_generators(layer)
    state = np.array([12345, 7 * 2 ** 20])
    generator.state.assign(keras.ops.convert_to_tensor(state, dtype=generator.state.dtype))
    assert np.array_equal(np.asarray(generator.state), state), _changed("SeedGenerator.state assignment")
    first = draw()
    assert not np.array_equal(np.asarray(generator.state), state), _changed("SeedGenerator.state (not advanced by a draw)")
    second = draw()
    generator.state.assign(keras.ops.convert_to_tensor(state, dtype=generator.state.dtype))
    assert np.array_equal(draw(), first), _changed("how a layer draws from its seed generator (state ignored)")
    assert not np.array_equal(first, second), _changed("SeedGenerator draws (repeat without a reseed)")
    generator.state.assign(keras.ops.convert_to_tensor(state + [1, 0], dtype=generator.state.dtype))
    assert not np.array_equal(draw(), first), _changed("SeedGenerator draws (seed part of the state ignored)")


class _Recorder(keras.Model):
    def __init__(self):
        super().__init__()
        self.seen = []
        self.w = keras.Variable(0.0)

    def train_step(self, data):
        self.seen.append(int(data))
        return {"value": data}


def test_fit_starts_the_epoch_iterator_after_on_epoch_begin():
    epoch = tf.Variable(0, dtype=tf.int64)
    dataset = tf.data.Dataset.range(1).flat_map(lambda _: tf.data.Dataset.from_tensors(epoch.read_value()))
    # As epoch_order builds it: a known cardinality, the variable read when the iterator starts.
    dataset = dataset.repeat(2).apply(tf.data.experimental.assert_cardinality(2)).prefetch(tf.data.AUTOTUNE)

    class SetEpoch(keras.callbacks.Callback):
        def on_epoch_begin(self, index, logs=None):
            epoch.assign(100 + index)

    model = _Recorder()
    model.compile(run_eagerly=True)
    model.fit(dataset, epochs=3, verbose=0, shuffle=False, callbacks=[SetEpoch()])
    assert model.seen == [100, 100, 101, 101, 102, 102], _changed(f"when fit starts an epoch's iterator: {model.seen}")


def test_in_xla_context_tells_an_xla_step_from_a_plain_one():
    seen = {}

    def probe(kind):
        seen[kind] = in_xla_context()
        return tf.constant(0)

    tf.function(lambda: probe("xla"), jit_compile=True)()
    tf.function(lambda: probe("graph"))()
    probe("eager")
    assert seen == {"xla": True, "graph": False, "eager": False}, _changed(
        f"TensorFlow's GraphOrParentsInXlaContext (TensorFlow {tf.__version__}): {seen}")


def test_scale_loss_for_distribution_leaves_a_one_device_loss_alone():
    from keras_autoencoders.compat import scale_loss_for_distribution

    loss = keras.ops.convert_to_tensor(3.5)
    assert float(scale_loss_for_distribution(loss)) == 3.5, _changed("scale_loss_for_distribution (one device)")
    # Two replicas halve it: tests/test_conv_cvae.py's MirroredStrategy step equals one step on the whole batch.


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")
def test_initialize_shared_rng_keeps_a_seed_set_by_set_random_seed():
    # Keras' multi-process start-up picks a shared seed only where none was set; the tutorials set theirs first.
    # (Setting one reseeds Python's random, which seeds every new SeedGenerator: the draws show which seed holds.)
    keras.utils.set_random_seed(11)
    expected = np.asarray(keras.random.normal((4,), seed=keras.random.SeedGenerator()))
    keras.utils.set_random_seed(11)
    initialize_shared_rng()
    drawn = np.asarray(keras.random.normal((4,), seed=keras.random.SeedGenerator()))
    assert np.array_equal(drawn, expected), _changed("the private distribution_lib.initialize_rng")
