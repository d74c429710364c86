"""Part 6's results (``tutorials/part6_cvae_gan.py``): the CVAE+GAN's training and its comparison
with the Part 4 CVAE."""
from __future__ import annotations

import dataclasses
import math
import statistics
from typing import Any

from keras_autoencoders.records import ResultsRecord

#: The settings a resumed Part 6 run must keep (``run_settings.json``), with the data it trains on.
RESUME_KEYS = ("batch_size", "latent_dim", "gamma", "preset", "feature_loss", "precision", "seed")


@dataclasses.dataclass
class Part6Results(ResultsRecord):
    """``history``: the article's log, one row per period of 3 iterations (``iteration``, the
    losses, the step counts); ``comparison[generator]``:
    :func:`~keras_autoencoders.evaluation.digit_generators.compare_generators`."""

    history: dict[str, list[float]]
    step_counts: dict[str, int]
    comparison: dict[str, dict[str, Any]]
    seconds_per_iteration: float = math.nan  # runs before the fit path were not timed
    snapshot_iterations: list[int] = dataclasses.field(default_factory=list)
    snapshot_render_seconds: float = 0.0

    def headline(self) -> dict[str, Any]:
        return {"CVAE+GAN digits read as their label": self.comparison["cvae_gan"]["label_accuracy"],
                "sharpness vs real digits, CVAE+GAN / CVAE / real test": " / ".join(
                    f"{self.comparison[k]['relative_sharpness']:.2f}" for k in ("cvae_gan", "cvae", "real")),
                "last L_GAN": self.history["l_gan"][-1]}


def training_facts(trained: Any, iterations_per_period: int = 3) -> tuple[dict[str, int], float]:
    """The optimiser steps a trained CVAE+GAN took and its median seconds per iteration.

    ``trained`` is a :class:`~keras_autoencoders.tutorial_run.Trained`: fitted or reloaded, the
    model's optimisers count the steps and the history's ``epoch_seconds`` time the periods;
    under ``--pretrained`` (no optimiser state shipped) both come from the committed run.
    """
    if trained.committed is not None:
        committed = trained.committed
        return committed["step_counts"], committed.get("seconds_per_iteration") or math.nan  # older runs: untimed
    seconds = trained.history.get("epoch_seconds", [])
    per_period = statistics.median(seconds[1:] or seconds) if seconds else math.nan  # the first period compiles
    return trained.model.step_counts, per_period / iterations_per_period
