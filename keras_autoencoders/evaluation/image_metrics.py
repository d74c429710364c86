"""Image numbers: sharpness (Part 6, "Результаты"), what a GAN can cost (collapse, lost style), MSE, PSNR."""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np


def image_sharpness(images: np.ndarray) -> float:
    """Mean absolute difference between neighbouring pixels (both axes) of ``(N, h, w[, channels])`` images:
    low for blurred strokes, high for crisp ones (and for speckle: read it beside a classifier's accuracy)."""
    x = np.asarray(images, dtype=np.float32)
    x = x.reshape(len(x), x.shape[1], x.shape[2], -1)  # (N, h, w, channels): digits or colour faces
    # The mean over all pixel pairs; differences in float32, sums in float64 (20x faster than float64 throughout).
    dy = np.abs(x[:, 1:] - x[:, :-1]).mean(dtype=np.float64)
    dx = np.abs(x[:, :, 1:] - x[:, :, :-1]).mean(dtype=np.float64)
    return float((dx + dy) / 2)


def relative_sharpness(images: np.ndarray, reference: np.ndarray) -> float:
    """:func:`image_sharpness` of ``images`` over that of ``reference`` (real digits): 1 = as sharp."""
    return image_sharpness(images) / image_sharpness(reference)


def within_label_variety(images: np.ndarray, labels: np.ndarray, per_label: int = 200, seed: int = 0) -> float:
    """Mean Euclidean distance between two digits of the same label (up to ``per_label`` each, chosen with
    ``seed``), averaged over labels: near 0 for a collapsed generator; compare with real digits."""
    x, labels = np.asarray(images, dtype=np.float64).reshape(len(images), -1), np.asarray(labels).astype(int)
    rng, means = np.random.default_rng(seed), []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))[:per_label]
        if len(members) < 2:
            continue
        v = x[members]
        sq = (v * v).sum(axis=1)
        d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * v @ v.T, 0.0)
        iu = np.triu_indices(len(v), k=1)
        means.append(np.sqrt(d2[iu]).mean())
    return float(np.mean(means))


def style_retention(inputs: np.ndarray, reconstructed: np.ndarray, labels: np.ndarray,
                    seed: int = 0) -> dict[str, float]:
    """Does a reconstruction look like its input or only its label? ``mse_own`` to the input, ``mse_same_label`` to
    another of its label (seeded), ``ratio``: near 1 when only the label survives, well below when style is kept."""
    x = np.asarray(inputs, dtype=np.float64).reshape(len(inputs), -1)
    r = np.asarray(reconstructed, dtype=np.float64).reshape(len(reconstructed), -1)
    labels = np.asarray(labels).astype(int)
    rng, other = np.random.default_rng(seed), np.arange(len(x))
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) > 1:
            shuffled = rng.permutation(members)  # a cyclic shift of a random order pairs every digit with another
            other[shuffled] = np.roll(shuffled, 1)
    own, same_label = float(((r - x) ** 2).mean()), float(((r - x[other]) ** 2).mean())
    return {"mse_own": own, "mse_same_label": same_label, "ratio": own / same_label}


def decoded_reconstruction_mse(z_meaner: Callable, decoder: Callable,
                               batches: Iterable[tuple[np.ndarray, np.ndarray]]) -> float:
    """Mean squared error per value of ``decoder([z_mean, c])`` against the images over every ``(images,
    conditions)`` batch of ``batches`` (e.g. a streamed test split)."""
    total, count = 0.0, 0
    for images, conditions in batches:
        images, conditions = np.asarray(images, dtype="float32"), np.asarray(conditions, dtype="float32")
        decoded = np.asarray(decoder([np.asarray(z_meaner([images, conditions])), conditions]))
        total += float(np.sum((decoded.astype(np.float64) - images) ** 2))
        count += images.size
    return total / max(count, 1)


def psnr(clean: np.ndarray, other: np.ndarray, data_range: float = 1.0, *, max_db: float = 100.0) -> float:
    """Peak signal-to-noise ratio in dB, the mean over images (first axis) of 10 log10(range^2 / MSE_i), each
    capped at ``max_db`` (an image equal to its clean version has infinite PSNR)."""
    a, b = np.asarray(clean, dtype=np.float64), np.asarray(other, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"psnr needs arrays of one shape, got {a.shape} and {b.shape}")
    if a.ndim < 2 or len(a) == 0:
        raise ValueError(f"psnr needs images (N, ...) with N >= 1, got shape {a.shape}")
    if data_range <= 0:
        raise ValueError(f"data_range must be positive, got {data_range}")
    mse = ((a - b) ** 2).reshape(len(a), -1).mean(axis=1)
    with np.errstate(divide="ignore"):
        per_image = 10.0 * np.log10(data_range ** 2 / mse)
    return float(np.mean(np.minimum(per_image, max_db)))


def add_gaussian_noise(images: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    """``images`` plus N(0, sigma^2) noise on every value (drawn with ``seed``), clipped to [0, 1], as float32;
    integer images (uint8 pixels) are divided by 255 first."""
    if sigma < 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    x = np.asarray(images)
    x = x.astype(np.float32) / np.float32(255.0) if np.issubdtype(x.dtype, np.integer) else x.astype(np.float32)
    noise = np.random.default_rng(seed).standard_normal(x.shape, dtype=np.float32) * np.float32(sigma)
    return np.clip(x + noise, 0.0, 1.0)


def _squared_errors(images: np.ndarray, others: np.ndarray, caller: str) -> np.ndarray:
    """``(N, values)`` float64 squared differences of two image sets with as many values per image."""
    a, b = np.asarray(images, dtype=np.float64), np.asarray(others, dtype=np.float64)
    if a.size != b.size or len(a) != len(b):
        raise ValueError(f"{caller} needs matching arrays, got {a.shape} and {b.shape}")
    return (a.reshape(len(a), -1) - b.reshape(len(b), -1)) ** 2


def rms_distances(images: np.ndarray, others: np.ndarray) -> np.ndarray:
    """The float64 RMS pixel distance between each image and its counterpart in ``others``."""
    return np.sqrt(_squared_errors(images, others, "rms_distances").mean(axis=1))


def reconstruction_mse(x: np.ndarray, reconstructed: np.ndarray) -> float:
    """Mean squared error per value between inputs and their reconstructions (same number of values each)."""
    return float(np.mean(_squared_errors(x, reconstructed, "reconstruction_mse")))


def denoising_numbers(denoiser: Any, clean: np.ndarray, noisy: np.ndarray, noise_sigma: float, test_loss: float,
                      clean_trained: Any = None) -> tuple[dict[str, float], np.ndarray]:
    """The study's denoising (slide 6), and the denoised digits: :func:`psnr` against ``clean`` of the ``noisy`` digits,
    of the ``denoiser``'s outputs and of ``clean_trained``'s (trained on clean digits: ``psnr_clean_trained_ae_db``)."""
    denoised = denoiser.predict(noisy, verbose=0)
    numbers = {"noise_sigma": noise_sigma, "psnr_noisy_db": psnr(clean, noisy),
               "psnr_denoised_db": psnr(clean, denoised), "test_loss": test_loss}
    if clean_trained is not None:
        numbers["psnr_clean_trained_ae_db"] = psnr(clean, clean_trained.predict(noisy, verbose=0))
    return numbers, denoised
