"""The faces study's results (``tutorials/faces_autoencoder.py``): one section per experiment."""
from __future__ import annotations

import dataclasses
from typing import Any

from keras_autoencoders.records import ResultsRecord


@dataclasses.dataclass
class FacesResults(ResultsRecord):
    """``smile_vector["judged_smiling_by_step"]`` is keyed by the step as text ("0.0", "0.5", ...)."""

    splits: dict[str, int]
    reconstruction: dict[str, Any]
    new_faces: dict[str, float]
    smile_vector: dict[str, Any]
    vae: dict[str, Any]
