"""Several models trained in one run folder, each a resumable "stage" (the MNIST study's eight models).

A tutorial that trains one model gives ``fit`` :func:`~keras_autoencoders.training.callbacks.run_folder_callbacks`
of its run folder. A study trains several; :func:`train_stage` gives each its own
folder ``stages/NAME/`` (``history.csv``, ``backup/``, ``stage.json``) and saves the
model as ``model/NAME.keras``:

- rerunning the command after an interruption reloads the stages that finished and
  resumes the interrupted one from its last finished epoch, to the same weights as an
  uninterrupted run (epoch-seeded batches, :mod:`~keras_autoencoders.training.reproducible`);
- a stage is reloaded only when ``stage.json`` records the same settings (epochs,
  batch size, seed, number of samples and whatever the caller adds); otherwise it is
  trained again from scratch;
- a non-finite loss stops the run naming the stage's loss and batch, keeping the last
  good epoch.
"""
from __future__ import annotations

import json
import pathlib
import shutil
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import keras
import tensorflow as tf

from keras_autoencoders.errors import SettingsError
from keras_autoencoders.model_files import load_model_file
from keras_autoencoders.run_folder import BACKUP_FOLDER, HISTORY_FILE, RunFolder, to_jsonable, read_history_csv
from keras_autoencoders.training.callbacks import run_folder_callbacks
from keras_autoencoders.training.reproducible import EpochSeeds, shuffled_batches

STAGES_FOLDER = "stages"
STAGE_FILE = "stage.json"


@dataclass
class Stage:
    """A trained stage: its model and its per-epoch history (``history.csv`` as lists)."""

    name: str
    model: keras.Model
    history: dict[str, list[float]]


def stage_folder(run: RunFolder, name: str) -> pathlib.Path:
    """``stages/NAME`` of a run folder."""
    return run.root / STAGES_FOLDER / name


def _history(folder: pathlib.Path) -> dict[str, list[float]]:
    path = folder / HISTORY_FILE
    return read_history_csv(path) if path.exists() else {}


def load_stage(run: RunFolder, name: str) -> Stage:
    """A stage saved earlier (``--skip-training``); a clear error names a missing or damaged model file."""
    path = run.model(name)
    if not path.exists():
        raise SettingsError(f"no trained model {path}: run the tutorial without --skip-training first")
    return Stage(name, load_model_file(path), _history(stage_folder(run, name)))


def train_stage(run: RunFolder, name: str, build: Callable[[], keras.Model],
                data: tuple[Any, Any] | Callable[[EpochSeeds], tf.data.Dataset], *,
                epochs: int, seed: int, batch_size: int | None = None, validation_data: Any = None,
                settings: Mapping[str, Any] | None = None, verbose: int | str = "auto") -> Stage:
    """Train ``build()`` (a compiled model) as stage ``name`` of ``run``, or reload it.

    ``data`` is either ``(x, y)`` arrays, batched by :func:`shuffled_batches` in an order
    seeded by ``seed`` and the epoch, or a function of the stage's
    :class:`~keras_autoencoders.training.reproducible.EpochSeeds` returning the training
    dataset (e.g. ``make_image_dataset(..., epoch_variable=seeds.epoch)`` for images
    streamed from disk). ``keras.utils.set_random_seed(seed)`` runs before ``build()``,
    so the initial weights and every random draw depend on ``seed`` alone. ``settings``
    are extra values that decide whether a saved stage is still valid (e.g. a noise level).
    """
    streamed = callable(data)
    if not streamed and batch_size is None:
        raise SettingsError(f"stage {name}: batch_size is needed to batch (x, y) arrays")
    folder = stage_folder(run, name)
    record = to_jsonable({"epochs": epochs, "batch_size": batch_size, "seed": seed,
                          "samples": None if streamed else len(keras.tree.flatten(data[0])[0]), **(settings or {})})
    record_path = folder / STAGE_FILE
    saved = json.loads(record_path.read_text()) if record_path.exists() else None
    interrupted = (folder / BACKUP_FOLDER).exists()
    if saved == record and run.model(name).exists() and not interrupted:
        print(f"stage {name}: trained earlier with the same settings, reloaded from {run.model(name)}")
        return load_stage(run, name)
    if saved != record:  # another run's stage, or none: start clean
        shutil.rmtree(folder, ignore_errors=True)
        run.model(name).unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(record, indent=1))

    keras.utils.set_random_seed(seed)
    model = build()
    seeds = EpochSeeds(seed)
    dataset = data(seeds) if streamed else shuffled_batches(*data, batch_size, seeds)
    print(f"stage {name}: {epochs} epochs")
    # Validation arrays in batches of the training size, as the articles' Keras 2 ``fit`` did (Keras 3
    # batches them by 32 when the training data is a dataset: 313 steps for 10,000 digits).
    model.fit(dataset, epochs=epochs, validation_data=validation_data, validation_batch_size=batch_size,
              shuffle=False, verbose=verbose, callbacks=run_folder_callbacks(folder, seeds=seeds))
    model.save(run.model(name))
    return Stage(name, model, _history(folder))
