"""Part 6 benchmark: seconds per discriminator step and per encoder+decoder step at batch 64.

    python bench/part6.py [--steps 20] [--preset article] [--end-to-end 100] [--rounds 5]

Times the compiled steps of :class:`~keras_autoencoders.models.cvae_gan.CVAEGAN`
(each step's wall time until its losses are on the host, as the adaptive loop
needs them) after warm-up, on random inputs (the cost does not depend on the
values), in float32 (the article's precision) and in mixed bfloat16 (an option).
Also times the article's literal layers against the phase-split ones this library
uses: the decoder's forward+backward pass (its ``UpSampling2D`` + ``Conv2D`` pair and its
last block against :class:`UpsampledConv2D`, :class:`PhaseUpSampling2D` and
:class:`PhaseConv2D`), and the
encoder+decoder step with the discriminator's strided ``Conv2D`` against
:class:`StridedConv2D`.
Compare with ``bench/part6_tf1_reference.py``: the article's TF1 graph on the
same machine. Then, end to end as a user waits for it (``--end-to-end N``): seconds
per outer iteration of the whole adaptive loop on real digits (draws, steps,
decisions, logging; snapshots apart), for this port's Python loop and its compiled
loop (float32, and the compiled loop in mixed bfloat16), and for the article's TF1
code driven by its own Python loop, run in the same benchmark (a subprocess, as TF1
graph mode needs its own), the loops taking turns in ``--rounds`` rounds so that the
machine's drift falls on all of them alike; and each loop's time beyond its steps timed
alone (the host overhead).
"""
from __future__ import annotations

import argparse
import pathlib
import re
import statistics
import subprocess
import sys
import time

from keras_autoencoders.tutorial import quiet_tensorflow

quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_autoencoders.data.mnist import load_mnist_digits  # noqa: E402
from keras_autoencoders.models.cvae_gan import (CVAEGAN, PRECISIONS, PRESETS, build_conv_decoder,  # noqa: E402
                                                build_conv_encoder, build_cvae_gan, build_discriminator)
from keras_autoencoders.training.adaptive_loop import AdaptiveTrainer  # noqa: E402

BATCH, LATENT, CLASSES, WARMUP = 64, 8, 10, 3


def random_batch(rng: np.random.Generator):
    return (rng.random((BATCH, 28, 28, 1), np.float32),
            np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, BATCH)],
            rng.standard_normal((BATCH, LATENT)).astype(np.float32))


def median_seconds(call, steps: int) -> float:
    seconds = []
    for i in range(steps + WARMUP):
        start = time.perf_counter()
        call()
        if i >= WARMUP:
            seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def loop_trainer(digits, preset: str, compiled: bool, precision: str = "float32") -> AdaptiveTrainer:
    """An :class:`AdaptiveTrainer` on full MNIST at batch 64, no snapshots, no checkpoints. Its
    ``seconds_per_iteration()`` is its own end-to-end timing (draws, steps, decisions, logging,
    progress bar; the first call, which traces, left out), over all its ``run`` calls."""
    keras.utils.set_random_seed(0)
    model = build_cvae_gan(latent_dim=LATENT, preset=preset, seed=0, precision=precision)
    model.compile()
    return AdaptiveTrainer(model, digits.x_train, digits.y_train_onehot, BATCH, seed=0, checkpoint_every=0,
                           compiled=compiled)


def in_graph_step_seconds(digits, preset: str, iterations: int = 20, precision: str = "float32") -> float:
    """Seconds per outer iteration of the steps alone: 1 discriminator and 3 encoder+decoder
    steps (what the runs take) per iteration, all in one ``tf.function`` on batches already on
    the device, with no decision, no read-back and no Python between the steps."""
    keras.utils.set_random_seed(0)
    model = build_cvae_gan(latent_dim=LATENT, preset=preset, seed=0, precision=precision)
    model.compile()
    images = tf.constant(digits.x_train[:BATCH * 4])
    labels = tf.constant(digits.y_train_onehot[:BATCH * 4])
    priors = tf.constant(np.random.default_rng(0).standard_normal((4, BATCH, LATENT)).astype("float32"))

    @tf.function
    def steps(count):
        for _ in tf.range(count):
            for k in range(4):
                batch = (images[k * BATCH:(k + 1) * BATCH], labels[k * BATCH:(k + 1) * BATCH], priors[k])
                losses = (model._discriminator_step if k == 0 else model._encoder_decoder_step)(*batch)
        return losses["l_gan"]

    float(steps(tf.constant(2)))  # trace and warm up
    start = time.perf_counter()
    float(steps(tf.constant(iterations)))
    return (time.perf_counter() - start) / iterations


def tf1_reference(steps: int, iterations: int, echo: bool = True) -> dict[str, float]:
    """Run ``part6_tf1_reference.py`` (TF1 graph mode needs its own process) and read its figures."""
    done = subprocess.run([sys.executable, str(pathlib.Path(__file__).with_name("part6_tf1_reference.py")),
                           "--steps", str(steps), "--end-to-end", str(iterations)],
                          capture_output=True, text=True, check=True)
    if echo:
        print(done.stdout, end="")
    figures = {}
    for line in done.stdout.splitlines():
        number = float(re.search(r"(?:median )?([0-9.]+) s", line)[1])
        key = "discriminator" if "discriminator step" in line else "encoder+decoder" if "encoder+decoder" in line else "loop"
        figures[key] = number
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20, help="timed steps of each kind after warm-up")
    parser.add_argument("--preset", default="article", choices=sorted(PRESETS))
    parser.add_argument("--end-to-end", type=int, default=100, metavar="N",
                        help="outer iterations of each whole loop to time on real digits (0: skip)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="the loops take turns in this many rounds of N / rounds iterations each "
                             "(rounded down to whole compiled calls)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for precision in PRECISIONS:
        keras.utils.set_random_seed(0)
        model = build_cvae_gan(latent_dim=LATENT, preset=args.preset, seed=0, precision=precision)
        model.compile()
        for name, step in (("discriminator", model.discriminator_step),
                           ("encoder+decoder", model.encoder_decoder_step)):
            seconds = median_seconds(lambda step=step: float(step(*random_batch(rng))["l_gan"]), args.steps)
            print(f"{name} step at batch {BATCH}, {precision}: median {seconds:.3f} s over {args.steps} steps")
    if args.end_to_end:
        end_to_end(args)

    _, label, z = random_batch(rng)
    for fused in (False, True):
        decoder = build_conv_decoder(LATENT, CLASSES, phase_split=fused)

        @tf.function
        def forward_backward():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(decoder([z, label], training=True))
            return tape.gradient(loss, decoder.trainable_variables)

        seconds = median_seconds(lambda: forward_backward()[0].numpy(), args.steps)
        kind = ("phase-split layers (UpsampledConv2D, PhaseUpSampling2D, PhaseConv2D)" if fused
                else "the article's literal layers")
        print(f"decoder forward+backward at batch {BATCH}, {kind}: median {seconds * 1000:.0f} ms")
    for fused in (False, True):
        keras.utils.set_random_seed(0)
        model = CVAEGAN(build_conv_encoder(LATENT, CLASSES, seed=0), build_conv_decoder(LATENT, CLASSES),
                        build_discriminator(CLASSES, PRESETS[args.preset]["head"], phase_split=fused), seed=0)
        model.compile()
        seconds = median_seconds(lambda: float(model.encoder_decoder_step(*random_batch(rng))["l_gan"]), args.steps)
        kind = "StridedConv2D" if fused else "the article's strided Conv2D"
        print(f"encoder+decoder step at batch {BATCH}, discriminator with {kind}: median {seconds * 1000:.0f} ms")


def end_to_end(args) -> None:
    """The whole loop as a user waits for it: this port's loops and the article's TF1 code, in turns."""
    digits = load_mnist_digits(allow_sample=True)
    n = args.end_to_end
    print(f"\nEnd to end, {n} outer iterations at batch {BATCH} on {len(digits.x_train)} digits "
          f"({args.preset} preset, snapshots apart):")
    rows = {}
    alone = {precision: in_graph_step_seconds(digits, args.preset, precision=precision) for precision in PRECISIONS}
    for precision, seconds in alone.items():
        print(f"  this port's steps alone, {precision} (1 + 3 per iteration, in one graph, no host work): "
              f"{seconds:.3f} s per iteration")
    loops = {name: (loop_trainer(digits, args.preset, compiled, precision), precision)
             for name, compiled, precision in (
                 ("this port, Python loop (a step at a time)", False, "float32"),
                 ("this port, compiled loop (10 iterations per call)", True, "float32"),
                 ("this port, compiled loop, mixed bfloat16 (an option)", True, "mixed_bfloat16"))}
    # The machine's speed drifts by several percent within minutes, so the loops take turns: each
    # round runs n / rounds iterations of every loop, the article's TF1 loop included.
    # Whole compiled calls per round: a shorter call has new shapes, and would trace again inside the timing.
    per_call = next(iter(loops.values()))[0].iterations_per_call
    per_round = max(1, n // args.rounds // per_call) * per_call
    tf1_seconds, tf1 = 0.0, {}
    for round_ in range(1, args.rounds + 1):
        figures = tf1_reference(args.steps if round_ == 1 else 1, per_round, echo=round_ == 1)
        tf1_seconds += figures["loop"] * per_round
        tf1 = tf1 or figures  # the step medians of the first round
        for trainer, _ in loops.values():
            trainer.run(round_ * per_round, verbose=0)
    tf1["loop"] = tf1_seconds / (per_round * args.rounds)
    total = per_round * args.rounds
    print(f"TF1 graph, the article's loop end to end, {args.rounds} rounds of {per_round}: "
          f"{tf1['loop']:.3f} s per outer iteration")
    for name, (trainer, precision) in loops.items():
        counts, seconds = trainer.step_counts, trainer.seconds_per_iteration()
        if counts["discriminator"] != total or counts["encoder_decoder"] != 3 * total:
            print(f"  ({name} took {counts} steps, not 1 + 3 per iteration: its overhead below is approximate)")
        rows[name] = (seconds, seconds - alone[precision])
    # The article's loop takes 1 discriminator and 3 encoder+decoder steps per iteration in these runs;
    # its steps alone are its two sess.run steps timed one at a time (TF1 has no graph loop to run them in).
    tf1_steps = tf1["discriminator"] + 3 * tf1["encoder+decoder"]
    rows["the article's TF1 graph, its Python loop"] = (tf1["loop"], tf1["loop"] - tf1_steps)
    reference = tf1["loop"]
    for name, (seconds, overhead) in rows.items():
        print(f"  {name}: {seconds:.3f} s per iteration ({seconds / reference:.2f}x the article's loop), "
              f"{overhead:+.3f} s beyond its steps alone")
    for name in ("this port, compiled loop (10 iterations per call)",
                 "this port, compiled loop, mixed bfloat16 (an option)"):
        print(f"  the article's 48,000 iterations at the rate of {name.split(', ', 1)[1]}: "
              f"{rows[name][0] * 48000 / 3600:.1f} h")


if __name__ == "__main__":
    main()
