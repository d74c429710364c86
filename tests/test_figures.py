"""Figures are written as PNG; grey ones as 8-bit greyscale with the same pixels."""
import numpy as np
from PIL import Image

from keras_autoencoders.plotting import figures


def _pixels(path):
    with Image.open(path) as image:
        return image.mode, np.asarray(image.convert("RGBA"))


def test_grey_figures_are_stored_as_greyscale_with_the_pixels_matplotlib_renders(tmp_path):
    digits = np.random.default_rng(0).random((4, 28, 28))
    reference = tmp_path / "matplotlib.png"
    figures.plot_digits(digits).savefig(reference, dpi=80, bbox_inches="tight")  # Matplotlib's own RGBA file
    path = figures.save_figure(figures.plot_digits(digits), tmp_path / "digits.png", show=False)
    mode, pixels = _pixels(path)
    assert mode == "L"
    assert np.array_equal(pixels, _pixels(reference)[1])


def test_colour_figures_are_stored_as_rgba(tmp_path):
    steps = {"run 1": [0, 1, 2], "run 2": [0, 1, 2]}
    fig = figures.plot_loss_curves(steps, {"a": {"run 1": [3, 2, 1], "run 2": [3, 1, 0.5]}})
    pixels = figures.figure_pixels(fig)
    path = figures.save_figure(fig, tmp_path / "losses.png", show=False)
    mode, written = _pixels(path)
    assert mode == "RGBA" and np.array_equal(written, pixels)


def test_write_png_keeps_grey_with_transparency_as_rgba(tmp_path):
    rgba = np.full((5, 6, 4), 128, dtype=np.uint8)
    rgba[..., 3] = 255
    assert figures.write_png(tmp_path / "grey.png", rgba) == "L"
    rgba[0, 0, 3] = 0  # one transparent pixel: not an opaque grey
    assert figures.write_png(tmp_path / "sub" / "transparent.png", rgba) == "RGBA"
    assert np.array_equal(_pixels(tmp_path / "sub" / "transparent.png")[1], rgba)


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
