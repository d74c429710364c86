"""Deep autoencoders of Part 4's toy "disconnected manifold": 2-D points -> 64 elu -> 64 elu -> a 1-D linear code
-> 64 elu -> 64 elu -> 2 linear; the conditional one also feeds the piece label to the encoder and the code, learning
the sine and the circle separately. Trained as in the article: Adam 1e-3, MSE, 300 epochs, batch 30."""
from __future__ import annotations

import keras
from keras import layers

from keras_autoencoders.data.toy_manifold import ToyManifold


def _dense_stack(x, hidden: int, out_dim: int, prefix: str):
    x = layers.Dense(hidden, activation="elu", name=f"{prefix}_dense1")(x)
    x = layers.Dense(hidden, activation="elu", name=f"{prefix}_dense2")(x)
    return layers.Dense(out_dim, activation="linear", name=f"{prefix}_out")(x)


def build_toy_autoencoder(conditional: bool = False, hidden: int = 64, code_dim: int = 1) -> keras.Model:
    """The article's ``deep_ae`` or, if ``conditional``, its ``cond_deep_ae`` taking ``[points, labels]``."""
    points, label = keras.Input((2,), name="points"), (keras.Input((1,), name="labels") if conditional else None)
    enc_in = layers.Concatenate(name="points_label")([points, label]) if conditional else points
    code = _dense_stack(enc_in, hidden, code_dim, "enc")
    dec_in = layers.Concatenate(name="code_label")([code, label]) if conditional else code
    out = _dense_stack(dec_in, hidden, 2, "dec")
    inputs, name = ([points, label], "cond_deep_ae") if conditional else (points, "deep_ae")
    return keras.Model(inputs, out, name=name)


def toy_inputs(data: ToyManifold, conditional: bool) -> list | object:
    """The model's inputs for ``data``: the points, and for the conditional AE their labels too."""
    return [data.points, data.labels[:, None]] if conditional else data.points


def train_toy_autoencoder(model: keras.Model, data: ToyManifold, *, epochs: int = 300,
                          batch_size: int = 30, learning_rate: float = 1e-3, steps_per_execution: int = 1,
                          verbose: int | str = 0) -> keras.callbacks.History:
    """Fit ``model`` to reconstruct the noisy points (Adam + MSE, article defaults)."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse", steps_per_execution=steps_per_execution)
    return model.fit(toy_inputs(data, len(model.inputs) == 2), data.points, epochs=epochs, batch_size=batch_size,
                     shuffle=True, verbose=verbose)
