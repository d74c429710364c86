"""What the explorer computes for the CelebA CVAE: new faces under chosen attributes, and a test
face's attributes edited one slider at a time (the article's edits, any attribute, any amount)."""
from __future__ import annotations

import dataclasses
import os
import pathlib
from typing import Mapping

import numpy as np


@dataclasses.dataclass
class FaceAttributeExplorer:
    """A CelebA CVAE's decoder and z_meaner, the attribute names, test faces with their 0/1
    conditions, and ``base`` (the training set's attribute frequencies: a typical face)."""

    decoder: object
    z_meaner: object
    latent_dim: int
    names: tuple[str, ...]
    faces: np.ndarray
    conditions: np.ndarray
    base: np.ndarray
    codes_shown: int = 6
    seed: int = 0

    def __post_init__(self):
        self.prior_codes = np.random.default_rng(self.seed).standard_normal(
            (self.codes_shown, self.latent_dim)).astype("float32")

    def condition(self, values: Mapping[str, float], start: np.ndarray | None = None) -> np.ndarray:
        """``start`` (default :attr:`base`) with the named attributes set to ``values``."""
        condition = np.array(self.base if start is None else start, dtype="float32")
        for name, value in values.items():
            if name not in self.names:
                raise KeyError(f"unknown attribute {name!r}")
            condition[self.names.index(name)] = value
        return condition

    def new_faces(self, values: Mapping[str, float]) -> np.ndarray:
        """The same :attr:`codes_shown` codes from N(0, I), decoded under ``values``: ``(n, h, w, 3)``."""
        condition = np.repeat(self.condition(values)[None], len(self.prior_codes), axis=0)
        return np.asarray(self.decoder.predict_on_batch([self.prior_codes, condition]))

    def edit(self, index: int, values: Mapping[str, float]) -> np.ndarray:
        """Test face ``index`` encoded with its own attributes and decoded with ``values`` set: ``(h, w, 3)``."""
        if not 0 <= index < len(self.faces):
            raise IndexError(f"test face {index}: pick one of 0 .. {len(self.faces) - 1}")
        own = self.conditions[index:index + 1].astype("float32")
        z = np.asarray(self.z_meaner.predict_on_batch([self.faces[index:index + 1], own]))
        return np.asarray(self.decoder.predict_on_batch([z, self.condition(values, own[0])[None]]))[0]


def load_face_explorer(run_dir: str | os.PathLike, data_dir: str | None = None, faces: int = 64) -> FaceAttributeExplorer:
    """The CelebA CVAE of a run folder (``model/celeba_cvae.keras``) with the first ``faces`` test faces of
    the CelebA folder (``data_dir``, else the usual lookup), at the run's image size."""
    import json

    import keras

    from keras_autoencoders.data.celeba import load_celeba_index
    from keras_autoencoders.data.image_pipeline import first_images
    from keras_autoencoders.model_files import register_saved_classes

    register_saved_classes()
    folder = pathlib.Path(run_dir)
    model = keras.saving.load_model(folder / "model" / "celeba_cvae.keras", compile=False)
    settings = json.loads((folder / "results.json").read_text())["settings"] if (folder / "results.json").is_file() \
        else {}
    index = load_celeba_index(data_dir or settings.get("data_dir"), seed=settings.get("seed", 0))
    if settings.get("max_images"):
        index = index.select(np.arange(min(settings["max_images"], len(index))))
    size = int(model.decoder.outputs[0].shape[1])
    test_faces, test_conditions = first_images(index.split("test"), faces, image_size=size)
    parts = model.article_models()
    return FaceAttributeExplorer(parts["decoder"], parts["z_meaner"], int(parts["decoder"].inputs[0].shape[-1]),
                                 tuple(index.attribute_names), test_faces, test_conditions,
                                 index.split("train").conditions().mean(axis=0))
