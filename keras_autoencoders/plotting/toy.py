"""The scatter plot of the Part 4 toy "disconnected manifold" example, on an Agg canvas."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from keras_autoencoders.data.toy_manifold import ToyManifold
from keras_autoencoders.plotting.figures import new_figure


def plot_toy_manifold(data: ToyManifold, predicted: np.ndarray | None = None, *, title: str | None = None) -> Figure:
    """Part 4's figure: noisy points (blue sine, green circle), curves (red, yellow), reconstructions (white)."""
    ax = new_figure((15, 9)).add_subplot()
    ax.set(xlim=(-2.5, 2.5), ylim=(-1.5, 1.5), title=title or "")
    ax.scatter(data.points[:, 0], data.points[:, 1], c=np.where(np.asarray(data.labels) == 0, "b", "g"))
    sine, circle = data.curves
    ax.plot(sine[:, 0], sine[:, 1], color="red", linewidth=4)
    ax.plot(circle[:, 0], circle[:, 1], color="yellow", linewidth=4)
    if predicted is not None:
        predicted = np.asarray(predicted)
        ax.scatter(predicted[:, 0], predicted[:, 1], c="white", s=50, edgecolors="0.2", linewidths=0.5)
    ax.grid(False)
    return ax.figure
