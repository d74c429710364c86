"""Every VAE of the series built under ``mixed_bfloat16``: bfloat16 arithmetic, float32 weights,
heads and loss, and a saved model that loads back with its policies."""
import keras
import numpy as np
import pytest

from keras_autoencoders.models.conv_cvae import build_celeba_cvae
from keras_autoencoders.models.conv_face_autoencoder import build_face_vae
from keras_autoencoders.models.conv_vae import build_conv_vae
from keras_autoencoders.models.dense_autoencoder import build_dense_vae
from keras_autoencoders.models.vae import build_part4_cvae
from keras_autoencoders.models.precision import PRECISIONS, float32_heads, set_precision

rng = np.random.default_rng(0)
DIGITS = rng.random((40, 28, 28, 1), dtype=np.float32)
FACES = rng.random((40, 16, 16, 3), dtype=np.float32)
LABELS = np.eye(10, dtype=np.float32)[np.arange(40) % 10]
ATTRIBUTES = (rng.random((40, 4)) > 0.5).astype(np.float32)

# name: (builder taking precision, training inputs)
BUILDS = {
    "part4_cvae": (lambda precision: build_part4_cvae(latent_dim=2, seed=0, precision=precision), [DIGITS, LABELS]),
    "celeba_cvae": (lambda precision: build_celeba_cvae(4, 16, 3, hidden=8, seed=0, precision=precision),
                    [FACES, ATTRIBUTES]),
    "dense_vae": (lambda precision: build_dense_vae(2, seed=0, precision=precision), DIGITS),
    "conv_vae": (lambda precision: build_conv_vae(2, seed=0, precision=precision), DIGITS),
    "face_vae": (lambda precision: build_face_vae(16, 8, seed=0, precision=precision), FACES),
}
#: The layers whose outputs the loss reads.
HEADS = ("z_mean", "z_log_var")


def dtype_of(tensor) -> str:
    return keras.backend.standardize_dtype(tensor.dtype)


def policies(model) -> dict[str, str]:
    """Every layer's dtype policy (inputs aside: they hold their tensors' dtype)."""
    return {f"{net.name}/{layer.name}": layer.dtype_policy.name for net in (model.encoder_net, model.decoder)
            for layer in net.layers if not isinstance(layer, keras.layers.InputLayer)} | {
        "sampling": model.sampling.dtype_policy.name}


@pytest.mark.bfloat16
@pytest.mark.parametrize("name", sorted(BUILDS))
def test_a_mixed_vae_trains_with_the_float32_loss_and_loads_back_with_its_policies(name, tmp_path):
    build, x = BUILDS[name]
    keras.utils.set_random_seed(0)
    model = build("mixed_bfloat16")
    assert keras.config.dtype_policy().name == "float32"  # the global policy is untouched
    found = policies(model)
    assert found["sampling"] == "float32"
    assert {found[f"encoder_net/{head}"] for head in HEADS} == {"float32"}
    last_weighted = [layer for layer in model.decoder.layers if layer.trainable_weights][-1]
    assert found[f"decoder/{last_weighted.name}"] == "float32"  # the image's last layer, e.g. its logits
    assert sum(policy == "mixed_bfloat16" for policy in found.values()) >= 3  # the hidden layers compute in bf16
    assert all(v.dtype == "float32" for v in model.trainable_variables)
    reconstruction, z_mean, z_log_var = model(x[:2] if not isinstance(x, list) else [t[:2] for t in x])
    assert {dtype_of(t) for t in (reconstruction, z_mean, z_log_var)} == {"float32"}

    # The same weights in float32 give the same loss, to bfloat16's precision (same draws, no dropout).
    keras.utils.set_random_seed(0)
    twin = build("float32")
    twin.set_weights(model.get_weights())
    losses = []
    for m in (model, twin):
        m.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=2)
        losses.append(m.evaluate(x, batch_size=20, verbose=0, return_dict=True)["loss"])
    assert losses[0] == pytest.approx(losses[1], rel=5e-3)
    history = model.fit(x, batch_size=10, epochs=2, verbose=0).history["loss"]
    assert np.all(np.isfinite(history)) and all(np.all(np.isfinite(w)) for w in model.get_weights())

    model.save(tmp_path / "mixed.keras")
    loaded = keras.models.load_model(tmp_path / "mixed.keras")
    assert policies(loaded) == found
    z = np.random.default_rng(1).standard_normal((5, model.latent_dim)).astype("float32")
    decoder_inputs = [z, x[1][:5]] if isinstance(x, list) else z
    np.testing.assert_array_equal(model.decoder.predict_on_batch(decoder_inputs),
                                  loaded.decoder.predict_on_batch(decoder_inputs))


def test_float32_heads_run_from_each_output_back_to_its_last_layer_with_weights():
    assert PRECISIONS == ("float32", "mixed_bfloat16")
    code = keras.Input((3,), name="code")
    hidden = keras.layers.Dense(4, name="hidden")(code)
    dropped = keras.layers.Dropout(0.5, name="dropout")(hidden)
    logits = keras.layers.Dense(6, name="logits")(dropped)
    image = keras.layers.Reshape((2, 3), name="image")(keras.layers.Activation("sigmoid", name="sigmoid")(logits))
    side = keras.layers.Dense(2, name="side")(hidden)
    net = keras.Model(code, [image, side])
    assert {layer.name for layer in float32_heads(net)} == {"image", "sigmoid", "logits", "side"}


@pytest.mark.bfloat16
def test_set_precision_keeps_heads_and_dropout_in_float32():
    code = keras.Input((3,))
    x = keras.layers.Dropout(0.3, name="dropout")(keras.layers.Dense(4, name="hidden")(code))
    net = set_precision(keras.Model(code, keras.layers.Dense(2, name="out")(x)), "mixed_bfloat16")
    assert {layer.name: layer.dtype_policy.name for layer in net.layers[1:]} == {
        "hidden": "mixed_bfloat16", "dropout": "float32", "out": "float32"}
    assert dtype_of(net(np.ones((1, 3), "float32"))) == "float32"
    hidden = keras.Model(net.inputs, net.get_layer("hidden").output)
    assert dtype_of(hidden(np.ones((1, 3), "float32"))) == "bfloat16"


@pytest.mark.bfloat16
def test_the_part4_cvae_in_mixed_bfloat16_computes_in_bfloat16_and_learns_as_in_float32():
    from keras import ops

    from keras_autoencoders.arrays import one_hot
    from keras_autoencoders.data.mnist import load_mnist, prepare_images

    mnist = load_mnist(allow_sample=True, download=False)
    x, y = prepare_images(mnist.x_train[:5000]), one_hot(mnist.y_train[:5000])
    keras.utils.set_random_seed(0)
    model = build_part4_cvae(latent_dim=2, seed=0, precision="mixed_bfloat16")
    xs, ys = ops.convert_to_tensor(x[:2]), ops.convert_to_tensor(y[:2])
    hidden = keras.Model(model.encoder_net.inputs, model.encoder_net.get_layer("enc_dense").output)
    assert dtype_of(hidden([xs, ys])) == "bfloat16"  # the arithmetic
    assert {dtype_of(t) for t in model([xs, ys])} == {"float32"}  # what the loss reads

    keras.utils.set_random_seed(0)
    twin = build_part4_cvae(latent_dim=2, seed=0)
    twin.set_weights(model.get_weights())
    histories = []
    for m in (model, twin):  # 150 steps each
        m.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=5)
        histories.append(m.fit([x, y], batch_size=100, epochs=3, verbose=0).history["loss"])
    mixed, float32 = histories
    assert np.all(np.isfinite(mixed)) and mixed[0] > mixed[1] > mixed[2]
    assert mixed[0] - mixed[-1] > 0.9 * (float32[0] - float32[-1]) > 0.15  # falls about as far as in float32


def test_a_builder_refuses_an_unknown_precision():
    with pytest.raises(ValueError, match="precision must be one of"):
        build_part4_cvae(precision="float16")
