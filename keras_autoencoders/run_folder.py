"""A tutorial's run folder (``--out``, `docs/results-files.md`): its file names, defined once, and the writers of
``results.json`` (``settings``, the tutorial's measurements, ``versions``) and ``samples.npz``, both atomic;
``python -m keras_autoencoders report`` adds ``scores.json``, ``REPORT.md`` and ``report_losses.png``."""
from __future__ import annotations

import csv
import json
import math
import os
import pathlib
import platform
import shutil
from dataclasses import dataclass
from importlib import metadata
from typing import Sequence

import numpy as np

from keras_autoencoders.arrays import save_npz
from keras_autoencoders.errors import SettingsError

RESULTS_FILE = "results.json"
SAMPLES_FILE = "samples.npz"
HISTORY_FILE = "history.csv"
SNAPSHOTS_FILE = "snapshots.npz"
RUN_SETTINGS_FILE = "run_settings.json"
LEGACY_STAGE_FILE = "stage.json"  # a study stage's settings before run_settings.json
STAGES_FOLDER = "stages"
BACKUP_FOLDER = "backup"
FIGURES_FOLDER = "figures"
ANIMATIONS_FOLDER = "animations"
MODEL_FOLDER = "model"
LOGS_FOLDER = "logs"


@dataclass(frozen=True)
class RunFolder:
    """The paths of one run's files, under ``root`` (a tutorial's ``--out``)."""

    root: pathlib.Path

    def __init__(self, root: str | os.PathLike):
        object.__setattr__(self, "root", pathlib.Path(root))

    figures = property(lambda self: self.root / FIGURES_FOLDER)
    animations = property(lambda self: self.root / ANIMATIONS_FOLDER)
    logs = property(lambda self: self.root / LOGS_FOLDER)
    history = property(lambda self: self.root / HISTORY_FILE)
    results = property(lambda self: self.root / RESULTS_FILE)
    samples = property(lambda self: self.root / SAMPLES_FILE)
    snapshots = property(lambda self: self.root / SNAPSHOTS_FILE)
    backup = property(lambda self: self.root / BACKUP_FOLDER)

    def model(self, name: str) -> pathlib.Path:
        """``model/NAME.keras`` (the ``model/`` folder is created, ready for ``model.save``)."""
        folder = self.root / MODEL_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{name}.keras"

    def load_model(self, name: str):
        """The model saved as ``model/NAME.keras`` (import its class's module first); a damaged file
        raises :class:`~keras_autoencoders.errors.DamagedFileError`."""
        from keras_autoencoders.model_files import load_model_file

        return load_model_file(self.model(name))


def clear_finished_run(out: str | os.PathLike, files: Sequence[str] = (HISTORY_FILE,)) -> None:
    """Before training into ``out``: delete ``files`` (or folders) of an earlier finished run; an interrupted
    one left ``out/backup`` (``BackupAndRestore``) and resumes, keeping them."""
    out = pathlib.Path(out)
    if not (out / BACKUP_FOLDER).exists():
        for name in files:
            if (out / name).is_dir():
                shutil.rmtree(out / name)
            else:
                (out / name).unlink(missing_ok=True)


def check_same_run(out: str | os.PathLike, record: dict, write: bool = True) -> bool:
    """The one settings check: whether ``out``'s ``run_settings.json`` holds ``record`` (None values aside), then
    ``record`` is written (with ``write``); a backed-up run with other settings is never continued
    (:class:`SettingsError`)."""
    out = pathlib.Path(out)
    chosen = {k: v for k, v in to_jsonable(record).items() if v is not None}
    saved_path = next((out / name for name in (RUN_SETTINGS_FILE, LEGACY_STAGE_FILE) if (out / name).exists()), None)
    saved = {k: v for k, v in json.loads(saved_path.read_text()).items() if v is not None} if saved_path else None
    changed = {k: (saved.get(k), chosen.get(k)) for k in {*saved, *chosen} if saved.get(k) != chosen.get(k)} \
        if saved is not None else {}
    if changed and (out / BACKUP_FOLDER).exists():
        listed = ", ".join(f"{k}: {a!r} there, {b!r} now" for k, (a, b) in sorted(changed.items()))
        raise SettingsError(f"{out} holds a run with other settings ({listed}); rerun with its settings to "
                            "continue it, or choose another --out")
    if write:
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / RUN_SETTINGS_FILE, chosen)
    return saved is not None and not changed


PACKAGES = ("tensorflow", "keras", "numpy", "scipy", "matplotlib", "imageio", "imageio-ffmpeg")


def package_versions(packages=PACKAGES) -> dict[str, str | None]:
    """Installed versions of ``packages`` (None when absent), plus Python's."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def to_jsonable(value):
    """``value`` with NumPy scalars and arrays, tuples and paths as JSON types (NaN and infinities: None)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN: an unmeasured number is null
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, pathlib.PurePath):
        return str(value)
    return value


def write_json(path: str | os.PathLike, content, indent: int = 2) -> pathlib.Path:
    """Write ``content`` (:func:`to_jsonable`) as JSON to a temporary name, then rename it to ``path``."""
    path = pathlib.Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(to_jsonable(content), indent=indent) + "\n")
    os.replace(tmp, path)
    return path


def write_results(out_dir: str | os.PathLike, settings: dict, **sections) -> pathlib.Path:
    """Write ``results.json`` with ``settings``, the given sections and ``versions``."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    content = {"settings": settings, **sections, "versions": package_versions()}
    return write_json(out_dir / RESULTS_FILE, content)


def write_samples(out_dir: str | os.PathLike, samples: dict[str, np.ndarray]) -> pathlib.Path:
    """Write ``samples.npz`` (compressed) from named arrays."""
    return save_npz(pathlib.Path(out_dir) / SAMPLES_FILE, samples)


def read_history_csv(path: str | os.PathLike) -> dict[str, list[float]]:
    """A Keras ``CSVLogger`` file as ``{column: [value per epoch]}`` (epoch as int). An epoch logged twice
    (redone after a restore) keeps its last row; columns ``NA`` in every row (``val_*`` without validation) go."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    empty = {key for key in (rows[0] if rows else {}) if all(row[key] == "NA" for row in rows)}
    rows = [{k: v for k, v in row.items() if k not in empty} for row in rows]
    if not rows:
        return {}
    by_epoch: dict[int, dict] = {}
    for line, row in enumerate(rows, start=2):
        parsed = {}
        for key, value in row.items():
            try:
                parsed[key] = int(value) if key == "epoch" else float(value)
            except (TypeError, ValueError) as err:
                raise ValueError(f"{path}, line {line}: bad value {value!r} in column {key!r}") from err
        by_epoch[parsed.get("epoch", line)] = parsed
    ordered = [by_epoch[e] for e in sorted(by_epoch)]
    return {key: [row[key] for row in ordered] for key in rows[0]}
