"""The explorer's CelebA views: new faces under switched attributes and a test face edited by
sliders are what the CVAE's decoder draws for those conditions; a run folder opens them."""
import socket

import keras
import numpy as np
import pytest

from keras_autoencoders.explore.faces import FaceAttributeExplorer
from keras_autoencoders.models.conv_cvae import build_celeba_cvae

NAMES = ("Smiling", "Male", "Eyeglasses")


@pytest.fixture(scope="module")
def explorer():
    keras.utils.set_random_seed(0)
    parts = build_celeba_cvae(len(NAMES), 32, 4, seed=0).article_models()
    rng = np.random.default_rng(0)
    conditions = rng.integers(0, 2, (5, 3)).astype("float32")
    return FaceAttributeExplorer(parts["decoder"], parts["z_meaner"], 4, NAMES, rng.random((5, 32, 32, 3), "float32"),
                                 conditions, np.array([0.5, 0.4, 0.1], "float32"), codes_shown=3)


def test_new_faces_decode_the_prior_codes_under_the_switched_attributes(explorer):
    faces = explorer.new_faces({"Male": 1.0, "Eyeglasses": 0.0})
    condition = np.array([[0.5, 1.0, 0.0]] * 3, "float32")  # Smiling stays the typical face's
    np.testing.assert_allclose(faces, explorer.decoder.predict_on_batch([explorer.prior_codes, condition]), atol=1e-6)
    with pytest.raises(KeyError, match="Bald"):
        explorer.new_faces({"Bald": 1.0})


def test_an_edit_keeps_the_faces_code_and_sets_the_sliders(explorer):
    own = explorer.conditions[2:3]
    z = explorer.z_meaner.predict_on_batch([explorer.faces[2:3], own])
    wanted = own.copy()
    wanted[0, 0] = 1.5
    np.testing.assert_allclose(explorer.edit(2, {"Smiling": 1.5}), explorer.decoder.predict_on_batch([z, wanted])[0],
                               atol=1e-6)
    with pytest.raises(IndexError, match="test face 5"):
        explorer.edit(5, {})


def test_the_page_serves_new_faces_and_edits_over_http(explorer):
    import imageio.v3 as iio
    from gradio_client import Client

    from keras_autoencoders.explore.app import _face_picture, build_app

    app = build_app(explorer)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        got = iio.imread(client.predict(["Male"], ["Smiling"], api_name="/new_faces"))[..., :3]
        np.testing.assert_array_equal(got, _face_picture(explorer.new_faces({"Male": 1.0, "Smiling": 0.0})))
        got = iio.imread(client.predict(1, 0.0, 1.0, 1.0, api_name="/edit_face"))[..., :3]
        edited = explorer.edit(1, {"Smiling": 0.0, "Male": 1.0, "Eyeglasses": 1.0})
        np.testing.assert_array_equal(got[:, 96:], _face_picture(edited))
    finally:
        app.close()


def test_a_celeba_run_folder_opens_with_its_test_faces(tmp_path):
    from keras_autoencoders.data.celeba import load_celeba_index
    from keras_autoencoders.data.make_celeba_folder import write_celeba_folder
    from keras_autoencoders.explore.cli import load_explorer

    folder = write_celeba_folder(tmp_path / "celeba", count=40, image_size=(36, 44), seed=0)
    names = load_celeba_index(folder).attribute_names
    (tmp_path / "run" / "model").mkdir(parents=True)
    keras.utils.set_random_seed(0)
    build_celeba_cvae(len(names), 32, 4, seed=0).save(tmp_path / "run" / "model" / "celeba_cvae.keras")
    loaded = load_explorer(tmp_path / "run", data_dir=str(folder))
    assert isinstance(loaded, FaceAttributeExplorer) and loaded.names == tuple(names)
    assert loaded.faces.shape[1:] == (32, 32, 3) and len(loaded.faces) == len(loaded.conditions) > 0
