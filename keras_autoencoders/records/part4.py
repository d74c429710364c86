"""Part 4's results (``tutorials/part4_cvae.py``): the toy manifold and the CVAE's digits."""
from __future__ import annotations

import dataclasses
from typing import Any

from keras_autoencoders.records import ResultsRecord

TOY_MODELS = {"deep_ae": False, "conditional_deep_ae": True}  #: Part 4's toy autoencoders: record key -> conditional?


@dataclasses.dataclass
class Part4Results(ResultsRecord):
    """``toy_manifold[name]``: :func:`~keras_autoencoders.evaluation.toy_curves.toy_manifold_distances` per
    :data:`TOY_MODELS` name; ``digits``: :func:`~keras_autoencoders.evaluation.digit_generators.compare_generators`."""

    history: dict[str, list[float]]
    toy_manifold: dict[str, dict[str, float]]
    digits: dict[str, Any]
    manifold_render_seconds: float
    snapshot_render_seconds: float = 0.0
    snapshot_epochs: list[int] = dataclasses.field(default_factory=list)

    def headline(self) -> dict[str, Any]:
        return {"test loss": self.history["val_loss"][-1],
                "digits from N(0, I) read as their label": self.digits["label_accuracy"],
                "style transfer read as the target label": self.digits["style_transfer_accuracy"],
                "toy: plain / conditional AE distance to the curves": " / ".join(
                    f"{self.toy_manifold[k]['mean_distance_to_nearest_curve']:.3f}" for k in TOY_MODELS)}
