"""The MNIST study's results (``tutorials/mnist_autoencoders.py``): one section per experiment; ``code_space``
is keyed by :data:`CODE_MODELS`' keys, ``compression`` by the code size, ``anomaly_auroc`` by ``mnist_vs_KEY``
(:func:`~keras_autoencoders.evaluation.anomaly.anomaly_aurocs`, keys of its ``SCORED_SETS``)."""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping

import numpy as np

from keras_autoencoders.records import ResultsRecord

CODE_MODELS = {"autoencoder": "autoencoder", "vae": "VAE (z_mean)"}  #: The 2-d code spaces of slides 7-9: key -> title.


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

    def headline(self) -> dict[str, Any]:
        denoising, vae, conv, on_demand = self.denoising, self.vae_generation, self.conv_vae, self.digits_on_demand
        return {"denoising: PSNR noisy -> denoised (dB)":
                    f"{denoising['psnr_noisy_db']:.2f} -> {denoising['psnr_denoised_db']:.2f}",
                **{f"{key}: KL / energy distance to N(0, I), kNN accuracy":
                   f"{c['kl_to_standard_normal']:.3f} / {c['energy_distance_to_standard_normal']:.3f}, "
                   f"{c['knn_accuracy']:.3f}" for key, c in self.code_space.items()},
                "AE vs PCA test MSE by code size": ", ".join(f"{k}: {v['ae_test_mse']:.4f} vs {v['pca_test_mse']:.4f}"
                                                             for k, v in self.compression.items()),
                "5-d VAE digits read with confidence (real digits)":
                    f"{vae['confident_fraction']:.3f} ({self.real_test_digits['confident_fraction']:.3f})",
                "conv VAE digits read with confidence": conv["confident_fraction"],
                **({"conv VAE reconstructions read as their input": conv["reconstructions_read_as_input"]}
                   if "reconstructions_read_as_input" in conv else {}),  # runs before Dec 2026 lack it
                "CVAE fives / sevens read as 5 / 7": f"{on_demand['read_as_5']:.3f} / {on_demand['read_as_7']:.3f}",
                **{f"anomaly AUROC {k}": v for k, v in self.anomaly_auroc.items()}}


def study_samples(cvae_samples: Mapping[str, np.ndarray],
                  unconditional: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The study's ``samples.npz``: the CVAE's arrays as Part 4's (``gen_0`` .. ``gen_9``, ``rec``, ``style``),
    and ``NAME_prior``, ``NAME_rec`` for each unconditional VAE (name -> its arrays)."""
    return {**cvae_samples, **{f"{name}_{kind}": array for name, arrays in unconditional.items()
                               for kind, array in arrays.items()}}
