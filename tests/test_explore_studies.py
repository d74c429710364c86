"""The explorer's study views: the code maps put each test digit where its code is and decode what
the decoder decodes there; the smile slider adds the smile vector fitted as the study fits it."""
import socket

import keras
import numpy as np
import pytest

from keras_autoencoders.explore.studies import CodeMapExplorer, SmileExplorer, _to_pixels, code_map_picture
from keras_autoencoders.models.conv_face_autoencoder import build_face_autoencoder
from keras_autoencoders.models.dense_autoencoder import build_dense_autoencoder, build_dense_vae


@pytest.fixture(scope="module")
def code_maps():
    keras.utils.set_random_seed(0)
    ae, vae = build_dense_autoencoder(2, seed=0), build_dense_vae(2, seed=0).article_models()
    rng = np.random.default_rng(0)
    return CodeMapExplorer({"autoencoder": (ae.get_layer("encoder"), ae.get_layer("decoder")),
                            "VAE (z_mean)": (vae["z_meaner"], vae["decoder"])},
                           rng.random((30, 28, 28, 1)).astype("float32"), rng.integers(0, 10, 30), size=200)


def test_each_test_digit_is_a_dot_of_its_colour_where_its_code_is(code_maps):
    from keras_autoencoders.explore.studies import DIGIT_COLOURS

    codes, limit = code_maps.codes["autoencoder"], code_maps.limits["autoencoder"]
    picture = code_maps.picture("autoencoder")
    columns, rows = _to_pixels(codes.astype("float64"), limit, 200)
    last = {}  # a later dot may cover an earlier one: check the last one drawn at each pixel
    for column, row, label in zip(columns, rows, code_maps.y_test):
        last[(row, column)] = label
    for (row, column), label in last.items():
        np.testing.assert_array_equal(picture[row, column], DIGIT_COLOURS[label])
    assert (code_map_picture(np.zeros((0, 2)), np.zeros(0), 1.0, 50) == 255).all()


def test_a_click_decodes_the_code_under_it(code_maps):
    codes, limit = code_maps.codes["VAE (z_mean)"], code_maps.limits["VAE (z_mean)"]
    columns, rows = _to_pixels(codes.astype("float64"), limit, 200)
    back = code_maps.code_at("VAE (z_mean)", columns[0], rows[0], 200, 200)
    np.testing.assert_allclose(back, codes[0], atol=2 * limit / 199)  # within a pixel
    _, decoder = code_maps.models["VAE (z_mean)"]
    np.testing.assert_allclose(code_maps.decode("VAE (z_mean)", back),
                               decoder.predict(back[None], verbose=0)[0, ..., 0], atol=1e-6)


@pytest.fixture(scope="module")
def smiles():
    keras.utils.set_random_seed(0)
    model = build_face_autoencoder(32, 8, seed=0)
    rng = np.random.default_rng(1)
    return SmileExplorer(model.get_layer("encoder"), model.get_layer("decoder"),
                         rng.random((12, 32, 32, 3)).astype("float32"), np.array([1, 0, -1] * 4))


def test_the_smile_slider_adds_the_vector_the_study_fits(smiles):
    labelled = smiles.smiling >= 0
    wanted = smiles.codes[labelled & (smiles.smiling == 1)].mean(0) - smiles.codes[labelled & (smiles.smiling == 0)].mean(0)
    np.testing.assert_allclose(smiles.vector, wanted, rtol=1e-5, atol=1e-6)
    code = smiles.codes[4] + 1.5 * smiles.vector
    np.testing.assert_allclose(smiles.with_smile(4, 1.5), smiles.decoder.predict(code[None], verbose=0)[0], atol=1e-6)
    with pytest.raises(IndexError, match="validation face 12"):
        smiles.with_smile(12, 0.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_both_pages_serve_their_views_over_http(code_maps, smiles):
    import imageio.v3 as iio
    from gradio_client import Client

    from keras_autoencoders.explore.app import ZOOM, build_app, to_picture

    for explorer in (code_maps, smiles):
        app = build_app(explorer)
        port = _free_port()
        app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
        try:
            client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            if explorer is code_maps:
                got = iio.imread(client.predict("autoencoder", 0.5, -0.25, api_name="/code_map_decode"))
                want = to_picture(code_maps.decode("autoencoder", np.array([0.5, -0.25], "float32")), ZOOM)
            else:
                got = iio.imread(client.predict(3, 2.0, api_name="/smile"))
                want = np.round(np.clip(smiles.with_smile(3, 2.0), 0, 1) * 255).astype("uint8").repeat(ZOOM, 0).repeat(
                    ZOOM, 1)
            if want.ndim == 2 and got.ndim == 3:  # a grey picture may come back as RGB
                got = got[..., 0]
            np.testing.assert_array_equal(got[..., :3] if got.ndim == 3 else got, want)
        finally:
            app.close()


def test_a_study_run_folder_opens_the_code_maps(tmp_path):
    from keras_autoencoders.errors import SettingsError
    from keras_autoencoders.explore.cli import load_explorer

    (tmp_path / "model").mkdir()
    with pytest.raises(SettingsError, match="no model the explorer knows"):
        load_explorer(tmp_path)
    keras.utils.set_random_seed(0)
    build_dense_autoencoder(2, seed=0).save(tmp_path / "model" / "ae_2.keras")
    vae = build_dense_vae(2, seed=0)
    vae.save(tmp_path / "model" / "vae_2.keras")
    assert isinstance(load_explorer(tmp_path), CodeMapExplorer)
