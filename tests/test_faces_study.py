"""The faces study's pieces: the conv AE and VAE on faces, and code-space arithmetic
(fitted normal, nearest faces, the smile vector)."""
import os
import pathlib

import keras
import numpy as np
import pytest
from keras import ops

from keras_autoencoders.generate.code_arithmetic import (add_in_steps, attribute_vector, fit_normal,
                                                         nearest_neighbours)
from keras_autoencoders.models.conv_face_autoencoder import build_face_autoencoder, build_face_vae
from keras_autoencoders.models.vae import VariationalAutoencoder


def _faces(n, size=32, seed=0):
    return np.random.default_rng(seed).random((n, size, size, 3), dtype=np.float32)


# -- models --------------------------------------------------------------------------

def test_face_autoencoder_has_three_convs_two_dense_layers_and_a_small_code():
    model = build_face_autoencoder(32, code_dim=16, seed=0)
    encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
    convs = [l for l in encoder.layers if isinstance(l, keras.layers.Conv2D)]
    assert [l.filters for l in convs] == [32, 64, 128]
    dense = [l for m in (encoder, decoder) for l in m.layers if isinstance(l, keras.layers.Dense)]
    assert [l.units for l in dense] == [16, 4 * 4 * 128]
    assert encoder.get_layer("code").activation.__name__ == "linear"
    deconvs = [l for l in decoder.layers if isinstance(l, keras.layers.Conv2DTranspose)]
    assert [l.filters for l in deconvs] == [64, 32, 3]
    x = _faces(3)
    assert encoder.predict_on_batch(x).shape == (3, 16)
    out = model.predict_on_batch(x)
    assert out.shape == (3, 32, 32, 3) and 0 <= out.min() and out.max() <= 1
    with pytest.raises(ValueError, match="multiple of 8"):
        build_face_autoencoder(30)


def test_face_vae_loss_matches_numpy_reference_in_the_project_normalisation():
    x = _faces(6, seed=2)
    model = build_face_vae(32, latent_dim=8, seed=1)
    model.compile(optimizer="adam")
    logs = model.evaluate(x, batch_size=6, verbose=0, return_dict=True)
    twin = build_face_vae(32, latent_dim=8, seed=1)  # replays evaluate's single noise draw
    z_mean, z_log_var = twin.encoder_net(ops.convert_to_tensor(x), training=False)
    p = ops.convert_to_numpy(twin.decoder(twin.sampling([z_mean, z_log_var]), training=False)).astype("float64")
    mu, lv = ops.convert_to_numpy(z_mean).astype("float64"), ops.convert_to_numpy(z_log_var).astype("float64")
    p = np.clip(p.reshape(6, -1), 1e-7, 1 - 1e-7)
    t = x.astype("float64").reshape(6, -1)
    bce = -np.sum(t * np.log(p) + (1 - t) * np.log(1 - p), axis=1)
    kl = -0.5 * np.sum(1 + lv - mu ** 2 - np.exp(lv), axis=1)
    pixels = 32 * 32 * 3
    assert logs["loss"] == pytest.approx(np.mean((bce + kl) / 2 / pixels), rel=1e-4)
    assert logs["kl_loss"] == pytest.approx(np.mean(kl / 2 / pixels), rel=1e-4)


def test_face_vae_saves_and_loads(tmp_path):
    model = build_face_vae(16, latent_dim=4, seed=3)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(_faces(8, size=16), batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "vae.keras")
    loaded = keras.models.load_model(tmp_path / "vae.keras")
    assert type(loaded) is VariationalAutoencoder
    z = np.random.default_rng(0).standard_normal((5, 4)).astype("float32")
    np.testing.assert_array_equal(model.decoder.predict_on_batch(z), loaded.decoder.predict_on_batch(z))


# -- code arithmetic -----------------------------------------------------------------

def test_fitted_normal_recovers_mean_and_covariance_and_is_seeded():
    rng = np.random.default_rng(0)
    cov = np.array([[2.0, 0.8], [0.8, 1.0]])
    codes = rng.multivariate_normal([1.0, -3.0], cov, size=20000)
    fitted = fit_normal(codes)
    np.testing.assert_allclose(fitted.mean, [1.0, -3.0], atol=0.05)
    np.testing.assert_allclose(fitted.covariance, cov, atol=0.06)
    np.testing.assert_allclose(fitted.covariance, np.cov(codes.T), rtol=1e-10)
    drawn = fitted.sample(20000, seed=1)
    assert drawn.dtype == np.float32 and drawn.shape == (20000, 2)
    np.testing.assert_allclose(np.cov(drawn.T), cov, atol=0.08)
    np.testing.assert_array_equal(drawn, fitted.sample(20000, seed=1))
    with pytest.raises(ValueError, match="N >= 2"):
        fit_normal(codes[:1])


def test_nearest_neighbours_match_brute_force_and_find_exact_copies():
    rng = np.random.default_rng(1)
    references = rng.random((300, 4, 4, 3), dtype=np.float32)
    queries = rng.random((37, 4, 4, 3), dtype=np.float32)
    queries[5] = references[123]
    index, distance = nearest_neighbours(queries, references, block=8)
    flat_q, flat_r = queries.reshape(37, -1), references.reshape(300, -1)
    brute = np.sqrt(((flat_q[:, None, :] - flat_r[None, :, :]) ** 2).mean(axis=2))
    np.testing.assert_array_equal(index, brute.argmin(axis=1))
    np.testing.assert_allclose(distance, brute.min(axis=1), atol=1e-5)
    assert index[5] == 123 and distance[5] == pytest.approx(0.0, abs=1e-3)


def test_attribute_vector_and_steps():
    codes = np.array([[1.0, 0.0], [3.0, 2.0], [0.0, 0.0], [0.0, 4.0]])
    vector = attribute_vector(codes, [True, True, False, False])
    np.testing.assert_allclose(vector, [2.0, -1.0])
    steps = add_in_steps(codes[2:], vector, [0, 0.5, 2])
    assert steps.shape == (3, 2, 2)
    np.testing.assert_allclose(steps[0], codes[2:])
    np.testing.assert_allclose(steps[2], codes[2:] + 2 * vector)
    with pytest.raises(ValueError, match="with and without"):
        attribute_vector(codes, [True] * 4)


def test_decode_in_steps_decodes_every_step_in_one_call():
    import keras

    from keras_autoencoders.generate.code_arithmetic import decode_in_steps

    keras.utils.set_random_seed(0)
    decoder = keras.Sequential([keras.Input((2,)), keras.layers.Dense(12), keras.layers.Reshape((2, 2, 3))])
    codes, vector = np.array([[0.0, 1.0], [2.0, -1.0], [1.0, 1.0]], "float32"), np.array([1.0, 0.5], "float32")
    faces = decode_in_steps(decoder, codes, vector, [0, 1, 2])
    assert faces.shape == (3, 3, 2, 2, 3)
    np.testing.assert_allclose(faces[2], decoder.predict(codes + 2 * vector, verbose=0), rtol=1e-6)


# -- a short real run ----------------------------------------------------------------

@pytest.fixture(scope="module")
def lfw_faces():
    data = os.environ.get("KERAS_AUTOENCODERS_DATA")
    if not data or not (pathlib.Path(data) / "lfw").is_dir():
        pytest.skip("no LFW folder (set KERAS_AUTOENCODERS_DATA)")
    from keras_autoencoders.data.image_pipeline import first_images
    from keras_autoencoders.data.lfw import load_lfw_index

    index = load_lfw_index(seed=0)
    train, validation = index.split("train"), index.split("validation")
    crop = {"image_size": 32, "crop_fraction": 0.36}
    return first_images(train, 1500, **crop)[0], first_images(validation, 300, **crop)[0]


@pytest.mark.parametrize("kind", ["autoencoder", "vae"])
def test_short_real_lfw_run_lowers_the_validation_loss(lfw_faces, kind):
    train, validation = lfw_faces
    if kind == "autoencoder":
        model = build_face_autoencoder(32, 32, seed=0)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    else:
        model = build_face_vae(32, 32, seed=0)
        model.compile(optimizer=keras.optimizers.Adam(1e-3))
    # The loss a perfect reconstruction would reach: 0 for the MSE; for the VAE's BCE, the
    # pixels' own entropy (in its normalisation, per pixel value / 2), which no model beats.
    p = np.clip(validation.astype("float64"), 1e-7, 1 - 1e-7)
    floor = 0.0 if kind == "autoencoder" else float(np.mean(-(p * np.log(p) + (1 - p) * np.log(1 - p))) / 2)
    start = model.evaluate(validation, validation, batch_size=300, verbose=0, return_dict=True)["loss"]
    history = model.fit(train, train, batch_size=64, epochs=3, verbose=0, validation_data=(validation, validation))
    val = history.history["val_loss"]
    assert val[-1] < val[0] < start
    assert val[-1] - floor < 0.6 * (start - floor)  # the excess over the floor falls by 40% or more


@pytest.mark.slow  # the shipped models in a tutorial run: the full suite's
def test_pretrained_run_redraws_the_committed_numbers_without_training(tmp_path, run_tutorial):
    """``--pretrained``: the shipped face models of figs/faces, no autoencoder trained, its numbers again."""
    import json

    data = os.environ.get("KERAS_AUTOENCODERS_DATA")
    if not data or not (pathlib.Path(data) / "lfw").is_dir():
        pytest.skip("no LFW folder (set KERAS_AUTOENCODERS_DATA)")
    out = tmp_path / "pretrained"
    done = run_tutorial("faces_autoencoder.py", "--pretrained", "--data-dir", data, "--out", out)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Epoch 1/" not in done.stdout.split("smile")[0]  # nothing trained before the smile classifier
    results = json.loads((out / "results.json").read_text())
    committed = json.loads((pathlib.Path(__file__).resolve().parents[1] / "figs" / "faces" / "results.json").read_text())
    assert results["reconstruction"]["validation_mse"] == pytest.approx(committed["reconstruction"]["validation_mse"],
                                                                        rel=1e-5)
    for key, value in committed["new_faces"].items():
        assert results["new_faces"][key] == pytest.approx(value, rel=1e-4), key
    assert results["vae"]["relative_sharpness"] == pytest.approx(committed["vae"]["relative_sharpness"], rel=1e-4)
    assert results["reconstruction"]["validation_loss_history"] == committed["reconstruction"]["validation_loss_history"]
