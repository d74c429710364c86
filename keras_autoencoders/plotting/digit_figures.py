"""The MNIST articles' result figures (Part 4 and Part 6, "Результаты") for any conditional decoder: one batched
call per figure; in a notebook the overview figures show inline."""
from __future__ import annotations

import os
import pathlib
from typing import Mapping

import numpy as np

from keras_autoencoders.generate import digits as generate_digits
from keras_autoencoders.generate.manifold import Decoder, render_manifolds, z_means_by_label
from keras_autoencoders.plotting.figures import (plot_digits, plot_image_grid, plot_label_panels, plot_manifold,
                                                 plot_z_scatter, plot_z_scatter_panels, save_figure)

LABEL_NAMES = [str(c) for c in range(10)]


def save_manifold_figures(decoder: Decoder, z_meaner: Decoder, images: np.ndarray, labels: np.ndarray,
                          latent_dim: int, fig_dir: str | os.PathLike) -> None:
    """Per label, the 15x15 manifold and the z_mean scatter (``manifold_c.png``, ``z_distr_c.png``),
    plus both for all labels side by side (``manifolds_all_labels.png``, ``z_distr_all_labels.png``)."""
    fig_dir, manifolds = pathlib.Path(fig_dir), render_manifolds(decoder, latent_dim)
    z_by_label = z_means_by_label(z_meaner, images, labels)
    for c in range(len(manifolds)):
        save_figure(plot_manifold(manifolds[c], f"Label: {c}"), fig_dir / f"manifold_{c}.png", show=False)
        save_figure(plot_z_scatter(z_by_label[c], f"Label: {c}"), fig_dir / f"z_distr_{c}.png", show=False)
    save_figure(plot_label_panels(manifolds), fig_dir / "manifolds_all_labels.png")
    save_figure(plot_z_scatter_panels(z_by_label), fig_dir / "z_distr_all_labels.png")


def save_prior_and_style_figures(z_meaner: Decoder, decoder: Decoder, latent_dim: int,
                                 sevens: np.ndarray, fig_dir: str | os.PathLike, suffix: str = "") -> None:
    """``digits_from_prior{suffix}.png`` (every label from the same ten N(0, I) codes) and
    ``style_transfer{suffix}.png`` (the ten 7s re-drawn as every digit, row 7 the originals, black on white)."""
    fig_dir, prior = pathlib.Path(fig_dir), generate_digits.digits_from_prior(decoder, latent_dim, count=10)
    save_figure(plot_image_grid(prior, LABEL_NAMES), fig_dir / f"digits_from_prior{suffix}.png")
    styled = generate_digits.style_transfer(z_meaner, decoder, sevens, label_in=7)
    styled[7] = sevens[..., 0]
    save_figure(plot_image_grid(styled, LABEL_NAMES, invert_colors=True), fig_dir / f"style_transfer{suffix}.png")


def save_reconstruction_figures(models: Mapping[str, Mapping[str, Decoder]], shown: np.ndarray,
                                labels: np.ndarray, fig_dir: str | os.PathLike) -> None:
    """Part 6's ``shown`` digits over each model's (``article_models()``) reconstructions from a *sampled* z as the
    article's ``cvae`` (``reconstructions.png``) and from z_mean (``reconstructions_z_mean.png``)."""
    names = " / ".join(["originals", *(name.upper().replace("_", "+") for name in models)])
    for encoder, code, png in (("encoder", "sampled z", "reconstructions.png"),
                               ("z_meaner", "z_mean", "reconstructions_z_mean.png")):
        rebuilt = [generate_digits.reconstructions(parts[encoder], parts["decoder"], shown, labels)
                   for parts in models.values()]
        save_figure(plot_digits(shown, *rebuilt, title=f"{names} ({code})"), pathlib.Path(fig_dir) / png)
