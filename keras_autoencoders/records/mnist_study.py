"""The MNIST study's results (``tutorials/mnist_autoencoders.py``): one section per experiment.

``code_space`` is keyed by :data:`CODE_MODELS`' keys, ``anomaly_auroc`` by ``mnist_vs_KEY``
(:func:`~keras_autoencoders.evaluation.anomaly.anomaly_aurocs`, keys of
:data:`~keras_autoencoders.evaluation.anomaly.SCORED_SETS`), ``compression`` by the code size.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from keras_autoencoders.records import ResultsRecord

#: The 2-d code spaces compared (slides 7-9): key -> the panel title of the figure.
CODE_MODELS = {"autoencoder": "autoencoder", "vae": "VAE (z_mean)"}


@dataclasses.dataclass
class MNISTStudyResults(ResultsRecord):
    """One field per section of the study; ``conv_vae`` and ``vae_generation`` hold
    :func:`~keras_autoencoders.evaluation.digit_generators.unconditional_numbers` and the test loss."""

    judge: dict[str, float]
    compression: dict[str, dict[str, float]]
    denoising: dict[str, float]
    code_space: dict[str, dict[str, float]]
    vae_generation: dict[str, Any]
    conv_vae: dict[str, Any]
    digits_on_demand: dict[str, float]
    anomaly_auroc: dict[str, float]
    real_test_digits: dict[str, Any]
