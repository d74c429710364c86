"""Part 6 benchmark: seconds per step and per outer iteration of the adaptive loop, at batch 64.

    python bench/part6.py [--steps 20] [--preset article] [--end-to-end 100] [--rounds 5]

First the two kinds of step of :class:`~keras_autoencoders.models.cvae_gan.CVAEGAN`
(``tf.function``; each step's wall time until its losses are on the host), after warm-up,
on random inputs (the cost does not depend on the values), in float32 (the article's
precision) and in mixed bfloat16 (an option), each with the article's layers and with the
decoder's up-sampled convolution folded (``fold_upsampling``, an option:
:mod:`keras_autoencoders.models.upsampled_conv`). Compare with ``bench/part6_tf1_reference.py``:
the article's TF1 graph on the same machine.

Then end to end, as a user waits for it (``--end-to-end N``): seconds per outer iteration
of ``model.fit`` on full MNIST with the tutorial's callbacks (history, TensorBoard, progress
bar, NaN stop, backups; snapshots apart), from a call's first epoch to its last (its set-up,
paid once per run, apart), in float32 with ``steps_per_execution`` 3 (the
tutorial's) and 1, and with folded up-sampling, and in mixed bfloat16 without and with it; and the article's TF1 code driven by its own
Python loop, in the same benchmark (a subprocess, as TF1 graph mode needs its own). The
loops take turns in ``--rounds`` rounds, so that the machine's drift falls on all of them
alike. Beside each: its ``train_step`` alone (one compiled call per iteration, no callbacks,
the data already in memory), so the difference is what ``fit`` and its callbacks add.
"""
from __future__ import annotations

import argparse
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

from keras_autoencoders.machine import print_machine, read_machine
from keras_autoencoders.tutorial import quiet_tensorflow

quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_autoencoders.data.iteration_draws import iteration_draws  # noqa: E402
from keras_autoencoders.data.mnist import load_mnist_digits  # noqa: E402
from keras_autoencoders.models.cvae_gan import PRESETS, build_cvae_gan  # noqa: E402
from keras_autoencoders.models.precision import PRECISIONS  # noqa: E402
from keras_autoencoders.models.upsampled_conv import fold_upsampling  # noqa: E402
from keras_autoencoders.models.cvae_gan.model import ITERATIONS_PER_PERIOD, LOSS_NAMES, STEP_NAMES  # noqa: E402
from keras_autoencoders.training.callbacks import adaptive_loop_callbacks  # noqa: E402
from keras_autoencoders.training.reproducible import EpochSeeds  # noqa: E402

BATCH, LATENT, CLASSES, WARMUP = 64, 8, 10, 3


def random_batch(rng: np.random.Generator):
    image = rng.random((BATCH, 28, 28, 1), dtype=np.float32)
    label = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, BATCH)]
    return image, label, rng.standard_normal((BATCH, LATENT)).astype(np.float32)


def median_seconds(call, steps: int) -> float:
    """Median wall time of ``call()`` over ``steps`` calls after ``WARMUP`` untimed ones."""
    seconds = []
    for i in range(steps + WARMUP):
        start = time.perf_counter()
        call()
        if i >= WARMUP:
            seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


class Stopwatch(keras.callbacks.Callback):
    """Wall time from the first epoch's start to the last epoch's end of a ``fit`` call (put it
    last: the other callbacks' epoch-end work is inside); fit's set-up, paid once per run, is not."""

    def on_train_begin(self, logs=None):
        self.start = self.end = None

    def on_epoch_begin(self, epoch, logs=None):
        self.start = self.start or time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.end = time.perf_counter()


class FitLoop:
    """``model.fit`` over the article's draws, as the tutorial runs it, continued round after round."""

    def __init__(self, digits, preset: str, precision: str, steps_per_execution: int, folder: pathlib.Path,
                 fold: bool = False):
        keras.utils.set_random_seed(0)
        self.model = build_cvae_gan(latent_dim=LATENT, preset=preset, seed=0, precision=precision)
        if fold:
            fold_upsampling(self.model)
        self.model.compile(steps_per_execution=steps_per_execution)
        self.seeds = EpochSeeds(0)
        self.draws = iteration_draws(digits.x_train, digits.y_train_onehot, BATCH, LATENT, 0, self.seeds.epoch,
                                     ITERATIONS_PER_PERIOD)
        self.folder, self.epochs, self.seconds, self.iterations = folder, 0, 0.0, 0

    def run(self, iterations: int, timed: bool = True) -> None:
        epochs = iterations // ITERATIONS_PER_PERIOD
        total = (self.epochs + epochs) * ITERATIONS_PER_PERIOD
        # A folder per call: each call starts from the weights in memory, not from a backup.
        callbacks = adaptive_loop_callbacks(self.folder / f"call{self.epochs}", self.seeds, total,
                                            ITERATIONS_PER_PERIOD, 300, (*LOSS_NAMES, *STEP_NAMES), verbose=0)
        watch = Stopwatch()
        self.model.fit(self.draws, initial_epoch=self.epochs, epochs=self.epochs + epochs,
                       steps_per_epoch=ITERATIONS_PER_PERIOD, verbose=0,
                       callbacks=callbacks + [watch])
        if timed:
            self.seconds += watch.end - watch.start
            self.iterations += epochs * ITERATIONS_PER_PERIOD
        self.epochs += epochs

    def step_alone_seconds(self, iterations: int = 12) -> float:
        """Seconds per iteration of ``train_step`` alone, on one element held in memory."""
        self.seeds.epoch.assign(self.epochs)
        element = next(iter(self.draws))
        step = tf.function(self.model.train_step)
        return median_seconds(lambda: float(step(element)["l_gan"]), iterations)


def tf1_reference(steps: int, iterations: int, echo: bool = True) -> dict[str, float]:
    """Run ``part6_tf1_reference.py`` (TF1 graph mode needs its own process) and read its figures."""
    done = subprocess.run([sys.executable, str(pathlib.Path(__file__).with_name("part6_tf1_reference.py")),
                           "--steps", str(steps), "--end-to-end", str(iterations)],
                          capture_output=True, text=True, check=True)
    if echo:  # its figures; the machine lines are this benchmark's own
        print("".join(line + "\n" for line in done.stdout.splitlines() if line.startswith("TF1 graph")), end="")
    figures = {}
    for line in done.stdout.splitlines():
        if not line.startswith("TF1 graph"):
            continue
        number = float(re.search(r"(?:median )?([0-9.]+) s", line)[1])
        key = "discriminator" if "discriminator step" in line else "encoder+decoder" if "encoder+decoder" in line else "loop"
        figures[key] = number
    return figures


def end_to_end(args) -> None:
    """The whole loop as a user waits for it: this port's fit and the article's TF1 code, in turns."""
    digits = load_mnist_digits(allow_sample=True)
    n = args.end_to_end
    print(f"\nEnd to end, {n} outer iterations at batch {BATCH} on {len(digits.x_train)} digits "
          f"({args.preset} preset, snapshots apart):")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="bench_part6_"))
    loops = {name: FitLoop(digits, args.preset, precision, spe, folder / str(i), fold)
             for i, (name, precision, spe, fold) in enumerate(loop for loop in (
                 ("this port, fit, float32, steps_per_execution=3 (the tutorial's)", "float32", 3, False),
                 ("this port, fit, float32, steps_per_execution=1", "float32", 1, False),
                 ("this port, fit, float32, --fold-upsampling (an option)", "float32", 3, True),
                 ("this port, fit, mixed bfloat16 (an option), steps_per_execution=3", "mixed_bfloat16", 3, False),
                 ("this port, fit, mixed bfloat16, --fold-upsampling", "mixed_bfloat16", 3, True))
                 if loop[1] == "float32" or not read_machine().onednn_refuses_bfloat16)}
    for loop in loops.values():
        loop.run(2 * ITERATIONS_PER_PERIOD, timed=False)  # tracing
    per_round = max(ITERATIONS_PER_PERIOD, n // args.rounds // ITERATIONS_PER_PERIOD * ITERATIONS_PER_PERIOD)
    tf1_seconds, tf1 = 0.0, {}
    for round_ in range(1, args.rounds + 1):
        figures = tf1_reference(args.steps if round_ == 1 else 1, per_round, echo=round_ == 1)
        tf1_seconds += figures["loop"] * per_round
        tf1 = tf1 or figures  # the step medians of the first round
        for loop in loops.values():
            loop.run(per_round)
    reference = tf1_seconds / (per_round * args.rounds)
    print(f"TF1 graph, the article's loop end to end, {args.rounds} rounds of {per_round}: "
          f"{reference:.3f} s per outer iteration")
    for name, loop in loops.items():
        counts, expected = loop.model.step_counts, loop.epochs * ITERATIONS_PER_PERIOD
        if counts != {"discriminator": expected, "encoder_decoder": 3 * expected}:
            print(f"  ({name} took {counts} steps, not 1 + 3 per iteration)")
    rows = {name: (loop.seconds / loop.iterations, loop.step_alone_seconds()) for name, loop in loops.items()}
    # The article's steps alone are its two sess.run steps timed one at a time, 1 + 3 per iteration.
    rows["the article's TF1 graph, its Python loop"] = (reference, tf1["discriminator"] + 3 * tf1["encoder+decoder"])
    for name, (seconds, alone) in rows.items():
        print(f"  {name}: {seconds:.3f} s per iteration ({seconds / reference:.2f}x the article's loop), "
              f"{seconds - alone:+.3f} s beyond its steps alone ({alone:.3f})")
    for name in loops:
        print(f"  the article's 48,000 iterations at the rate of {name.split(', ', 2)[2]}: "
              f"{rows[name][0] * 48000 / 3600:.1f} h")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20, help="timed steps of each kind after warm-up")
    parser.add_argument("--preset", default="article", choices=sorted(PRESETS))
    parser.add_argument("--end-to-end", type=int, default=100, metavar="N",
                        help="outer iterations of each whole loop to time on real digits (0: skip)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="the loops take turns in this many rounds of N / rounds iterations each "
                             "(rounded down to whole periods of 3)")
    args = parser.parse_args()
    print_machine()
    rng = np.random.default_rng(0)
    precisions = PRECISIONS
    if read_machine().onednn_refuses_bfloat16:  # check_precision would refuse them
        print("mixed bfloat16 skipped: ONEDNN_MAX_CPU_ISA holds this CPU below its bfloat16 units\n")
        precisions = ("float32",)
    for precision in precisions:
        for fold in (False, True):
            keras.utils.set_random_seed(0)
            model = build_cvae_gan(latent_dim=LATENT, preset=args.preset, seed=0, precision=precision)
            if fold:
                fold_upsampling(model)
            model.compile()
            for name, step in (("discriminator", model.discriminator_step),
                               ("encoder+decoder", model.encoder_decoder_step)):
                step = tf.function(step)
                seconds = median_seconds(lambda step=step: float(step(*random_batch(rng))["l_gan"]), args.steps)
                print(f"{name} step at batch {BATCH}, {precision}{', folded up-sampling' if fold else ''}: "
                      f"median {seconds:.3f} s over {args.steps} steps")
    if args.end_to_end:
        end_to_end(args)  # runs the TF1 reference's steps in its first round
    else:
        tf1_reference(args.steps, 0)


if __name__ == "__main__":
    main()
