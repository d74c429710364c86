"""Small CNNs that judge generated images (not in the articles): the digit judge turns Part 4's and Part 6's "digits
of the requested label" into an accuracy, an attribute classifier of the real CelebA faces "now smiles" into a rate."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from keras_autoencoders.generate.faces import with_attributes


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
    return keras.Model(inputs, layers.Dense(outputs, activation=activation, kernel_initializer=init)(x), name=name)


def read_digits(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """``model``'s outputs for digit images (any shape of 784 values each), in batches of 1000."""
    x = np.asarray(images, dtype="float32").reshape(len(images), 28, 28, 1)
    return model.predict(x, batch_size=1000, verbose=0)


def label_accuracy(classifier: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of ``images`` the classifier assigns to their ``labels``."""
    predicted = read_digits(classifier, images).argmax(axis=1)
    return float((predicted == np.asarray(labels).astype(int)).mean())


CONFIDENCE_THRESHOLD = 0.9  #: Probability above which a classifier's reading of a digit counts as confident.


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
        lacking, output = np.asarray(conditions)[:, column] < 0.5, judged_columns.index(column)
        rates[name] = {"faces": int(lacking.sum()),
                       "reconstruction": float(verdicts["reconstruction"][lacking, output].mean()),
                       "edited": float(verdicts[name][lacking, output].mean())}
    return rates


def verdict_agreement(classifier: keras.Model, images: np.ndarray, verdicts: np.ndarray) -> np.ndarray:
    """Per output, the share of ``images`` (e.g. reconstructions) the classifier reads as ``verdicts`` says."""
    return (attribute_verdicts(classifier, images) == np.asarray(verdicts)).mean(axis=0)


def balanced_agreement(a: np.ndarray, b: np.ndarray, labels: np.ndarray) -> list[float | None]:
    """Per column of the ``(N, K)`` booleans ``a`` and ``b``: the share of rows where they agree among the rows whose
    0/1 ``labels`` say 1, and among those whose labels say 0, averaged, so that a rare label weighs as much as a common
    one. ``None`` for a column where either side has no rows. 1-D arrays count as one column."""
    a, b, labels = (np.asarray(x) for x in (a, b, labels))
    a, b, labels = (x[:, None] if x.ndim == 1 else x for x in (a, b, labels))
    if not a.shape == b.shape == labels.shape:
        raise ValueError(f"a, b and labels must have one shape; got {a.shape}, {b.shape} and {labels.shape}")
    agree, positive = a == b, labels > 0.5
    scores: list[float | None] = []
    for column in range(agree.shape[1]):
        sides = [agree[positive[:, column], column], agree[~positive[:, column], column]]
        scores.append(None if min(map(len, sides)) == 0 else float((sides[0].mean() + sides[1].mean()) / 2))
    return scores


def balanced_accuracy(verdicts: np.ndarray, labels: np.ndarray) -> list[float | None]:
    """Per column, the mean of the true-positive rate and the true-negative rate of the boolean ``verdicts`` (e.g.
    :func:`attribute_verdicts`) against the 0/1 ``labels``: a judge that always says no scores 0.5, however rare the
    attribute. ``None`` where the labels have no positives (or no negatives)."""
    return balanced_agreement(verdicts, np.asarray(labels) > 0.5, labels)


def attribute_effects(classifier: keras.Model, decoder: keras.Model, codes: np.ndarray, conditions: np.ndarray,
                      judged: Mapping[str, int], batch_size: int = 256) -> dict[str, Any]:
    """What switching one attribute does to new faces: for each ``judged`` attribute (name -> its column of the 0/1
    ``conditions``, in the order of the classifier's outputs), each code of ``codes`` is decoded with its condition
    vector twice, the attribute set to 1 (``"on"``) and to 0 (``"off"``), everything else equal. Per attribute the
    classifier's rate of it on both and ``"effect"`` = on - off; ``"faces"``: the number of codes."""
    codes, conditions = np.asarray(codes, dtype="float32"), np.asarray(conditions, dtype="float32")
    if len(codes) != len(conditions):
        raise ValueError(f"one condition vector per code: got {len(codes)} codes and {len(conditions)} conditions")
    effects: dict[str, Any] = {"faces": len(codes)}
    for output, (name, column) in enumerate(judged.items()):
        switched = np.concatenate([with_attributes(conditions, {column: value}) for value in (1.0, 0.0)])
        decoded = decoder.predict([np.tile(codes, (2, 1)), switched], batch_size=batch_size, verbose=0)
        on, off = attribute_verdicts(classifier, decoded)[:, output].reshape(2, len(codes)).mean(axis=1).tolist()
        effects[name] = {"on": on, "off": off, "effect": on - off}
    return effects


def train_flag_judge(images: np.ndarray, flags: np.ndarray, mask: np.ndarray, epochs: int, seed: int = 0,
                     steps_per_execution: int = 1) -> keras.Model:
    """The faces study's smile and Male judges: a CNN trained (seeded) on ``images[mask]`` to tell ``flags`` apart."""
    data = tf.data.Dataset.from_tensor_slices((images[mask], np.asarray(flags)[mask, None].astype("float32")))
    data = data.shuffle(int(np.sum(mask)), seed=seed).batch(64)
    return train_attribute_classifier(data, [0], images.shape[1], epochs=epochs, seed=seed,
                                      steps_per_execution=steps_per_execution)
