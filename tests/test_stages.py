"""A study's models (``TutorialRun.stage``): trained once, reloaded when their settings match, retrained
when not, refused when an interrupted one has other settings, resumed after an interruption to the
uninterrupted weights, stopped on a NaN loss, refused clearly when missing."""
import dataclasses
import json

import keras
import numpy as np
import pytest

from keras_autoencoders.data.mnist import load_sample, prepare_images
from keras_autoencoders.errors import NonFiniteLossError, SettingsError
from keras_autoencoders.models.dense_autoencoder import build_dense_autoencoder
from keras_autoencoders.run_folder import RUN_SETTINGS_FILE
from keras_autoencoders.training import callbacks
from keras_autoencoders.tutorial import TutorialSettings, setting
from keras_autoencoders.tutorial_run import TutorialRun

SEED = 5


@dataclasses.dataclass
class StudySettings(TutorialSettings):
    """A study's settings."""

    skip_training: bool = setting(False, "reuse")


def study_run(path, **settings) -> TutorialRun:
    return TutorialRun(StudySettings(out=str(path), seed=SEED, **settings))


@pytest.fixture(scope="module")
def digits():
    sample = load_sample()
    return prepare_images(sample.x_train[:300]), prepare_images(sample.x_test[:100])


class Builds:
    """A small compiled dense AE per call, counting the calls (a reloaded stage builds nothing)."""

    def __init__(self, loss="binary_crossentropy"):
        self.calls, self.loss = 0, loss

    def __call__(self) -> keras.Model:
        self.calls += 1
        model = build_dense_autoencoder(2, hidden=(32, 16), seed=SEED)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=self.loss)
        return model


def train(run, build, digits, epochs=2, settings=None):
    x, x_test = digits
    return run.stage("ae", build, (x, x), epochs=epochs, batch_size=50, validation_data=(x_test, x_test), verbose=0,
                     **(settings or {}))


def weights(model):
    return [np.asarray(w) for w in model.get_weights()]


def test_a_stage_trains_once_and_reloads_when_its_settings_match(tmp_path, digits):
    run, build = study_run(tmp_path), Builds()
    first = train(run, build, digits, settings={"noise": 0.5})
    assert build.calls == 1 and run.model("ae").is_file()
    assert len(first.history["val_loss"]) == 2 and first.history["val_loss"][1] < first.history["val_loss"][0]
    record = json.loads((run.stage_folder("ae").root / RUN_SETTINGS_FILE).read_text())
    assert record == {"epochs": 2, "batch_size": 50, "seed": SEED, "samples": 300, "noise": 0.5}

    again = train(run, build, digits, settings={"noise": 0.5})
    assert build.calls == 1  # reloaded, not trained
    assert again.history == first.history
    for a, b in zip(weights(first.model), weights(again.model)):
        np.testing.assert_array_equal(a, b)
    reloaded = study_run(tmp_path, skip_training=True).stage("ae", build, digits, epochs=99)
    assert build.calls == 1 and reloaded.history == first.history
    run.stage_folder("ae").history.unlink()  # a finished stage without its history still reloads
    assert train(run, build, digits, settings={"noise": 0.5}).history == {} and build.calls == 1


@pytest.mark.parametrize("change", [{"epochs": 3}, {"settings": {"noise": 0.3}}])
def test_a_stage_with_other_settings_is_trained_again_from_scratch(tmp_path, digits, change):
    run, build = study_run(tmp_path), Builds()
    train(run, build, digits, settings={"noise": 0.5})
    kwargs = {"settings": {"noise": 0.5}, **change}
    retrained = train(run, build, digits, **kwargs)
    assert build.calls == 2
    assert len(retrained.history["val_loss"]) == kwargs.get("epochs", 2)  # the old history is gone


class Killed(Exception):
    """Stands for the process being killed."""


class KillAt(keras.callbacks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.kill = (epoch, batch)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.kill:
            raise Killed()


def test_an_interrupted_stage_resumes_to_the_uninterrupted_weights(tmp_path, digits, monkeypatch):
    reference = train(study_run(tmp_path / "reference"), Builds(), digits, epochs=3)

    run = study_run(tmp_path / "run")
    plain = callbacks.run_folder_callbacks
    monkeypatch.setattr(callbacks, "run_folder_callbacks", lambda folder, seeds: plain(folder, seeds=seeds) + [KillAt(1, 2)])
    with pytest.raises(Killed):
        train(run, Builds(), digits, epochs=3)
    assert not run.model("ae").exists()
    with pytest.raises(SettingsError, match="epochs: 3 there, 4 now"):  # an interrupted stage keeps its settings
        train(run, Builds(), digits, epochs=4)
    monkeypatch.setattr(callbacks, "run_folder_callbacks", plain)
    resumed = train(run, Builds(), digits, epochs=3)

    assert len(resumed.history["val_loss"]) == 3  # epoch 0 from the first try, 1 and 2 resumed
    for a, b in zip(weights(reference.model), weights(resumed.model)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    assert max(float(np.abs(a - b).max()) for a, b in zip(weights(resumed.model), weights(Builds()()))) > 1e-3


def test_a_non_finite_loss_stops_the_stage_without_saving_a_model(tmp_path, digits):
    def nan_loss(y_true, y_pred):
        return keras.ops.mean(keras.ops.log(-keras.ops.abs(y_pred) - 1.0))  # log of a negative number

    run = study_run(tmp_path)
    with pytest.raises(NonFiniteLossError, match="loss"):
        train(run, Builds(loss=nan_loss), digits)
    assert not run.model("ae").exists()


def test_loading_a_missing_stage_names_the_file(tmp_path):
    with pytest.raises(SettingsError, match=r"model[/\\]absent\.keras"):
        study_run(tmp_path, skip_training=True).stage("absent", Builds(), None, epochs=1)


def test_a_streamed_stage_reaches_the_weights_of_the_same_batches_given_as_arrays(tmp_path, digits):
    from keras_autoencoders.training.reproducible import shuffled_batches

    x, x_test = digits
    from_arrays = train(study_run(tmp_path / "arrays"), Builds(), digits)
    streamed = study_run(tmp_path / "streamed").stage("ae", Builds(), lambda seeds: shuffled_batches(x, x, 50, seeds),
                                                      epochs=2, validation_data=(x_test, x_test), verbose=0,
                                                      source="stream")
    for a, b in zip(weights(from_arrays.model), weights(streamed.model)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    with pytest.raises(SettingsError, match="batch_size"):
        study_run(tmp_path / "bad").stage("ae", Builds(), (x, x), epochs=1)
