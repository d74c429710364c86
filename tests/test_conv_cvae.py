"""The CelebA conv CVAE: architecture, loss against NumPy, save/load, the distributed path."""
import json
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import ops

from keras_autoencoders.models.conv_cvae import build_celeba_cvae

REPO = pathlib.Path(__file__).resolve().parents[1]


def test_architecture_two_conv_pooling_stages_and_a_16d_latent():
    model = build_celeba_cvae(num_conditions=40, image_size=64)
    enc, dec = model.encoder_net, model.decoder
    kinds = [type(layer).__name__ for layer in enc.layers]
    assert kinds.count("Conv2D") == 2 and kinds.count("MaxPooling2D") == 2
    assert model.latent_dim == 16 and model.decoder.inputs[1].shape[-1] == 40 and model.pixels == 64 * 64 * 3
    # conv 3->32, conv 32->64, Dense(16*16*64 + 40 -> 256), two 16-d heads
    assert enc.count_params() == (27 * 32 + 32) + (288 * 64 + 64) + (16 * 16 * 64 + 40) * 256 + 256 \
        + 2 * (256 * 16 + 16)
    # Dense(16 + 40 -> 256), Dense(256 -> 16*16*64), deconv 64->32, deconv 32->3 (logits)
    assert dec.count_params() == (56 * 256 + 256) + (256 * 16384 + 16384) + (576 * 32 + 32) + (288 * 3 + 3)
    out = dec.predict_on_batch([np.zeros((2, 16), "float32"), np.ones((2, 40), "float32")])
    assert out.shape == (2, 64, 64, 3) and out.min() >= 0 and out.max() <= 1


def test_bad_image_size_is_refused():
    with pytest.raises(ValueError, match="image_size"):
        build_celeba_cvae(image_size=30)


def test_loss_matches_numpy_reference_for_colour_images():
    rng = np.random.default_rng(0)
    x = rng.random((6, 16, 16, 3), dtype=np.float32)
    c = (rng.random((6, 5)) > 0.5).astype("float32")
    keras.utils.set_random_seed(0)
    model = build_celeba_cvae(num_conditions=5, image_size=16, latent_dim=4, hidden=8, seed=1)
    model.compile(optimizer="adam")
    logs = model.evaluate([x, c], batch_size=6, verbose=0, return_dict=True)
    # Replay the single noise draw on an identical twin and compute the loss in NumPy.
    keras.utils.set_random_seed(0)
    twin = build_celeba_cvae(num_conditions=5, image_size=16, latent_dim=4, hidden=8, seed=1)
    z_mean, z_log_var = twin.encoder_net([ops.convert_to_tensor(x), ops.convert_to_tensor(c)])
    z = twin.sampling([z_mean, z_log_var])
    p = ops.convert_to_numpy(twin.decoder([z, ops.convert_to_tensor(c)])).astype("float64").reshape(6, -1)
    p = np.clip(p, 1e-7, 1 - 1e-7)
    t = x.reshape(6, -1)
    bce_sum = -np.sum(t * np.log(p) + (1 - t) * np.log(1 - p), axis=1)
    mu, lv = ops.convert_to_numpy(z_mean), ops.convert_to_numpy(z_log_var)
    kl = -0.5 * np.sum(1 + lv - mu ** 2 - np.exp(lv), axis=1)
    pixels = 16 * 16 * 3
    assert logs["loss"] == pytest.approx(np.mean((bce_sum + kl) / 2 / pixels), rel=1e-4)
    assert logs["kl_loss"] == pytest.approx(np.mean(kl) / 2 / pixels, rel=1e-4)


def test_save_and_load_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.random((16, 16, 16, 3), dtype=np.float32)
    c = (rng.random((16, 40)) > 0.5).astype("float32")
    model = build_celeba_cvae(image_size=16, seed=2)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit([x, c], batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "celeba_cvae.keras")
    loaded = keras.models.load_model(tmp_path / "celeba_cvae.keras")
    z = rng.standard_normal((16, 16)).astype("float32")
    np.testing.assert_array_equal(model.decoder.predict_on_batch([z, c]), loaded.decoder.predict_on_batch([z, c]))
    edit = loaded.article_models()["style_t"]
    np.testing.assert_array_equal(model.article_models()["style_t"].predict_on_batch([x, c, c]),
                                  edit.predict_on_batch([x, c, c]))
    assert int(loaded.optimizer.iterations.numpy()) == 2


DISTRIBUTED_SCRIPT = r"""
import json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
import numpy as np
from keras_autoencoders.models.vae import VariationalAutoencoder
from keras_autoencoders.models.conv_cvae import build_conv_decoder, build_conv_encoder
from keras_autoencoders.training.distribute import build_distributed, make_strategy


class MeanOnly(keras.layers.Layer):
    # z = z_mean: no noise, so the one- and two-device steps see the same numbers.
    def call(self, inputs):
        return inputs[0]


def build():
    keras.utils.set_random_seed(3)
    model = VariationalAutoencoder(build_conv_encoder(5, 16, 4, 8), build_conv_decoder(5, 16, 4, 8), MeanOnly())
    model([np.zeros((1, 16, 16, 3), "float32"), np.zeros((1, 5), "float32")])
    return model


rng = np.random.default_rng(0)
x = rng.random((8, 16, 16, 3), dtype=np.float32)
c = (rng.random((8, 5)) > 0.5).astype("float32")
dataset = tf.data.Dataset.from_tensor_slices(((x, c),)).batch(8)
single = build()
single.compile(optimizer=keras.optimizers.SGD(5.0))
single.fit(dataset, epochs=1, verbose=0)
run = build_distributed(build, dataset, {"optimizer": keras.optimizers.SGD(5.0)},
                        make_strategy(["/cpu:0", "/cpu:1"]))
history = run.model.fit(run.dataset, epochs=1, verbose=0)
start = build().get_weights()
print(json.dumps({
    "replicas": run.replicas,
    "strategy": type(run.strategy).__name__,
    "dataset": type(run.dataset).__name__,
    "max_diff": max(float(np.max(np.abs(a - b))) for a, b in zip(single.get_weights(), run.model.get_weights())),
    "max_step": max(float(np.max(np.abs(a - b))) for a, b in zip(start, run.model.get_weights())),
    "loss": history.history["loss"][0],
}))
"""


def test_two_replica_step_equals_one_device_step_on_the_global_batch():
    """MirroredStrategy over two logical CPUs: same weights as one step on the whole batch."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-c", DISTRIBUTED_SCRIPT], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2 and result["strategy"] == "MirroredStrategy"
    assert "Distributed" in result["dataset"]
    assert np.isfinite(result["loss"])
    # Without dividing each replica's loss by 2, the step would be twice as long.
    assert result["max_step"] > 1e-3
    assert result["max_diff"] < 1e-3 * result["max_step"]


# Keras warns when an epoch of unknown length ends early; that end is what this test is about.
@pytest.mark.filterwarnings("ignore:Your input ran out of data")
def test_reported_loss_is_a_per_image_mean_on_datasets_of_unknown_length():
    """A dataset whose length is unknown (filter, ignore_errors) reports the same loss as arrays."""
    import tensorflow as tf

    rng = np.random.default_rng(4)
    x = rng.random((10, 16, 16, 3), dtype=np.float32)
    c = (rng.random((10, 40)) > 0.5).astype("float32")
    model = build_celeba_cvae(image_size=16, seed=0)
    model.compile(optimizer="adam")
    # z_mean only, so every evaluation sees the same numbers.
    model.sampling.call = lambda inputs: inputs[0]
    on_arrays = model.evaluate([x, c], batch_size=4, verbose=0, return_dict=True)
    unknown = tf.data.Dataset.from_tensor_slices(((x, c),)).filter(lambda *_: True).batch(4)
    assert int(unknown.cardinality()) == int(tf.data.UNKNOWN_CARDINALITY)
    on_dataset = model.evaluate(unknown, verbose=0, return_dict=True)
    assert on_dataset["loss"] == pytest.approx(on_arrays["loss"], rel=1e-5)
    # Batches of 4, 4, 2: a per-image mean, the short batch weighted by its size.
    per_batch = [model.evaluate([x[i:i + 4], c[i:i + 4]], verbose=0, return_dict=True)["loss"] for i in (0, 4, 8)]
    assert on_arrays["loss"] == pytest.approx((4 * per_batch[0] + 4 * per_batch[1] + 2 * per_batch[2]) / 10, rel=1e-5)


def test_summary_prints_the_encoder_net_then_the_decoder(capsys):
    model = build_celeba_cvae(num_conditions=3, image_size=32, latent_dim=4, seed=0)
    model.summary(line_length=90)
    out = capsys.readouterr().out
    encoder, decoder = out.index(f'Model: "{model.encoder_net.name}"'), out.index(f'Model: "{model.decoder.name}"')
    assert encoder < decoder
    assert max(len(line) for line in out.splitlines()) <= 90  # the keyword reached both summaries
