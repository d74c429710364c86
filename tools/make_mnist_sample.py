"""Rebuild the bundled MNIST sample ``mnist_sample.npz`` from a full MNIST npz.

The sample shipped with the package holds the FIRST 5000 training digits and the
FIRST 1000 test digits of MNIST, in their original order (the tutorials use "the
first ten 7s of the training set" and "the first 1000 test digits"), with the keys
and dtypes of Keras' ``mnist.npz`` (x_train/x_test (N, 28, 28) uint8, y_train/y_test
uint8), written with ``np.savez_compressed`` so that it stays under 2 MB.

It was made from a full MNIST copy in Keras' npz layout (60,000 train + 10,000 test
digits, converted from the original IDX files whose checksums match the published
MNIST ones) with::

    python tools/make_mnist_sample.py SOURCE_NPZ

``SOURCE_NPZ`` can be Keras' own cached ``mnist.npz`` (``~/.keras/datasets/mnist.npz``
after ``keras.datasets.mnist.load_data()``), or any file in that layout.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Optional, Sequence

from keras_autoencoders.data.mnist import SAMPLE_PATH, read_mnist_npz, write_mnist_npz

SAMPLE_TRAIN = 5000
SAMPLE_TEST = 1000
MAX_BYTES = 2 * 1024 * 1024


def make_sample(
    source: pathlib.Path,
    out: pathlib.Path = SAMPLE_PATH,
    n_train: int = SAMPLE_TRAIN,
    n_test: int = SAMPLE_TEST,
) -> pathlib.Path:
    """Write the first ``n_train`` / ``n_test`` digits of ``source`` to ``out``."""
    x_train, y_train, x_test, y_test = read_mnist_npz(source)
    if len(x_train) < n_train or len(x_test) < n_test:
        raise ValueError(
            f"{source}: holds {len(x_train)} train / {len(x_test)} test digits, "
            f"fewer than the {n_train} / {n_test} asked for"
        )
    return write_mnist_npz(
        out, x_train[:n_train], y_train[:n_train], x_test[:n_test], y_test[:n_test],
        compressed=True,
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/make_mnist_sample.py",
        description="Rebuild the bundled MNIST sample from a full MNIST npz (Keras layout).",
    )
    parser.add_argument("source", type=pathlib.Path, help="full MNIST npz in Keras' layout")
    parser.add_argument("--out", type=pathlib.Path, default=SAMPLE_PATH,
                        help="where to write the sample (default: the packaged mnist_sample.npz)")
    parser.add_argument("--train", type=int, default=SAMPLE_TRAIN, help="first N training digits")
    parser.add_argument("--test", type=int, default=SAMPLE_TEST, help="first N test digits")
    args = parser.parse_args(argv)

    out = make_sample(args.source, args.out, args.train, args.test)
    size = out.stat().st_size
    print(f"wrote {out}: {args.train} train / {args.test} test digits, {size / 1e6:.2f} MB")
    if size >= MAX_BYTES:
        print(f"warning: {out} is {size} bytes, over the 2 MB budget; lower --train",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
