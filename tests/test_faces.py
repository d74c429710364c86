"""Faces for chosen attributes, edits and interpolation: each equals the decoder called by hand."""
import numpy as np
import pytest

from keras_autoencoders.generate import faces
from keras_autoencoders.models.conv_cvae import build_celeba_cvae


@pytest.fixture(scope="module")
def small_model():
    model = build_celeba_cvae(num_conditions=4, image_size=16, latent_dim=3, hidden=8, seed=0)
    models = model.article_models()
    return models["z_meaner"], models["decoder"]


@pytest.fixture
def face_batch():
    rng = np.random.default_rng(0)
    return rng.random((5, 16, 16, 3), dtype=np.float32), (rng.random((5, 4)) > 0.5).astype("float32")


def test_with_attributes_sets_columns_and_leaves_the_input_alone():
    base = np.array([[0, 1, 0, 1]], "float32")
    changed = faces.with_attributes(base, {0: 1.0, 1: 0.0})
    np.testing.assert_array_equal(changed, [[1, 0, 0, 1]])
    np.testing.assert_array_equal(base, [[0, 1, 0, 1]])


def test_faces_for_settings_decodes_the_same_codes_under_each_setting(small_model):
    _, decoder = small_model
    codes = np.random.default_rng(1).standard_normal((6, 3)).astype("float32")
    base = np.full(4, 0.5, "float32")
    settings = {"a": {0: 1.0}, "b": {0: 0.0, 2: 1.0}}
    grid = faces.faces_for_settings(decoder, codes, base, settings)
    assert grid.shape == (2, 6, 16, 16, 3)
    for row, setting in enumerate(settings.values()):
        condition = np.tile(faces.with_attributes(base, setting), (6, 1))
        np.testing.assert_allclose(grid[row], decoder.predict_on_batch([codes, condition]), atol=1e-6)


def test_edit_faces_keeps_z_and_changes_only_the_condition(small_model, face_batch):
    z_meaner, decoder = small_model
    images, conditions = face_batch
    edited = faces.edit_faces(z_meaner, decoder, images, conditions, {"smile": {1: 1.0}})
    assert list(edited) == ["reconstruction", "smile"]
    z = z_meaner.predict_on_batch([images, conditions])
    np.testing.assert_allclose(edited["reconstruction"], decoder.predict_on_batch([z, conditions]), atol=1e-6)
    smiling = conditions.copy()
    smiling[:, 1] = 1.0
    np.testing.assert_allclose(edited["smile"], decoder.predict_on_batch([z, smiling]), atol=1e-6)
    # Faces that already had the attribute decode identically before and after the edit.
    had = conditions[:, 1] == 1.0
    np.testing.assert_allclose(edited["smile"][had], edited["reconstruction"][had], atol=1e-6)


def test_interpolation_ends_at_the_two_faces(small_model, face_batch):
    z_meaner, decoder = small_model
    images, conditions = face_batch
    path = faces.interpolate_faces(z_meaner, decoder, images[:2], conditions[:2], steps=5)
    assert path.shape == (5, 16, 16, 3)
    z = z_meaner.predict_on_batch([images[:2], conditions[:2]])
    np.testing.assert_allclose(path[[0, -1]], decoder.predict_on_batch([z, conditions[:2]]), atol=1e-5)
    with pytest.raises(ValueError, match="exactly two"):
        faces.interpolate_faces(z_meaner, decoder, images[:3], conditions[:3])
    with pytest.raises(ValueError, match="steps"):
        faces.interpolate_faces(z_meaner, decoder, images[:2], conditions[:2], steps=1)
