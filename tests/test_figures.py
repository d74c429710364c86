"""Figures are written as PNG; grey ones as 8-bit greyscale with the same pixels."""
import numpy as np
from PIL import Image

from keras_autoencoders.plotting import figures


def _pixels(path):
    with Image.open(path) as image:
        return image.mode, np.asarray(image.convert("RGBA"))


def test_grey_figures_are_stored_as_greyscale_with_the_same_pixels(tmp_path):
    digits = np.random.default_rng(0).random((4, 28, 28))
    path = figures.save_figure(figures.plot_digits(digits), tmp_path / "digits.png", show=False)
    mode, pixels = _pixels(path)
    assert mode == "L"
    rgba = tmp_path / "rgba.png"
    Image.fromarray(pixels).save(rgba)  # the same pixels as four channels
    assert not figures.store_grey_png_as_greyscale(path)  # already one channel
    assert figures.store_grey_png_as_greyscale(rgba)
    mode, again = _pixels(rgba)
    assert mode == "L" and np.array_equal(again, pixels)


def test_colour_figures_are_left_as_written(tmp_path):
    steps = {"run 1": [0, 1, 2], "run 2": [0, 1, 2]}
    fig = figures.plot_loss_curves(steps, {"a": {"run 1": [3, 2, 1], "run 2": [3, 1, 0.5]}})
    path = figures.save_figure(fig, tmp_path / "losses.png", show=False)
    mode, _ = _pixels(path)
    assert mode == "RGBA"
    assert not figures.store_grey_png_as_greyscale(path)
