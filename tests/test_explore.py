"""The explorer: each view computes what the model computes, and the page serves it over real HTTP."""
import socket

import numpy as np
import pytest

from keras_autoencoders.explore.digits import DigitExplorer, load_digit_explorer
from keras_autoencoders.generate import digits as generate_digits
from keras_autoencoders.generate.manifold import decode_with_labels, manifold_grid, z_means


@pytest.fixture(scope="module")
def explorer():
    import keras

    from keras_autoencoders.models.vae import build_part4_cvae

    keras.utils.set_random_seed(0)
    parts = build_part4_cvae(latent_dim=4, seed=0).article_models()
    rng = np.random.default_rng(0)
    x_test = rng.random((20, 28, 28, 1)).astype("float32")
    return DigitExplorer(parts["decoder"], parts["z_meaner"], 4, x_test, rng.integers(0, 10, 20))


def test_the_pad_maps_manifold_cells_to_their_codes(explorer):
    grid = manifold_grid(15)
    size = 15 * 28
    corner = explorer.code_at(14, 14, size, size, rest=np.array([0.5, -1.0]))  # the first cell's centre
    np.testing.assert_allclose(corner, [grid[0], grid[0], 0.5, -1.0], rtol=1e-6)
    cell = explorer.code_at(28 * 3 + 14, 28 * 10 + 14, size, size)  # column 3, row 10
    np.testing.assert_allclose(cell[:2], [grid[3], grid[10]], rtol=1e-6)
    assert explorer.code_at(-50, size + 50, size, size)[:2].tolist() == pytest.approx([grid[0], grid[-1]])


def test_views_equal_the_models_own_outputs(explorer):
    z = np.array([0.3, -0.2, 1.0, 0.0], dtype="float32")
    np.testing.assert_array_equal(explorer.decode(5, z), decode_with_labels(explorer.decoder, z[None], [5])[0, ..., 0])
    digit = explorer.x_test[3, ..., 0]
    expected = generate_digits.style_transfer(explorer.z_meaner, explorer.decoder, digit[None, ..., None], 7)[:, 0]
    np.testing.assert_allclose(explorer.restyle(digit, 7), expected, atol=1e-6)  # the article's style_t
    path = explorer.interpolate(2, 9, steps=5)
    ends = z_means(explorer.z_meaner, explorer.x_test[[2, 9]], explorer.y_test[[2, 9]])
    np.testing.assert_allclose(path[0], decode_with_labels(explorer.decoder, ends[:1], explorer.y_test[[2]])[0, ..., 0],
                               atol=1e-6)
    np.testing.assert_allclose(path[-1], decode_with_labels(explorer.decoder, ends[1:], explorer.y_test[[9]])[0, ..., 0],
                               atol=1e-6)
    with pytest.raises(IndexError, match="test digit 20"):
        explorer.interpolate(0, 20)


def test_a_sketch_becomes_a_light_on_dark_digit():
    from keras_autoencoders.explore.app import sketch_to_digit

    drawing = np.full((280, 280, 3), 255, dtype="uint8")
    drawing[40:240, 130:150] = 0  # a dark stroke on white: a "1"
    digit = sketch_to_digit({"composite": drawing})
    assert digit.shape == (28, 28) and digit[14, 14] == pytest.approx(1.0) and digit[2, 2] == pytest.approx(0.0)


def test_a_bad_run_folder_or_model_name_is_named(tmp_path):
    from keras_autoencoders.errors import SettingsError

    with pytest.raises(SettingsError, match="no such run folder"):
        load_digit_explorer(tmp_path / "nowhere")
    with pytest.raises(SettingsError, match="no digit model"):
        load_digit_explorer(tmp_path)
    with pytest.raises(SettingsError, match="face_ae"):
        load_digit_explorer(pretrained="face_ae")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_page_serves_every_view_over_http(explorer):
    import imageio.v3 as iio
    from gradio_client import Client

    from keras_autoencoders.explore.app import ZOOM, _row, build_app, to_picture

    app = build_app(explorer)
    port = _free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        manifold = iio.imread(client.predict("3", api_name="/manifold"))
        np.testing.assert_array_equal(manifold[..., 0] if manifold.ndim == 3 else manifold,
                                      to_picture(explorer.manifold(3)))
        z = [0.4, -0.7, 0.2, 1.5]
        decoded = iio.imread(client.predict("6", *z, api_name="/decode"))
        np.testing.assert_array_equal(decoded[..., 0] if decoded.ndim == 3 else decoded,
                                      to_picture(explorer.decode(6, np.array(z, "float32")), ZOOM))
        shown, styled = client.predict(7, 4, None, api_name="/restyle")
        styled = iio.imread(styled)
        expected = _row(explorer.restyle(explorer.x_test[4, ..., 0], int(explorer.y_test[4])))
        np.testing.assert_array_equal(styled[..., 0] if styled.ndim == 3 else styled, expected)
    finally:
        app.close()


def test_the_library_and_the_tutorials_import_no_web_framework():
    import subprocess
    import sys

    code = ("import sys, keras_autoencoders, keras_autoencoders.tutorial_run, keras_autoencoders.explore.digits; "
            "from keras_autoencoders.report import claims; print('gradio' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"
