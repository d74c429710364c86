"""TutorialRun decides the run mode once: fit_or_load trains and saves, reloads (--skip-training)
or installs the shipped model with its committed history (--pretrained)."""
import dataclasses
import json

import keras
import numpy as np
import pytest

from keras_autoencoders.errors import SettingsError
from keras_autoencoders.models.toy_autoencoder import build_toy_autoencoder
from keras_autoencoders.pretrained import source_run
from keras_autoencoders.records.part4 import Part4Results
from keras_autoencoders.records.part6 import training_facts
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
    run = TutorialRun(ToySettings(out=str(tmp_path / "run")))
    trained = run.fit_or_load("toy_deep_ae", _model(), _data(), epochs=3, batch_size=16, verbose=0)
    assert run.training and len(trained.history["loss"]) == 3 and trained.committed is None
    assert run.model("toy_deep_ae").is_file()

    again = TutorialRun(ToySettings(out=str(tmp_path / "run"), skip_training=True))
    reloaded = again.fit_or_load("toy_deep_ae", _model(), _data(), epochs=3, batch_size=16)
    assert not again.training
    x = _data()[0]
    np.testing.assert_allclose(reloaded.model.predict(x, verbose=0), trained.model.predict(x, verbose=0), rtol=1e-6)

    with pytest.raises(SettingsError, match="no trained model"):
        again.fit_or_load("other_model", _model())


def test_pretrained_installs_the_shipped_model_its_settings_and_committed_results(tmp_path, capsys):
    settings, run = start_tutorial(ToySettings, argv=["--pretrained", "--out", str(tmp_path / "run")])
    shipped = json.loads((source_run("toy_deep_ae") / "results.json").read_text())
    assert settings.toy_epochs == shipped["settings"]["toy_epochs"] != 7  # the committed run's value
    assert "pretrained: the committed run's toy_epochs" in capsys.readouterr().out
    trained = run.fit_or_load("toy_deep_ae", None)
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


def test_part6_training_facts_from_the_optimisers_or_the_committed_run():
    class Model:
        step_counts = {"discriminator": 4, "encoder_decoder": 12}

    fitted = Trained(Model(), {"epoch_seconds": [9.0, 0.3, 0.6, 0.3]})
    assert training_facts(fitted) == ({"discriminator": 4, "encoder_decoder": 12}, pytest.approx(0.1))
    shipped = Trained(None, {}, {"step_counts": {"discriminator": 1, "encoder_decoder": 3}})
    counts, seconds = training_facts(shipped)
    assert counts == {"discriminator": 1, "encoder_decoder": 3} and np.isnan(seconds)  # older runs: untimed
