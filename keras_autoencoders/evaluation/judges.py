"""Small CNNs that judge generated images (not in the articles): the digit judge turns Part 4's and Part 6's "digits
of the requested label" into an accuracy, an attribute classifier of the real CelebA faces "now smiles" into a rate."""
from __future__ import annotations

from typing import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf
from keras import layers


def build_small_cnn(input_shape: Sequence[int], outputs: int, activation: str, name: str,
                    seed: int | None = None, dropout: tuple[float, float] = (0.0, 0.0)) -> keras.Model:
    """Conv 32 -> pool -> Conv 64 -> pool -> Dense 128 (``features``) -> ``outputs`` units with
    ``activation``; ``dropout`` rates go before and after the dense layer (0: none)."""
    init = keras.initializers.GlorotUniform(seed)
    x = inputs = keras.Input(tuple(input_shape))
    x = layers.Conv2D(32, 3, activation="relu", kernel_initializer=init)(x)
    x = layers.MaxPool2D(2)(x)
    x = layers.Conv2D(64, 3, activation="relu", kernel_initializer=init)(x)
    x = layers.MaxPool2D(2)(x)
    x = layers.Flatten()(x)
    if dropout[0]:
        x = layers.Dropout(dropout[0], seed=seed)(x)
    x = layers.Dense(128, activation="relu", kernel_initializer=init, name="features")(x)
    if dropout[1]:
        x = layers.Dropout(dropout[1], seed=seed)(x)
    outputs_ = layers.Dense(outputs, activation=activation, kernel_initializer=init)(x)
    return keras.Model(inputs, outputs_, name=name)


def read_digits(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """``model``'s outputs for digit images (any shape of 784 values each), in batches of 1000."""
    x = np.asarray(images, dtype="float32").reshape(len(images), 28, 28, 1)
    return model.predict(x, batch_size=1000, verbose=0)


def label_accuracy(classifier: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of ``images`` the classifier assigns to their ``labels``."""
    predicted = read_digits(classifier, images).argmax(axis=1)
    return float((predicted == np.asarray(labels).astype(int)).mean())


#: Probability above which a classifier's reading of a digit counts as confident.
CONFIDENCE_THRESHOLD = 0.9


def confident_readings(classifier: keras.Model, images: np.ndarray,
                       threshold: float = CONFIDENCE_THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    """``(digit, confident)`` per image: the most likely digit and whether its probability is >= ``threshold``."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must lie in (0, 1], got {threshold}")
    probabilities = read_digits(classifier, images)
    return probabilities.argmax(axis=1), probabilities.max(axis=1) >= threshold


def train_attribute_classifier(dataset: tf.data.Dataset, columns: Sequence[int], image_size: int, epochs: int = 1,
                               seed: int | None = 0, verbose: int = 0, steps_per_execution: int = 1) -> keras.Model:
    """A classifier of the attributes ``columns`` trained on ``(images, 0/1 conditions)`` batches, one probability
    each; Keras' global seed is set from ``seed`` first, so the judge is the same whatever ran before."""
    if seed is not None:
        keras.utils.set_random_seed(seed)
    columns = list(columns)
    model = build_small_cnn((image_size, image_size, 3), len(columns), "sigmoid", "attribute_classifier", seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")], steps_per_execution=steps_per_execution)
    targets = dataset.map(lambda images, conditions: (images, tf.gather(conditions, columns, axis=1)))
    model.fit(targets, epochs=epochs, verbose=verbose)
    return model


def attribute_verdicts(classifier: keras.Model, images: np.ndarray) -> np.ndarray:
    """``(N, attributes)`` booleans: does the attribute classifier call each attribute present?"""
    return classifier.predict(np.asarray(images, dtype="float32"), batch_size=256, verbose=0) > 0.5


def attribute_rates(classifier: keras.Model, images: np.ndarray) -> np.ndarray:
    """Fraction of ``images`` the attribute classifier calls positive, one value per attribute."""
    return attribute_verdicts(classifier, images).mean(axis=0)


def attribute_accuracy(verdicts: np.ndarray, conditions: np.ndarray, columns: Sequence[int]) -> np.ndarray:
    """Per attribute, the share of :func:`attribute_verdicts` that match the 0/1 ``conditions[:, columns]``."""
    return (np.asarray(verdicts) == (np.asarray(conditions)[:, list(columns)] > 0.5)).mean(axis=0)


def edit_rates(classifier: keras.Model, judged_columns: Sequence[int], edited: Mapping[str, np.ndarray],
               conditions: np.ndarray, judged_on: Mapping[str, int]) -> dict[str, dict]:
    """Per edit of :func:`~keras_autoencoders.generate.faces.edit_faces`, over the faces that lacked its attribute
    (column ``judged_on[edit]``, one of the judge's ``judged_columns``): their number, the rates before and after."""
    judged_columns = list(judged_columns)
    verdicts = {key: attribute_verdicts(classifier, edited[key]) for key in ("reconstruction", *judged_on)}
    rates = {}
    for name, column in judged_on.items():
        lacking = np.asarray(conditions)[:, column] < 0.5
        output = judged_columns.index(column)
        rates[name] = {"faces": int(lacking.sum()),
                       "reconstruction": float(verdicts["reconstruction"][lacking, output].mean()),
                       "edited": float(verdicts[name][lacking, output].mean())}
    return rates


def verdict_agreement(classifier: keras.Model, images: np.ndarray, verdicts: np.ndarray) -> np.ndarray:
    """Per output, the share of ``images`` (e.g. reconstructions) the classifier reads as ``verdicts`` says."""
    return (attribute_verdicts(classifier, images) == np.asarray(verdicts)).mean(axis=0)


def train_flag_judge(images: np.ndarray, flags: np.ndarray, mask: np.ndarray, epochs: int, seed: int = 0,
                     steps_per_execution: int = 1) -> keras.Model:
    """The faces study's smile and Male judges: a CNN trained (seeded) on ``images[mask]`` to tell ``flags`` apart."""
    data = tf.data.Dataset.from_tensor_slices((images[mask], np.asarray(flags)[mask, None].astype("float32")))
    data = data.shuffle(int(np.sum(mask)), seed=seed).batch(64)
    return train_attribute_classifier(data, [0], images.shape[1], epochs=epochs, seed=seed,
                                      steps_per_execution=steps_per_execution)
