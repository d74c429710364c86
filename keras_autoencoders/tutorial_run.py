"""A tutorial's run: its settings, its run folder, and one call per trained model. :func:`start_tutorial` returns a
:class:`TutorialRun`, which decides the run mode once: training (the same command resumes an interrupted run),
``--skip-training`` (the saved models and histories are reloaded) or ``--pretrained`` (the shipped ones are installed,
and ``SHIPPED_SETTINGS`` take the committed run's values)."""
from __future__ import annotations

import dataclasses
import json
import pathlib
from typing import Any, Callable, Sequence, TypeVar

import keras

from keras_autoencoders.errors import SettingsError
from keras_autoencoders.machine import check_precision
from keras_autoencoders.records import ResultsRecord
from keras_autoencoders.run_folder import (RESULTS_FILE, STAGES_FOLDER, RunFolder, check_same_run, clear_finished_run,
                                           read_history_csv, to_jsonable, write_results, write_samples)
from keras_autoencoders.tutorial import SettingsT, TutorialSettings, summary_lines

ModelT = TypeVar("ModelT", bound=keras.Model)


@dataclasses.dataclass
class Trained:
    """A model a tutorial uses, its history (``{column: [value per epoch]}``, no ``epoch`` column) and,
    under ``--pretrained``, the committed run's ``results.json`` (``committed``)."""

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
        from keras_autoencoders.training.distribute import Cluster, join_processes

        super().__init__(settings.out)
        object.__setattr__(self, "settings", settings)
        # Keras' KERAS_DISTRIBUTION_* variables: on several processes (JAX), process 0 alone writes the run folder.
        object.__setattr__(self, "cluster", Cluster.from_environment())
        if self.cluster.several and not (settings.SEVERAL_PROCESSES and self.training):
            raise SettingsError("KERAS_DISTRIBUTION_NUM_PROCESSES: several processes train the CelebA tutorial only; "
                                "--pretrained and --skip-training run on one process")
        if self.cluster.several and getattr(settings, "demo", False):
            raise SettingsError("--demo writes its folder in the run folder, which process 0 alone writes: write one "
                                "first (python -m keras_autoencoders.data.make_celeba_folder DIR) and pass --data-dir")
        join_processes(self.cluster)  # on several: before JAX does anything (keras.distribution.initialize's rule)

    @property
    def pretrained(self) -> bool:
        return bool(getattr(self.settings, "pretrained", False))

    @property
    def training(self) -> bool:
        """False under ``--pretrained`` and ``--skip-training``: models are loaded, not fitted."""
        return not (self.pretrained or getattr(self.settings, "skip_training", False))

    def check_same_run(self, keys: Sequence[str], **facts: Any) -> None:
        """:func:`~keras_autoencoders.run_folder.check_same_run` on settings ``keys`` and ``facts`` (data source)."""
        if self.training:
            settings = {**self.settings.as_dict(), **facts}
            check_same_run(self.root, {k: settings[k] for k in (*keys, *facts)}, write=self.cluster.writes)

    def needs_training(self, name: str) -> bool:
        """Whether this run fits model ``name`` (else :meth:`keep` loads it)."""
        return self.training

    def stage_folder(self, name: str) -> RunFolder:
        """``stages/NAME/``: the history, backup and settings of one of a study's models (:meth:`stage`)."""
        return RunFolder(self.root / STAGES_FOLDER / name)

    def keep(self, name: str, model: ModelT | None = None, fitted: Any = None) -> Trained:
        """The model ``name`` the rest of the tutorial uses, with its history: after training, ``model`` saved
        as ``model/NAME.keras`` with ``fitted.history`` or the ``history.csv`` the run-folder callbacks wrote
        (a stage's: its :meth:`stage_folder`'s); else the saved or, under ``--pretrained``, shipped ones. On several
        processes training ends here: process 0 saves the model and goes on alone with it reloaded; the others exit."""
        if self.pretrained:
            from keras_autoencoders.pretrained import install_pretrained, pretrained_history, source_run

            install_pretrained(self, name)
            results = source_run(name) / RESULTS_FILE
            committed = json.loads(results.read_text()) if results.is_file() else {}
            return Trained(self.load_model(name), pretrained_history(name), committed)
        if self.training:
            from keras_autoencoders.training.distribute import leave_processes, this_process_alone

            if self.cluster.writes:
                with this_process_alone():
                    model.save(self.model(name))
            if self.cluster.several:
                leave_processes(self.cluster)  # waits for every process
                if not self.cluster.writes:
                    print(f"process {self.cluster.process_id}: trained; process 0 goes on alone")
                    raise SystemExit(0)
                model = self.load_model(name)
        elif not self.model(name).is_file():
            raise SettingsError(f"no trained model {self.model(name)}: run the tutorial without --skip-training first")
        else:
            model = self.load_model(name)
        if fitted is not None:
            return Trained(model, dict(fitted.history))
        history = next((f.history for f in (self.stage_folder(name), self) if f.history.is_file()), None)
        return Trained(model, read_history_csv(history) if history else {})

    def stage(self, name: str, build: Callable[[], keras.Model], data: Any, *, epochs: int,
              batch_size: int | None = None, validation_data: Any = None, verbose: int | str = 2,
              **record: Any) -> Trained:
        """One of a study's models: ``fit`` (resumable) with the run-folder callbacks in :meth:`stage_folder`, then
        :meth:`keep`; reloaded when a rerun finds it finished with the same settings, else trained again (an
        interrupted one with other settings: :class:`SettingsError`). ``build()`` returns the compiled model, built
        after Keras is seeded with the run's seed; ``data`` is ``(x, y)`` arrays (batched by ``shuffled_batches``) or
        a function of the stage's ``EpochSeeds`` returning the dataset. The epochs, batch size, seed, sample count and
        ``record`` are the settings (a ``precision="float32"`` is not, so stages saved before the option match)."""
        from keras_autoencoders.training.callbacks import run_folder_callbacks
        from keras_autoencoders.training.reproducible import EpochSeeds, shuffled_batches

        if not self.needs_training(name):
            return self.keep(name)
        streamed, seed, folder = callable(data), self.settings.seed, self.stage_folder(name)
        if not streamed and batch_size is None:
            raise SettingsError(f"stage {name}: batch_size is needed to batch (x, y) arrays")
        record = {"epochs": epochs, "batch_size": batch_size, "seed": seed,
                  "samples": None if streamed else len(keras.tree.flatten(data[0])[0]),
                  **{k: v for k, v in record.items() if not (k == "precision" and v == "float32")}}
        if check_same_run(folder.root, record) and self.model(name).is_file() and not folder.backup.exists():
            print(f"stage {name}: trained earlier with the same settings, reloaded from {self.model(name)}")
            return Trained(self.load_model(name), read_history_csv(folder.history) if folder.history.is_file() else {})
        clear_finished_run(folder.root, [folder.history.name, folder.logs.name])
        self.model(name).unlink(missing_ok=True)
        keras.utils.set_random_seed(seed)
        model, seeds = build(), EpochSeeds(seed)
        print(f"stage {name}: {epochs} epochs")
        # Validation arrays in batches of the training size, as the articles' Keras 2 ``fit`` did (Keras 3
        # batches them by 32 when the training data is a dataset).
        model.fit(data(seeds) if streamed else shuffled_batches(*data, batch_size, seeds), epochs=epochs,
                  validation_data=validation_data, validation_batch_size=batch_size, shuffle=False,
                  verbose=verbose, callbacks=run_folder_callbacks(folder.root, seeds=seeds))
        return self.keep(name, model)

    def save_figure(self, name: str, fig: Any) -> pathlib.Path:
        """``figures/NAME.png`` (:func:`~keras_autoencoders.plotting.figures.save_figure`)."""
        from keras_autoencoders.plotting.figures import save_figure

        if not self.cluster.writes:
            fig.clear()
            return self.figures / f"{name}.png"
        return save_figure(fig, self.figures / f"{name}.png")

    def finish(self, record: ResultsRecord, samples: dict | None = None, data_source: str | None = None) -> None:
        """A tutorial's last call: ``samples.npz`` (when given), ``results.json`` (the settings, ``data_source``, the
        ``record``'s sections, the versions), then the headline's :func:`~keras_autoencoders.tutorial.summary_lines`."""
        if samples is not None:
            write_samples(self.root, samples)
        settings = {**self.settings.as_dict(), **({"data_source": data_source} if data_source else {})}
        write_results(self.root, settings, **record.as_dict())
        print("\n".join(summary_lines(self.root, record.headline())))


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
    """A tutorial's first call: its settings (flags, preset), Keras' global seed and its run, the precision checked
    (:func:`~keras_autoencoders.machine.check_precision`); a training run clears an earlier finished run's logs."""
    settings = _take_shipped_settings(settings_class.parse(argv, notebook_preset=notebook_preset))
    keras.utils.set_random_seed(settings.seed)
    print("settings:", settings)
    check_precision(getattr(settings, "precision", "float32"))
    run = TutorialRun(settings)
    if run.training and run.cluster.writes:
        clear_finished_run(run.root, [run.history.name, run.snapshots.name, run.logs.name])
    return settings, run

