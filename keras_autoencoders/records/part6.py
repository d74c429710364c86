"""Part 6's results (``tutorials/part6_cvae_gan.py``): the CVAE+GAN's training, compared with Part 4's CVAE."""
from __future__ import annotations

import dataclasses
import math
import statistics
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from keras_autoencoders.models.cvae_gan.model import ITERATIONS_PER_PERIOD, LOSS_NAMES, STEP_NAMES
from keras_autoencoders.records import ResultsRecord

if TYPE_CHECKING:
    from keras_autoencoders.training.snapshots import ManifoldSnapshots

#: The settings a resumed Part 6 run must keep (``run_settings.json``), with the data it trains on.
RESUME_KEYS = ("batch_size", "latent_dim", "gamma", "preset", "feature_loss", "precision", "seed")


@dataclasses.dataclass
class Part6Results(ResultsRecord):
    """``history``: the article's log, one row per period of 3 iterations (``iteration``, the losses, the step counts);
    ``comparison[generator]``: :func:`~keras_autoencoders.evaluation.digit_generators.compare_generators`."""

    history: dict[str, list[float]]
    step_counts: dict[str, int]
    comparison: dict[str, dict[str, Any]]
    seconds_per_iteration: float = math.nan  # runs before the fit path were not timed
    snapshot_iterations: list[int] = dataclasses.field(default_factory=list)
    snapshot_render_seconds: list[float] = dataclasses.field(default_factory=list)  # seconds per snapshot

    @classmethod
    def of_run(cls, facts: TrainingFacts, comparison: Mapping[str, dict[str, Any]], snapshots: ManifoldSnapshots,
               iterations: int) -> Part6Results:
        """The record of a run: its :class:`TrainingFacts`, the generators' ``comparison`` (plus the iterations
        and optimiser steps each trained for) and the :class:`ManifoldSnapshots` taken (periods of 3 iterations)."""
        comparison = {name: dict(numbers) for name, numbers in comparison.items()}
        comparison["cvae_gan"].update(iterations=iterations, optimizer_steps=facts.step_counts)
        comparison["cvae"]["optimizer_steps"] = facts.step_counts["encoder_decoder"]
        return cls(history=facts.history, step_counts=facts.step_counts, comparison=comparison,
                   seconds_per_iteration=facts.seconds_per_iteration, snapshot_render_seconds=snapshots.render_seconds,
                   snapshot_iterations=[period * ITERATIONS_PER_PERIOD for period in snapshots.epochs_taken])

    def headline(self) -> dict[str, Any]:
        return {"CVAE+GAN digits read as their label": self.comparison["cvae_gan"]["label_accuracy"],
                "sharpness vs real test digits, CVAE+GAN / CVAE / real training": " / ".join(
                    f"{self.comparison[k]['relative_sharpness']:.2f}" for k in ("cvae_gan", "cvae", "real")),
                "last L_GAN": self.history["l_gan"][-1]}


@dataclasses.dataclass
class TrainingFacts:
    """A CVAE+GAN's logged training: the history's article columns (``iteration``, the losses, the step
    counts per period), the optimiser steps and the median seconds per iteration."""

    history: dict[str, list[float]]
    step_counts: dict[str, int]
    seconds_per_iteration: float

    @property
    def losses(self) -> dict[str, list[float]]:
        """The article's logged losses, ``L_prior``, ``L_llike``, ``L_GAN``, per period."""
        return {name: self.history[name] for name in LOSS_NAMES}


def training_facts(trained: Any, iterations_per_period: int = ITERATIONS_PER_PERIOD) -> TrainingFacts:
    """The :class:`TrainingFacts` of a :class:`~keras_autoencoders.tutorial_run.Trained` CVAE+GAN: its
    optimisers' steps and its history's ``epoch_seconds``, or the committed run's under ``--pretrained``."""
    history = {name: trained.history[name] for name in ("iteration", *LOSS_NAMES, *STEP_NAMES)}
    if trained.committed is not None:  # older committed runs were not timed
        committed = trained.committed
        return TrainingFacts(history, committed["step_counts"], committed.get("seconds_per_iteration") or math.nan)
    seconds = trained.history.get("epoch_seconds", [])
    per_period = statistics.median(seconds[1:] or seconds) if seconds else math.nan  # the first period compiles
    return TrainingFacts(history, trained.model.step_counts, per_period / iterations_per_period)


def part6_samples(samples: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """A Part 6 run's ``samples.npz`` from :func:`~keras_autoencoders.evaluation.digit_generators.compare_generators`'
    samples: the CVAE+GAN's, and the Part 4 CVAE's as ``cvae_*``."""
    return {**samples["cvae_gan"], **{f"cvae_{name}": array for name, array in samples["cvae"].items()}}
