"""Part 4 benchmark: seconds per CVAE epoch and seconds to render the manifolds of one snapshot.

    python bench/part4.py [--data-dir DIR] [--epochs 3]

Prints:
* seconds per training epoch at the article's settings (all 60,000 digits,
  batch 500, validation on the 10,000 test digits included), after one warm-up
  epoch; the median of ``--epochs`` timed epochs;
* the floor this CPU sets: the five large matrix products of one training
  step (forward and backward through the 794x256 and 256x784 layers) timed
  alone, times 120 steps;
* seconds to render all ten 15x15 manifolds with one batched decoder call,
  against the article's loop (one ``predict`` per cell, timed on one label with
  ``predict_on_batch`` and multiplied by ten).
"""
from __future__ import annotations

import argparse
import statistics
import time

from keras_autoencoders.tutorial import quiet_tensorflow

quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_autoencoders.data.mnist import load_mnist, prepare_images  # noqa: E402
from keras_autoencoders.arrays import one_hot  # noqa: E402
from keras_autoencoders.generate.manifold import manifold_codes, render_manifolds  # noqa: E402
from keras_autoencoders.models.dense_cvae import build_part4_cvae  # noqa: E402
from keras_autoencoders.training.callbacks import EpochTimer  # noqa: E402


def epoch_seconds(data_dir, epochs: int) -> list[float]:
    mnist = load_mnist(data_dir)
    x, y = prepare_images(mnist.x_train), one_hot(mnist.y_train)
    xt, yt = prepare_images(mnist.x_test), one_hot(mnist.y_test)
    model = build_part4_cvae(seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(x, y, batch_size=500, epochs=epochs + 1, shuffle=True, verbose=0,
                        validation_data=(xt, yt), callbacks=[EpochTimer()])
    print(f"val_loss after {epochs + 1} epochs: {history.history['val_loss'][-1]:.4f}")
    return history.history["epoch_seconds"][1:]


def matmul_floor_seconds(repeats: int = 100) -> float:
    shapes = [((500, 794), (794, 256), False, False), ((500, 256), (256, 784), False, False),
              ((500, 794), (500, 256), True, False), ((500, 256), (500, 784), True, False),
              ((500, 784), (256, 784), False, True)]
    total = 0.0
    for a_shape, b_shape, ta, tb in shapes:
        a, b = tf.random.normal(a_shape), tf.random.normal(b_shape)
        product = tf.function(lambda: tf.linalg.matmul(a, b, transpose_a=ta, transpose_b=tb))
        for _ in range(5):
            product()
        start = time.perf_counter()
        for _ in range(repeats):
            result = product()
        result.numpy()
        total += (time.perf_counter() - start) / repeats
    return total * 120


def manifold_seconds(repeats: int = 20) -> tuple[float, float]:
    decoder = build_part4_cvae(seed=0).decoder
    render_manifolds(decoder, 8)  # trace once
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        render_manifolds(decoder, 8)
        times.append(time.perf_counter() - start)
    label = np.eye(10, dtype="float32")[[3]]
    codes = manifold_codes(8)
    decoder.predict_on_batch([codes[:1], label])
    start = time.perf_counter()
    for code in codes:  # the article's loop: one call per cell
        decoder.predict_on_batch([code[None], label])
    per_label = time.perf_counter() - start
    return statistics.median(times), 10 * per_label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None, help="folder holding mnist.npz")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs after the warm-up")
    args = parser.parse_args()
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, "
          f"{tf.config.threading.get_intra_op_parallelism_threads() or 'all'} intra-op threads")
    batched, looped = manifold_seconds()
    print(f"ten manifolds, one batched call: {batched:.4f} s (median of 20)")
    print(f"ten manifolds, article's per-cell loop: {looped:.2f} s ({looped / batched:.0f}x slower)")
    print(f"matrix-product floor of one epoch: {matmul_floor_seconds():.2f} s")
    seconds = epoch_seconds(args.data_dir, args.epochs)
    print("seconds per epoch: " + ", ".join(f"{s:.2f}" for s in seconds)
          + f" (median {statistics.median(seconds):.2f})")


if __name__ == "__main__":
    main()
