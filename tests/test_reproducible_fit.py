"""Resumed ``fit`` ends on the same weights as an uninterrupted one; a NaN loss stops it, keeping the backup."""
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_autoencoders.arrays import one_hot
from keras_autoencoders.data.celeba import load_celeba_index
from keras_autoencoders.data.image_pipeline import as_cvae_inputs, dataset_from_index, make_image_dataset
from keras_autoencoders.data.locations import DataNotFoundError
from keras_autoencoders.data.make_celeba_folder import write_celeba_folder
from keras_autoencoders.data.mnist import load_mnist, prepare_images
from keras_autoencoders.errors import NonFiniteLossError, SettingsError
from keras_autoencoders.models.conv_cvae import build_celeba_cvae
from keras_autoencoders.models.vae import build_part4_cvae
from keras_autoencoders.run_folder import BACKUP_FOLDER
from keras_autoencoders.training.callbacks import EpochTimer, run_folder_callbacks
from keras_autoencoders.training.snapshots import ManifoldSnapshots
from keras_autoencoders.training.reproducible import (
    EpochSeeds,
    StopOnNonFiniteLoss,
    seed_generators,
    shuffled_batches,
)

SEED = 7
EPOCHS = 3


@pytest.fixture(autouse=True)
def _fresh_keras_names():
    """Reset Keras' per-process layer numbering after each test, as other files look layers up
    by automatic names (e.g. ``leaky_re_lu``)."""
    yield
    keras.backend.clear_session()


class Killed(Exception):
    """Stands for the process being killed."""


class KillAt(keras.callbacks.Callback):
    """Raise :class:`Killed` after batch ``batch`` (0-based) of epoch ``epoch`` (0-based)."""

    def __init__(self, epoch: int, batch: int):
        super().__init__()
        self.kill_epoch, self.kill_batch = epoch, batch

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == self.kill_epoch and batch == self.kill_batch:
            raise Killed(f"killed after batch {batch} of epoch {self.epoch}")


def callbacks(out, **kwargs) -> list[keras.callbacks.Callback]:
    """``run_folder_callbacks`` on a run folder that exists, as the tutorials make it."""
    out.mkdir(parents=True, exist_ok=True)
    return run_folder_callbacks(out, **kwargs)


def state(model: keras.Model) -> list[np.ndarray]:
    """Every variable of the model (seed generator states included) and of its optimizer."""
    return [np.asarray(v) for v in model.variables] + [np.asarray(v) for v in model.optimizer.variables]


def assert_same_state(a: keras.Model, b: keras.Model) -> None:
    sa, sb = state(a), state(b)
    assert len(sa) == len(sb)
    for x, y in zip(sa, sb):
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-6)


def max_weight_difference(a: keras.Model, b: keras.Model) -> float:
    return max(float(np.max(np.abs(x - y))) for x, y in zip(a.get_weights(), b.get_weights()))


def backup_epoch(out) -> int:
    return json.loads((out / BACKUP_FOLDER / "training_metadata.json").read_text())["epoch"]


def interrupted_then_resumed(build, data, out, kill_epoch: int, kill_batch: int, **fit_kwargs):
    """Kill a run after the given batch, then resume it in a fresh model: (resumed model, its history)."""
    model, seeds = build(), EpochSeeds(SEED)
    with pytest.raises(Killed):
        model.fit(data(seeds), epochs=EPOCHS, verbose=0, shuffle=False, **fit_kwargs,
                  callbacks=callbacks(out, seeds=seeds) + [KillAt(kill_epoch, kill_batch)])
    assert backup_epoch(out) == kill_epoch
    model, seeds = build(), EpochSeeds(SEED)
    history = model.fit(data(seeds), epochs=EPOCHS, verbose=0, shuffle=False, **fit_kwargs,
                        callbacks=callbacks(out, seeds=seeds))
    assert not (out / BACKUP_FOLDER).exists()  # a finished run deletes its backup
    return model, history


# --- Part 4 dense CVAE on MNIST arrays ----------------------------------------------------------

@pytest.fixture(scope="module")
def digits():
    try:
        arrays = load_mnist(download=False)
    except DataNotFoundError:
        pytest.skip("no MNIST copy (set KERAS_AUTOENCODERS_DATA)")
    x = prepare_images(arrays.x_train[:700])
    y = one_hot(arrays.y_train[:700])
    # The article's layout: x = [images, labels], the target the images.
    return ((x[:600], y[:600]), x[:600]), ((x[600:], y[600:]), x[600:])


def build_dense(steps_per_execution: int = 1) -> keras.Model:
    keras.utils.set_random_seed(0)
    model = build_part4_cvae(latent_dim=2, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=steps_per_execution)
    return model


#: Steps per call of the compiled training function: 1, and 3 (an epoch of 6 batches in two calls).
STEPS_PER_EXECUTION = (1, 3)


@pytest.mark.slow  # exact resume / a whole run / a fresh process: the full suite's
@pytest.mark.parametrize("steps_per_execution", STEPS_PER_EXECUTION)
def test_dense_cvae_resumed_mid_epoch_ends_on_the_uninterrupted_weights(digits, tmp_path, steps_per_execution):
    (x, y), validation = digits

    def data(seeds):
        return shuffled_batches(x, y, 100, seeds)

    def build():
        return build_dense(steps_per_execution)

    reference, seeds = build(), EpochSeeds(SEED)
    # Validation samples z too: its draws must not leak into the next epoch.
    reference.fit(data(seeds), epochs=EPOCHS, verbose=0, shuffle=False, validation_data=validation,
                  callbacks=callbacks(tmp_path / "reference", seeds=seeds))
    # Batch 2 (0-based) ends a call at 3 steps per call as at 1.
    resumed, history = interrupted_then_resumed(build, data, tmp_path / "run", kill_epoch=1, kill_batch=2,
                                                validation_data=validation)
    assert len(history.history["loss"]) == EPOCHS - 1  # resumed at epoch 1 (0-based)
    assert int(resumed.optimizer.iterations.numpy()) == EPOCHS * 6
    assert_same_state(reference, resumed)
    assert max_weight_difference(reference, build()) > 1e-3  # training moved the weights
    if steps_per_execution > 1:  # and to the weights of one step per call: the lever changes no result
        plain, seeds = build_dense(), EpochSeeds(SEED)
        plain.fit(data(seeds), epochs=EPOCHS, verbose=0, shuffle=False, validation_data=validation,
                  callbacks=callbacks(tmp_path / "plain", seeds=seeds))
        assert_same_state(plain, resumed)


@pytest.mark.parametrize("steps_per_execution", (1, 4))
def test_snapshots_are_taken_at_their_epochs_whatever_the_steps_per_call(digits, tmp_path, steps_per_execution):
    """ManifoldSnapshots (an epoch-end callback) at epochs 0 and 2 of 3; at 4 steps per call an
    epoch of 6 batches ends on a short call. The snapshots are those of one step per call."""
    (x, y), ((x_test, y_test), _) = digits
    labels = y_test.argmax(axis=1)

    calls = []

    class CountCalls(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            calls.append(batch)

    def snapshots_of(spe, out):
        model, seeds = build_dense(spe), EpochSeeds(SEED)
        snaps = ManifoldSnapshots(model.decoder, model.article_models()["z_meaner"], x_test, labels, latent_dim=2,
                                  epochs=[0, 2], path=out / "snapshots.npz")
        model.fit(shuffled_batches(x, y, 100, seeds), epochs=EPOCHS, verbose=0, shuffle=False,
                  callbacks=callbacks(out, before_loggers=[snaps], seeds=seeds) + [CountCalls()])
        return snaps

    snaps = snapshots_of(steps_per_execution, tmp_path / "run")
    assert len(calls) == EPOCHS * -(-6 // steps_per_execution)  # 6 batches an epoch, in calls of that many steps
    assert snaps.epochs_taken == [0, 2]
    assert not np.array_equal(snaps.manifolds[0], snaps.manifolds[1])  # taken at different weights
    reloaded = ManifoldSnapshots(None, None, x_test, labels, latent_dim=2, path=tmp_path / "run" / "snapshots.npz")
    assert reloaded.epochs_taken == [0, 2]
    if steps_per_execution > 1:
        plain = snapshots_of(1, tmp_path / "plain")
        for a, b in zip(plain.manifolds, snaps.manifolds):
            np.testing.assert_array_equal(a, b)
        for a, b in zip(plain.z_means, snaps.z_means):
            np.testing.assert_allclose(np.concatenate(a), np.concatenate(b), rtol=0, atol=1e-6)


@pytest.mark.slow  # exact resume / a whole run / a fresh process: the full suite's
def test_control_without_epoch_seeds_the_resumed_weights_differ(digits, tmp_path):
    """Keras' own shuffle and free-running generators: resuming does not repeat the run."""
    (x, y), _ = digits
    reference = build_dense()
    reference.fit(x, y, batch_size=100, epochs=EPOCHS, verbose=0, callbacks=callbacks(tmp_path / "ref"))
    out = tmp_path / "run"
    model = build_dense()
    with pytest.raises(Killed):
        model.fit(x, y, batch_size=100, epochs=EPOCHS, verbose=0,
                  callbacks=callbacks(out) + [KillAt(1, 2)])
    resumed = build_dense()
    resumed.fit(x, y, batch_size=100, epochs=EPOCHS, verbose=0, callbacks=callbacks(out))
    assert int(resumed.optimizer.iterations.numpy()) == EPOCHS * 6
    assert max_weight_difference(reference, resumed) > 1e-4


def test_epoch_seeds_reset_every_generator_by_seed_generator_and_epoch():
    model = build_part4_cvae(latent_dim=2, seed=0)
    generators = seed_generators(model)
    # Two dropout layers and the sampling layer, each once although the decoder is shared.
    assert len(generators) == 3
    assert model.sampling.seed_generator in generators
    seeds = EpochSeeds(SEED)

    def states(epoch):
        seeds.set_epoch(epoch, model)
        return [tuple(np.asarray(g.state).tolist()) for g in generators]

    first = states(2)
    keras.random.normal((3,), seed=model.sampling.seed_generator)  # a draw moves the state on
    assert states(2) == first and int(seeds.epoch.numpy()) == 2
    assert len(set(first)) == 3 and states(3) != first
    other = EpochSeeds(SEED + 1)
    other.set_epoch(2, model)
    assert [tuple(np.asarray(g.state).tolist()) for g in generators] != first
    # A twin built by the same code finds its generators in the same order.
    twin = build_part4_cvae(latent_dim=2, seed=0)
    seeds.set_epoch(2, twin)
    assert [tuple(np.asarray(g.state).tolist()) for g in seed_generators(twin)] == first
    with pytest.raises(SettingsError):
        EpochSeeds(-1)


def test_shuffled_batches_cover_every_sample_once_in_an_order_of_seed_and_epoch():
    x = np.arange(23, dtype=np.float32)[:, None] * np.ones((1, 3), np.float32)
    y = np.arange(23)

    def orders(seed, epochs=(0, 1, 0)):
        seeds = EpochSeeds(seed)
        dataset = shuffled_batches(x, y, 5, seeds)
        out = []
        for epoch in epochs:
            seeds.epoch.assign(epoch)
            batches = list(dataset.as_numpy_iterator())
            assert [len(b[1]) for b in batches] == [5, 5, 5, 5, 3]
            for xb, yb in batches:
                np.testing.assert_array_equal(xb[:, 0], yb)  # x and y stay paired
            out.append([int(i) for _, yb in batches for i in yb])
        return out

    assert int(shuffled_batches(x, y, 5, EpochSeeds(0)).cardinality()) == 5
    e0, e1, again = orders(SEED)
    assert sorted(e0) == sorted(e1) == list(range(23))
    assert e0 != e1 and again == e0 and e0 != list(range(23))
    assert orders(SEED + 1)[0] != e0
    assert orders(SEED, epochs=(0,))[0] == e0  # a new process, as a resumed run
    with pytest.raises(SettingsError):
        shuffled_batches(x, y[:5], 5, EpochSeeds(0))


def test_fit_starts_each_epochs_iterator_after_on_epoch_begin(tmp_path):
    """What shuffled_batches relies on: each epoch's batches are those of the epoch set by EpochSeeds."""
    x = np.arange(12, dtype=np.float32)[:, None]
    y = np.arange(12, dtype=np.float32)
    seeds = EpochSeeds(SEED)
    seen = []

    class Model(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, inputs):
            return self.dense(inputs)

        def train_step(self, data):
            return {"first": tf.cast(data[1][0], "float32")}

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen[-1].append(int(logs["first"]))

        def on_epoch_begin(self, epoch, logs=None):
            seen.append([])

    model = Model()
    model(np.zeros((1, 1), np.float32))  # build the weights
    model.compile(optimizer="sgd")
    model.fit(shuffled_batches(x, y, 4, seeds), epochs=3, verbose=0, shuffle=False, callbacks=[seeds, Record()])
    expected = []
    for epoch in range(3):
        seeds.epoch.assign(epoch)
        expected.append([int(b[0]) for _, b in shuffled_batches(x, y, 4, seeds).as_numpy_iterator()])
    assert seen == expected and expected[0] != expected[1]


# --- CelebA conv CVAE on the streamed image pipeline -------------------------------------------

@pytest.fixture(scope="module")
def faces(tmp_path_factory):
    root = write_celeba_folder(tmp_path_factory.mktemp("celeba"), count=40, image_size=(20, 24),
                               partition=(32, 4, 4), seed=0)
    index = load_celeba_index(root, ["Male", "Smiling", "Eyeglasses", "Blond_Hair"])
    return index.split("train")


def build_conv() -> keras.Model:
    keras.utils.set_random_seed(0)
    model = build_celeba_cvae(num_conditions=4, image_size=16, latent_dim=3, hidden=8, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return model


# ignore_errors leaves the dataset's length unknown, so Keras warns at the end of the first epoch.
@pytest.mark.slow  # exact resume / a whole run / a fresh process: the full suite's
@pytest.mark.filterwarnings("ignore:Your input ran out of data")
def test_conv_cvae_on_streamed_faces_resumed_mid_epoch_ends_on_the_uninterrupted_weights(faces, tmp_path):
    def data(seeds):
        return as_cvae_inputs(dataset_from_index(faces, 8, image_size=16, seed=SEED, epoch_variable=seeds.epoch))

    reference, seeds = build_conv(), EpochSeeds(SEED)
    reference.fit(data(seeds), epochs=EPOCHS, verbose=0, shuffle=False,
                  callbacks=callbacks(tmp_path / "reference", seeds=seeds))
    resumed, history = interrupted_then_resumed(build_conv, data, tmp_path / "run", kill_epoch=2, kill_batch=1)
    assert len(history.history["loss"]) == 1
    # 4 batches an epoch; Keras (3.15) also counts one optimizer iteration per epoch for
    # the call that finds a dataset of unknown length exhausted, in both runs alike.
    assert int(resumed.optimizer.iterations.numpy()) >= EPOCHS * 4
    assert_same_state(reference, resumed)


def write_gray(folder, count=9):
    paths = []
    for i in range(count):
        path = folder / f"{i:06d}.jpg"
        Image.fromarray(np.full((12, 10, 3), 10 + 20 * i, np.uint8), "RGB").save(path, "JPEG", quality=95)
        paths.append(str(path))
    return paths, np.stack([np.arange(count), np.ones(count)], axis=1).astype(np.float32)


def test_image_dataset_with_an_epoch_variable_orders_files_by_seed_and_epoch(tmp_path):
    paths, conditions = write_gray(tmp_path)
    epoch = tf.Variable(0, dtype=tf.int64)

    def order(dataset):
        return [int(i) for _, c in dataset.as_numpy_iterator() for i in c[:, 0]]

    dataset = make_image_dataset(paths, conditions, 4, image_size=8, seed=3, epoch_variable=epoch)
    e0 = order(dataset)
    epoch.assign(1)
    e1 = order(dataset)
    epoch.assign(0)
    assert sorted(e0) == sorted(e1) == list(range(9)) and e0 != e1 and order(dataset) == e0
    # The images follow their conditions (image i is gray level 10 + 20 i).
    for images, c in dataset.as_numpy_iterator():
        np.testing.assert_allclose(images[:, 0, 0, 0] * 255, 10 + 20 * c[:, 0], atol=2)
    fresh = make_image_dataset(paths, conditions, 4, image_size=8, seed=3, epoch_variable=tf.Variable(0, tf.int64))
    assert order(fresh) == e0
    other_seed = make_image_dataset(paths, conditions, 4, image_size=8, seed=4, epoch_variable=epoch)
    assert order(other_seed) != e0
    # Without the variable, the dataset's own reshuffle; without shuffle, the given order.
    assert sorted(order(make_image_dataset(paths, conditions, 4, image_size=8, seed=3))) == list(range(9))
    unshuffled = make_image_dataset(paths, conditions, 4, image_size=8, shuffle=False, epoch_variable=epoch)
    assert order(unshuffled) == list(range(9))
    with pytest.raises(SettingsError, match="seed"):
        make_image_dataset(paths, conditions, 4, image_size=8, seed=None, epoch_variable=epoch)


def test_cached_decoding_gives_the_streamed_batches_and_reads_each_file_once(tmp_path):
    paths, conditions = write_gray(tmp_path)
    epoch = tf.Variable(0, dtype=tf.int64)
    streamed = make_image_dataset(paths, conditions, 4, image_size=8, seed=3, epoch_variable=epoch)
    cached = make_image_dataset(paths, conditions, 4, image_size=8, seed=3, epoch_variable=epoch,
                                cache_decoded=True)

    def batches(dataset):
        return [b for b in dataset.as_numpy_iterator()]

    first = {}
    for e in (0, 1):
        epoch.assign(e)
        want, got = batches(streamed), batches(cached)
        first[e] = got
        assert len(want) == len(got) == 3
        for (wi, wc), (gi, gc) in zip(want, got):
            np.testing.assert_array_equal(wc, gc)  # the same files in the same order
            np.testing.assert_allclose(wi, gi, atol=1e-6)
    for path in paths:  # later epochs decode nothing: the files may even be gone
        os.remove(path)
    epoch.assign(0)
    for (a, ac), (b, bc) in zip(first[0], batches(cached)):
        np.testing.assert_array_equal(ac, bc)
        np.testing.assert_array_equal(a, b)
    fresh = make_image_dataset(paths, conditions, 4, image_size=8, shuffle=False, cache_decoded=True)
    assert batches(fresh) == []  # a fresh cache reads the files: all gone, all skipped


# --- non-finite loss ----------------------------------------------------------------------------

def test_run_folder_callbacks_put_seeds_first_and_always_stop_on_a_non_finite_loss(tmp_path):
    seeds = EpochSeeds(SEED)
    made = run_folder_callbacks(tmp_path, seeds=seeds)
    assert made[0] is seeds and isinstance(made[1], StopOnNonFiniteLoss)
    assert isinstance(made[2], EpochTimer) and isinstance(made[-1], keras.callbacks.BackupAndRestore)
    plain = run_folder_callbacks(tmp_path)
    assert isinstance(plain[0], StopOnNonFiniteLoss) and not any(isinstance(c, EpochSeeds) for c in plain)


@pytest.mark.parametrize("steps_per_execution", STEPS_PER_EXECUTION)
def test_non_finite_loss_stops_fit_and_keeps_the_last_finished_epochs_backup(digits, tmp_path, steps_per_execution):
    ((x, y), _), _ = digits
    x, y = x[:300], y[:300]
    bad = x.copy()
    bad[250:] = np.nan  # the last batch of 50
    out = tmp_path / "run"
    seeds = EpochSeeds(SEED)

    def batches():
        """Clean digits in epochs 0 and 1 (0-based), a NaN last batch from epoch 2 on."""
        def epoch_arrays(_):
            images = tf.where(seeds.epoch.read_value() >= 2, tf.constant(bad), tf.constant(x))
            return tf.data.Dataset.from_tensor_slices(((images, y),))

        epoch_data = tf.data.Dataset.range(1).flat_map(epoch_arrays)
        return epoch_data.apply(tf.data.experimental.assert_cardinality(300)).batch(50)

    model = build_dense(steps_per_execution)
    with pytest.raises(NonFiniteLossError) as raised:
        model.fit(batches(), epochs=4, verbose=0, shuffle=False, callbacks=callbacks(out, seeds=seeds))
    message = str(raised.value)
    assert "loss = nan in epoch 3 (1-based" in message and "batch 6 (1-based)" in message
    assert str(out / BACKUP_FOLDER) in message and "rerunning" in message
    assert int(model.optimizer.iterations.numpy()) == 3 * 6
    assert backup_epoch(out) == 2  # on_train_end did not run: the last finished epoch's backup is kept
    # Rerunning (here on clean data) resumes from it: two more epochs from the good weights.
    resumed = build_dense(steps_per_execution)
    history = resumed.fit([x, y], batch_size=50, epochs=4, verbose=0,
                          callbacks=callbacks(out, seeds=EpochSeeds(SEED)))
    assert len(history.history["loss"]) == 2 and np.all(np.isfinite(history.history["loss"]))
    assert int(resumed.optimizer.iterations.numpy()) == 4 * 6
    assert all(np.all(np.isfinite(w)) for w in resumed.get_weights())


def test_stop_on_non_finite_loss_checks_every_loss_and_says_where():
    stop = StopOnNonFiniteLoss("runs/x/backup")
    stop.on_epoch_begin(0)
    stop.on_train_batch_end(0, {"loss": 1.0, "kl_loss": 0.5, "accuracy": float("nan")})  # not a loss
    with pytest.raises(NonFiniteLossError, match=r"no epoch has finished"):
        stop.on_train_batch_end(1, {"loss": 1.0, "kl_loss": np.float32(np.inf)})
    stop.on_epoch_begin(4)
    with pytest.raises(NonFiniteLossError,
                       match=r"reconstruction_loss = nan in epoch 5 \(1-based.*batch 3 .*epoch \(4\)"):
        stop.on_train_batch_end(2, {"loss": 1.0, "reconstruction_loss": tf.constant(float("nan"))})
