"""Shared test setup: seeds, and the offline data folder when it sits beside the repository."""
import os
import pathlib

import numpy as np
import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

if SHARED_DATA.is_dir() and "KERAS_AUTOENCODERS_DATA" not in os.environ:
    os.environ["KERAS_AUTOENCODERS_DATA"] = str(SHARED_DATA)


#: Modules whose tests run a tutorial end to end (minutes each), longest first. With ``-n 2`` and
#: ``--dist worksteal`` (pyproject.toml) each process starts with half of the collection order, so
#: one takes these while the other runs the quick tests; whichever runs out first takes tests from
#: the other's queue. Started first, no long test is left to run alone at the end (the full suite
#: here: 12 min 27 s, against 16 min 7 s for nearly the same tree with ``--dist load``).
LONGEST_FIRST = ("test_notebooks.py", "test_tutorial_part6.py", "test_tutorial_celeba.py", "test_tutorial_part4.py",
                 "test_explore_browser.py")


def pytest_collection_modifyitems(config, items):
    """Order the tests: the tutorial runs of ``LONGEST_FIRST``, then the other slow tests, then the rest
    (each group in its collection order)."""
    def rank(item):
        module = item.path.name
        if module in LONGEST_FIRST:
            return LONGEST_FIRST.index(module)
        return len(LONGEST_FIRST) + (0 if item.get_closest_marker("slow") else 1)

    items.sort(key=rank)
    _skip_bfloat16_where_onednn_refuses_it(items)


def _skip_bfloat16_where_onednn_refuses_it(items):
    """Skip the ``bfloat16`` tests (models that compute in mixed bfloat16) where TensorFlow cannot run
    them: a CPU with bfloat16 units capped below them by ``ONEDNN_MAX_CPU_ISA`` (as when checking a
    CPU-capped run; :attr:`~keras_autoencoders.machine.Machine.onednn_refuses_bfloat16`). On a CPU
    without bfloat16 units they run, on TensorFlow's own slower kernels."""
    from keras_autoencoders.machine import read_machine

    machine = read_machine()
    if machine.onednn_refuses_bfloat16:
        skip = pytest.mark.skip(reason=f"TensorFlow's oneDNN refuses bfloat16 convolutions under "
                                       f"{machine.isa_caps[0]} on this CPU")
        for item in items:
            if item.get_closest_marker("bfloat16"):
                item.add_marker(skip)


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


@pytest.fixture(scope="session")
def full_mnist_digits():
    """Full MNIST as :class:`MnistDigits` (loaded once per session), or skip when no copy is available."""
    from keras_autoencoders.data.mnist import load_mnist_digits

    try:
        return load_mnist_digits()
    except Exception:  # noqa: BLE001 - any failure means no full copy offline
        pytest.skip("no full MNIST copy (set KERAS_AUTOENCODERS_DATA)")


@pytest.fixture
def run_tutorial():
    """Run ``tutorials/SCRIPT`` with arguments in a new process, as a user does; return the finished process."""
    import subprocess
    import sys

    def run(script, *args, timeout=900):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPO_ROOT)}  # this checkout's library
        return subprocess.run([sys.executable, str(REPO_ROOT / "tutorials" / script), *map(str, args)],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    return run


@pytest.fixture
def small_mnist_folder(tmp_path):
    """A folder holding an ``mnist.npz`` of 2,000 training and 1,000 test digits (the bundled sample)."""
    from keras_autoencoders.data.mnist import load_sample, write_mnist_npz

    sample = load_sample()
    data = tmp_path / "data"
    write_mnist_npz(data / "mnist.npz", sample.x_train[:2000], sample.y_train[:2000],
                    sample.x_test, sample.y_test)
    return data


def _check_samples_contract(path):
    """Assert that ``path`` holds the ``samples.npz`` arrays the README promises."""
    with np.load(path) as samples:
        for c in range(10):
            gen = samples[f"gen_{c}"]
            assert gen.shape == (1000, 28, 28) and 0 <= gen.min() and gen.max() <= 1
        assert samples["rec"].shape == (1000, 28, 28)
        assert samples["style"].shape == (10, 10, 28, 28)


@pytest.fixture
def check_samples_contract():
    return _check_samples_contract


def _check_projector(out, model_name, data_dir):
    """A digit tutorial's ``logs/projector``: TensorBoard's latest checkpoint holds the saved model's
    z_mean of every test digit, and the sprite tiles every test digit."""
    import keras
    import tensorflow as tf

    from keras_autoencoders.data.mnist import load_mnist_digits
    from keras_autoencoders.generate.manifold import z_means
    from keras_autoencoders.plotting.projector import TENSOR_NAME
    from keras_autoencoders.model_files import register_saved_classes

    folder = pathlib.Path(out) / "logs" / "projector"
    assert (folder / "projector_config.pbtxt").is_file() and (folder / "metadata.tsv").is_file()
    digits = load_mnist_digits(data_dir)
    register_saved_classes()
    z_meaner = keras.saving.load_model(pathlib.Path(out) / "model" / f"{model_name}.keras").article_models()["z_meaner"]
    codes = tf.train.load_checkpoint(tf.train.latest_checkpoint(str(folder))).get_tensor(TENSOR_NAME)
    np.testing.assert_allclose(codes, z_means(z_meaner, digits.x_test, digits.y_test), atol=1e-5)
    side = int(np.ceil(np.sqrt(len(digits.x_test)))) * 28
    import imageio.v3 as iio

    assert iio.imread(folder / "sprite.png").shape == (side, side)


@pytest.fixture
def check_projector():
    return _check_projector
