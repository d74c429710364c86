"""Reference timing: the Part 4 CVAE the way the article trains it, on Keras 2 in graph mode.

    python bench/part4_keras2_reference.py [--data-dir DIR] [--epochs 3]

The article's code is Keras 2 on TensorFlow 1: a functional model compiled with
a loss function that closes over the encoder's symbolic ``z_mean`` and
``z_log_var``, trained by ``fit`` in a TF1 graph session. That pattern no longer
runs in Keras 3, but it still runs on ``tf_keras`` (Keras 2) with eager
execution disabled, which builds the same kind of graph. This script rebuilds
the article's network that way (same layers, sizes, loss and optimiser) only to
time it on this machine beside ``bench/part4.py``; it is not part of the
library. Prints seconds per epoch (60,000 digits, batch 500, validation
included) after one warm-up epoch.
"""
from __future__ import annotations

import argparse
import statistics
import time

from keras_autoencoders.machine import print_machine
from keras_autoencoders.tutorial import quiet_tensorflow

quiet_tensorflow()
import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()
import tf_keras as k2  # noqa: E402

from keras_autoencoders.data.mnist import load_mnist, prepare_images  # noqa: E402
from keras_autoencoders.arrays import one_hot  # noqa: E402

BATCH, LATENT, RATE = 500, 8, 0.3


def graph_mode_cvae():
    """The Part 4 CVAE in Keras 2 style, with the loss closing over symbolic tensors."""
    L = k2.layers
    image = L.Input((28, 28, 1))
    label = L.Input((10,))
    h = L.Dense(256, activation="relu")(L.concatenate([L.Flatten()(image), label]))
    h = L.Dropout(RATE)(L.BatchNormalization()(h))
    z_mean, z_log_var = L.Dense(LATENT)(h), L.Dense(LATENT)(h)
    z = L.Lambda(lambda t: t[0] + tf.exp(t[1] / 2) * tf.random.normal((BATCH, LATENT)))(
        [z_mean, z_log_var])
    label_out = L.Input((10,))
    g = L.LeakyReLU()(L.Dense(256)(L.concatenate([z, label_out])))
    g = L.Dropout(RATE)(L.BatchNormalization()(g))
    decoded = L.Reshape((28, 28, 1))(L.Dense(784, activation="sigmoid")(g))

    def loss(x, x_decoded):
        x = tf.reshape(x, (BATCH, 784))
        x_decoded = tf.reshape(x_decoded, (BATCH, 784))
        bce = 784 * k2.losses.binary_crossentropy(x, x_decoded)
        kl = -0.5 * tf.reduce_sum(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=-1)
        return (bce + kl) / 2 / 784

    model = k2.Model([image, label, label_out], decoded)
    model.compile(optimizer=k2.optimizers.legacy.Adam(1e-3), loss=loss)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None, help="folder holding mnist.npz")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs after the warm-up")
    args = parser.parse_args()
    print_machine()
    mnist = load_mnist(args.data_dir)
    x, y = prepare_images(mnist.x_train), one_hot(mnist.y_train)
    xt, yt = prepare_images(mnist.x_test), one_hot(mnist.y_test)
    model = graph_mode_cvae()
    seconds = []
    for epoch in range(args.epochs + 1):
        start = time.perf_counter()
        model.fit([x, y, y], x, batch_size=BATCH, epochs=1, shuffle=True, verbose=0,
                  validation_data=([xt, yt, yt], xt))
        seconds.append(time.perf_counter() - start)
    val = model.evaluate([xt, yt, yt], xt, batch_size=BATCH, verbose=0)
    print(f"tf_keras {k2.__version__} graph mode: test loss after {args.epochs + 1} epochs {val:.4f}")
    timed = seconds[1:]
    print("seconds per epoch: " + ", ".join(f"{s:.2f}" for s in timed)
          + f" (median {statistics.median(timed):.2f})")


if __name__ == "__main__":
    main()
