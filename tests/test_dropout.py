"""``Float32DrawDropout``: Keras' dropout outside XLA, its rate kept in bfloat16, ThreeFry under XLA."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_autoencoders.models.dropout import Float32DrawDropout

RNG = np.random.default_rng(7)


def test_outside_xla_it_drops_what_keras_dropout_drops_bit_for_bit():
    x = tf.constant(RNG.standard_normal((64, 256)).astype(np.float32))
    ours, keras_layer = Float32DrawDropout(0.3, seed=5), keras.layers.Dropout(0.3, seed=5)
    for _ in range(3):  # the seed generators advance alike
        np.testing.assert_array_equal(ours(x, training=True), keras_layer(x, training=True))
    np.testing.assert_array_equal(ours(x, training=False), x)


def test_float32_draw_dropout_keeps_its_rate_in_bfloat16():
    x = tf.constant(RNG.standard_normal((4, 8, 8, 3)).astype(np.float32))
    kept = Float32DrawDropout(0.3, seed=1)(x, training=True)
    nonzero = kept.numpy() != 0
    np.testing.assert_allclose(kept.numpy()[nonzero], x.numpy()[nonzero] / 0.7, rtol=1e-6)
    ones = tf.ones((64, 28, 28, 32))  # 1.6 M units: the rate's standard error is 0.0004
    rates = {}
    for name, layer in (("ours", Float32DrawDropout(0.3, seed=11, dtype="mixed_bfloat16")),
                        ("keras", keras.layers.Dropout(0.3, seed=11, dtype="mixed_bfloat16"))):
        out = layer(ones, training=True)
        assert out.dtype == tf.bfloat16
        rates[name] = float(tf.reduce_mean(tf.cast(out == 0, tf.float32)))
    assert abs(rates["ours"] - 0.3) < 0.002
    assert rates["keras"] > 0.303  # what the float32 draw fixes: bfloat16 uniforms drop more


def test_under_xla_it_draws_with_threefry_at_the_same_rate_and_repeats_from_its_seed():
    x = tf.constant(RNG.standard_normal((500, 256)).astype(np.float32))

    def masks(layer, calls=4):
        step = tf.function(lambda: layer(x, training=True), jit_compile=True)
        return [step().numpy() for _ in range(calls)]

    first, again = masks(Float32DrawDropout(0.3, seed=3)), masks(Float32DrawDropout(0.3, seed=3))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)  # the same seed, the same masks
    dropped = np.stack(first) == 0
    assert abs(dropped.mean() - 0.3) < 0.005  # 512,000 units: standard error 0.0006
    assert 0.2 < (dropped[0] == dropped[1]).mean() < 0.7  # a fresh mask each step (0.58 if independent)
    kept = ~dropped[0]
    np.testing.assert_allclose(first[0][kept], x.numpy()[kept] / 0.7, rtol=1e-6)
    # ThreeFry, not the Philox stream a plain graph draws from the same seed.
    plain = Float32DrawDropout(0.3, seed=3)(x, training=True).numpy()
    assert not np.array_equal(plain == 0, dropped[0])


def test_noise_shape_is_refused_by_name():
    with pytest.raises(ValueError, match="noise_shape"):
        Float32DrawDropout(0.3, noise_shape=(None, 1))


def test_with_threefry_dropout_swaps_only_the_dropout_layers_of_the_same_model():
    from keras_autoencoders.arrays import one_hot
    from keras_autoencoders.models.dropout import with_threefry_dropout
    from keras_autoencoders.models.vae import build_part4_cvae

    model = build_part4_cvae(latent_dim=2, seed=0)
    fast = with_threefry_dropout(model)
    for net, twin in ((model.encoder_net, fast.encoder_net), (model.decoder, fast.decoder)):
        kinds = [type(layer) for layer in twin.layers]
        assert kinds == [Float32DrawDropout if k is keras.layers.Dropout else k for k in map(type, net.layers)]
        assert Float32DrawDropout in kinds
        for a, b in zip(net.get_weights(), twin.get_weights()):
            np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(0).random((6, 28, 28, 1), dtype=np.float32)
    y = one_hot(np.arange(6) % 10)
    style = [m.article_models()["style_t"].predict_on_batch([x, y, y]) for m in (model, fast)]
    np.testing.assert_array_equal(style[0], style[1])  # the same function at inference
    fast.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=True)
    assert np.isfinite(fast.fit([x, y], batch_size=3, epochs=1, verbose=0).history["loss"][0])
