"""A digit's slant and stroke width, and how much of them a generator keeps (Part 6, "Результаты": the CVAE+GAN should
keep each input's style, as the Part 4 CVAE does). :func:`style_correlations`: Pearson's r within each label (1: outputs
follow each input, 0: one style per label) and ``*_gain``, the slope of output on input."""
from __future__ import annotations

import numpy as np

MIN_INK = 1.0  #: Digits with less ink than this (out of 784 pixels at 1.0) have no style to read.


def _as_batch(images: np.ndarray) -> np.ndarray:
    x = np.asarray(images, dtype=np.float64)
    return x.reshape(len(x), x.shape[1], x.shape[2])


def digit_slant(images: np.ndarray) -> np.ndarray:
    """``-mu11 / mu02`` of each image ``(N, h, w[, 1])``, the shear deskewing removes: 0 upright, > 0 leaning right."""
    x = _as_batch(images)
    rows, cols = np.mgrid[:x.shape[1], :x.shape[2]]
    mass = x.sum(axis=(1, 2))
    safe = np.maximum(mass, 1e-12)
    # Offsets from the centre of mass, along rows and along columns.
    dr, dc = (grid[None] - ((x * grid).sum(axis=(1, 2)) / safe)[:, None, None] for grid in (rows, cols))
    mu11, mu02 = (x * dr * dc).sum(axis=(1, 2)), (x * dr * dr).sum(axis=(1, 2))
    return np.where(mass >= MIN_INK, -mu11 / np.maximum(mu02, 1e-12), np.nan)


def stroke_width(images: np.ndarray) -> np.ndarray:
    """``2 * ink / edge`` of each image in pixels (edge: summed absolute differences of neighbours; a stroke of
    length L and width w has ink L w and edge about 2 L)."""
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
    """``{"slant": r, "width": r, "slant_gain": slope, "width_gain": slope}`` of outputs on inputs within each group
    (a label), averaged over the groups with at least 3 digits."""
    groups, result = np.asarray(groups), {}
    for name, measure in {"slant": digit_slant, "width": stroke_width}.items():
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
