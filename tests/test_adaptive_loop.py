"""Part 6's adaptive loop: step counts, batch stream, checkpoints, resume, non-finite losses."""
import keras
import numpy as np
import pytest

from keras_autoencoders.arrays import one_hot
from keras_autoencoders.data.mnist import load_mnist, prepare_images
from keras_autoencoders.models.cvae_gan import build_cvae_gan
from keras_autoencoders.errors import NonFiniteLossError
from keras_autoencoders.training.adaptive_loop import (AdaptiveTrainer, BatchStream,
                                                       ResumedProgbar, adaptive_iteration, snapshot_iterations)
from keras_autoencoders.training.checkpoint import load_checkpoint, save_checkpoint


class Scripted:
    """A step function returning scripted L_GAN values and recording the batches it saw."""

    def __init__(self, values):
        self.values, self.seen = list(values), []

    def __call__(self, image, label, z):
        self.seen.append(int(image))
        return {"l_prior": 0.0, "l_llike": 0.0, "l_gan": self.values.pop(0)}


def run_scripted(d_values, ed_values):
    counter = iter(range(100))
    d, ed = Scripted(d_values), Scripted(ed_values)
    result = adaptive_iteration(lambda: (next(counter), None), lambda: None, d, ed)
    return result, d.seen, ed.seen


@pytest.mark.parametrize("d_values, d_steps", [([0.5], 1), ([1.5, 0.9], 2), ([1.5, 1.2, 3.0], 3),
                                               ([1.0, 1.0, 1.0], 3)])
def test_discriminator_phase_stops_once_l_gan_below_one(d_values, d_steps):
    result, d_seen, _ = run_scripted(d_values, [0.5])
    assert result["d_steps"] == d_steps
    assert d_seen == list(range(d_steps))  # a fresh batch for every discriminator step


@pytest.mark.parametrize("ed_values, ed_steps", [([0.5], 1), ([0.1, 0.41], 2), ([0.1, 0.2, 0.3], 3),
                                                 ([0.4, 0.4, 0.4], 3)])
def test_encoder_decoder_phase_stops_once_l_gan_above_0_4(ed_values, ed_steps):
    result, d_seen, ed_seen = run_scripted([0.5], ed_values)
    assert result["ed_steps"] == ed_steps
    assert result["l_gan"] == ed_values[ed_steps - 1]
    # The first encoder+decoder step reuses the discriminator's last batch, then fresh ones.
    assert ed_seen == [d_seen[-1]] + list(range(1, ed_steps))


def test_non_finite_loss_names_the_loss_and_iteration():
    d = Scripted([float("nan")])
    with pytest.raises(NonFiniteLossError, match=r"l_gan = nan at iteration 17 \(discriminator step\)"):
        adaptive_iteration(lambda: (0, None), lambda: None, d, Scripted([0.5]), iteration=17)


def test_snapshot_schedule_follows_the_articles_periods():
    article = snapshot_iterations(48000)
    assert len(article) == 190
    assert article[:3] == [0, 3, 6] and article[99] == 297 and article[100:102] == [300, 330]
    assert article[-1] == 2970
    assert snapshot_iterations(25, every=10) == [0, 10, 20, 24]


def test_batch_stream_covers_each_digit_once_per_pass_and_resumes():
    images = np.arange(10)[:, None]
    stream = BatchStream(images, images, batch_size=3, seed=1)
    first_pass = np.concatenate([stream.next()[0] for _ in range(3)]).ravel()
    assert len(set(first_pass)) == 9  # 10 // 3 full batches, no repeats; one digit left out
    state = stream.state()
    after = [stream.next()[0].ravel().tolist() for _ in range(4)]
    other = BatchStream(images, images, batch_size=3, seed=99)
    other.set_state(state)
    assert [other.next()[0].ravel().tolist() for _ in range(4)] == after


# ---------------------------------------------------------------- with the real model


def tiny_trainer(tmp_path, name="ck.npz", seed=0, every=3, compiled=True, per_call=10):
    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
    keras.utils.set_random_seed(seed)
    model = build_cvae_gan(preset="corrected", seed=seed)
    model.compile()
    return AdaptiveTrainer(model, x, y, batch_size=8, seed=seed, checkpoint_path=tmp_path / name,
                           checkpoint_every=every, compiled=compiled, iterations_per_call=per_call)


def test_resumed_progress_bar_times_only_the_steps_run_now():
    """After a resume at 550, two steps 2 s apart must read 2 s per step, not 2/552 s."""
    bar = ResumedProgbar(2000, initial=550, verbose=0)
    bar._start = 0.0
    assert bar._estimate_step_duration(551, 2.0) == pytest.approx(2.0)
    assert bar._estimate_step_duration(552, 4.0) == pytest.approx(2.0)
    plain = keras.utils.Progbar(2000, verbose=0)
    plain._start = 0.0
    assert plain._estimate_step_duration(551, 2.0) < 0.01  # the bug this class fixes


@pytest.mark.parametrize("compiled", [False, True])
def test_resumed_run_reaches_the_same_weights(tmp_path, compiled):
    whole = tiny_trainer(tmp_path, "whole.npz", compiled=compiled)
    whole.run(6, verbose=0)

    first = tiny_trainer(tmp_path, "split.npz", compiled=compiled)
    first.run(3, verbose=0)  # "interrupted" after the checkpoint at iteration 3
    resumed = tiny_trainer(tmp_path, "split.npz", seed=0, compiled=compiled)
    assert resumed.restore() and resumed.iteration == 3
    resumed.run(6, verbose=0)

    # The Python loop is bit for bit. In the compiled loop the two cores run a step's independent
    # ops side by side and oneDNN splits each op's work by the threads it gets, so the last bits
    # of a sum may differ from run to run (1e-13 here): equal to float rounding.
    same = np.testing.assert_array_equal if not compiled else (
        lambda a, b, err_msg: np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-9, err_msg=err_msg))
    for a, b in zip(whole.model.variables, resumed.model.variables):
        same(np.array(a), np.array(b), err_msg=a.path)
    for name in ("encoder", "decoder", "discriminator"):
        for a, b in zip(whole.optimizers[name].variables, resumed.optimizers[name].variables):
            same(np.array(a), np.array(b), err_msg=a.path)
    assert whole.step_counts == resumed.step_counts
    assert whole.history["d_steps"] == resumed.history["d_steps"]
    np.testing.assert_allclose(whole.history["l_gan"], resumed.history["l_gan"], rtol=1e-5)


def test_nan_stops_the_python_loop_and_keeps_the_last_good_checkpoint(tmp_path):
    trainer = tiny_trainer(tmp_path, every=2, compiled=False)
    real_step, calls = trainer.model.discriminator_step, []

    def poisoned(*args):
        calls.append(1)
        losses = dict(real_step(*args))
        if len(calls) > 3:  # the 4th iteration's discriminator step
            losses["l_gan"] = float("nan")
        return losses

    trainer.model.discriminator_step = poisoned
    with pytest.raises(NonFiniteLossError, match=r"l_gan = nan at iteration 3 .*iteration 2\) is kept"):
        trainer.run(10, verbose=0)
    again = tiny_trainer(tmp_path, every=2)
    assert again.restore() and again.iteration == 2


def test_nan_stops_the_compiled_loop_naming_loss_and_iteration_and_keeps_the_checkpoint(tmp_path):
    trainer = tiny_trainer(tmp_path, every=2)
    trainer.run(4, verbose=0)
    kept = trainer.model.get_weights()
    kernel = trainer.model.discriminator.trainable_variables[0]
    kernel.assign(np.full(kernel.shape, np.nan, dtype="float32"))  # D's first layer: L_llike and L_GAN go NaN
    with pytest.raises(NonFiniteLossError,
                       match=r"l_llike = nan at iteration 4 \(discriminator step\).*iteration 4\) is kept"):
        trainer.run(10, verbose=0)
    assert trainer.iteration == 4
    again = tiny_trainer(tmp_path, every=2)
    assert again.restore() and again.iteration == 4
    for a, b in zip(kept, again.model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("per_call", [1, 4, 10])
def test_compiled_loop_takes_the_python_loops_steps_and_reaches_its_weights(tmp_path, per_call):
    python = tiny_trainer(tmp_path, "python.npz", compiled=False, every=0)
    python.run(8, verbose=0)
    compiled = tiny_trainer(tmp_path, "compiled.npz", every=0, per_call=per_call)
    compiled.run(8, verbose=0)
    assert compiled.step_counts == python.step_counts
    assert compiled.history["d_steps"] == python.history["d_steps"]
    assert compiled.history["ed_steps"] == python.history["ed_steps"]
    np.testing.assert_allclose(compiled.history["l_gan"], python.history["l_gan"], rtol=1e-4)
    for a, b in zip(python.model.variables, compiled.model.variables):
        np.testing.assert_allclose(np.array(b), np.array(a), rtol=1e-4, atol=1e-5, err_msg=a.path)
    # As many draws used: the next one is the same (the compiled loop holds some drawn ahead).
    for a, b in zip(python.draws.peek(1), compiled.draws.peek(1)):
        np.testing.assert_array_equal(a, b)


def _scripted_graph_steps(d_values, ed_values):
    """Graph step functions that return scripted L_GAN values and record each batch's first pixel."""
    import tensorflow as tf

    counters = [tf.Variable(0), tf.Variable(0)]
    seen = [tf.Variable(tf.fill([64], -1.0)), tf.Variable(tf.fill([64], -1.0))]

    def step(kind, values):
        values = tf.constant(values, tf.float32)

        def run(image, label, z_prior):
            i = counters[kind].value()
            seen[kind].scatter_nd_update(tf.reshape(i, [1, 1]), image[:1, 0, 0, 0])
            counters[kind].assign_add(1)
            return {"l_prior": z_prior[0, 0], "l_llike": label[0, 0], "l_gan": values[i]}
        return run

    return step(0, d_values), step(1, ed_values), seen, counters


def test_compiled_loop_follows_the_stopping_rules_on_scripted_losses():
    from keras_autoencoders.training.compiled_adaptive_loop import DRAWS_PER_ITERATION, DrawQueue, compiled_iterations

    # Three outer iterations: D stops after 1, 3 (no value < 1) and 2 steps; E+D after 3, 1 and 2.
    d_values = [0.5, 1.5, 1.2, 3.0, 2.0, 0.9]
    ed_values = [0.1, 0.2, 0.3, 0.9, 0.1, 0.5]
    images = np.arange(40, dtype="float32")[:, None, None, None] * np.ones((1, 28, 28, 1), "float32")
    labels = np.eye(10, dtype="float32")[np.arange(40) % 10]
    d_step, ed_step, seen, counters = _scripted_graph_steps(d_values, ed_values)
    run = compiled_iterations(d_step, ed_step, images, labels)
    queue = DrawQueue(BatchStream(images, labels, batch_size=4, seed=3), np.random.default_rng(4), latent_dim=2)
    indices, priors = queue.peek(3 * DRAWS_PER_ITERATION)
    out = run(indices, priors, 3)

    # The Python loop on the same draws.
    py_d, py_ed = Scripted(d_values), Scripted(ed_values)
    drawn = iter(range(len(indices)))
    rows = [adaptive_iteration(lambda: (images[indices[next(drawn)]][0, 0, 0, 0], None), lambda: None, py_d, py_ed)
            for _ in range(3)]
    assert out["results"].numpy()[:, 3:].tolist() == [[r["d_steps"], r["ed_steps"]] for r in rows] == [
        [1, 3], [3, 1], [2, 2]]
    np.testing.assert_allclose(out["results"].numpy()[:, 2], [r["l_gan"] for r in rows])
    assert int(out["draws"]) == next(drawn)  # as many draws as the Python loop took
    assert int(out["failed_kind"]) == 0
    assert seen[0].numpy()[:int(counters[0].numpy())].tolist() == py_d.seen
    assert seen[1].numpy()[:int(counters[1].numpy())].tolist() == py_ed.seen


def test_checkpoint_of_another_model_is_refused_untouched(tmp_path):
    keras.utils.set_random_seed(0)
    small = build_cvae_gan(latent_dim=2, seed=0)
    small.compile()
    path = save_checkpoint(tmp_path / "small.npz", small, {}, {"iteration": 1})
    big = build_cvae_gan(latent_dim=8, seed=0)
    before = [np.array(v) for v in big.variables]
    with pytest.raises(ValueError, match="small.npz: saved model variable"):
        load_checkpoint(path, big, {})
    for b, v in zip(before, big.variables):
        np.testing.assert_array_equal(b, np.array(v))


def test_short_real_mnist_run(tmp_path):
    """Twelve iterations on real digits: held-out L_prior and L_GAN fall (no dropout, fixed codes)."""
    mnist = load_mnist(allow_sample=True)
    x, y = prepare_images(mnist.x_train[:2000]), one_hot(mnist.y_train[:2000])
    held_out = (prepare_images(mnist.x_test[:256]), one_hot(mnist.y_test[:256]),
                np.random.default_rng(1).standard_normal((256, 8)).astype("float32"))
    keras.utils.set_random_seed(0)
    model = build_cvae_gan(preset="article", seed=0)
    model.compile()
    before = {k: float(v) for k, v in model.losses_on(*held_out, training=False).items()}
    trainer = AdaptiveTrainer(model, x, y, batch_size=32, seed=0, checkpoint_path=tmp_path / "ck.npz")
    history = trainer.run(12, verbose=0)
    after = {k: float(v) for k, v in model.losses_on(*held_out, training=False).items()}
    assert history["iteration"] == [0, 3, 6, 9]
    for name in ("l_prior", "l_llike", "l_gan"):
        assert np.all(np.isfinite(history[name])), name
    assert after["l_prior"] < 0.9 * before["l_prior"]
    assert after["l_gan"] < before["l_gan"]  # the discriminator learns (slowly: TF1 RMSprop starts at lr * g)
    counts = trainer.step_counts
    assert 12 <= counts["discriminator"] <= 36 and 12 <= counts["encoder_decoder"] <= 36
    assert (tmp_path / "ck.npz").exists()


def test_logged_iterations_are_tensorboard_scalars(tmp_path):
    import tensorflow as tf

    x = np.random.default_rng(0).random((32, 28, 28, 1), dtype=np.float32)
    y = np.eye(10, dtype="float32")[np.arange(32) % 10]
    keras.utils.set_random_seed(0)
    model = build_cvae_gan(preset="corrected", seed=0)
    model.compile()
    trainer = AdaptiveTrainer(model, x, y, batch_size=8, seed=0, tensorboard_dir=tmp_path / "logs")
    history = trainer.run(7, verbose=0)
    written: dict[str, list] = {}
    for path in (tmp_path / "logs").glob("events.out.tfevents.*"):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                written.setdefault(value.tag, []).append((event.step, float(tf.make_ndarray(value.tensor))))
    assert sorted(written) == ["loss/l_gan", "loss/l_llike", "loss/l_prior", "steps/d_steps", "steps/ed_steps"]
    assert [step for step, _ in written["loss/l_gan"]] == history["iteration"] == [0, 3, 6]
    np.testing.assert_allclose([v for _, v in written["loss/l_prior"]], history["l_prior"], rtol=1e-6)
