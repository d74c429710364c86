"""Reference timing: the Part 6 CVAE+GAN the way the article trains it, in a TF1 graph session.

    python bench/part6_tf1_reference.py [--steps 20] [--end-to-end 100]

The article builds one TF1 graph from Keras 2 layers and runs two kinds of
``sess.run`` step: the discriminator's (L_GAN and its RMSprop update) and the
encoder+decoder's (all losses, the decoded-from-prior images and both
updates). This script rebuilds that graph with ``tf_keras`` (Keras 2) and
``tf.compat.v1`` (same layers, sizes, losses and optimisers, the article's
head quirk included) only to time it beside ``bench/part6.py``; it is not part
of the library. Prints the median seconds per step of each kind at batch 64,
after warm-up, on random inputs (the cost does not depend on the values), and with
``--end-to-end N`` the seconds per outer iteration of the article's own Python loop
on real digits (MNIST as the tutorials find it).
"""
from __future__ import annotations

import argparse
import statistics
import time

from keras_autoencoders.machine import print_machine
from keras_autoencoders.tutorial import quiet_tensorflow

quiet_tensorflow()
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()
import tf_keras as k2  # noqa: E402
from tf_keras.src import backend as tf_keras_backend  # noqa: E402

BATCH, LATENT, CLASSES, RATE = 64, 8, 10, 0.3


def article_graph():
    """The article's three networks, losses and steps; returns (placeholders, d_fetches, ed_fetches)."""
    L, v1 = k2.layers, tf.compat.v1
    img = L.Input((28, 28, 1))
    lbl = L.Input((CLASSES,))
    z = L.Input((LATENT,))

    def act(x):
        return L.Dropout(RATE)(L.LeakyReLU(0.3)(x))

    with v1.variable_scope("encoder"):
        x = L.MaxPool2D(2, padding="same")(act(L.Conv2D(32, 3, strides=2, padding="same")(img)))
        x = act(L.Conv2D(64, 3, padding="same")(x))
        h = act(L.Dense(64)(L.concatenate([L.Flatten()(x), lbl])))
        z_mean, z_log_var = L.Dense(LATENT)(h), L.Dense(LATENT)(h)
        sampled = L.Lambda(lambda t: t[0] + tf.exp(tf.clip_by_value(t[1] / 2, -2, 2))
                           * tf.random.normal((BATCH, LATENT)))([z_mean, z_log_var])
    encoder = k2.Model([img, lbl], [z_mean, z_log_var, sampled])
    with v1.variable_scope("decoder"):
        x = L.Reshape((7, 7, 128))(act(L.Dense(7 * 7 * 128)(L.concatenate([z, lbl]))))
        x = act(L.Conv2D(64, 5, padding="same")(L.UpSampling2D(2)(x)))
        x = act(L.UpSampling2D(2)(L.Conv2D(32, 3, padding="same")(x)))
        decoded = L.Conv2D(1, 5, padding="same", activation="sigmoid")(x)
    decoder = k2.Model([z, lbl], decoded)
    with v1.variable_scope("discrim"):
        x = act(L.MaxPool2D(2, padding="same")(L.Conv2D(128, 7, strides=2, padding="same")(img)))
        tiled = L.Reshape((7, 7, CLASSES))(L.RepeatVector(49)(lbl))
        x = L.concatenate([x, tiled])
        x = act(L.MaxPool2D(2, padding="same")(L.Conv2D(64, 3, padding="same")(x)))
        feature = L.Conv2D(16, 3, padding="same")(x)
        d = L.Dense(1, activation="sigmoid")(L.Flatten()(act(x)))  # the article's head quirk
    discrim = k2.Model([img, lbl], [d, feature])

    z_mean, z_log_var, encoded = encoder([img, lbl])
    decoded_img, decoded_z = decoder([encoded, lbl]), decoder([z, lbl])
    d_img, l_img = discrim([img, lbl])
    d_dec_img, l_dec_img = discrim([decoded_img, lbl])
    d_dec_z, _ = discrim([decoded_z, lbl])
    clipped = tf.clip_by_value(z_log_var, -2, 2)
    l_prior = -0.5 * tf.reduce_sum(1.0 + clipped - tf.square(z_mean) - tf.exp(clipped)) / 784
    l_gan = -0.25 * tf.reduce_sum(tf.math.log(d_img + 1e-10) + 2 * tf.math.log(1.0 - d_dec_z + 1e-10)
                                  + tf.math.log(1.0 - d_dec_img + 1e-10)) / 784
    l_llike = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.sigmoid(l_img), logits=l_dec_img)) / 784
    scope_vars = {s: v1.get_collection(v1.GraphKeys.TRAINABLE_VARIABLES, s)
                  for s in ("encoder", "decoder", "discrim")}
    step_enc = v1.train.RMSPropOptimizer(1e-3).minimize(l_llike + l_prior, var_list=scope_vars["encoder"])
    step_dec = v1.train.RMSPropOptimizer(3e-4).minimize(l_llike - l_gan, var_list=scope_vars["decoder"])
    step_dis = v1.train.RMSPropOptimizer(1e-3).minimize(l_gan, var_list=scope_vars["discrim"])
    feeds = (img, lbl, z, k2.backend.learning_phase())
    return feeds, [l_gan, step_dis], [l_prior, decoded_z, l_llike, l_gan, step_enc, step_dec]


def article_loop(sess, feeds, d_fetches, ed_fetches, iterations: int, warmup: int = 3) -> float:
    """The article's training loop on real digits, driven from Python as it drives it: per outer
    iteration up to 3 discriminator ``sess.run`` calls (stop once L_GAN < 1.0), then up to 3
    encoder+decoder calls (stop once L_GAN > 0.4), a fresh shuffled batch and ``np.random.randn``
    codes fed each time, the losses kept every 3rd iteration. Returns seconds per outer iteration
    after ``warmup`` iterations (no snapshots)."""
    from keras_autoencoders.data.mnist import load_mnist_digits

    img, lbl, z, phase = feeds
    digits = load_mnist_digits(allow_sample=True)
    x, y = digits.x_train, digits.y_train_onehot

    def gen_batch():
        while True:
            order = np.random.permutation(len(x))
            for start in range(0, len(x) - BATCH + 1, BATCH):
                yield x[order[start:start + BATCH]], y[order[start:start + BATCH]]

    batches, logged = gen_batch(), []
    start = None
    for i in range(iterations + warmup):
        if i == warmup:
            start = time.perf_counter()
        for _ in range(3):
            b0, b1 = next(batches)
            zp = np.random.randn(BATCH, LATENT)
            l_gan = sess.run(d_fetches, feed_dict={img: b0, lbl: b1, z: zp, phase: 1})[0]
            if l_gan < 1.0:
                break
        for _ in range(3):
            l_prior, _, l_llike, l_gan, _, _ = sess.run(ed_fetches, feed_dict={img: b0, lbl: b1, z: zp, phase: 1})
            if l_gan > 0.4:
                break
            b0, b1 = next(batches)
            zp = np.random.randn(BATCH, LATENT)
        if i % 3 == 0:
            logged.append((i, l_prior, l_llike, l_gan))
    return (time.perf_counter() - start) / iterations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20, help="timed steps of each kind after warm-up")
    parser.add_argument("--end-to-end", type=int, default=0, metavar="N",
                        help="also time N outer iterations of the article's loop on real digits")
    args = parser.parse_args()
    print_machine()
    (img, lbl, z, phase), d_fetches, ed_fetches = article_graph()
    rng = np.random.default_rng(0)
    np.random.seed(0)
    sess = tf_keras_backend.get_session()
    sess.run(tf.compat.v1.global_variables_initializer())
    if args.end_to_end:
        seconds = article_loop(sess, (img, lbl, z, phase), d_fetches, ed_fetches, args.end_to_end)
        print(f"TF1 graph, the article's loop end to end at batch {BATCH}: {seconds:.3f} s per outer iteration "
              f"over {args.end_to_end} iterations")
    for name, fetches in (("discriminator", d_fetches), ("encoder+decoder", ed_fetches)):
        seconds = []
        for i in range(args.steps + 3):
            feed = {img: rng.random((BATCH, 28, 28, 1), np.float32),
                    lbl: np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, BATCH)],
                    z: rng.standard_normal((BATCH, LATENT)).astype(np.float32), phase: 1}
            start = time.perf_counter()
            sess.run(fetches, feed_dict=feed)
            if i >= 3:
                seconds.append(time.perf_counter() - start)
        print(f"TF1 graph, {name} step at batch {BATCH}: median {statistics.median(seconds):.3f} s "
              f"over {args.steps} steps")


if __name__ == "__main__":
    main()
