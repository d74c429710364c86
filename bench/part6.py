"""Part 6 benchmark: seconds per discriminator step and per encoder+decoder step at batch 64.

    python bench/part6.py [--steps 20] [--preset article]

Times the compiled steps of :class:`~keras_autoencoders.models.cvae_gan.CVAEGAN`
(each step's wall time until its losses are on the host, as the adaptive loop
needs them) after warm-up, on random inputs (the cost does not depend on the
values). Also times the decoder with the article's literal ``UpSampling2D`` +
``Conv2D`` pair against the fused :class:`UpsampledConv2D` this library uses.
Compare with ``bench/part6_tf1_reference.py``: the article's TF1 graph on the
same machine.
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

from keras_autoencoders.models.cvae_gan import PRESETS, build_conv_decoder, build_cvae_gan  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20, help="timed steps of each kind after warm-up")
    parser.add_argument("--preset", default="article", choices=sorted(PRESETS))
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    keras.utils.set_random_seed(0)
    model = build_cvae_gan(latent_dim=LATENT, preset=args.preset, seed=0)
    model.compile()
    for name, step in (("discriminator", model.discriminator_step),
                       ("encoder+decoder", model.encoder_decoder_step)):
        seconds = median_seconds(lambda step=step: float(step(*random_batch(rng))["l_gan"]), args.steps)
        print(f"{name} step at batch {BATCH}: median {seconds:.3f} s over {args.steps} steps")

    _, label, z = random_batch(rng)
    for fused in (False, True):
        decoder = build_conv_decoder(LATENT, CLASSES, fused_upsampling=fused)

        @tf.function
        def forward_backward():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(decoder([z, label], training=True))
            return tape.gradient(loss, decoder.trainable_variables)

        seconds = median_seconds(lambda: forward_backward()[0].numpy(), args.steps)
        kind = "fused UpsampledConv2D" if fused else "UpSampling2D + Conv2D"
        print(f"decoder forward+backward at batch {BATCH}, {kind}: median {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
