"""``evaluation.judges``: the attribute judge is the same whatever ran before it."""
import keras
import numpy as np
import tensorflow as tf

from keras_autoencoders.evaluation.judges import train_attribute_classifier


def test_the_attribute_judge_is_seeded_whatever_ran_before_it():
    rng = np.random.default_rng(0)
    images = rng.random((32, 16, 16, 3)).astype(np.float32)
    conditions = (rng.random((32, 4)) > 0.5).astype(np.float32)
    data = tf.data.Dataset.from_tensor_slices((images, conditions)).batch(8)

    first = train_attribute_classifier(data, [1, 3], 16, epochs=1, seed=5)
    keras.random.normal((3,), seed=keras.random.SeedGenerator(1))  # other work draws from the global state
    np.random.default_rng(9).random(3)
    keras.utils.set_random_seed(123)
    second = train_attribute_classifier(data, [1, 3], 16, epochs=1, seed=5)
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert first.output_shape == (None, 2)  # one probability per chosen column
