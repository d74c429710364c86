"""Part 4 benchmark: seconds per CVAE epoch and seconds to render the manifolds of one snapshot.

    python bench/part4.py [--data-dir DIR] [--epochs 3] [--rounds 2]

Prints:
* seconds per training epoch at the article's settings (all 60,000 digits,
  batch 500, validation on the 10,000 test digits included; the tutorial's input
  pipeline, ``shuffled_batches`` with ``EpochSeeds``), after one warm-up
  epoch; the median of ``--epochs`` timed epochs, for ``steps_per_execution`` 1 and 20 in
  float32 and 20 in mixed bfloat16, each of the last two also compiled with XLA, beside the article's own Keras 2 graph code
  (``bench/part4_keras2_reference.py``, a subprocess), taking turns in ``--rounds`` rounds
  so that the machine's drift falls on all of them alike;
* the floor this CPU sets: the five large matrix products of one training
  step (forward and backward through the 794x256 and 256x784 layers) timed
  alone, times 120 steps;
* seconds to render all ten 15x15 manifolds with one batched decoder call,
  against the article's loop (one ``predict`` per cell, timed on one label with
  ``predict_on_batch`` and multiplied by ten).
"""
from __future__ import annotations

import argparse
import pathlib
import re
import statistics
import subprocess
import sys
import time

from keras_autoencoders.machine import print_machine, read_machine
from keras_autoencoders.tutorial import quiet_tensorflow

quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_autoencoders.data.mnist import load_mnist, prepare_images  # noqa: E402
from keras_autoencoders.arrays import one_hot  # noqa: E402
from keras_autoencoders.generate.manifold import manifold_codes, render_manifolds  # noqa: E402
from keras_autoencoders.models.dropout import with_threefry_dropout  # noqa: E402
from keras_autoencoders.models.vae import build_part4_cvae  # noqa: E402
from keras_autoencoders.training.callbacks import EpochTimer  # noqa: E402
from keras_autoencoders.training.reproducible import EpochSeeds, shuffled_batches  # noqa: E402


def epoch_seconds(data_dir, epochs: int, steps_per_execution: int = 1, precision: str = "float32",
                  jit_compile: bool = False) -> list[float]:
    mnist = load_mnist(data_dir)
    x, y = prepare_images(mnist.x_train), one_hot(mnist.y_train)
    xt, yt = prepare_images(mnist.x_test), one_hot(mnist.y_test)
    model = build_part4_cvae(seed=0, precision=precision)
    if jit_compile:  # as the tutorial's --jit-compile
        model = with_threefry_dropout(model)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=steps_per_execution,
                  jit_compile=jit_compile)
    seeds = EpochSeeds(0)  # the tutorial's input pipeline: each epoch's order keyed by (seed, epoch)
    history = model.fit(shuffled_batches((x, y), x, 500, seeds), epochs=epochs + 1, shuffle=False, verbose=0,
                        validation_data=((xt, yt), xt), validation_batch_size=500, callbacks=[seeds, EpochTimer()])
    print(f"  {precision}, steps_per_execution={steps_per_execution}, jit_compile={jit_compile}: val_loss after {epochs + 1} epochs "
          f"{history.history['val_loss'][-1]:.4f}")
    return history.history["epoch_seconds"][1:]


def keras2_reference_seconds(data_dir, epochs: int) -> list[float]:
    """``bench/part4_keras2_reference.py`` (graph mode needs its own process): its timed epochs."""
    command = [sys.executable, str(pathlib.Path(__file__).with_name("part4_keras2_reference.py")),
               "--epochs", str(epochs)] + (["--data-dir", str(data_dir)] if data_dir else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("seconds per epoch:"))
    return [float(v) for v in re.findall(r"([0-9.]+)(?:,|$| \()", line.split(":", 1)[1])][:epochs]


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
    parser.add_argument("--rounds", type=int, default=2, help="rounds in which the configurations take turns")
    args = parser.parse_args()
    print_machine()
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, "
          f"{tf.config.threading.get_intra_op_parallelism_threads() or 'all'} intra-op threads")
    batched, looped = manifold_seconds()
    print(f"ten manifolds, one batched call: {batched:.4f} s (median of 20)")
    print(f"ten manifolds, article's per-cell loop: {looped:.2f} s ({looped / batched:.0f}x slower)")
    print(f"matrix-product floor of one epoch: {matmul_floor_seconds():.2f} s")
    runs = {"the article's Keras 2 graph code (reference)": lambda: keras2_reference_seconds(args.data_dir, args.epochs),
            "this library, float32, steps_per_execution=1": lambda: epoch_seconds(args.data_dir, args.epochs, 1),
            "this library, float32, steps_per_execution=20": lambda: epoch_seconds(args.data_dir, args.epochs, 20),
            "this library, float32, steps_per_execution=20, jit_compile (XLA)":
                lambda: epoch_seconds(args.data_dir, args.epochs, 20, jit_compile=True),
            "this library, mixed bfloat16, steps_per_execution=20":
                lambda: epoch_seconds(args.data_dir, args.epochs, 20, "mixed_bfloat16"),
            "this library, mixed bfloat16, steps_per_execution=20, jit_compile (XLA)":
                lambda: epoch_seconds(args.data_dir, args.epochs, 20, "mixed_bfloat16", jit_compile=True)}
    if read_machine().onednn_refuses_bfloat16:  # check_precision would refuse them
        print("mixed bfloat16 skipped: ONEDNN_MAX_CPU_ISA holds this CPU below its bfloat16 units\n")
        runs = {name: run for name, run in runs.items() if "bfloat16" not in name}
    medians: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            medians[name].append(statistics.median(run()))
    reference = statistics.mean(next(iter(medians.values())))
    for name, values in medians.items():
        print(f"seconds per epoch, {name}: " + ", ".join(f"{v:.2f}" for v in values)
              + f" (median per round; {statistics.mean(values) / reference:.2f}x the reference)")


if __name__ == "__main__":
    main()
