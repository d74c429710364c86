"""A tutorial's run: its settings, its run folder, and one call per trained model.

:func:`start_tutorial` parses a tutorial's settings (:mod:`keras_autoencoders.tutorial`),
seeds Keras and returns a :class:`TutorialRun`. The run decides the run mode once, so no
tutorial cell branches on it:

* training (the default): :meth:`TutorialRun.fit_or_load` fits the model with the run
  folder's callbacks and saves it; an interrupted run resumes from its backup when the same
  command is given again (files of an earlier *finished* run are cleared first);
* ``--skip-training``: the models saved in ``--out`` are reloaded, with their histories;
* ``--pretrained``: the shipped models (``figs/pretrained/``) and their committed
  histories are installed in ``--out`` and used, and the settings that describe the
  shipped run (``SHIPPED_SETTINGS``) take its values.
"""
from __future__ import annotations

import dataclasses
import json
import pathlib
from typing import Any, Callable, Sequence, TypeVar

import keras

from keras_autoencoders.errors import SettingsError
from keras_autoencoders.machine import check_precision
from keras_autoencoders.records import ResultsRecord
from keras_autoencoders.run_folder import (RESULTS_FILE, RunFolder, check_same_run, clear_finished_run,
                                           read_history_csv, to_jsonable, write_results, write_samples)
from keras_autoencoders.tutorial import SettingsT, TutorialSettings, print_summary

ModelT = TypeVar("ModelT", bound=keras.Model)


@dataclasses.dataclass
class Trained:
    """A model a tutorial uses, its per-epoch history (``{column: [value per epoch]}``; the epoch
    is the list index, so an ``epoch`` column is dropped) and, under ``--pretrained``, the
    committed run's ``results.json`` (``committed``; None otherwise)."""

    model: Any
    history: dict[str, list[float]]
    committed: dict[str, Any] | None = None

    def __post_init__(self):
        self.history = {column: values for column, values in self.history.items() if column != "epoch"}

    def __iter__(self):
        """``model, history = run.keep(...)``."""
        return iter((self.model, self.history))


class TutorialRun(RunFolder):
    """A :class:`~keras_autoencoders.run_folder.RunFolder` that knows its settings and run mode."""

    def __init__(self, settings: TutorialSettings):
        super().__init__(settings.out)
        object.__setattr__(self, "settings", settings)

    @property
    def pretrained(self) -> bool:
        return bool(getattr(self.settings, "pretrained", False))

    @property
    def training(self) -> bool:
        """False under ``--pretrained`` and ``--skip-training``: models are loaded, not fitted."""
        return not (self.pretrained or getattr(self.settings, "skip_training", False))

    def check_same_run(self, keys: Sequence[str], **facts: Any) -> None:
        """Refuse to continue a backed-up run made with other ``keys`` settings (or other ``facts``,
        such as the data source): see :func:`~keras_autoencoders.run_folder.check_same_run`."""
        if self.training:
            check_same_run(self.root, {**self.settings.as_dict(), **facts}, (*keys, *facts))

    def needs_training(self, name: str) -> bool:
        """Whether this run fits model ``name``: False under ``--pretrained`` and ``--skip-training``,
        where :meth:`keep` loads it instead."""
        return self.training

    def keep(self, name: str, model: ModelT | None = None, fitted: Any = None) -> Trained:
        """The model ``name`` the rest of the tutorial uses, with its per-epoch history.

        After training: ``model`` saved as ``model/NAME.keras``; its history is the run folder's
        ``history.csv`` when ``fit``'s callbacks wrote one (resumed epochs included), else
        ``fitted.history``. Under ``--skip-training`` the saved model and history are loaded,
        under ``--pretrained`` the shipped ones (installed in the run folder first).
        """
        if self.pretrained:
            from keras_autoencoders.pretrained import install_pretrained, pretrained_history, source_run

            install_pretrained(self, name)
            results = source_run(name) / RESULTS_FILE
            committed = json.loads(results.read_text()) if results.is_file() else {}
            return Trained(self.load_model(name), pretrained_history(name), committed)
        if not self.training:
            path = self.model(name)
            if not path.is_file():
                raise SettingsError(f"no trained model {path}: run the tutorial without --skip-training first")
            return Trained(self.load_model(name), read_history_csv(self.history) if self.history.is_file() else {})
        model.save(self.model(name))
        if fitted is None and self.history.is_file():
            return Trained(model, read_history_csv(self.history))
        return Trained(model, dict(fitted.history) if fitted is not None else {})

    def fit_or_load(self, name: str, model: ModelT, data: Any = None, *, callbacks: Sequence[Any] = (),
                    **fit_args: Any) -> Trained:
        """``model.fit(data, callbacks=callbacks, **fit_args)`` when :meth:`needs_training`, then :meth:`keep`.

        ``data`` is an ``(x, y)`` pair or a dataset.
        """
        fitted = None
        if self.needs_training(name):
            x, y = data if isinstance(data, tuple) else (data, None)
            fitted = model.fit(x, y, callbacks=list(callbacks), **fit_args)
            if any(isinstance(c, keras.callbacks.CSVLogger) for c in callbacks):
                fitted = None  # the run folder's history.csv holds every epoch, resumed ones included
        return self.keep(name, model, fitted)

    def stage(self, name: str, build: Callable[[], keras.Model], data: Any, *, epochs: int,
              batch_size: int | None = None, validation_data: Any = None, **record: Any) -> Trained:
        """One of several models of a study, trained (resumably) in ``stages/NAME/``, or loaded.

        See :func:`~keras_autoencoders.training.stages.train_stage`; ``record`` holds the extra
        settings a saved stage must match to be reused. ``precision="float32"`` (the default) is not
        recorded, so float32 stages saved before the option existed still match.
        """
        from keras_autoencoders.training.stages import load_stage, train_stage

        record = {k: v for k, v in record.items() if not (k == "precision" and v == "float32")}
        if self.pretrained:
            return self.fit_or_load(name, None)
        if not self.training:
            stage = load_stage(self, name)
        else:
            stage = train_stage(self, name, build, data, epochs=epochs, batch_size=batch_size, seed=self.settings.seed,
                                validation_data=validation_data, settings=record or None, verbose=2)
        return Trained(stage.model, stage.history)

    def save_figure(self, name: str, fig: Any) -> pathlib.Path:
        """``figures/NAME.png``, shown as the cell's output in a notebook
        (:func:`~keras_autoencoders.plotting.figures.save_figure`)."""
        from keras_autoencoders.plotting.figures import save_figure

        return save_figure(fig, self.figures / f"{name}.png")

    def write_results(self, record: ResultsRecord, data_source: str | None = None) -> pathlib.Path:
        """``results.json``: the settings (and the ``data_source`` they ran on), the sections of a
        results ``record`` (:mod:`keras_autoencoders.records`) and the package versions."""
        settings = {**self.settings.as_dict(), **({"data_source": data_source} if data_source else {})}
        return write_results(self.root, settings, **record.as_dict())

    def write_samples(self, samples: dict) -> pathlib.Path:
        """``samples.npz``: the arrays every MNIST tutorial writes (`docs/results-files.md`)."""
        return write_samples(self.root, samples)

    def print_summary(self, numbers: dict[str, Any]) -> None:
        """The closing lines: where the files are, then ``name: value``."""
        print_summary(self.root, numbers)

    def finish(self, record: ResultsRecord, samples: dict | None = None, data_source: str | None = None) -> None:
        """A tutorial's last call: ``samples.npz`` (when given), ``results.json`` (:meth:`write_results`),
        then the closing lines with the record's :meth:`~keras_autoencoders.records.ResultsRecord.headline`."""
        if samples is not None:
            self.write_samples(samples)
        self.write_results(record, data_source)
        self.print_summary(record.headline())


def _take_shipped_settings(settings: SettingsT) -> SettingsT:
    """Under ``--pretrained``: the settings that describe the shipped model take its run's values."""
    from keras_autoencoders.pretrained import source_run

    if not getattr(settings, "pretrained", False) or settings.SHIPPED is None:
        return settings
    shipped = json.loads((source_run(settings.SHIPPED) / RESULTS_FILE).read_text())["settings"]
    chosen = {k: shipped[k] for k in settings.SHIPPED_SETTINGS if k in shipped}
    print("pretrained: the committed run's", ", ".join(f"{k} {to_jsonable(v)}" for k, v in chosen.items()))
    return settings.replace(**chosen)


def start_tutorial(settings_class: type[SettingsT], notebook_preset: str = "article",
                   argv: Sequence[str] | None = None) -> tuple[SettingsT, TutorialRun]:
    """A tutorial's first call: its settings (flags, preset), Keras' global seed, and its run.

    A ``mixed_bfloat16`` run on a CPU without native bfloat16 warns here, once
    (:func:`~keras_autoencoders.machine.check_precision`). A training run clears the files an
    earlier finished run left in ``--out`` (``history.csv``, ``snapshots.npz``, ``logs/``); an
    interrupted one keeps them and resumes.
    """
    settings = _take_shipped_settings(settings_class.parse(argv, notebook_preset=notebook_preset))
    keras.utils.set_random_seed(settings.seed)
    print("settings:", settings)
    check_precision(getattr(settings, "precision", "float32"))
    run = TutorialRun(settings)
    if run.training:
        clear_finished_run(run.root, [run.history.name, run.snapshots.name, run.logs.name])
    return settings, run

