"""Seconds to read the official text files of full-size CelebA and LFW (``check_images=False``).

    python bench/official_indexes.py [--repeats 3]

Writes, in a temporary folder, CelebA's ``list_attr_celeba.txt`` and ``list_eval_partition.txt``
with the official set's 202,599 rows and LFW's ``lfw_attributes.txt`` with 13,233 rows of 73
scores, each in its official formatting, then times ``load_celeba_index(..., check_images=False)``
and ``read_lfw_attributes`` (median of ``--repeats``). The readers are NumPy and the standard
library (``data/text_files.py``).
"""
from __future__ import annotations

import argparse
import pathlib
import statistics
import tempfile
import time

import numpy as np

from keras_autoencoders.data import celeba, lfw
from keras_autoencoders.data.make_celeba_folder import format_partition_file
from keras_autoencoders.machine import print_machine


def write_celeba_files(folder: pathlib.Path) -> None:
    names = [f"{i:06d}.jpg" for i in range(1, celeba.OFFICIAL_COUNT + 1)]
    values = np.random.default_rng(5).choice(np.array(["-1", " 1"]), (celeba.OFFICIAL_COUNT, 40))
    rows = "".join(f"{name} {' '.join(row)}\n" for name, row in zip(names, values))
    (folder / celeba.ATTRIBUTE_FILE).write_text(f"{celeba.OFFICIAL_COUNT}\n{' '.join(celeba.ATTRIBUTE_NAMES)}\n{rows}")
    splits = np.repeat(np.arange(3, dtype=np.int8), [162_770, 19_867, 19_962])
    (folder / celeba.PARTITION_FILE).write_text(format_partition_file(names, splits))


def write_lfw_attributes(path: pathlib.Path) -> None:
    scores = np.random.default_rng(5).normal(size=(lfw.OFFICIAL_COUNT, 73))
    lines = ["# Attribute values for LFW, computed by attribute classifiers",
             "#\t" + "\t".join(("person", "imagenum", *(f"Attribute {j}" for j in range(73))))]
    lines += [f"Person {i // 3}\t{i % 3 + 1}\t" + "\t".join(f"{v:.5f}" for v in row) for i, row in enumerate(scores)]
    path.write_text("\n".join(lines) + "\n")


def median_seconds(call, repeats: int) -> float:
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="timed reads of each")
    args = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        write_celeba_files(folder)
        write_lfw_attributes(folder / lfw.ATTRIBUTE_FILE)
        index_seconds = median_seconds(lambda: celeba.load_celeba_index(folder, check_images=False), args.repeats)
        lfw_seconds = median_seconds(lambda: lfw.read_lfw_attributes(folder / lfw.ATTRIBUTE_FILE), args.repeats)
    print(f"CelebA index, {celeba.OFFICIAL_COUNT:,} rows: {index_seconds:.2f} s (median of {args.repeats})")
    print(f"LFW attribute file, {lfw.OFFICIAL_COUNT:,} rows of 73 scores: {lfw_seconds:.2f} s "
          f"(median of {args.repeats})")


if __name__ == "__main__":
    main()
