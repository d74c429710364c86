"""What the explorer computes for the MNIST study's code maps and the faces study's smile vector.

* :class:`CodeMapExplorer`: the 2-d codes of the test digits under the plain AE and the VAE
  (slides 7-9), each drawn as a map; a click decodes the code under the pointer, so the AE's
  holes show beside the VAE's continuous space.
* :class:`SmileExplorer`: a validation face with the study's smile vector added ``amount`` times.
"""
from __future__ import annotations

import dataclasses
import os
import pathlib

import numpy as np

#: tab10's colours (matplotlib's default cycle), one per digit, as 0-255 RGB.
DIGIT_COLOURS = np.array([[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
                          [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]],
                         dtype="uint8")


def code_map_picture(codes: np.ndarray, labels: np.ndarray, limit: float, size: int = 420) -> np.ndarray:
    """``(size, size, 3)`` uint8: each 2-d code a 3x3 dot in its digit's colour on white, x to the right and
    y up over [-limit, limit]."""
    picture = np.full((size, size, 3), 255, dtype="uint8")
    columns, rows = _to_pixels(np.asarray(codes, dtype="float64"), limit, size)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            picture[np.clip(rows + dr, 0, size - 1), np.clip(columns + dc, 0, size - 1)] = \
                DIGIT_COLOURS[np.asarray(labels, dtype=int) % 10]
    return picture


def _to_pixels(codes: np.ndarray, limit: float, size: int) -> tuple[np.ndarray, np.ndarray]:
    scaled = (codes + limit) / (2 * limit) * (size - 1)
    return np.round(scaled[:, 0]).astype(int).clip(0, size - 1), np.round(size - 1 - scaled[:, 1]).astype(int).clip(
        0, size - 1)


@dataclasses.dataclass
class CodeMapExplorer:
    """``models[name] = (encoder, decoder)`` with 2-d codes (the AE's encoder, the VAE's z_meaner)."""

    models: dict
    x_test: np.ndarray
    y_test: np.ndarray
    size: int = 420

    def __post_init__(self):
        self.codes = {name: np.asarray(encoder.predict(self.x_test, batch_size=1000, verbose=0))
                      for name, (encoder, _) in self.models.items()}
        self.limits = {name: 1.05 * float(np.abs(codes).max()) for name, codes in self.codes.items()}

    def picture(self, name: str) -> np.ndarray:
        return code_map_picture(self.codes[name], self.y_test, self.limits[name], self.size)

    def code_at(self, name: str, x: float, y: float, width: int, height: int) -> np.ndarray:
        """The 2-d code under pixel ``(x, y)`` of the ``width`` x ``height`` map of ``name``."""
        limit = self.limits[name]
        return np.array([-limit + 2 * limit * x / (width - 1), limit - 2 * limit * y / (height - 1)], dtype="float32")

    def decode(self, name: str, code: np.ndarray) -> np.ndarray:
        """The digit ``name``'s decoder draws at ``code``: ``(28, 28)``."""
        _, decoder = self.models[name]
        return np.asarray(decoder.predict_on_batch(np.asarray(code, dtype="float32")[None]))[0, ..., 0]


@dataclasses.dataclass
class SmileExplorer:
    """The faces study's autoencoder, validation faces, and the smile vector fitted on their codes."""

    encoder: object
    decoder: object
    faces: np.ndarray
    smiling: np.ndarray  # 1 smiling, 0 not, -1 unlabelled

    def __post_init__(self):
        from keras_autoencoders.generate.code_arithmetic import attribute_vector

        self.codes = np.asarray(self.encoder.predict(self.faces, batch_size=512, verbose=0))
        labelled = self.smiling >= 0
        self.vector = attribute_vector(self.codes[labelled], self.smiling[labelled] == 1)

    def with_smile(self, index: int, amount: float) -> np.ndarray:
        """Validation face ``index``'s code plus ``amount`` smile vectors, decoded: ``(h, w, 3)``."""
        if not 0 <= index < len(self.faces):
            raise IndexError(f"validation face {index}: pick one of 0 .. {len(self.faces) - 1}")
        code = self.codes[index] + np.float32(amount) * self.vector
        return np.asarray(self.decoder.predict_on_batch(code[None]))[0]


def load_code_map_explorer(run_dir: str | os.PathLike, data_dir: str | None = None) -> CodeMapExplorer:
    """The MNIST study's 2-d AE (``model/ae_2.keras``) and VAE (``model/vae_2.keras``) of a run folder."""
    import keras

    from keras_autoencoders.data.mnist import load_mnist_digits
    from keras_autoencoders.model_files import register_saved_classes

    register_saved_classes()
    folder = pathlib.Path(run_dir)
    ae = keras.saving.load_model(folder / "model" / "ae_2.keras", compile=False)
    vae = keras.saving.load_model(folder / "model" / "vae_2.keras", compile=False).article_models()
    digits = load_mnist_digits(data_dir, allow_sample=True)
    return CodeMapExplorer({"autoencoder": (ae.get_layer("encoder"), ae.get_layer("decoder")),
                            "VAE (z_mean)": (vae["z_meaner"], vae["decoder"])}, digits.x_test, digits.y_test)


def load_smile_explorer(model_file: str | os.PathLike, data_dir: str | None = None, image_size: int = 32,
                        crop_fraction: float = 0.36, validation_fraction: float = 0.2, seed: int = 0) -> SmileExplorer:
    """The faces study's autoencoder (a run's ``model/face_ae.keras`` or the shipped one) on the LFW
    validation faces of the study's split (its defaults)."""
    import keras

    from keras_autoencoders.data.image_pipeline import first_images
    from keras_autoencoders.data.lfw import load_lfw_index

    model = keras.saving.load_model(model_file, compile=False)
    validation = load_lfw_index(data_dir, validation_fraction=validation_fraction, seed=seed).split("validation")
    faces, _ = first_images(validation, len(validation), image_size=image_size, crop_fraction=crop_fraction)
    return SmileExplorer(model.get_layer("encoder"), model.get_layer("decoder"), faces, validation.smiling)
