"""The folded up-sampled convolution computes what UpSampling2D(2) + Conv2D compute, gradients
included, and a CVAE+GAN that trains with it saves the article's plain layers."""
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from keras_autoencoders.models.cvae_gan import build_cvae_gan
from keras_autoencoders.models.upsampled_conv import (FoldedUpsampledConv2D, fold_matrices, fold_upsampling,
                                                       folded_upsampling_view)


def test_fold_matrices_for_five_taps():
    # Output row 2i reads rows i-1 (taps -2, -1), i (taps 0, 1), i+1 (tap 2); row 2i+1 reads
    # i-1 (tap -2), i (taps -1, 0), i+1 (taps 1, 2).
    np.testing.assert_array_equal(fold_matrices(5), [[[1, 1, 0, 0, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 1]],
                                                     [[1, 0, 0, 0, 0], [0, 1, 1, 0, 0], [0, 0, 0, 1, 1]]])
    assert fold_matrices(3).sum() == 2 * 3 and fold_matrices(1).sum() == 2
    with pytest.raises(ValueError, match="odd kernels"):
        fold_matrices(4)


@pytest.mark.parametrize("kernel_size, activation", [(5, None), (3, "relu"), ((1, 5), None), ((3, 1), "sigmoid")])
def test_folded_equals_upsampling_then_conv_with_gradients(kernel_size, activation):
    keras.utils.set_random_seed(3)
    conv = layers.Conv2D(6, kernel_size, padding="same", activation=activation, bias_initializer="random_normal")
    x = tf.constant(np.random.default_rng(0).standard_normal((2, 7, 5, 4)), "float32")
    plain = lambda: conv(layers.UpSampling2D(2)(x))  # noqa: E731
    plain()  # builds conv
    folded = FoldedUpsampledConv2D(conv)
    for compute in (plain, lambda: folded(x)):
        with tf.GradientTape() as tape:
            y = compute()
            loss = tf.reduce_sum(y * tf.sin(y))  # not linear in y: each output's gradient differs
        grads = tape.gradient(loss, conv.trainable_variables)
        if compute is plain:
            expected_y, expected_grads = y, grads
    assert y.shape == expected_y.shape == (2, 14, 10, 6)
    np.testing.assert_allclose(y, expected_y, atol=1e-5)
    for got, want in zip(grads, expected_grads):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_only_stride_one_same_convs_fold():
    with pytest.raises(ValueError, match="strided: only a stride-1"):
        FoldedUpsampledConv2D(layers.Conv2D(4, 3, strides=2, padding="same", name="strided"))
    model = keras.Sequential([keras.Input((4, 4, 2)), layers.UpSampling2D(2), layers.Conv2D(3, 3, padding="valid")])
    with pytest.raises(ValueError, match="no layer 'merge'"):
        folded_upsampling_view(model, "merge")


@pytest.mark.slow  # builds and steps four CVAE+GANs
@pytest.mark.parametrize("precision, atol", [("float32", 1e-5),
                                             pytest.param("mixed_bfloat16", 2e-3, marks=pytest.mark.bfloat16)])
def test_cvae_gan_trains_the_same_function_and_saves_plain_layers(tmp_path, precision, atol):
    models = {}
    for fold in (False, True):
        keras.utils.set_random_seed(0)
        models[fold] = build_cvae_gan(preset="corrected", seed=0, precision=precision)
        if fold:
            fold_upsampling(models[fold])
        models[fold].compile()
    plain, folded = models[False], models[True]
    assert [v.path for v in folded.weights] == [v.path for v in plain.weights]  # nothing added to save
    rng = np.random.default_rng(1)
    image = rng.random((8, 28, 28, 1), dtype="float32")
    label = np.eye(10, dtype="float32")[rng.integers(0, 10, 8)]
    z = rng.standard_normal((8, 8)).astype("float32")
    decoded = [np.asarray(m.decode_for_training([z, label], training=False)) for m in (plain, folded)]
    np.testing.assert_allclose(decoded[1], decoded[0], atol=atol)

    # The same dropout masks and sampling draws (the view shares the layers' seed generators):
    # one step of each kind moves both models' weights alike.
    for model in (plain, folded):
        keras.utils.set_random_seed(5)
        model.discriminator_step(image, label, z)
        model.encoder_decoder_step(image, label, z)
    moved = max(float(np.abs(v.numpy() - w.numpy()).max()) for v, w in zip(plain.weights, folded.weights))
    assert moved < 10 * atol

    folded.save(tmp_path / "folded.keras")
    with zipfile.ZipFile(tmp_path / "folded.keras") as saved:
        assert "FoldedUpsampledConv2D" not in saved.read("config.json").decode()
    loaded = keras.saving.load_model(tmp_path / "folded.keras")
    assert [layer.__class__.__name__ for layer in loaded.decoder.layers].count("UpSampling2D") == 2
    np.testing.assert_allclose(np.asarray(loaded.decoder([z, label])), np.asarray(folded.decoder([z, label])),
                               atol=1e-6)
