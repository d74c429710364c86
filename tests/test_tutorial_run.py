"""TutorialRun decides the run mode once: a model is fitted when ``needs_training`` and saved by ``keep``,
or reloaded (--skip-training), or the shipped model is installed with its committed history (--pretrained)."""
import dataclasses
import json

import keras
import numpy as np
import pytest

from keras_autoencoders.errors import SettingsError
from keras_autoencoders.models.toy_autoencoder import build_toy_autoencoder
from keras_autoencoders.pretrained import source_run
from keras_autoencoders.records.part4 import Part4Results
from keras_autoencoders.records.part6 import Part6Results, part6_samples, training_facts
from keras_autoencoders.training.compile import built_with_adam, compile_with_adam
from keras_autoencoders.tutorial import TutorialSettings, setting
from keras_autoencoders.tutorial_run import Trained, TutorialRun, start_tutorial


@dataclasses.dataclass
class ToySettings(TutorialSettings):
    """Toy settings."""

    RUN_NAME = "toy"
    SHIPPED = "toy_deep_ae"
    SHIPPED_SETTINGS = ("toy_epochs",)
    toy_epochs: int = setting(7, "epochs")
    skip_training: bool = setting(False, "reuse")
    pretrained: bool = setting(False, "shipped")


def _data():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(64, 2)).astype("float32")
    return points, points


def _model():
    keras.utils.set_random_seed(0)
    return compile_with_adam(build_toy_autoencoder(False), 1e-2, 1, "mse")


def test_training_saves_the_model_and_skip_training_reloads_it(tmp_path):
    run, model = TutorialRun(ToySettings(out=str(tmp_path / "run"))), _model()
    assert run.needs_training("toy_deep_ae")
    trained = run.keep("toy_deep_ae", model, model.fit(*_data(), epochs=3, batch_size=16, verbose=0))
    assert run.training and len(trained.history["loss"]) == 3 and trained.committed is None
    assert run.model("toy_deep_ae").is_file()

    again = TutorialRun(ToySettings(out=str(tmp_path / "run"), skip_training=True))
    assert not again.training and not again.needs_training("toy_deep_ae")
    reloaded = again.keep("toy_deep_ae", _model())
    x = _data()[0]
    np.testing.assert_allclose(reloaded.model.predict(x, verbose=0), trained.model.predict(x, verbose=0), rtol=1e-6)

    with pytest.raises(SettingsError, match="no trained model"):
        again.keep("other_model", _model())


def test_pretrained_installs_the_shipped_model_its_settings_and_committed_results(tmp_path, capsys):
    settings, run = start_tutorial(ToySettings, argv=["--pretrained", "--out", str(tmp_path / "run")])
    shipped = json.loads((source_run("toy_deep_ae") / "results.json").read_text())
    assert settings.toy_epochs == shipped["settings"]["toy_epochs"] != 7  # the committed run's value
    assert "pretrained: the committed run's toy_epochs" in capsys.readouterr().out
    assert not run.needs_training("toy_deep_ae")
    trained = run.keep("toy_deep_ae")
    assert run.model("toy_deep_ae").is_file() and trained.committed["settings"] == shipped["settings"]
    assert trained.model.count_params() == build_toy_autoencoder(False).count_params()


def test_stage_builder_seeds_then_builds_and_compiles():
    build = built_with_adam(build_toy_autoencoder, False, learning_rate=0.5, steps_per_execution=4, loss="mse")
    keras.utils.set_random_seed(1)
    first = build()
    keras.utils.set_random_seed(1)
    second = build()
    assert first is not second and first.optimizer.learning_rate.numpy() == pytest.approx(0.5)
    for a, b in zip(first.weights, second.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_records_round_trip_and_name_a_missing_section():
    record = Part4Results(history={"loss": [1.0]}, toy_manifold={}, digits={"label_accuracy": 0.9},
                          manifold_render_seconds=0.1)
    assert Part4Results.from_results({**record.as_dict(), "versions": {}}) == record
    sections = record.as_dict()
    del sections["digits"]
    with pytest.raises(KeyError, match="digits"):
        Part4Results.from_results(sections)


def _part6_history():
    return {"epoch": [0, 1, 2, 3], "iteration": [0, 3, 6, 9], "l_prior": [1.0] * 4, "l_llike": [2.0] * 4,
            "l_gan": [0.1] * 4, "d_steps": [3] * 4, "ed_steps": [9] * 4, "epoch_seconds": [9.0, 0.3, 0.6, 0.3]}


def test_trained_histories_drop_the_epoch_column_the_list_index_holds():
    trained = Trained(None, {"epoch": [0, 1], "loss": [2.0, 1.0]})
    assert trained.history == {"loss": [2.0, 1.0]}


def test_part6_training_facts_from_the_optimisers_or_the_committed_run():
    class Model:
        step_counts = {"discriminator": 4, "encoder_decoder": 12}

    facts = training_facts(Trained(Model(), _part6_history()))
    assert facts.step_counts == {"discriminator": 4, "encoder_decoder": 12}
    assert facts.seconds_per_iteration == pytest.approx(0.1)  # the median period after the first, / 3
    assert list(facts.history) == ["iteration", "l_prior", "l_llike", "l_gan", "d_steps", "ed_steps"]
    assert list(facts.losses) == ["l_prior", "l_llike", "l_gan"]
    shipped = training_facts(Trained(None, _part6_history(), {"step_counts": {"discriminator": 1,
                                                                              "encoder_decoder": 3}}))
    assert shipped.step_counts == {"discriminator": 1, "encoder_decoder": 3}
    assert np.isnan(shipped.seconds_per_iteration)  # older runs: untimed


def test_part6_record_of_a_run_adds_each_generators_training_and_the_snapshot_iterations():
    class Model:
        step_counts = {"discriminator": 4, "encoder_decoder": 12}

    class Snapshots:
        epochs_taken, render_seconds = [0, 2, 3], [0.5, 0.4, 0.4]

    facts = training_facts(Trained(Model(), _part6_history()))
    comparison = {"cvae_gan": {"label_accuracy": 0.9}, "cvae": {"label_accuracy": 0.8}, "real": {}}
    record = Part6Results.of_run(facts, comparison, Snapshots(), iterations=12)
    assert record.comparison["cvae_gan"] == {"label_accuracy": 0.9, "iterations": 12,
                                             "optimizer_steps": {"discriminator": 4, "encoder_decoder": 12}}
    assert record.comparison["cvae"]["optimizer_steps"] == 12
    assert comparison["cvae"] == {"label_accuracy": 0.8}  # the caller's dict is left as it was
    assert record.snapshot_iterations == [0, 6, 9] and record.snapshot_render_seconds == [0.5, 0.4, 0.4]
    assert record.history == facts.history and record.seconds_per_iteration == pytest.approx(0.1)

    samples = {"cvae_gan": {"gen_0": np.zeros(1), "rec": np.ones(1)}, "cvae": {"gen_0": np.full(1, 2.0)}}
    assert sorted(part6_samples(samples)) == ["cvae_gen_0", "gen_0", "rec"]
    assert part6_samples(samples)["cvae_gen_0"][0] == 2.0


#: Each tutorial's record and the committed runs whose results.json it reads.
COMMITTED_RECORDS = {
    "part4": ("keras_autoencoders.records.part4:Part4Results", ["figs/part4"]),
    "part6": ("keras_autoencoders.records.part6:Part6Results",
              ["figs/part6/corrected-z8", "figs/part6/corrected-z8-12000", "figs/part6/corrected-z8-24000",
               "figs/part6/corrected-z8-48000", "figs/part6/article-z8-12000"]),
    "celeba": ("keras_autoencoders.records.celeba:CelebAResults", ["figs/celeba"]),
    "mnist_study": ("keras_autoencoders.records.mnist_study:MNISTStudyResults", ["figs/mnist_study"]),
    "faces": ("keras_autoencoders.records.faces:FacesResults", ["figs/faces"]),
}


@pytest.mark.parametrize("tutorial", sorted(COMMITTED_RECORDS))
def test_each_record_reads_its_committed_runs_and_gives_their_headline(tutorial):
    import importlib
    import pathlib

    path, folders = COMMITTED_RECORDS[tutorial]
    module, name = path.split(":")
    record_class = getattr(importlib.import_module(module), name)
    root = pathlib.Path(__file__).resolve().parents[1]
    for folder in folders:
        results = json.loads((root / folder / "results.json").read_text())
        headline = record_class.from_results(results).headline()
        assert len(headline) >= 3, folder
        for label, value in headline.items():  # plain numbers or text made of them, never NaN
            assert isinstance(value, (int, float, str)) and "nan" not in str(value).lower(), (folder, label, value)


def test_finish_writes_samples_results_and_the_headline(tmp_path, capsys):
    run = TutorialRun(ToySettings(out=str(tmp_path / "run")))
    record = Part4Results(history={"val_loss": [2.0, 1.5]}, digits={"label_accuracy": 0.9, "style_transfer_accuracy": 0.8},
                          toy_manifold={"deep_ae": {"mean_distance_to_nearest_curve": 0.25},
                                        "conditional_deep_ae": {"mean_distance_to_nearest_curve": 0.125}},
                          manifold_render_seconds=0.1)
    samples = {"rec": np.zeros((3, 28, 28), "float32")}
    run.finish(record, samples, data_source="toy data")
    results = json.loads((run.root / "results.json").read_text())
    assert Part4Results.from_results(results) == record and results["settings"]["data_source"] == "toy data"
    with np.load(run.root / "samples.npz") as written:
        assert written["rec"].shape == (3, 28, 28)
    out = capsys.readouterr().out
    assert "test loss: 1.5" in out and "toy: plain / conditional AE distance to the curves: 0.250 / 0.125" in out


# The precision is only recorded here: the toy build computes in float32 whatever the record says.
@pytest.mark.parametrize("precision, recorded", [("float32", None), ("mixed_bfloat16", "mixed_bfloat16")])
def test_stage_records_a_precision_other_than_float32(tmp_path, precision, recorded):
    run = TutorialRun(ToySettings(out=str(tmp_path / "run")))
    build = built_with_adam(build_toy_autoencoder, False, learning_rate=1e-2, steps_per_execution=1, loss="mse")
    run.stage("toy", build, _data(), epochs=1, batch_size=16, precision=precision)
    stage = json.loads((run.stage_folder("toy").root / "run_settings.json").read_text())
    assert stage.get("precision") == recorded


def test_save_figure_writes_the_named_png_in_the_figures_folder(tmp_path):
    from keras_autoencoders.plotting.figures import plot_digits

    run = TutorialRun(ToySettings(out=str(tmp_path / "run")))
    path = run.save_figure("digits", plot_digits(np.zeros((3, 28, 28)), np.ones((3, 28, 28))))
    assert path == run.figures / "digits.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
