"""Part 6 networks, losses, optimiser and the three-optimiser steps."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_autoencoders.models.losses import part6_feature_loss, part6_gan_loss, part6_prior_loss
from keras_autoencoders.models.cvae_gan import FEATURE_LAYER, CVAEGAN, build_cvae_gan
from keras_autoencoders.models.cvae_gan.model import ArticleRMSprop

RNG = np.random.default_rng(7)


def batch(n=6, latent=8, seed=0):
    rng = np.random.default_rng(seed)
    image = rng.random((n, 28, 28, 1), dtype=np.float32)
    label = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    z = rng.standard_normal((n, latent)).astype(np.float32)
    return image, label, z


def weights(variables):
    return [np.array(v) for v in variables]


def seed_states(model):
    return [v for v in model.variables if v.path.endswith("seed_generator_state")]


# ---------------------------------------------------------------- losses vs NumPy


def test_prior_loss_matches_numpy():
    mean = RNG.standard_normal((5, 8)).astype(np.float32)
    log_var = (3 * RNG.standard_normal((5, 8))).astype(np.float32)  # some beyond the clip
    clipped = np.clip(log_var, -2, 2)
    expected = -0.5 * np.sum(1 + clipped - mean ** 2 - np.exp(clipped)) / 784
    np.testing.assert_allclose(float(part6_prior_loss(mean, log_var)), expected, rtol=1e-5)


def test_gan_loss_matches_numpy_with_weights_and_guards():
    d_real, d_prior, d_rec = (RNG.random((5, 1)).astype(np.float32) for _ in range(3))
    d_prior[0] = 1.0  # log(1 - 1 + 1e-10): the guard keeps it finite
    expected = -0.25 * np.sum(np.log(d_real + 1e-10) + 2 * np.log(1 - d_prior.astype(np.float64) + 1e-10)
                              + np.log(1 - d_rec + 1e-10)) / 784
    got = float(part6_gan_loss(d_real, d_prior, d_rec))
    assert np.isfinite(got)
    np.testing.assert_allclose(got, expected, rtol=1e-4)


@pytest.mark.parametrize("kind", ["cross_entropy", "mse"])
def test_feature_loss_matches_numpy(kind):
    real = (3 * RNG.standard_normal((4, 4, 4, 16))).astype(np.float32)
    rec = (3 * RNG.standard_normal((4, 4, 4, 16))).astype(np.float32)
    if kind == "cross_entropy":
        p = 1 / (1 + np.exp(-real.astype(np.float64)))
        q = 1 / (1 + np.exp(-rec.astype(np.float64)))
        expected = -np.sum(p * np.log(q) + (1 - p) * np.log(1 - q)) / 784
    else:
        expected = np.sum((real - rec) ** 2) / 784
    np.testing.assert_allclose(float(part6_feature_loss(real, rec, kind)), expected, rtol=1e-5)


def test_rmsprop_follows_tensorflow1_update():
    lr, rho, eps = 1e-2, 0.9, 1e-10
    w0 = np.array([0.5, -1.0, 2.0], np.float32)
    grads = [np.array([0.3, -2.0, 1e-3], np.float32), np.array([-0.1, 0.5, 4.0], np.float32)]
    var = keras.Variable(w0)
    opt = ArticleRMSprop(lr)
    ms, w = np.ones(3), w0.astype(np.float64)  # TF1 starts the mean square at 1
    for g in grads:
        opt.apply([g], [var])
        ms = rho * ms + (1 - rho) * g.astype(np.float64) ** 2
        w = w - lr * g / np.sqrt(ms + eps)
    np.testing.assert_allclose(np.array(var), w, rtol=1e-5)


# ---------------------------------------------------------------- networks


def test_shapes_and_any_batch_size():
    model = build_cvae_gan(seed=0)
    for n in (1, 5):
        image, label, z = batch(n)
        z_mean, z_log_var, sampled = model.encoder([image, label])
        assert z_mean.shape == z_log_var.shape == sampled.shape == (n, 8)
        assert model.decoder([z, label]).shape == (n, 28, 28, 1)
        d, features = model.discriminator([image, label])
        assert d.shape == (n, 1) and features.shape == (n, 4, 4, 16)
        assert 0 <= float(np.min(d)) and float(np.max(d)) <= 1


@pytest.mark.parametrize("preset, untrained", [("article", {FEATURE_LAYER}), ("corrected", set())])
def test_article_head_leaves_feature_layer_untrained(preset, untrained):
    model = build_cvae_gan(preset=preset, seed=0)
    left_out = {v.path.split("/")[0] for v in model.discriminator_untrained_variables}
    assert left_out == untrained


ARTICLE_LAYERS = {"InputLayer", "Conv2D", "MaxPooling2D", "UpSampling2D", "Dense", "LeakyReLU", "Dropout",
                  "Flatten", "Concatenate", "RepeatVector", "Reshape", "Activation", "Sampling"}


def test_networks_are_the_articles_layers_in_its_order():
    model = build_cvae_gan(preset="article", seed=0)
    for network in (model.encoder, model.decoder, model.discriminator):
        assert {type(layer).__name__ for layer in network.layers} <= ARTICLE_LAYERS, network.name
    kinds = [type(layer).__name__ for layer in model.decoder.layers if type(layer).__name__ in
             ("Dense", "UpSampling2D", "Conv2D")]
    assert kinds == ["Dense", "UpSampling2D", "Conv2D", "Conv2D", "UpSampling2D", "Conv2D"]
    conv = model.discriminator.get_layer("dis_conv1")
    assert (conv.filters, conv.kernel_size, conv.strides) == (128, (7, 7), (2, 2))


@pytest.mark.bfloat16
def test_mixed_bfloat16_model_computes_in_bfloat16_with_float32_weights_and_outputs(tmp_path):
    before = keras.config.dtype_policy().name
    keras.utils.set_random_seed(4)
    reference = build_cvae_gan(preset="corrected", seed=4)
    model = build_cvae_gan(preset="corrected", seed=4, precision="mixed_bfloat16")
    assert keras.config.dtype_policy().name == before  # the global policy is restored
    model.set_weights(reference.get_weights())
    assert {v.dtype for v in model.trainable_variables} == {"float32"}
    conv = model.decoder.get_layer("dec_conv1")
    assert conv.compute_dtype == "bfloat16" and conv.kernel.dtype == "float32"
    image, label, z = batch(8)
    assert model([image, label]).dtype == "float32"
    assert all(t.dtype == "float32" for t in model.encoder([image, label]))
    # Same weights, same inputs, no dropout: the losses agree to bfloat16's precision.
    ours = model.losses_on(image, label, z, training=False)
    theirs = reference.losses_on(image, label, z, training=False)
    for name in ours:
        assert ours[name].dtype == "float32"
        np.testing.assert_allclose(float(ours[name]), float(theirs[name]), rtol=3e-2, atol=1e-4)
    model.compile()
    weights_before = weights(model.trainable_variables)
    losses = model.encoder_decoder_step(image, label, z)
    assert all(np.isfinite(float(v)) for v in losses.values())
    moved = changed(weights_before, model.trainable_variables)
    assert {v.path for v in model.encoder.trainable_variables} <= moved
    path = tmp_path / "bf16.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.decoder.get_layer("dec_conv1").compute_dtype == "bfloat16"
    assert loaded.decoder.get_layer("dec_sigmoid").compute_dtype == "float32"
    assert loaded.decoder.get_layer("dec_conv1_dropout").compute_dtype == "float32"  # draws a rate of 0.3
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_precision_must_be_a_known_policy():
    with pytest.raises(ValueError, match="precision must be one of"):
        build_cvae_gan(precision="float16")


# ---------------------------------------------------------------- training steps


@pytest.fixture(scope="module")
def compiled():
    keras.utils.set_random_seed(3)
    model = build_cvae_gan(preset="article", seed=3)
    model.compile()
    return model


def changed(before, variables):
    return {v.path for b, v in zip(before, variables) if not np.array_equal(b, np.array(v))}


def test_discriminator_step_changes_only_discriminator(compiled):
    model = compiled
    before = weights(model.trainable_variables)
    model.discriminator_step(*batch(8))
    moved = changed(before, model.trainable_variables)
    expected = {v.path for v in model.discriminator_trained_variables}
    assert moved == expected  # every trained discriminator weight, nothing else (not l: untrained)


def test_encoder_decoder_step_changes_only_encoder_and_decoder(compiled):
    model = compiled
    before = weights(model.trainable_variables)
    model.encoder_decoder_step(*batch(8))
    moved = changed(before, model.trainable_variables)
    expected = {v.path for v in model.encoder.trainable_variables + model.decoder.trainable_variables}
    assert moved == expected


def test_gamma_scales_only_the_decoders_feature_loss_gradient(compiled):
    model = compiled
    image, label, z = batch(8)
    states = seed_states(model)
    saved = weights(states)

    def grads(gamma, networks=("encoder", "decoder", "discriminator")):
        for variable, value in zip(states, saved):  # the same dropout masks every call
            variable.assign(value)
        model.gamma = gamma
        variables = {"encoder": model.encoder.trainable_variables, "decoder": model.decoder.trainable_variables,
                     "discriminator": model.discriminator_trained_variables}
        with tf.GradientTape(persistent=True) as tape:
            own = model.network_losses(model.losses_on(image, label, z))
        return {k: [np.array(g) for g in tape.gradient(own[k], variables[k])] for k in networks}

    g1, g2, g3 = grads(1.0), grads(2.0), grads(3.0)
    model.gamma = 1.0
    for name in ("encoder", "discriminator"):
        for a, b in zip(g1[name], g3[name]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8)
    # Decoder: gamma * dL_llike - dL_GAN, linear in gamma with slope dL_llike.
    for a, b, c in zip(g1["decoder"], g2["decoder"], g3["decoder"]):
        np.testing.assert_allclose(c - b, b - a, rtol=1e-3, atol=1e-6)
    for variable, value in zip(states, saved):
        variable.assign(value)
    with tf.GradientTape() as tape:
        llike = model.losses_on(image, label, z)["l_llike"]
    slope = tape.gradient(llike, model.decoder.trainable_variables)
    for a, b, s in zip(g1["decoder"], g2["decoder"], slope):
        np.testing.assert_allclose(b - a, np.array(s), rtol=1e-3, atol=1e-6)
    assert any(np.abs(np.array(s)).max() > 0 for s in slope)


def test_save_and_load_round_trip(tmp_path, compiled):
    model = compiled
    model.compile(gamma=0.7)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, CVAEGAN) and loaded.gamma == 0.7
    assert loaded.feature_loss == model.feature_loss
    lr = loaded.decoder_optimizer.learning_rate
    assert isinstance(loaded.decoder_optimizer, ArticleRMSprop) and np.isclose(float(np.array(lr)), 3e-4)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    image, label, _ = batch(4)
    np.testing.assert_allclose(model.article_models()["z_meaner"]([image, label]),
                               loaded.article_models()["z_meaner"]([image, label]), atol=1e-6)
    loaded.discriminator_step(*batch(4))  # compiled steps exist after loading
    model.compile(gamma=1.0)


@pytest.mark.parametrize("preset", ["article", "corrected"])
def test_summary_prints_the_three_networks_and_what_l_gan_never_reaches(preset, capsys):
    model = build_cvae_gan(preset=preset, seed=0)
    model.summary()
    out = capsys.readouterr().out
    for network in (model.encoder, model.decoder, model.discriminator):
        assert f'Model: "{network.name}"' in out
    names = [v.path for v in model.discriminator_untrained_variables]
    assert out.rstrip().endswith(f"discriminator variables L_GAN never reaches: {names or 'none'}")
    assert (names == []) == (preset == "corrected")
