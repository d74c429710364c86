"""Manifold grids and batched rendering."""
import numpy as np
from scipy.stats import norm

from keras_autoencoders.arrays import tile_images
from keras_autoencoders.generate.manifold import manifold_codes, manifold_grid, render_manifolds, z_means_by_label


def test_grid_is_the_articles():
    grid = manifold_grid()
    np.testing.assert_allclose(grid, norm.ppf(np.linspace(0.05, 0.95, 15)))
    assert grid[0] < -1.64 and grid[-1] > 1.64 and abs(grid[7]) < 1e-12


def test_codes_follow_the_articles_rows_and_columns():
    codes = manifold_codes(latent_dim=8, n=15).reshape(15, 15, 8)
    grid = manifold_grid()
    i, j = 3, 11
    np.testing.assert_allclose(codes[i, j, :2], [grid[j], grid[i]])
    assert np.all(codes[..., 2:] == 0)


def test_tile_images_places_each_image():
    images = np.arange(6 * 2 * 3).reshape(6, 2, 3)
    tiled = tile_images(images, 2, 3)
    assert tiled.shape == (4, 9)
    np.testing.assert_array_equal(tiled[2:4, 3:6], images[4])  # row 1, col 1 -> image 4


class CountingDecoder:
    """Decoder stand-in: the pixel value encodes the label and z[0]; counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, inputs):
        z, labels = inputs
        self.calls += 1
        label = labels.argmax(1).astype("float32")
        return np.broadcast_to((label * 10 + z[:, 0])[:, None, None, None], (len(z), 28, 28, 1)).copy()


def test_ten_manifolds_in_one_decoder_call():
    decoder = CountingDecoder()
    manifolds = render_manifolds(decoder, latent_dim=8)
    assert decoder.calls == 1
    assert manifolds.shape == (10, 420, 420)
    grid = manifold_grid()
    # label 6, row 2, column 13
    np.testing.assert_allclose(manifolds[6, 2 * 28 + 5, 13 * 28 + 5], 60 + grid[13], rtol=1e-6)


def test_z_means_split_by_label():
    images = np.random.rand(50, 28, 28, 1).astype("float32")
    labels = np.arange(50) % 10
    encoder = lambda inputs: np.concatenate([inputs[1], inputs[0].reshape(50, -1)[:, :1]], 1)
    per_label = z_means_by_label(encoder, images, labels)
    assert len(per_label) == 10 and all(len(z) == 5 for z in per_label)
    assert np.all(per_label[4][:, 4] == 1)
