"""Shared test setup: seeds, and the offline data folder when it sits beside the repository."""
import os
import pathlib

import numpy as np
import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

if SHARED_DATA.is_dir() and "KERAS_AUTOENCODERS_DATA" not in os.environ:
    os.environ["KERAS_AUTOENCODERS_DATA"] = str(SHARED_DATA)


@pytest.fixture(autouse=True)
def _seed_everything():
    import keras

    keras.utils.set_random_seed(1234)
    np.random.seed(1234)
    yield


@pytest.fixture
def mnist_npz_path():
    """Path of a full MNIST npz, or skip when no copy is available offline."""
    folder = os.environ.get("KERAS_AUTOENCODERS_DATA")
    path = pathlib.Path(folder) / "mnist.npz" if folder else None
    if path is None or not path.is_file():
        pytest.skip("no full MNIST copy (set KERAS_AUTOENCODERS_DATA)")
    return path
