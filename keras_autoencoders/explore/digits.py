"""What the explorer computes for a digit CVAE (Part 4, Part 6), apart from any web framework.

Each view of ``python -m keras_autoencoders explore`` is one call here, on NumPy arrays:
a label's manifold (the pad the pointer moves over), the digit decoded at one code, a
digit of the user's own re-drawn as every label (the articles' style transfer, ``style_t``),
and the path between two test digits. The app (:mod:`keras_autoencoders.explore.app`)
only wires these to controls.
"""
from __future__ import annotations

import dataclasses
import os
import pathlib

import numpy as np
from scipy.stats import norm

from keras_autoencoders.generate import digits as generate_digits
from keras_autoencoders.generate.manifold import decode_with_labels, manifold_grid, render_manifolds, z_means

#: The probabilities the article's manifold grid runs between (``norm.ppf(linspace(0.05, 0.95, 15))``).
GRID_LOW, GRID_HIGH = 0.05, 0.95
#: Run-folder model files the explorer knows, in the order it looks for them: name -> what it is.
DIGIT_MODELS = {"part4_cvae": "Part 4 CVAE", "part6_cvae_gan": "Part 6 CVAE+GAN"}


@dataclasses.dataclass
class DigitExplorer:
    """A digit CVAE's decoder and z_meaner (its article sub-models), with the test digits to pick from."""

    decoder: object
    z_meaner: object
    latent_dim: int
    x_test: np.ndarray
    y_test: np.ndarray
    title: str = "digit CVAE"
    grid_size: int = 15

    @property
    def pad_range(self) -> tuple[float, float]:
        """The z[0] and z[1] values at the manifold's first and last cells (the article's grid)."""
        grid = manifold_grid(self.grid_size, GRID_LOW, GRID_HIGH)
        return float(grid[0]), float(grid[-1])

    def manifold(self, label: int) -> np.ndarray:
        """The label's 15x15 manifold over z[0:2] (other coordinates 0), ``(15 * 28, 15 * 28)`` in [0, 1]."""
        return render_manifolds(self.decoder, self.latent_dim, [int(label)], self.grid_size)[0]

    def code_at(self, x: float, y: float, width: int, height: int, rest: np.ndarray | None = None) -> np.ndarray:
        """The code under pixel ``(x, y)`` of a ``width`` x ``height`` manifold picture: z[0] along the columns,
        z[1] down the rows, in the manifold's equal steps of probability (each cell's centre is that cell's
        code), the other coordinates from ``rest``."""
        cell = np.array([width, height], dtype="float64") / self.grid_size
        position = np.clip((np.array([x, y], dtype="float64") - cell / 2) / (cell * (self.grid_size - 1)), 0, 1)
        z = np.zeros(self.latent_dim, dtype="float32")
        z[:2] = norm.ppf(GRID_LOW + position * (GRID_HIGH - GRID_LOW))
        if rest is not None and self.latent_dim > 2:
            z[2:] = np.asarray(rest, dtype="float32")[: self.latent_dim - 2]
        return z

    def decode(self, label: int, z: np.ndarray) -> np.ndarray:
        """The digit ``label`` decoded at code ``z``: ``(28, 28)`` in [0, 1]."""
        return decode_with_labels(self.decoder, np.asarray(z, dtype="float32")[None], np.array([int(label)]))[0, ..., 0]

    def restyle(self, image: np.ndarray, label: int) -> np.ndarray:
        """A ``(28, 28)`` digit of ``label`` encoded to z_mean and drawn as every label: ``(10, 28, 28)``."""
        image = np.asarray(image, dtype="float32").reshape(1, 28, 28, 1)
        return generate_digits.style_transfer(self.z_meaner, self.decoder, image, label_in=int(label))[:, 0]

    def interpolate(self, first: int, second: int, steps: int = 10) -> np.ndarray:
        """Test digits ``first`` and ``second``: z_mean moved in a straight line, each point decoded with the
        label of the nearer end: ``(steps, 28, 28)``."""
        picked = np.array([first, second])
        for index in picked:
            if not 0 <= index < len(self.x_test):
                raise IndexError(f"test digit {index}: pick one of 0 .. {len(self.x_test) - 1}")
        ends = z_means(self.z_meaner, self.x_test[picked], self.y_test[picked])
        t = np.linspace(0, 1, steps)[:, None]
        labels = np.where(t[:, 0] < 0.5, self.y_test[first], self.y_test[second])
        return decode_with_labels(self.decoder, (1 - t) * ends[0] + t * ends[1], labels)[..., 0]


def load_digit_explorer(run_dir: str | os.PathLike | None = None, pretrained: str | None = None,
                        data_dir: str | None = None) -> DigitExplorer:
    """The explorer of a run folder's digit CVAE (``model/part4_cvae.keras`` or ``model/part6_cvae_gan.keras``)
    or of a shipped model (``pretrained``: a name in ``figs/pretrained/``); :class:`SettingsError` names
    what is missing. The test digits come from ``data_dir`` (else the usual lookup, else the bundled sample)."""
    import keras

    from keras_autoencoders.data.mnist import load_mnist_digits
    from keras_autoencoders.errors import SettingsError
    from keras_autoencoders.model_files import register_saved_classes
    from keras_autoencoders.pretrained import pretrained_path

    register_saved_classes()
    if pretrained is not None:
        if pretrained not in DIGIT_MODELS:
            raise SettingsError(f"--pretrained {pretrained!r}: the explorer knows the digit models "
                                f"{', '.join(DIGIT_MODELS)}")
        path, name = pretrained_path(pretrained), pretrained
    else:
        folder = pathlib.Path(run_dir)
        if not folder.is_dir():
            raise SettingsError(f"{folder}: no such run folder (a tutorial's --out)")
        found = [(folder / "model" / f"{name}.keras", name) for name in DIGIT_MODELS
                 if (folder / "model" / f"{name}.keras").is_file()]
        if not found:
            raise SettingsError(f"{folder}: no digit model in it (looked for "
                                + ", ".join(f"model/{name}.keras" for name in DIGIT_MODELS) + ")")
        path, name = found[0]
    model = keras.saving.load_model(path, compile=False)  # to look at, not to train
    parts = model.article_models()
    digits = load_mnist_digits(data_dir, allow_sample=True)
    return DigitExplorer(parts["decoder"], parts["z_meaner"], int(parts["decoder"].inputs[0].shape[-1]),
                         digits.x_test, digits.y_test,
                         title=f"{DIGIT_MODELS[name]} ({path.name})")
