"""The digit judge: one MNIST classifier (99.1% on full MNIST) that turns Part 4's and Part 6's "the requested digit"
into numbers. Trained once, it is cached under Keras' cache folder with a JSON of its test accuracy; a judge of the
bundled 5,000-digit sample is cached under its own name. Its 128-unit ``features`` layer gives the Fréchet distance."""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import tempfile
from dataclasses import dataclass
from typing import Optional

import keras

from keras_autoencoders.data.mnist import MnistDigits, load_mnist_digits
from keras_autoencoders.evaluation.judges import build_small_cnn, label_accuracy
from keras_autoencoders.model_files import load_model_file
from keras_autoencoders.run_folder import write_json

JUDGE_VERSION = 1  #: Bump when the architecture or training changes: old cached judges are then ignored.
JUDGE_EPOCHS = 5
JUDGE_BATCH_SIZE = 128
JUDGE_SEED = 0
FEATURES_LAYER = "features"  # the dense layer of build_small_cnn


def keras_cache_dir() -> pathlib.Path:
    """Keras' cache folder: ``$KERAS_HOME``, else ``~/.keras`` (as Keras, a temporary folder when home is read-only)."""
    if os.environ.get("KERAS_HOME"):
        return pathlib.Path(os.environ["KERAS_HOME"])
    home = pathlib.Path(os.path.expanduser("~")) / ".keras"
    if home.exists() and os.access(home, os.W_OK) or not home.exists() and os.access(home.parent, os.W_OK):
        return home
    return pathlib.Path(tempfile.gettempdir()) / ".keras"


def judge_path(cache_dir: Optional[os.PathLike] = None, sample: bool = False) -> pathlib.Path:
    """Where the judge trained on full MNIST (or on the bundled ``sample``) is cached."""
    folder = pathlib.Path(cache_dir) if cache_dir is not None else keras_cache_dir() / "models"
    return folder / f"keras_autoencoders_digit_judge_v{JUDGE_VERSION}{'_sample' if sample else ''}.keras"


def build_judge(seed: int = JUDGE_SEED) -> keras.Model:
    """:func:`build_small_cnn` with dropout 0.5 before and 0.3 after ``features``, softmax over 10 digits."""
    return build_small_cnn((28, 28, 1), 10, "softmax", "digit_judge", seed, dropout=(0.5, 0.3))


@dataclass
class DigitJudge:
    """A trained judge as cached: its ``model`` (the classifier every score reads digits with) and its numbers."""

    model: keras.Model
    test_accuracy: float
    trained_on: str
    path: Optional[pathlib.Path] = None

    def describe(self) -> dict:
        return {"test_accuracy": self.test_accuracy, "trained_on": self.trained_on, "version": JUDGE_VERSION,
                "epochs": JUDGE_EPOCHS, "seed": JUDGE_SEED}


def train_judge(digits: MnistDigits, epochs: int = JUDGE_EPOCHS, seed: int = JUDGE_SEED,
                verbose: int = 1) -> DigitJudge:
    """Train :func:`build_judge` on ``digits.x_train`` (seeded) and measure it on ``digits.x_test``."""
    keras.utils.set_random_seed(seed)
    model = build_judge(seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(digits.x_train, digits.y_train, batch_size=JUDGE_BATCH_SIZE, epochs=epochs, shuffle=True,
              verbose=2 if verbose else 0)  # a line per epoch
    return DigitJudge(model, label_accuracy(model, digits.x_test, digits.y_test), digits.source_label)


def shipped_judge_path() -> pathlib.Path:
    """The judge of full MNIST shipped with the repository (``figs/pretrained/``), as trained here."""
    from keras_autoencoders.pretrained import PRETRAINED_FOLDER

    return PRETRAINED_FOLDER / judge_path(PRETRAINED_FOLDER).name


def load_digit_judge(data_dir: Optional[os.PathLike] = None, *, cache_dir: Optional[os.PathLike] = None,
                     allow_sample: bool = False, digits: Optional[MnistDigits] = None,
                     use_shipped: bool = True, verbose: int = 1) -> DigitJudge:
    """The cached judge of full MNIST; else the shipped copy (``use_shipped``) copied into the cache; else one trained
    on ``digits`` (or MNIST from ``data_dir``, the bundled sample when ``allow_sample``) and cached in ``cache_dir``."""
    full = judge_path(cache_dir)
    if _is_cached(full):
        return _load(full)
    shipped = shipped_judge_path()
    if use_shipped and _is_cached(shipped):
        from keras_autoencoders.pretrained import verify_shipped

        verify_shipped(shipped)
        verify_shipped(shipped.with_suffix(".json"))
        full.parent.mkdir(parents=True, exist_ok=True)
        for source, target in ((shipped, full), (shipped.with_suffix(".json"), full.with_suffix(".json"))):
            partial = target.with_name(target.name + ".partial")
            shutil.copyfile(source, partial)
            os.replace(partial, target)  # the model first, its JSON last: complete once both are there
        return _load(full)
    if digits is None:
        digits = load_mnist_digits(data_dir, allow_sample=allow_sample)
    path = judge_path(cache_dir, sample=len(digits.x_train) < 60_000)  # the bundled sample, a quick preset's share
    if _is_cached(path):
        return _load(path)
    if verbose:
        print(f"Training the digit judge once ({JUDGE_EPOCHS} epochs of {len(digits.x_train)} digits); "
              f"it is cached in {path.parent}")
    judge = train_judge(digits, verbose=verbose)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.stem + ".partial.keras")  # the model, then its JSON: cached once both are complete
    judge.model.save(partial)
    os.replace(partial, path)
    write_json(path.with_suffix(".json"), judge.describe(), indent=1)
    judge.path = path
    return judge


def _is_cached(path: pathlib.Path) -> bool:
    return path.is_file() and path.with_suffix(".json").is_file()


def _load(path: pathlib.Path) -> DigitJudge:
    info = json.loads(path.with_suffix(".json").read_text())
    model = load_model_file(path, f"delete it and {path.with_suffix('.json').name}: the judge is then copied "
                                  "from figs/pretrained/ or trained again")
    return DigitJudge(model, info["test_accuracy"], info["trained_on"], path)
