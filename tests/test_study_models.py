"""Models of the MNIST study: the dense AE, the dense VAE and the conv VAE."""
import keras
import numpy as np
import pytest
from keras import ops

from keras_autoencoders.data.mnist import load_mnist, prepare_images
from keras_autoencoders.models.conv_vae import build_conv_vae
from keras_autoencoders.models.dense_autoencoder import build_dense_autoencoder, build_dense_vae
from keras_autoencoders.models.vae import build_part4_encoder
from keras_autoencoders.models.vae import VariationalAutoencoder

SUBMODELS = {"encoder", "z_meaner", "z_lvarer", "decoder", "vae"}


def _images(n, seed=0):
    return np.random.default_rng(seed).random((n, 28, 28, 1), dtype=np.float32)


def _dense_kinds(model):
    return [(layer.units, layer.activation.__name__) for layer in model.layers
            if isinstance(layer, keras.layers.Dense)]


# -- architecture ------------------------------------------------------------------

def test_dense_autoencoder_sizes_activations_and_submodels():
    model = build_dense_autoencoder(code_dim=5, seed=0)
    encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
    assert isinstance(encoder, keras.Model) and isinstance(decoder, keras.Model)
    assert _dense_kinds(encoder) == [(500, "relu"), (120, "relu"), (5, "linear")]
    assert _dense_kinds(decoder) == [(120, "relu"), (500, "relu"), (784, "sigmoid")]
    assert encoder.get_layer("code").activation is keras.activations.linear
    assert model.count_params() == (784 * 500 + 500) + (500 * 120 + 120) + (120 * 5 + 5) \
        + (5 * 120 + 120) + (120 * 500 + 500) + (500 * 784 + 784)
    x = _images(3)
    code = encoder.predict_on_batch(x)
    assert code.shape == (3, 5)
    assert code.min() < 0  # linear, not clipped at 0 like a relu
    out = model.predict_on_batch(x)
    assert out.shape == (3, 28, 28, 1) and 0 <= out.min() and out.max() <= 1
    assert decoder.predict_on_batch(code).shape == (3, 28, 28, 1)
    np.testing.assert_allclose(out, decoder.predict_on_batch(code), rtol=1e-5, atol=1e-6)


def test_dense_autoencoder_hidden_sizes_and_seed():
    model = build_dense_autoencoder(code_dim=2, hidden=(64, 16), seed=3)
    assert _dense_kinds(model.get_layer("encoder")) == [(64, "relu"), (16, "relu"), (2, "linear")]
    assert _dense_kinds(model.get_layer("decoder")) == [(16, "relu"), (64, "relu"), (784, "sigmoid")]
    keras.utils.set_random_seed(99)  # a different global seed: the seeded weights do not depend on it
    twin = build_dense_autoencoder(code_dim=2, hidden=(64, 16), seed=3)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_dense_vae_sizes_and_submodels():
    model = build_dense_vae(code_dim=5, seed=0)
    assert isinstance(model, VariationalAutoencoder)
    assert model.latent_dim == 5 and model.pixels == 784
    assert _dense_kinds(model.encoder_net) == [(500, "relu"), (120, "relu"), (5, "linear"), (5, "linear")]
    assert _dense_kinds(model.decoder) == [(120, "relu"), (500, "relu"), (784, "linear")]
    assert model.decoder.get_layer("dec_logits").units == 784
    assert model.decoder.layers[-1].output.shape[1:] == (28, 28, 1)
    _check_vae_submodels(model, latent_dim=5)


def test_conv_vae_layers_and_submodels():
    model = build_conv_vae(seed=0)
    assert isinstance(model, VariationalAutoencoder) and model.latent_dim == 2
    enc, dec = model.encoder_net, model.decoder
    convs = [(layer.filters, layer.strides, layer.activation.__name__) for layer in enc.layers
             if isinstance(layer, keras.layers.Conv2D)]
    assert convs == [(32, (2, 2), "relu"), (64, (2, 2), "relu")]
    assert _dense_kinds(enc) == [(16, "relu"), (2, "linear"), (2, "linear")]
    deconvs = [(type(layer).__name__, layer.filters, layer.strides) for layer in dec.layers
               if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose))]
    assert deconvs == [("Conv2DTranspose", 64, (2, 2)), ("Conv2DTranspose", 32, (2, 2)), ("Conv2D", 1, (1, 1))]
    assert dec.get_layer("dec_logits").output.shape[1:] == (28, 28, 1)
    assert _dense_kinds(dec) == [(7 * 7 * 64, "relu")]
    assert enc.count_params() == (9 * 32 + 32) + (9 * 32 * 64 + 64) + (3136 * 16 + 16) + 2 * (16 * 2 + 2)
    assert dec.count_params() == (2 * 3136 + 3136) + (9 * 64 * 64 + 64) + (9 * 64 * 32 + 32) + (9 * 32 + 1)
    _check_vae_submodels(model, latent_dim=2)
    assert build_conv_vae(latent_dim=4).latent_dim == 4


def _check_vae_submodels(model, latent_dim):
    sub = model.article_models()
    assert set(sub) == SUBMODELS
    x = _images(4)
    for name in ("encoder", "z_meaner", "z_lvarer"):
        assert sub[name].predict_on_batch(x).shape == (4, latent_dim)
    decoded = sub["decoder"].predict_on_batch(np.zeros((4, latent_dim), "float32"))
    assert decoded.shape == (4, 28, 28, 1)
    out = sub["vae"].predict_on_batch(x)
    assert out.shape == (4, 28, 28, 1) and 0 <= out.min() and out.max() <= 1
    reconstruction, z_mean, z_log_var = model(x)  # call gives what the loss reads
    assert ops.convert_to_numpy(reconstruction).shape == (4, 28, 28, 1) and z_mean.shape == z_log_var.shape
    # z_mean is deterministic; the encoder samples.
    np.testing.assert_array_equal(sub["z_meaner"].predict_on_batch(x), sub["z_meaner"].predict_on_batch(x))
    assert not np.array_equal(sub["encoder"].predict_on_batch(x), sub["encoder"].predict_on_batch(x))


def test_vae_refuses_nets_that_disagree_on_the_condition():
    with pytest.raises(ValueError, match="1 input each, or 2"):
        VariationalAutoencoder(build_part4_encoder(), build_dense_vae(2).decoder)


# -- the loss ----------------------------------------------------------------------

def _numpy_loss(x, p, z_mean, z_log_var):
    """Per sample ``(sum of pixel BCE + KL) / 2 / 784``, probabilities clipped as Keras 2 did."""
    n = len(x)
    p = np.clip(p.astype("float64").reshape(n, -1), 1e-7, 1 - 1e-7)
    t = x.astype("float64").reshape(n, -1)
    bce_sum = -np.sum(t * np.log(p) + (1 - t) * np.log(1 - p), axis=1)
    mu, lv = z_mean.astype("float64"), z_log_var.astype("float64")
    kl = -0.5 * np.sum(1 + lv - mu ** 2 - np.exp(lv), axis=1)
    return (bce_sum + kl) / 2 / 784, kl / 2 / 784


@pytest.mark.parametrize("build", [lambda: build_dense_vae(5, seed=1), lambda: build_conv_vae(2, seed=1)],
                         ids=["dense_vae", "conv_vae"])
@pytest.mark.parametrize("data_form", ["x", "x_x", "dataset_1"])
def test_vae_loss_matches_numpy_reference(build, data_form):
    import tensorflow as tf

    x = _images(12, seed=2)
    x[:4] = x[:4] > 0.5  # binary targets too
    model = build()
    model.compile(optimizer="adam")
    if data_form == "x":
        logs = model.evaluate(x, batch_size=12, verbose=0, return_dict=True)
    elif data_form == "x_x":
        logs = model.evaluate(x, x, batch_size=12, verbose=0, return_dict=True)
    else:
        logs = model.evaluate(tf.data.Dataset.from_tensor_slices((x,)).batch(12), verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["reconstruction_loss"] + logs["kl_loss"], rel=1e-5)
    # Replay evaluate's single noise draw on an identical twin (same seed), then compute in NumPy.
    twin = build()
    xt = ops.convert_to_tensor(x)
    z_mean, z_log_var = twin.encoder_net(xt, training=False)
    z = twin.sampling([z_mean, z_log_var])
    p = ops.convert_to_numpy(twin.decoder(z, training=False))
    total, kl = _numpy_loss(x, p, ops.convert_to_numpy(z_mean), ops.convert_to_numpy(z_log_var))
    assert logs["loss"] == pytest.approx(np.mean(total), rel=1e-4)
    assert logs["kl_loss"] == pytest.approx(np.mean(kl), rel=1e-4)


def test_one_training_step_updates_every_trainable_weight():
    model = build_dense_vae(5, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    before = [w.numpy().copy() for w in model.trainable_weights]
    model.train_on_batch(_images(10))
    assert all(not np.array_equal(b, w.numpy()) for b, w in zip(before, model.trainable_weights))


# -- saving ------------------------------------------------------------------------

@pytest.mark.parametrize("build", [lambda: build_dense_vae(5, seed=4), lambda: build_conv_vae(2, seed=4)],
                         ids=["dense_vae", "conv_vae"])
def test_save_and_load_round_trip(tmp_path, build):
    x = _images(20, seed=5)
    model = build()
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(x, batch_size=10, epochs=1, verbose=0)
    model.save(tmp_path / "vae.keras")
    loaded = keras.models.load_model(tmp_path / "vae.keras")
    assert type(loaded) is VariationalAutoencoder and loaded.latent_dim == model.latent_dim
    np.testing.assert_array_equal(model.article_models()["z_meaner"].predict_on_batch(x),
                                  loaded.article_models()["z_meaner"].predict_on_batch(x))
    z = np.random.default_rng(6).standard_normal((20, model.latent_dim)).astype("float32")
    np.testing.assert_array_equal(model.decoder.predict_on_batch(z), loaded.decoder.predict_on_batch(z))
    assert int(loaded.optimizer.iterations.numpy()) == 2


# -- a short real run --------------------------------------------------------------

@pytest.fixture(scope="module")
def mnist_slice():
    mnist = load_mnist(allow_sample=True, download=False)
    return prepare_images(mnist.x_train[:2000]), prepare_images(mnist.x_test[:500])


def test_short_real_mnist_run_lowers_the_dense_autoencoder_test_loss(mnist_slice):
    x_train, x_test = mnist_slice
    model = build_dense_autoencoder(code_dim=5, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    start = model.evaluate(x_test, x_test, batch_size=500, verbose=0)
    model.fit(x_train, x_train, batch_size=100, epochs=3, verbose=0, shuffle=True)
    end = model.evaluate(x_test, x_test, batch_size=500, verbose=0)
    assert end < 0.6 * start


@pytest.mark.parametrize("build", [lambda: build_dense_vae(5, seed=0), lambda: build_conv_vae(2, seed=0)],
                         ids=["dense_vae", "conv_vae"])
def test_short_real_mnist_run_lowers_the_vae_test_loss(mnist_slice, build):
    x_train, x_test = mnist_slice
    model = build()
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    start = model.evaluate(x_test, batch_size=500, verbose=0, return_dict=True)["loss"]
    history = model.fit(x_train, batch_size=100, epochs=3, verbose=0, validation_data=(x_test, x_test))
    val = history.history["val_loss"]
    assert val[-1] < val[0] < start
    assert val[-1] < 0.5 * start
