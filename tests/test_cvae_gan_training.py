"""Part 6 trained with ``fit``: the article's loop as ``train_step``, its callbacks, exact resume, the NaN stop."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_autoencoders.arrays import one_hot
from keras_autoencoders.data.iteration_draws import DRAWS_PER_ITERATION, iteration_draws
from keras_autoencoders.data.mnist import load_mnist, prepare_images
from keras_autoencoders.errors import NonFiniteLossError
from keras_autoencoders.models.cvae_gan import build_cvae_gan
from keras_autoencoders.models.cvae_gan.model import ITERATIONS_PER_PERIOD, LOSS_NAMES, STEP_NAMES
from keras_autoencoders.run_folder import BACKUP_FOLDER, read_history_csv
from keras_autoencoders.training.callbacks import adaptive_loop_callbacks
from keras_autoencoders.training.reproducible import EpochSeeds
from keras_autoencoders.training.snapshots import ManifoldSnapshots, article_snapshot_periods, snapshot_periods

KEYS = (*LOSS_NAMES, *STEP_NAMES)


def scripted(model, d_values, ed_values):
    """Replace the model's two steps by graph functions returning scripted L_GAN values; they
    record the draw each step saw (its images are filled with the draw's number)."""
    counters = [tf.Variable(0), tf.Variable(0)]
    seen = [tf.Variable(tf.fill([16], -1.0)), tf.Variable(tf.fill([16], -1.0))]

    def step(kind, values):
        values = tf.constant(values, tf.float32)

        def run(image, label, z_prior):
            i = counters[kind].value()
            seen[kind].scatter_nd_update(tf.reshape(i, [1, 1]), image[:1, 0, 0, 0])
            counters[kind].assign_add(1)
            return {"l_prior": z_prior[0, 0], "l_llike": label[0, 0], "l_gan": values[i]}
        return run

    model.discriminator_step, model.encoder_decoder_step = step(0, d_values), step(1, ed_values)
    return lambda kind: seen[kind].numpy()[:int(counters[kind].numpy())].tolist()


def one_iteration_element(batch=2, latent=8):
    images = np.arange(DRAWS_PER_ITERATION, dtype="float32")[:, None, None, None, None] * np.ones(
        (1, batch, 28, 28, 1), "float32")
    labels = np.zeros((DRAWS_PER_ITERATION, batch, 10), "float32")
    return tf.constant(images), tf.constant(labels), tf.zeros((DRAWS_PER_ITERATION, batch, latent))


@pytest.mark.parametrize("d_values, ed_values, d_steps, ed_steps", [
    ([0.5], [0.5], 1, 1),                        # D stops at once (L_GAN < 1), E+D stops at once (> 0.4)
    ([1.5, 0.9], [0.1, 0.41], 2, 2),
    ([1.5, 1.2, 3.0], [0.1, 0.2, 0.3], 3, 3),    # no stop: three steps each
    ([1.0, 1.0, 1.0], [0.4, 0.4, 0.4], 3, 3),    # the thresholds are strict, as in the article
    ([float("nan")] * 3, [0.05] * 3, 3, 3),      # a NaN never ends a phase (nan < 1.0 is False)
])
def test_train_step_follows_the_articles_stopping_rules_and_draws(d_values, ed_values, d_steps, ed_steps):
    model = build_cvae_gan(seed=0)
    model.compile()
    seen = scripted(model, d_values, ed_values)
    logs = tf.function(model.train_step)(one_iteration_element())
    assert (float(logs["d_steps"]), float(logs["ed_steps"])) == (d_steps, ed_steps)
    np.testing.assert_allclose(float(logs["l_gan"]), ed_values[ed_steps - 1])  # the last E+D step's
    assert seen(0) == list(range(d_steps))  # a fresh draw for every discriminator step
    # The first encoder+decoder step reuses the discriminator's last draw, then a fresh one each.
    assert seen(1) == [d_steps - 1 + k for k in range(ed_steps)]


# ---------------------------------------------------------------- fit with the run folder's callbacks


def tiny_fit(out, iterations, seed=0, spe=3, backup_every=3, extra=(), data=None):
    x, y = data if data is not None else random_digits()
    keras.utils.set_random_seed(seed)
    model = build_cvae_gan(preset="corrected", seed=seed)
    model.compile(steps_per_execution=spe)
    seeds = EpochSeeds(seed)
    draws = iteration_draws(x, y, 8, 8, seed, seeds.epoch, ITERATIONS_PER_PERIOD)
    callbacks = adaptive_loop_callbacks(out, seeds, iterations, ITERATIONS_PER_PERIOD, backup_every, KEYS, verbose=0)
    model.fit(draws, epochs=iterations // ITERATIONS_PER_PERIOD, steps_per_epoch=ITERATIONS_PER_PERIOD, verbose=0,
              callbacks=callbacks + list(extra))
    return model


def random_digits(n=64):
    rng = np.random.default_rng(0)
    return rng.random((n, 28, 28, 1), dtype=np.float32), np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]


class Interrupt(keras.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt


def all_variables(model):
    optimizers = [model.encoder_optimizer, model.decoder_optimizer, model.discriminator_optimizer]
    return list(model.variables) + [v for o in optimizers for v in o.variables]


@pytest.mark.slow  # exact resume / a whole run / a fresh process: the full suite's
@pytest.mark.parametrize("spe", [1, 3])
def test_interrupted_run_resumes_to_the_uninterrupted_weights(tmp_path, spe):
    whole = tiny_fit(tmp_path / "whole", 12, spe=spe)
    with pytest.raises(KeyboardInterrupt):  # stopped mid-run: after iteration 8, backups every 6
        tiny_fit(tmp_path / "split", 12, spe=spe, backup_every=6, extra=[Interrupt(2)])
    resumed = tiny_fit(tmp_path / "split", 12, spe=spe, backup_every=6)
    assert resumed.step_counts == whole.step_counts == {"discriminator": 12, "encoder_decoder": 36}
    # Every variable: weights, seed-generator states, the three optimisers' slots and counts. The two
    # cores split each op's work by the threads they get, so sums may differ in their last bits.
    for a, b in zip(all_variables(whole), all_variables(resumed)):
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-5, atol=1e-7, err_msg=a.path)
    whole_log, split_log = read_history_csv(tmp_path / "whole" / "history.csv"), read_history_csv(
        tmp_path / "split" / "history.csv")
    assert whole_log["iteration"] == split_log["iteration"] == [0, 3, 6, 9]
    np.testing.assert_allclose(whole_log["l_gan"], split_log["l_gan"], rtol=1e-5)


@pytest.mark.slow  # exact resume / a whole run / a fresh process: the full suite's
def test_a_finished_run_continues_with_more_iterations(tmp_path):
    tiny_fit(tmp_path / "staged", 6)
    staged = tiny_fit(tmp_path / "staged", 12)  # the same command with more iterations
    whole = tiny_fit(tmp_path / "whole", 12)
    for a, b in zip(all_variables(whole), all_variables(staged)):
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-5, atol=1e-7, err_msg=a.path)
    assert (tmp_path / "staged" / BACKUP_FOLDER).is_dir()  # kept, for the next stage


class Poison(keras.callbacks.Callback):
    """After epoch ``at``, sets the discriminator's first kernel to NaN: the next losses are NaN."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at:
            kernel = self.model.discriminator.get_layer("dis_conv1").kernel
            kernel.assign(np.full(kernel.shape, np.nan, "float32"))


def test_nan_stops_fit_naming_the_loss_and_iteration_and_keeps_the_backup(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(NonFiniteLossError) as raised:
        tiny_fit(out, 30, spe=1, backup_every=6, extra=[Poison(2)])
    message = str(raised.value)
    assert "= nan at iteration 9;" in message and str(out / BACKUP_FOLDER) in message and "rerunning" in message
    resumed = tiny_fit(out, 12, spe=1, backup_every=6)  # from the backup after iteration 5, not the NaN
    assert resumed.step_counts["discriminator"] == 12
    assert all(np.all(np.isfinite(np.array(v))) for v in resumed.trainable_variables)


def test_nan_message_with_several_iterations_per_call_says_so(tmp_path):
    with pytest.raises(NonFiniteLossError, match=r"at iteration 11 \(or in one of the 2 before it"):
        tiny_fit(tmp_path / "run", 30, spe=3, backup_every=6, extra=[Poison(2)])


def test_fit_logs_the_article_periods_as_history_tensorboard_scalars_and_snapshots(tmp_path):
    x, y = random_digits()
    model = build_cvae_gan(preset="corrected", seed=0)
    decoder, z_meaner = model.decoder, model.article_models()["z_meaner"]
    snapshots = ManifoldSnapshots(decoder, z_meaner, x[:20], np.argmax(y[:20], 1), 8, snapshot_periods(4, 2),
                                  path=tmp_path / "run" / "snapshots.npz")
    model.compile(steps_per_execution=3)
    seeds = EpochSeeds(0)
    model.fit(iteration_draws(x, y, 8, 8, 0, seeds.epoch, 3), epochs=4, steps_per_epoch=3, verbose=0,
              callbacks=adaptive_loop_callbacks(tmp_path / "run", seeds, 12, 3, 6, KEYS, [snapshots], verbose=0))
    history = read_history_csv(tmp_path / "run" / "history.csv")
    assert history["iteration"] == [0, 3, 6, 9]
    assert set(KEYS) <= set(history) and not any(k.startswith("val_") for k in history)
    assert history["d_steps"] == [1.0] * 4 and history["ed_steps"] == [3.0] * 4  # L_GAN ~ 0.057 < 0.4
    assert snapshots.epochs_taken == [0, 2, 3]
    written: dict[str, list] = {}
    for path in (tmp_path / "run" / "logs" / "train").glob("events.out.tfevents.*"):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                written.setdefault(value.tag, []).append((event.step, float(tf.make_ndarray(value.tensor))))
    assert [step for step, _ in written["epoch_l_gan"]] == [0, 1, 2, 3]
    np.testing.assert_allclose([v for _, v in written["epoch_l_prior"]], history["l_prior"], rtol=1e-6)


def test_snapshot_schedule_follows_the_articles_periods():
    periods = article_snapshot_periods()
    assert len(periods) == 190 and periods[99:102] == [99, 100, 110] and periods[-1] == 990
    assert snapshot_periods(16000) == periods  # 48,000 iterations: the last snapshot at iteration 2,970
    assert snapshot_periods(9, every=4) == [0, 4, 8]
    assert snapshot_periods(10, every=4) == [0, 4, 8, 9]


def test_iterations_must_fill_whole_periods():
    from keras_autoencoders.errors import SettingsError, check_whole_periods

    with pytest.raises(SettingsError, match="iterations must be a positive multiple of 3"):
        check_whole_periods(3, checkpoint_every=300, iterations=10)
    check_whole_periods(3, iterations=48000, checkpoint_every=300)
    for bad in (4, 0, -3):
        with pytest.raises(SettingsError, match=f"checkpoint_every must be a positive multiple of 3 .*got {bad}"):
            check_whole_periods(3, iterations=12, checkpoint_every=bad)


@pytest.mark.slow  # exact resume / a whole run / a fresh process: the full suite's
def test_short_real_mnist_run(tmp_path):
    """Twelve iterations on real digits: held-out L_prior and L_GAN fall (no dropout, fixed codes)."""
    mnist = load_mnist(allow_sample=True)
    x, y = prepare_images(mnist.x_train[:2000]), one_hot(mnist.y_train[:2000])
    held_out = (prepare_images(mnist.x_test[:256]), one_hot(mnist.y_test[:256]),
                np.random.default_rng(1).standard_normal((256, 8)).astype("float32"))
    keras.utils.set_random_seed(0)
    model = build_cvae_gan(preset="article", seed=0)
    model.compile(steps_per_execution=3)
    before = {k: float(v) for k, v in model.losses_on(*held_out, training=False).items()}
    seeds = EpochSeeds(0)
    model.fit(iteration_draws(x, y, 32, 8, 0, seeds.epoch, 3), epochs=4, steps_per_epoch=3, verbose=0,
              callbacks=adaptive_loop_callbacks(tmp_path, seeds, 12, 3, 6, KEYS, verbose=0))
    after = {k: float(v) for k, v in model.losses_on(*held_out, training=False).items()}
    history = read_history_csv(tmp_path / "history.csv")
    for name in LOSS_NAMES:
        assert np.all(np.isfinite(history[name])), name
    assert after["l_prior"] < 0.9 * before["l_prior"]
    assert after["l_gan"] < before["l_gan"]  # the discriminator learns (slowly: TF1 RMSprop starts at lr * g)
    assert model.step_counts == {"discriminator": 12, "encoder_decoder": 36}


@pytest.mark.slow  # exact resume / a whole run / a fresh process: the full suite's
def test_snapshots_saved_with_the_backups_survive_an_interruption(tmp_path):
    """With save_every_epochs = the backup period, a resumed run ends with every snapshot once."""
    x, y = random_digits()

    def run(extra=()):
        keras.utils.set_random_seed(0)
        model = build_cvae_gan(preset="corrected", seed=0)
        snapshots = ManifoldSnapshots(model.decoder, model.article_models()["z_meaner"], x[:20],
                                      np.argmax(y[:20], 1), 8, range(6), path=tmp_path / "run" / "snapshots.npz",
                                      save_every_epochs=2)
        model.compile(steps_per_execution=3)
        seeds = EpochSeeds(0)
        model.fit(iteration_draws(x, y, 8, 8, 0, seeds.epoch, 3), epochs=6, steps_per_epoch=3, verbose=0,
                  callbacks=adaptive_loop_callbacks(tmp_path / "run", seeds, 18, 3, 6, KEYS, [snapshots], verbose=0)
                  + list(extra))
        return snapshots

    with pytest.raises(KeyboardInterrupt):
        run([Interrupt(2)])  # after period 2; the last backup (and snapshot file) after period 1
    assert ManifoldSnapshots(None, None, x[:20], np.argmax(y[:20], 1), 8,
                             path=tmp_path / "run" / "snapshots.npz").epochs_taken == [0, 1]
    assert run().epochs_taken == [0, 1, 2, 3, 4, 5]
