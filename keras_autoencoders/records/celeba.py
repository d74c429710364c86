"""The CelebA CVAE's results (``tutorials/celeba_cvae.py``): its edits, new faces and judge; ``edit_rates``
and ``generated_rates`` are keyed by :data:`EDITS`' and :data:`NEW_FACE_ROWS`' keys (labels are for figures)."""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Mapping

from keras_autoencoders.records import ResultsRecord

#: The attributes the judge (a small CNN trained on the real faces) reads: what an edit
#: changes, and what a reconstruction should keep (gender, smile, hair, skin colour).
JUDGED_ATTRIBUTES = ("Smiling", "Male", "Eyeglasses", "Blond_Hair", "Black_Hair", "Pale_Skin")


@dataclasses.dataclass(frozen=True)
class FaceEdit:
    """An attribute edit of real faces: the figure's ``label``, the attribute judged, the values set (0/1)."""

    label: str
    judged: str
    sets: Mapping[str, float]


#: key (``figures/edit_KEY.png``, ``edit_rates[KEY]``) -> the edit. Switching on "Male" alone barely changes a face:
#: the model ties maleness to the makeup and lipstick attributes, which are almost never set for men in CelebA, so
#: ``male`` switches those off too; ``male_only`` shows the difference.
EDITS = {
    "smile": FaceEdit("+ smile", "Smiling", {"Smiling": 1}),
    "male": FaceEdit("-> male (no makeup, no lipstick)", "Male", {"Male": 1, "Heavy_Makeup": 0, "Wearing_Lipstick": 0}),
    "male_only": FaceEdit("-> male (Male only)", "Male", {"Male": 1}),
    "glasses": FaceEdit("+ glasses", "Eyeglasses", {"Eyeglasses": 1})}

#: key (``generated_rates[KEY]``) -> (row label, the attributes it sets) of the new-faces figure;
#: the attributes a row leaves out take their frequency in the training set.
NEW_FACE_ROWS = {
    "woman_smiling": ("woman, smiling", {"Male": 0, "Smiling": 1}),
    "woman_not_smiling": ("woman, not smiling", {"Male": 0, "Smiling": 0}),
    "man_smiling": ("man, smiling", {"Male": 1, "Smiling": 1}),
    "man_glasses": ("man, glasses", {"Male": 1, "Eyeglasses": 1}),
    "woman_blond": ("woman, blond", {"Male": 0, "Blond_Hair": 1}),
    "man_black_hair": ("man, black hair", {"Male": 1, "Black_Hair": 1})}


@dataclasses.dataclass
class CelebAResults(ResultsRecord):
    """``judge``: its attributes, test accuracy and rates on real test faces, lists in the order of ``attributes`` (runs
    since Dec 2026 add ``balanced_accuracy``, :func:`~keras_autoencoders.evaluation.judges.balanced_accuracy` against
    CelebA's labels, and ``test_positives``, the judged test faces that have each); ``reconstruction_agreement``: per
    attribute, the share of test faces whose reconstruction the judge reads as the face, and
    ``reconstruction_balanced_agreement`` that share balanced between faces with and without the attribute (CelebA's
    label; :func:`~keras_autoencoders.evaluation.judges.balanced_agreement`); ``attribute_effects`` and ``edit_rates``
    (per :data:`EDITS` key): what the functions of those names in :mod:`keras_autoencoders.evaluation.judges` return."""

    splits: dict[str, int]
    skipped_images: list[str]
    history: dict[str, list[float]]
    test_loss: dict[str, float]
    test_reconstruction_mse: float
    train_images_per_second: float
    replicas: int
    judged_test_faces: int
    judge: dict[str, Any]
    generated_rates: dict[str, dict[str, float]]
    edit_rates: dict[str, dict[str, Any]]
    reconstruction_agreement: dict[str, float] = dataclasses.field(default_factory=dict)  # runs since Dec 2026
    # runs since Dec 2026:
    reconstruction_balanced_agreement: dict[str, float | None] = dataclasses.field(default_factory=dict)
    attribute_effects: dict[str, Any] = dataclasses.field(default_factory=dict)

    def headline(self) -> dict[str, Any]:
        smile = self.edit_rates.get("smile", {})
        return {"test loss": self.test_loss["loss"], "test reconstruction MSE": self.test_reconstruction_mse,
                "smile edit: judged smiling before -> after":
                    f"{smile.get('reconstruction', math.nan):.2f} -> {smile.get('edited', math.nan):.2f}"}
