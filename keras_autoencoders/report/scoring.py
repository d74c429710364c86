"""Score the ``samples.npz`` of run folders with the digit judge, into each folder's ``scores.json``.

``scores.json`` holds the judge that scored (its test accuracy and training data), the
real test digits measured the same way, one entry per generator of the samples
(:mod:`keras_autoencoders.evaluation.digit_generators`), and the SHA-256 of the
``samples.npz`` it scored: a later report reuses it while that file and the judge's
version are unchanged, and a folder that keeps only ``scores.json`` (as the committed
runs under ``figs/`` do, without their 30 MB of samples) is still reported.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
from typing import Callable, Optional, Sequence

import keras
import numpy as np

from keras_autoencoders.data.mnist import MnistDigits, load_mnist_digits
from keras_autoencoders.evaluation.digit_judge import JUDGE_VERSION, DigitJudge, load_digit_judge
from keras_autoencoders.evaluation.digit_generators import RealDigits, generator_arrays, score_generator
from keras_autoencoders.report.run_record import SCORES_FILE, RunRecord
from keras_autoencoders.run_folder import write_json


def file_digest(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scores_are_current(record: RunRecord, digest: str) -> bool:
    scores = record.scores or {}
    return scores.get("samples_sha256") == digest and scores.get("judge", {}).get("version") == JUDGE_VERSION


def score_runs(records: Sequence[RunRecord], *, data_dir: Optional[os.PathLike] = None, rescore: bool = False,
               judge_loader: Callable[[MnistDigits], DigitJudge] | None = None, verbose: int = 1) -> list[RunRecord]:
    """Score every record whose ``samples.npz`` has no current ``scores.json`` (all with ``rescore``).

    MNIST is loaded (the bundled sample when no copy is found) and the judge (cached,
    :func:`load_digit_judge`) is made ready only when some run needs scoring; a progress bar counts the generators scored. Each
    record's ``scores`` is set and written to its ``scores.json``. Returns the records
    that were scored.
    """
    todo = []
    for record in records:
        if record.samples.is_file():
            digest = file_digest(record.samples)
            if rescore or not scores_are_current(record, digest):
                todo.append((record, digest))
    if not todo:
        return []
    # Without MNIST at hand the bundled sample serves: its 1,000 test digits are the first of the test set.
    digits = load_mnist_digits(data_dir, allow_sample=True)
    judge = judge_loader(digits) if judge_loader else load_digit_judge(digits=digits, verbose=verbose)
    loaded = [(record, digest, generator_arrays(dict(np.load(record.samples)))) for record, digest in todo]
    progress = keras.utils.Progbar(1 + sum(len(groups) for _, _, groups in loaded), unit_name="generator",
                                   verbose=verbose)
    reference = (digits.source_label if "sample" in digits.source_label
                 else f"{digits.source_label} ({len(digits.x_train)} train / {len(digits.x_test)} test digits)")
    real = RealDigits(judge.model, digits)
    real_scores = real.scores()
    progress.add(1)
    for record, digest, groups in loaded:
        generators = {}
        for name, arrays in groups.items():
            generators[name] = score_generator(arrays, real)
            progress.add(1)
        record.scores = {"judge": judge.describe(), "reference_digits": reference,
                         "real_test_digits": real_scores, "generators": generators, "samples_sha256": digest}
        write_json(record.folder / SCORES_FILE, record.scores, indent=1)
    return [record for record, _, _ in loaded]
