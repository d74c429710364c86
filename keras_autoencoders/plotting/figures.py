"""Figures of the articles on Matplotlib's Agg canvas (no pyplot state), written by :func:`save_figure`. Images are
floats in [0, 1], white ink on black (``Greys_r``) as the article shows them; ``invert_colors``: black on white."""
from __future__ import annotations

import io
import os
import pathlib
from typing import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from PIL import Image

from keras_autoencoders.arrays import tile_grid, tile_images
from keras_autoencoders.plotting.display import show_file


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A figure attached to an Agg canvas."""
    return FigureCanvasAgg(Figure(figsize=figsize)).figure


def save_figure(fig: Figure, path: str | os.PathLike, dpi: int = 80, show: bool = True) -> pathlib.Path:
    """Write ``fig`` as PNG (:func:`write_png`), close it and return the path; shown in a notebook (``show``)."""
    path = pathlib.Path(path)
    write_png(path, figure_pixels(fig, dpi))
    fig.clear()
    if show:
        show_file(path)
    return path


def figure_pixels(fig: Figure, dpi: int = 80) -> np.ndarray:
    """``fig`` rendered as Matplotlib writes it (cropped to its drawn area): ``(h, w, 4)`` uint8 RGBA."""
    buffer = io.BytesIO()  # an uncompressed PNG: Matplotlib's own cropping, no encoding cost
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pil_kwargs={"compress_level": 0})
    buffer.seek(0)
    with Image.open(buffer) as image:
        return np.asarray(image.convert("RGBA"))


def write_png(path: str | os.PathLike, rgba: np.ndarray) -> str:
    """Write ``(h, w, 4)`` uint8 pixels as a PNG, creating folders; return its mode: "L" when all opaque grey (the
    digit figures, under half the size), else "RGBA". zlib level 6: 9 is 3-8% smaller but 10-15 times slower."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rgb, alpha = rgba[..., :3], rgba[..., 3]
    grey = bool((alpha == 255).all() and (rgb == rgb[..., :1]).all())
    image = Image.fromarray(np.ascontiguousarray(rgb[..., 0]), mode="L") if grey else Image.fromarray(rgba, "RGBA")
    image.save(path, format="png", compress_level=6)
    return image.mode


def _show_image(ax: Axes, image: np.ndarray, vmax: float = 1.0) -> None:
    ax.imshow(image, cmap="Greys_r", vmin=0.0, vmax=vmax)
    ax.set_axis_off()


def _image_figure(image: np.ndarray, figsize: tuple[float, float], title: str | None = None,
                  invert_colors: bool = False) -> tuple[Figure, Axes]:
    """A figure of one image (``1 - image`` when ``invert_colors``) under an optional title."""
    ax = new_figure(figsize).add_subplot()
    _show_image(ax, 1.0 - image if invert_colors else image)
    ax.set_title(title or "")
    return ax.figure, ax


def plot_digits(*rows: np.ndarray, invert_colors: bool = False, title: str | None = None) -> Figure:
    """Part 4's ``plot_digits``: one row of digits per argument, as many columns as the shortest."""
    rows = [np.asarray(r) for r in rows]
    n = min(len(r) for r in rows)
    grid = tile_images(np.concatenate([r[:n].reshape(n, *r.shape[1:3]) for r in rows]), len(rows), n)
    return _image_figure(grid, (2 * n, 2 * len(rows)), title, invert_colors)[0]


def plot_manifold(manifold: np.ndarray, title: str | None = None) -> Figure:
    """A tiled manifold (see :func:`keras_autoencoders.generate.manifold.render_manifolds`), 10x10 inches."""
    return _image_figure(manifold, (10, 10), title)[0]


def plot_z_scatter(z: np.ndarray, title: str | None = None, limit: float = 5.0) -> Figure:
    """Part 4's ``draw_z_distr``: the first two latent coordinates, axes fixed to +-limit."""
    ax = new_figure((7, 7)).add_subplot()
    ax.scatter(z[:, 0], z[:, 1], s=4)
    ax.set(xlim=(-limit, limit), ylim=(-limit, limit), xlabel="z[0]", ylabel="z[1]", title=title or "")
    return ax.figure


def plot_compression(compression: Mapping[str, Mapping[str, float]]) -> Figure:
    """The study's slide 5 (:func:`~keras_autoencoders.evaluation.pca.compare_with_pca`): MSE against code size."""
    sizes = [int(size) for size in compression]
    curves = {name: [row[key] for row in compression.values()]
              for name, key in (("PCA", "pca_test_mse"), ("autoencoder", "ae_test_mse"))}
    return plot_loss_curves({name: sizes for name in curves}, {"test MSE per pixel": curves}, xlabel="code size",
                            log_scale=["test MSE per pixel"])


def plot_real_beside_generated(real: np.ndarray, generated: np.ndarray, title: str | None = None) -> Figure:
    """Two 10x10 blocks of digits, real on the left and generated on the right, a blank column between."""
    blocks = [np.asarray(images)[:100].reshape(10, 10, *np.asarray(images).shape[1:3]) for images in (real, generated)]
    gap = np.ones((10, 1, *blocks[0].shape[2:]))
    return plot_image_grid(np.concatenate([blocks[0], gap, blocks[1]], axis=1), title=title)


def plot_image_grid(images: np.ndarray, row_labels: Sequence[str] | None = None,
                    col_labels: Sequence[str] | None = None, invert_colors: bool = False,
                    title: str | None = None, cell_inches: float = 0.8) -> Figure:
    """``(rows, cols, h, w)`` digits or ``(rows, cols, h, w, 3)`` colour images as one grid; ``row_labels`` name
    the rows (digit labels, attribute settings), ``col_labels`` the columns (original, reconstruction, edits)."""
    images = np.asarray(images)
    rows, cols, h, w = images.shape[:4]
    figsize = (cols * cell_inches + (2 if row_labels is not None else 1), rows * cell_inches)
    fig, ax = _image_figure(tile_grid(images), figsize, title, invert_colors)
    if row_labels is not None or col_labels is not None:
        ax.set_axis_on()
        ax.set_xticks([] if col_labels is None else [(c + 0.5) * w for c in range(cols)],
                      [] if col_labels is None else list(col_labels))
        ax.set_yticks([] if row_labels is None else [(r + 0.5) * h for r in range(rows)],
                      [] if row_labels is None else list(row_labels))
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        ax.spines[:].set_visible(False)
    return fig


def plot_captioned_images(images: np.ndarray, captions: Sequence[str], cols: int = 4,
                          cell_inches: float = 3.0) -> Figure:
    """Images in a grid, each with a caption under it (the CelebA article's faces and attributes)."""
    images = np.asarray(images)
    rows = -(-len(images) // cols)
    fig = new_figure((cols * cell_inches, rows * cell_inches * 1.9))
    for i, (image, caption) in enumerate(zip(images, captions)):
        ax = fig.add_subplot(rows, cols, i + 1)
        _show_image(ax, image)
        ax.text(0.0, -0.04, caption, transform=ax.transAxes, va="top", ha="left", fontsize=7, family="monospace")
    fig.subplots_adjust(hspace=1.0)
    return fig


def plot_loss_curves(steps: Sequence | Mapping[str, Sequence], curves: dict, xlabel: str = "iteration",
                     log_scale: Sequence[str] = (), title: str | None = None) -> Figure:
    """One panel per named curve (Part 6's L_prior, L_llike, L_GAN): ``curves[name]`` is values against ``steps``,
    or ``{run: values}`` against ``steps[run]`` to overlay runs; panels named in ``log_scale`` get a log y axis."""
    fig = new_figure((4 * len(curves), 3))
    for i, (name, values) in enumerate(curves.items()):
        ax = fig.add_subplot(1, len(curves), i + 1)
        runs = values if isinstance(values, dict) else {None: values}
        for run, series in runs.items():
            ax.plot(steps[run] if run is not None else steps, series, lw=1, label=run)
        if len(runs) > 1:
            ax.legend(fontsize=8)
        ax.set(title=name, xlabel=xlabel)
        if name in log_scale:
            ax.set_yscale("log")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _label_panels(count: int, cols: int, panel_inches: float, extra_height: float = 0.0) -> tuple[Figure, list]:
    """A figure of ``count`` panels in rows of ``cols``, and its axes, titled "Label: c"."""
    rows = -(-count // cols)
    fig = new_figure((cols * panel_inches, rows * panel_inches + extra_height))
    axes = [fig.add_subplot(rows, cols, c + 1) for c in range(count)]
    for c, ax in enumerate(axes):
        ax.set_title(f"Label: {c}")
    return fig, axes


def plot_label_panels(images: np.ndarray, title: str | None = None, cols: int = 5, panel_inches: float = 3.0) -> Figure:
    """One image per label (e.g. the ten manifolds) in a grid of panels titled "Label: c"."""
    fig, axes = _label_panels(len(images), cols, panel_inches, extra_height=0.4)
    for ax, image in zip(axes, images):
        _show_image(ax, image, vmax=255 if np.asarray(image).dtype == np.uint8 else 1.0)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_z_scatter_panels(z_by_label: Sequence[np.ndarray], limit: float = 5.0, cols: int = 5,
                          panel_inches: float = 3.0) -> Figure:
    """:func:`plot_z_scatter` for every label, side by side (same axes, +-limit)."""
    fig, axes = _label_panels(len(z_by_label), cols, panel_inches)
    for ax, z in zip(axes, z_by_label):
        ax.scatter(z[:, 0], z[:, 1], s=2)
        ax.set(xlim=(-limit, limit), ylim=(-limit, limit))
    fig.tight_layout()
    return fig


def plot_code_scatters(panels: Mapping[str, tuple[np.ndarray, np.ndarray]], limit: float | None = None,
                       own_limits: Mapping[str, float] | None = None, panel_inches: float = 5.0,
                       max_points: int = 5000) -> Figure:
    """``panels[name] = (codes (N, 2), labels (N,))`` coloured by digit (the first ``max_points``), all within
    +-``limit`` (default: the largest |code|) but ``own_limits``' panels; a circle at radius 2 (86% of N(0, I))."""
    own_limits = dict(own_limits or {})
    if limit is None:
        limit = 1.05 * max(float(np.abs(np.asarray(c)[:max_points]).max())
                           for name, (c, _) in panels.items() if name not in own_limits)
    fig = new_figure((len(panels) * panel_inches + 1.0, panel_inches))
    for i, (name, (codes, labels)) in enumerate(panels.items()):
        codes, labels = np.asarray(codes)[:max_points], np.asarray(labels)[:max_points]
        if codes.ndim != 2 or codes.shape[1] != 2:
            raise ValueError(f"panel {name!r}: expected 2-d codes (N, 2), got shape {codes.shape}")
        ax = fig.add_subplot(1, len(panels), i + 1)
        points = ax.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", vmin=-0.5, vmax=9.5, s=3)
        ax.add_patch(Circle((0, 0), 2.0, fill=False, ls="--", lw=1, color="black"))
        span = own_limits.get(name, limit)
        ax.set(xlim=(-span, span), ylim=(-span, span), aspect="equal", title=name, xlabel="code[0]", ylabel="code[1]")
    fig.colorbar(points, ax=fig.axes, ticks=range(10), label="digit")
    return fig


def plot_histograms(values: Mapping[str, np.ndarray], xlabel: str, log_x: bool = True, bins: int = 60,
                    title: str | None = None) -> Figure:
    """Overlaid histograms of named score sets on shared bins (log-spaced when ``log_x``), as fractions of each set
    per bin so that sets of different sizes compare."""
    arrays = {name: np.asarray(v, dtype=np.float64).ravel() for name, v in values.items()}
    everything = np.concatenate(list(arrays.values()))
    if log_x:
        everything = everything[everything > 0]
    edges = (np.geomspace if log_x else np.linspace)(everything.min(), everything.max(), bins + 1)
    fig = new_figure((7, 4))
    ax = fig.add_subplot(1, 1, 1)
    for name, v in arrays.items():
        ax.hist(v, bins=edges, weights=np.full(len(v), 1.0 / len(v)), histtype="step", lw=1.5, label=name)
    if log_x:
        ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel="fraction per bin", title=title or "")
    ax.legend()
    fig.tight_layout()
    return fig
