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


def test_real_beside_generated_puts_a_blank_column_between_two_10x10_blocks(tmp_path):
    real = np.zeros((120, 28, 28, 1))
    generated = np.full((100, 28, 28), 0.5)
    figures.save_figure(figures.plot_real_beside_generated(real, generated), tmp_path / "grid.png", show=False)
    with Image.open(tmp_path / "grid.png") as image:
        width, height = image.size
    assert 1.8 < width / height < 2.4  # 21 columns of digits by 10 rows, plus margins


def test_compression_figure_plots_both_curves_on_a_log_axis():
    fig = figures.plot_compression({"2": {"ae_test_mse": 0.04, "pca_test_mse": 0.05},
                                    "8": {"ae_test_mse": 0.02, "pca_test_mse": 0.04}})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and [line.get_label() for line in ax.lines] == ["PCA", "autoencoder"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.04, 0.02])
