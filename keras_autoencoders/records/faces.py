"""The faces study's results (``tutorials/faces_autoencoder.py``): one section per experiment."""
from __future__ import annotations

import dataclasses
from typing import Any

from keras_autoencoders.records import ResultsRecord


@dataclasses.dataclass
class FacesResults(ResultsRecord):
    """``smile_vector["judged_smiling_by_step"]`` is keyed by the step as text ("0.0", "0.5", ...)."""

    splits: dict[str, int]  # images per split, and the people held out
    reconstruction: dict[str, Any]  # the autoencoder's validation MSE and its validation losses
    new_faces: dict[str, float]  # the autoencoder's faces from a Gaussian fitted to its codes
    smile_vector: dict[str, Any]  # the smile judge, and the faces it reads as smiling per step of the vector
    vae: dict[str, Any]  # the VAE's faces from N(0, I): loss, nearest training face, sharpness, smiles
    # a CNN's held-out accuracy telling the validation faces from as many new faces of the autoencoder, and from
    # their reconstructions (0.5: it cannot; evaluation.two_sample); empty in runs made before this test
    photos: dict[str, Any] = dataclasses.field(default_factory=dict)

    def headline(self) -> dict[str, Any]:
        smiling = self.smile_vector["judged_smiling_by_step"]
        return {"validation MSE per pixel value": self.reconstruction["validation_mse"],
                "new faces: nearest training face distance (real validation faces)":
                    f"{self.new_faces['nearest_training_distance_new']:.3f} "
                    f"({self.new_faces['nearest_training_distance_real_validation']:.3f})",
                "non-smiling faces judged smiling: decoded -> with the smile vector":
                    f"{smiling['0.0']:.2f} -> {smiling['1.0']:.2f} (x2: {smiling['2.0']:.2f})",
                "VAE vs AE new faces: sharpness relative to real":
                    f"{self.vae['relative_sharpness']:.2f} vs {self.new_faces['relative_sharpness']:.2f}"}
