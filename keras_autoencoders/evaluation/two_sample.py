"""A classifier two-sample test (not in the articles): can a small CNN tell generated images from real ones?
The faces study's "they look like photos" becomes the held-out accuracy of a CNN trained to tell the two apart."""
from __future__ import annotations

import keras
import numpy as np
from keras import layers


def classifier_two_sample_accuracy(real: np.ndarray, other: np.ndarray, *, epochs: int = 5, seed: int = 0,
                                   batch_size: int = 64) -> float:
    """Held-out accuracy of a small CNN trained to tell ``other`` images (label 1) from ``real`` ones (label 0). Both
    sets ``(N, H, W, C)`` in [0, 1] are cut to the smaller size and shuffled together (seeded); the CNN (two stride-2
    3x3 ReLU convs, 16 and 32 filters, and a sigmoid unit) trains for ``epochs`` on the first 80% and is scored on the
    other 20%. 0.5: the sets cannot be told apart; 1.0: they always are. ``seed`` also sets Keras' global seed first."""
    if np.shape(real)[1:] != np.shape(other)[1:] or np.ndim(real) != 4:
        raise ValueError(f"two sets of images (N, H, W, C) of one shape needed, got {np.shape(real)} and "
                         f"{np.shape(other)}")
    n = min(len(real), len(other))
    if n < 3:
        raise ValueError(f"at least 3 images per set needed, got {n}")
    x = np.concatenate([np.asarray(real[:n], "float32"), np.asarray(other[:n], "float32")])
    y, order = np.repeat(np.float32([0.0, 1.0]), n)[:, None], np.random.default_rng(seed).permutation(2 * n)
    x, y, train = x[order], y[order], int(0.8 * 2 * n)
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(x.shape[1:])
    h = layers.Conv2D(16, 3, strides=2, activation="relu")(inputs)
    h = layers.Conv2D(32, 3, strides=2, activation="relu")(h)
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(layers.Flatten()(h)), name="two_sample_cnn")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    model.fit(x[:train], y[:train], epochs=epochs, batch_size=batch_size, verbose=0)
    said_other = model.predict(x[train:], batch_size=batch_size, verbose=0) > 0.5
    return float(np.mean(said_other == (y[train:] > 0.5)))
