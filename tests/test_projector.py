"""TensorBoard's projector files: the codes come back from the checkpoint TensorBoard finds, the
config parses as TensorBoard parses it, and the sprite tiles the images in the projector's order."""
import imageio.v3 as iio
import numpy as np
import pytest
import tensorflow as tf
from google.protobuf import text_format
from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

from keras_autoencoders.plotting.projector import TENSOR_NAME, sprite_sheet, write_projector


def test_codes_labels_and_sprite_are_what_tensorboard_reads(tmp_path):
    rng = np.random.default_rng(0)
    codes, labels = rng.normal(size=(11, 3)).astype("float32"), rng.integers(0, 10, 11)
    images = rng.random((11, 28, 28, 1)).astype("float32")
    write_projector(tmp_path, codes, labels, images)
    write_projector(tmp_path, codes * 2, labels, images)  # a rerun replaces the codes

    checkpoint = tf.train.latest_checkpoint(str(tmp_path))  # how the projector plugin finds it
    np.testing.assert_array_equal(tf.train.load_checkpoint(checkpoint).get_tensor(TENSOR_NAME), codes * 2)
    config = text_format.Parse((tmp_path / "projector_config.pbtxt").read_text(), ProjectorConfig())
    (embedding,) = config.embeddings
    assert embedding.tensor_name == TENSOR_NAME and list(embedding.sprite.single_image_dim) == [28, 28]
    assert (tmp_path / embedding.metadata_path).read_text().split() == [str(label) for label in labels]
    sprite = iio.imread(tmp_path / embedding.sprite.image_path)
    assert sprite.shape == (4 * 28, 4 * 28)  # ceil(sqrt(11)) = 4 per row
    np.testing.assert_array_equal(sprite[28:56, 56:84], np.round(images[6, ..., 0] * 255))  # row 1, column 2
    assert not sprite[84:, 84:].any()  # the cells after the last image stay blank


def test_sprite_refuses_more_than_the_projector_shows_and_mismatched_lengths(tmp_path):
    with pytest.raises(ValueError, match="8192"):
        sprite_sheet(np.zeros((100_000, 28, 28)))
    with pytest.raises(ValueError, match="3 codes, 2 labels"):
        write_projector(tmp_path, np.zeros((3, 2)), np.zeros(2))
