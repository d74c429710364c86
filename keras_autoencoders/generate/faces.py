"""Faces on demand from the CelebA CVAE, one batched decoder call each: "Генерируем новые лица" (chosen attributes),
"От улыбки станет мир светлей" (a real face's z_mean decoded with changed attributes: a smile, male, glasses)."""
from __future__ import annotations

from typing import Mapping, Sequence

import keras
import numpy as np

Setting = Mapping[int, float]  #: ``{column: value}``: the attributes to set in a condition vector.


def with_attributes(conditions: np.ndarray, setting: Setting) -> np.ndarray:
    """A copy of ``conditions`` (one vector or a batch) with the columns of ``setting`` set."""
    changed = np.array(conditions, dtype="float32", copy=True)
    for column, value in setting.items():
        changed[..., column] = value
    return changed


def faces_for_settings(decoder: keras.Model, codes: np.ndarray, base_condition: np.ndarray,
                       settings: Mapping[str, Setting]) -> np.ndarray:
    """``(len(settings), len(codes), h, w, 3)``: the same codes decoded under each setting, ``base_condition`` (the
    tutorial: the training set's attribute frequencies) filling the other attributes."""
    codes = np.asarray(codes, dtype="float32")
    conditions = np.stack([with_attributes(base_condition, s) for s in settings.values()])
    decoded = decoder.predict_on_batch([np.tile(codes, (len(settings), 1)), np.repeat(conditions, len(codes), axis=0)])
    return np.asarray(decoded).reshape(len(settings), len(codes), *decoded.shape[1:])


def edit_faces(z_meaner: keras.Model, decoder: keras.Model, images: np.ndarray,
               conditions: np.ndarray, edits: Mapping[str, Setting]) -> dict[str, np.ndarray]:
    """Real faces' z_mean decoded with their own attributes (``"reconstruction"``) and with each edit."""
    conditions = np.asarray(conditions, dtype="float32")
    z = np.asarray(z_meaner.predict_on_batch([np.asarray(images, "float32"), conditions]))
    variants = {"reconstruction": conditions, **{name: with_attributes(conditions, s) for name, s in edits.items()}}
    decoded = np.asarray(decoder.predict_on_batch([np.tile(z, (len(variants), 1)),
                                                   np.concatenate(list(variants.values()))]))
    return dict(zip(variants, np.split(decoded, len(variants))))


def interpolate_faces(z_meaner: keras.Model, decoder: keras.Model, images: np.ndarray,
                      conditions: np.ndarray, steps: int = 8) -> np.ndarray:
    """``(steps, h, w, 3)``: from the first face to the second, moving z and the attributes linearly."""
    if len(images) != 2:
        raise ValueError(f"interpolate_faces needs exactly two faces; got {len(images)}")
    if steps < 2:
        raise ValueError(f"steps must be at least 2; got {steps}")
    conditions = np.asarray(conditions, dtype="float32")
    z = np.asarray(z_meaner.predict_on_batch([np.asarray(images, "float32"), conditions]))
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return np.asarray(decoder.predict_on_batch([(1 - t) * z[0] + t * z[1],
                                                (1 - t) * conditions[0] + t * conditions[1]]))


def settings_by_name(attribute_names: Sequence[str],
                     wanted: Mapping[str, Mapping[str, float]]) -> dict[str, dict[int, float]]:
    """``{label: {attribute name: value}}`` as column settings, except those naming an attribute the data lacks."""
    names = list(attribute_names)
    return {label: {names.index(n): float(v) for n, v in setting.items()}
            for label, setting in wanted.items() if all(n in names for n in setting)}
