"""One run folder as the report reads it: its results, history, scores, figures and animations.

Everything comes from the folder's own files (`docs/results-files.md`); nothing is
typed in by hand. The tutorial that wrote a folder is told by the sections of its
``results.json``.
"""
from __future__ import annotations

import json
import os
import pathlib
from dataclasses import dataclass, field
from typing import Any, Optional

from keras_autoencoders.errors import FileLineError
from keras_autoencoders.run_folder import (ANIMATIONS_FOLDER, FIGURES_FOLDER, HISTORY_FILE, RESULTS_FILE,
                                           SAMPLES_FILE, read_history_csv)

#: The report's own files in a run folder.
REPORT_FILE = "REPORT.md"
SCORES_FILE = "scores.json"
REPORT_LOSSES_FIGURE = "report_losses.png"

#: Tutorial -> (title, the results.json section that only its runs write).
TUTORIALS = {
    "part4": ("Part 4: conditional VAE on MNIST", "toy_manifold"),
    "part6": ("Part 6: CVAE+GAN on MNIST", "step_counts"),
    "celeba": ("Conditional VAE on CelebA", "edit_rates"),
    "mnist_study": ("MNIST study: AE, denoising, VAE, PCA", "denoising"),
    "faces": ("Faces study: LFW autoencoder and smile vector", "smile_vector"),
}
#: History columns that are times or step counts, not losses.
NOT_LOSSES = ("epoch", "iteration", "epoch_seconds", "train_seconds", "d_steps", "ed_steps")


class RunFolderError(FileLineError):
    """A folder that is not a readable tutorial run: ``FILE[, line N]: reason``."""


@dataclass
class RunRecord:
    """What the report knows of one run folder."""

    folder: pathlib.Path
    results: dict
    tutorial: str
    history: dict[str, list[float]] = field(default_factory=dict)
    scores: Optional[dict] = None

    @property
    def settings(self) -> dict:
        return self.results["settings"]

    @property
    def title(self) -> str:
        return TUTORIALS[self.tutorial][0]

    @property
    def label(self) -> str:
        """A short name for tables and legends, from the settings that tell runs apart."""
        s = self.settings
        if self.tutorial == "part6":
            return f"{s['preset']}, latent {s['latent_dim']}, {s['iterations']} it."
        if self.tutorial in ("part4", "celeba"):
            return f"{self.tutorial}, latent {s['latent_dim']}, {s['epochs']} ep."
        return f"{self.tutorial.replace('_', ' ')}{' (quick)' if s.get('quick') else ''}"

    @property
    def step_name(self) -> str:
        return "iteration" if "iteration" in self.history else "epoch"

    @property
    def steps(self) -> list[float]:
        first = next(iter(self.history.values()), [])
        return self.history.get("iteration") or list(range(1, len(first) + 1))

    @property
    def losses(self) -> dict[str, list[float]]:
        return {k: v for k, v in self.history.items() if k not in NOT_LOSSES}

    def files(self, folder: str, suffixes: tuple[str, ...]) -> list[pathlib.Path]:
        where = self.folder / folder
        return sorted(p for p in where.iterdir() if p.suffix in suffixes) if where.is_dir() else []

    @property
    def figures(self) -> list[pathlib.Path]:
        return self.files(FIGURES_FOLDER, (".png",))

    @property
    def animations(self) -> list[pathlib.Path]:
        return self.files(ANIMATIONS_FOLDER, (".gif", ".mp4"))

    @property
    def samples(self) -> pathlib.Path:
        return self.folder / SAMPLES_FILE


def read_json(path: pathlib.Path) -> Any:
    """A JSON file, or :class:`RunFolderError` naming the file and the line of a syntax error."""
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise RunFolderError(path, err.lineno, f"not valid JSON ({err.msg})") from err


def tutorial_of(results: dict, path: pathlib.Path) -> str:
    for name, (_, section) in TUTORIALS.items():
        if section in results:
            return name
    raise RunFolderError(path, None, "no section tells which tutorial wrote it (expected one of "
                         f"{', '.join(s for _, s in TUTORIALS.values())})")


def read_run(folder: str | os.PathLike) -> RunRecord:
    """Read a tutorial's ``--out`` folder. Raises :class:`RunFolderError` naming what is missing."""
    folder = pathlib.Path(folder)
    path = folder / RESULTS_FILE
    if not path.is_file():
        raise RunFolderError(path, None, f"not found; is {folder} the --out folder of a finished tutorial run?")
    results = read_json(path)
    if not isinstance(results, dict) or not isinstance(results.get("settings"), dict):
        raise RunFolderError(path, None, "has no 'settings' section")
    history = results.get("history") or {}
    if not history and (folder / HISTORY_FILE).is_file():
        history = read_history_csv(folder / HISTORY_FILE)
    history = {k: list(v) for k, v in history.items() if isinstance(v, list)}
    scores_path = folder / SCORES_FILE
    scores = read_json(scores_path) if scores_path.is_file() else None
    return RunRecord(folder, results, tutorial_of(results, path), history, scores)
