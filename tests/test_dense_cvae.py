"""The Part 4 CVAE: architecture, sub-models, training step, save/load, real training."""
import keras
import numpy as np
import pytest
from keras import ops

from keras_autoencoders.arrays import one_hot
from keras_autoencoders.data.mnist import load_mnist, prepare_images
from keras_autoencoders.models.vae import build_part4_cvae


def test_architecture_sizes_match_the_article():
    model = build_part4_cvae()
    enc, dec = model.encoder_net, model.decoder
    # (784 + 10) * 256 + 256, BN 4 * 256, two heads 256 * 8 + 8
    assert enc.count_params() == 794 * 256 + 256 + 4 * 256 + 2 * (256 * 8 + 8)
    # (8 + 10) * 256 + 256, BN, 256 * 784 + 784
    assert dec.count_params() == 18 * 256 + 256 + 4 * 256 + 256 * 784 + 784
    dropouts = [layer.rate for layer in enc.layers + dec.layers if isinstance(layer, keras.layers.Dropout)]
    assert dropouts == [0.3, 0.3]
    assert isinstance(dec.get_layer("dec_leaky_relu"), keras.layers.LeakyReLU)


def test_article_submodels_shapes():
    model = build_part4_cvae(latent_dim=8)
    sub = model.article_models()
    assert set(sub) == {"encoder", "z_meaner", "z_lvarer", "decoder", "cvae", "style_t"}
    x = np.random.rand(3, 28, 28, 1).astype("float32")
    y = one_hot(np.array([1, 2, 3]))
    assert sub["encoder"].predict_on_batch([x, y]).shape == (3, 8)
    assert sub["z_lvarer"].predict_on_batch([x, y]).shape == (3, 8)
    assert sub["decoder"].predict_on_batch([np.zeros((3, 8)), y]).shape == (3, 28, 28, 1)
    for name in ("cvae", "style_t"):
        out = sub[name].predict_on_batch([x, y, y])
        assert out.shape == (3, 28, 28, 1) and out.min() >= 0 and out.max() <= 1
    # style_t decodes z_mean: deterministic; cvae samples: not.
    np.testing.assert_array_equal(sub["style_t"].predict_on_batch([x, y, y]),
                                  sub["style_t"].predict_on_batch([x, y, y]))
    assert not np.array_equal(sub["cvae"].predict_on_batch([x, y, y]),
                              sub["cvae"].predict_on_batch([x, y, y]))


def test_test_step_reports_the_article_loss():
    x = np.random.RandomState(0).rand(20, 28, 28, 1).astype("float32")
    y = one_hot(np.arange(20) % 10)
    keras.utils.set_random_seed(0)
    model = build_part4_cvae(seed=1)
    model.compile(optimizer="adam")
    logs = model.evaluate([x, y], batch_size=20, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["reconstruction_loss"] + logs["kl_loss"], rel=1e-5)
    # Replay evaluate's single draw on an identical twin, then compute the loss in NumPy.
    keras.utils.set_random_seed(0)
    twin = build_part4_cvae(seed=1)
    xt, yt = ops.convert_to_tensor(x), ops.convert_to_tensor(y)
    z_mean, z_log_var = twin.encoder_net([xt, yt], training=False)
    z = twin.sampling([z_mean, z_log_var])
    p = ops.convert_to_numpy(twin.decoder([z, yt], training=False)).astype("float64").reshape(20, -1)
    p = np.clip(p, 1e-7, 1 - 1e-7)
    target = x.reshape(20, -1)
    bce = -np.mean(target * np.log(p) + (1 - target) * np.log(1 - p), axis=1)
    mu, lv = ops.convert_to_numpy(z_mean), ops.convert_to_numpy(z_log_var)
    kl = -0.5 * np.sum(1 + lv - mu ** 2 - np.exp(lv), axis=1)
    assert logs["loss"] == pytest.approx(np.mean((784 * bce + kl) / 2 / 784), rel=1e-4)
    assert logs["kl_loss"] == pytest.approx(np.mean(kl) / 2 / 784, rel=1e-4)


def test_one_training_step_updates_every_trainable_weight():
    model = build_part4_cvae(seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    before = [w.numpy().copy() for w in model.trainable_weights]
    x = np.random.rand(10, 28, 28, 1).astype("float32")
    model.train_on_batch([x, one_hot(np.arange(10))])
    changed = [not np.array_equal(b, w.numpy()) for b, w in zip(before, model.trainable_weights)]
    assert all(changed)


def test_save_and_load_round_trip(tmp_path):
    model = build_part4_cvae(seed=5)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    x = np.random.rand(40, 28, 28, 1).astype("float32")
    y = one_hot(np.arange(40) % 10)
    model.fit([x, y], batch_size=20, epochs=1, verbose=0)
    path = tmp_path / "cvae.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.latent_dim == 8
    for name in ("z_meaner", "z_lvarer", "style_t"):
        args = [x, y, y] if name == "style_t" else [x, y]
        np.testing.assert_array_equal(model.article_models()[name].predict_on_batch(args),
                                      loaded.article_models()[name].predict_on_batch(args))
    z = np.random.randn(40, 8).astype("float32")
    np.testing.assert_array_equal(model.decoder.predict_on_batch([z, y]),
                                  loaded.decoder.predict_on_batch([z, y]))
    # The optimiser state comes back too, so training can continue where it stopped.
    assert int(loaded.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy()) == 2


def test_short_real_mnist_run_lowers_the_test_loss():
    mnist = load_mnist(allow_sample=True, download=False)
    x_train, x_test = prepare_images(mnist.x_train[:5000]), prepare_images(mnist.x_test[:1000])
    y_train, y_test = one_hot(mnist.y_train[:5000]), one_hot(mnist.y_test[:1000])
    model = build_part4_cvae(seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    start = model.evaluate([x_test, y_test], batch_size=500, verbose=0, return_dict=True)["loss"]
    history = model.fit([x_train, y_train], x_train, batch_size=100, epochs=3, verbose=0,
                        validation_data=([x_test, y_test], x_test))
    val = history.history["val_loss"]
    assert val[-1] < val[0] < start
    assert val[-1] < 0.6 * start


@pytest.mark.slow  # three short trainings, two compiled by XLA
def test_xla_compiled_steps_are_reproducible_and_learn_as_well():
    """``jit_compile`` (the Part 4 tutorial's --jit-compile) changes how the steps run: XLA draws its own
    dropout masks and sampling noise from the seed, so the weights differ from a plain run's, but a
    run repeats exactly and reaches the same test loss."""
    from keras_autoencoders.data.mnist import load_sample
    from keras_autoencoders.models.dropout import with_threefry_dropout

    sample = load_sample()
    x, y = prepare_images(sample.x_train[:2000]), one_hot(sample.y_train[:2000])
    xt, yt = prepare_images(sample.x_test[:500]), one_hot(sample.y_test[:500])
    runs = {}
    for name, jit in (("plain", False), ("xla", True), ("xla again", True)):
        keras.utils.set_random_seed(0)
        model = with_threefry_dropout(build_part4_cvae(seed=0)) if jit else build_part4_cvae(seed=0)
        model.compile(keras.optimizers.Adam(1e-3), steps_per_execution=5, jit_compile=jit)
        model.fit([x, y], x, batch_size=100, epochs=3, shuffle=False, verbose=0)
        assert model.jit_compile is jit
        runs[name] = ([w.numpy() for w in model.weights], model.evaluate([xt, yt], xt, verbose=0))
    for a, b in zip(runs["xla"][0], runs["xla again"][0]):
        np.testing.assert_array_equal(a, b)
    assert runs["xla"][1][0] == pytest.approx(runs["plain"][1][0], rel=0.02)  # the loss, as fit reports it
