"""A digit's style as numbers: its slant and stroke width, and how much of them a generator keeps.

Part 6 ends on style ("Результаты"): the CVAE+GAN's reconstructions and its 7s drawn as
other digits should keep each input's slant and stroke width, as the Part 4 CVAE's do, while
being sharper. Read from image moments, per digit:

* **slant** :func:`digit_slant`: ``mu11 / mu02``, the horizontal shift of the ink per row
  of height about its centre of mass (the shear that deskewing removes; 0 = upright,
  positive = leaning right, as most handwriting);
* **stroke width** :func:`stroke_width`: ``2 * ink / edge``, the ink's mass over half its
  total variation (a stroke of length L and width w has mass L w and edge about 2 L).

:func:`style_correlations` correlates them between inputs and outputs within each label
(Pearson's r, averaged over labels): 1 when the outputs follow every input's style, 0 when
they draw each label one way whatever the input. A correlation says the outputs vary *with*
the inputs, not *as much*: the ``*_gain`` numbers are the regression slopes of output on
input (1 = the input's slant or width carried whole, 0.2 = a fifth of its variation).
"""
from __future__ import annotations

import numpy as np

#: Digits with less ink than this (out of 784 pixels at 1.0) have no style to read.
MIN_INK = 1.0


def _as_batch(images: np.ndarray) -> np.ndarray:
    x = np.asarray(images, dtype=np.float64)
    return x.reshape(len(x), x.shape[1], x.shape[2])


def digit_slant(images: np.ndarray) -> np.ndarray:
    """``mu11 / mu02`` of each image ``(N, h, w[, 1])``, ink = pixel value (row index grows downwards).

    The sign is flipped so that a digit leaning right (its top right of its bottom) is positive.
    """
    x = _as_batch(images)
    rows, cols = np.mgrid[:x.shape[1], :x.shape[2]]
    mass = x.sum(axis=(1, 2))
    safe = np.maximum(mass, 1e-12)
    r = (x * rows).sum(axis=(1, 2)) / safe
    c = (x * cols).sum(axis=(1, 2)) / safe
    dr = rows[None] - r[:, None, None]
    dc = cols[None] - c[:, None, None]
    mu11 = (x * dr * dc).sum(axis=(1, 2))
    mu02 = (x * dr * dr).sum(axis=(1, 2))
    slant = -mu11 / np.maximum(mu02, 1e-12)
    return np.where(mass >= MIN_INK, slant, np.nan)


def stroke_width(images: np.ndarray) -> np.ndarray:
    """``2 * ink / edge`` of each image, in pixels (edge: summed absolute differences of neighbours)."""
    x = _as_batch(images)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    edge = np.abs(np.diff(padded, axis=1)).sum(axis=(1, 2)) + np.abs(np.diff(padded, axis=2)).sum(axis=(1, 2))
    mass = x.sum(axis=(1, 2))
    return np.where(mass >= MIN_INK, 2.0 * mass / np.maximum(edge, 1e-12), np.nan)


def _pearson_and_slope(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    if len(a) < 3 or a.std() == 0 or b.std() == 0:
        return float("nan"), float("nan")
    covariance = np.cov(a, b)
    return float(np.corrcoef(a, b)[0, 1]), float(covariance[0, 1] / covariance[0, 0])


def style_correlations(inputs: np.ndarray, outputs: np.ndarray, groups: np.ndarray) -> dict[str, float]:
    """``{"slant": r, "width": r, "slant_gain": slope, "width_gain": slope}``: Pearson's r between
    inputs' and outputs' slant and stroke width within each group (a label), and the slope of
    output on input, each averaged over the groups with at least 3 digits."""
    groups = np.asarray(groups)
    measures = {"slant": digit_slant, "width": stroke_width}
    result = {}
    for name, measure in measures.items():
        a, b = measure(inputs), measure(outputs)
        per_group = [_pearson_and_slope(a[groups == g], b[groups == g]) for g in np.unique(groups)]
        per_group = [pair for pair in per_group if np.isfinite(pair[0])]
        result[name] = float(np.mean([r for r, _ in per_group])) if per_group else float("nan")
        result[f"{name}_gain"] = float(np.mean([g for _, g in per_group])) if per_group else float("nan")
    return result


def transfer_correlations(inputs: np.ndarray, transferred: np.ndarray, source_label: int) -> dict[str, float]:
    """Style kept by style transfer: ``transferred[d, i]`` is input ``i`` (all of ``source_label``)
    drawn as digit ``d``; r between the inputs' and each other digit's outputs, averaged over digits."""
    transferred = np.asarray(transferred)
    targets = [d for d in range(len(transferred)) if d != source_label]
    outputs = np.concatenate([transferred[d] for d in targets])
    return style_correlations(np.tile(np.asarray(inputs).reshape(len(inputs), *transferred.shape[2:4]),
                                      (len(targets), 1, 1)), outputs, np.repeat(targets, len(inputs)))
