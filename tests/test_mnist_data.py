"""Tests of the MNIST loader: where it looks, what it checks, and the bundled sample.

No test reaches the network: every test that could call the Keras download patches
``_keras_download`` to raise.
"""
import numpy as np
import pytest

from keras_autoencoders.data import mnist
from keras_autoencoders.data.locations import DATA_ENV_VAR, DataNotFoundError, candidate_files
from keras_autoencoders.arrays import one_hot
from keras_autoencoders.data.mnist import (
    SAMPLE_PATH,
    MnistArrays,
    load_mnist,
    prepare_images,
    write_mnist_npz,
)

OFFLINE_REASON = "no network in tests"


@pytest.fixture
def no_download(monkeypatch):
    """Make the Keras download fail, recording whether it was called."""
    calls = []

    def _fail():
        calls.append(1)
        raise ConnectionError(OFFLINE_REASON)

    monkeypatch.setattr(mnist, "_keras_download", _fail)
    return calls


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(DATA_ENV_VAR, raising=False)


def _tiny_arrays(n_train=12, n_test=5, seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        (np.arange(n_train) % 10).astype(np.uint8),
        rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        (np.arange(n_test) % 10).astype(np.uint8)[::-1].copy(),
    )


def _write_tiny(path, **overrides):
    arrays = dict(zip(("x_train", "y_train", "x_test", "y_test"), _tiny_arrays()))
    arrays.update(overrides)
    return write_mnist_npz(path, **arrays)


def _assert_same(data: MnistArrays, arrays):
    for got, want in zip((data.x_train, data.y_train, data.x_test, data.y_test), arrays):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)


# --------------------------------------------------------------------------- locations


def test_candidate_files_order(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "env"))
    places = candidate_files("mnist.npz", tmp_path / "arg")
    assert places == [
        ("argument", tmp_path / "arg" / "mnist.npz"),
        (f"environment variable {DATA_ENV_VAR}", tmp_path / "env" / "mnist.npz"),
    ]
    assert candidate_files("mnist.npz", tmp_path / "x" / "mnist.npz")[0][1] == tmp_path / "x" / "mnist.npz"
    monkeypatch.delenv(DATA_ENV_VAR)
    assert candidate_files("mnist.npz", None) == []


# --------------------------------------------------------------------------- finding the file


def test_load_from_data_dir_folder(tmp_path, no_download, no_env):
    path = _write_tiny(tmp_path / "mnist.npz")
    data = load_mnist(tmp_path)
    _assert_same(data, _tiny_arrays())
    assert str(path) in data.source
    assert not data.is_sample
    assert not no_download


def test_load_from_direct_file_path(tmp_path, no_download, no_env):
    path = _write_tiny(tmp_path / "sub" / "mnist.npz")
    data = load_mnist(str(path))
    _assert_same(data, _tiny_arrays())
    assert str(path) in data.source
    # A file with another name but the same suffix is also taken as the file itself.
    other = _write_tiny(tmp_path / "my_digits.npz")
    assert str(other) in load_mnist(other).source


def test_load_from_env_var(tmp_path, monkeypatch, no_download):
    path = _write_tiny(tmp_path / "mnist.npz")
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path))
    data = load_mnist()
    _assert_same(data, _tiny_arrays())
    assert str(path) in data.source
    assert not no_download


def test_argument_beats_env_var(tmp_path, monkeypatch, no_download):
    env_dir, arg_dir = tmp_path / "env", tmp_path / "arg"
    _write_tiny(env_dir / "mnist.npz")
    arg_file = write_mnist_npz(arg_dir / "mnist.npz", *_tiny_arrays(seed=1))
    monkeypatch.setenv(DATA_ENV_VAR, str(env_dir))
    data = load_mnist(arg_dir)
    assert data.source == str(arg_file)
    _assert_same(data, _tiny_arrays(seed=1))


def test_explicit_data_dir_missing_raises_at_once(tmp_path, monkeypatch, no_download):
    # Even with a valid copy in the env var folder, no silent fallback.
    env_dir = tmp_path / "env"
    _write_tiny(env_dir / "mnist.npz")
    monkeypatch.setenv(DATA_ENV_VAR, str(env_dir))
    missing = tmp_path / "nowhere"
    with pytest.raises(DataNotFoundError) as info:
        load_mnist(missing, allow_sample=True)
    message = str(info.value)
    assert str(missing / "mnist.npz") in message
    assert "argument" in message
    assert isinstance(info.value, FileNotFoundError)
    assert not no_download


def test_nothing_anywhere_lists_every_place(no_download, no_env):
    with pytest.raises(DataNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert no_download == [1]
    assert f"environment variable {DATA_ENV_VAR}" in message
    assert "not set" in message
    assert "keras download" in message and OFFLINE_REASON in message
    assert "ConnectionError" in message
    # How to fix.
    assert "--data-dir" in message and "data_dir=" in message
    assert "download" in message.splitlines()[-1]
    lines = message.splitlines()
    assert lines[0].startswith("Could not find")
    assert sum(line.startswith("  - ") for line in lines) >= 2


def test_env_var_folder_missing_file_named_in_error(tmp_path, monkeypatch, no_download):
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path))
    with pytest.raises(DataNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert str(tmp_path / "mnist.npz") in message
    assert "no such file" in message
    assert OFFLINE_REASON in message


def test_download_disabled_is_not_called(no_download, no_env):
    with pytest.raises(DataNotFoundError) as info:
        load_mnist(download=False)
    assert not no_download
    assert "download=False" in str(info.value)


def test_download_result_is_used_and_validated(monkeypatch, no_env):
    arrays = _tiny_arrays()
    monkeypatch.setattr(mnist, "_keras_download", lambda: (arrays[:2], arrays[2:]))
    data = load_mnist()
    assert data.source == "keras download"
    _assert_same(data, arrays)


# --------------------------------------------------------------------------- the bundled sample


def test_allow_sample_falls_back_to_bundled_sample(capsys, no_download, no_env):
    data = load_mnist(allow_sample=True)
    assert data.is_sample
    assert data.x_train.shape == (5000, 28, 28) and data.y_train.shape == (5000,)
    assert data.x_test.shape == (1000, 28, 28) and data.y_test.shape == (1000,)
    assert all(a.dtype == np.uint8 for a in (data.x_train, data.y_train, data.x_test, data.y_test))
    assert "bundled sample" in data.source and "5000" in data.source and "1000" in data.source
    err = capsys.readouterr().err
    notice = [line for line in err.splitlines() if "bundled" in line]
    assert len(notice) == 1
    assert "5000" in notice[0] and DATA_ENV_VAR in notice[0]
    assert no_download == [1]


def test_bundled_sample_matches_start_of_full_set(mnist_npz_path, capsys, no_download, no_env):
    sample = load_mnist(allow_sample=True)
    assert sample.is_sample
    full = load_mnist(mnist_npz_path)
    assert not full.is_sample
    # The first ten 7s of the training set, as used in the tutorials.
    sample_sevens = sample.x_train[sample.y_train == 7][:10]
    full_sevens = full.x_train[full.y_train == 7][:10]
    assert len(sample_sevens) == 10
    np.testing.assert_array_equal(sample_sevens, full_sevens)
    # And the whole sample is the start of the full set, in order.
    np.testing.assert_array_equal(sample.x_train, full.x_train[:5000])
    np.testing.assert_array_equal(sample.y_train, full.y_train[:5000])
    np.testing.assert_array_equal(sample.x_test, full.x_test[:1000])
    np.testing.assert_array_equal(sample.y_test, full.y_test[:1000])


def test_bundled_sample_file_under_2mb():
    assert SAMPLE_PATH.is_file()
    assert SAMPLE_PATH.stat().st_size < 2 * 1024 * 1024


def test_make_mnist_sample_rebuilds(tmp_path, no_env):
    from tools.make_mnist_sample import main

    source = write_mnist_npz(tmp_path / "full.npz", *_tiny_arrays(n_train=30, n_test=20))
    out = tmp_path / "sample.npz"
    assert main([str(source), "--out", str(out), "--train", "7", "--test", "3"]) == 0
    data = load_mnist(out, download=False)
    full = _tiny_arrays(n_train=30, n_test=20)
    _assert_same(data, (full[0][:7], full[1][:7], full[2][:3], full[3][:3]))


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "case, key",
    [
        ("missing key", "y_test"),
        ("label count", "y_train"),
        ("label 12", "y_test"),
        ("image shape", "x_train"),
        ("pixel range", "x_test"),
    ],
)
def test_bad_npz_names_file_and_key(tmp_path, case, key, no_download, no_env):
    x_train, y_train, x_test, y_test = _tiny_arrays()
    path = tmp_path / "mnist.npz"
    if case == "missing key":
        with open(path, "wb") as fh:
            np.savez(fh, x_train=x_train, y_train=y_train, x_test=x_test)
    elif case == "label count":
        write_mnist_npz(path, x_train, y_train[:-1], x_test, y_test)
    elif case == "label 12":
        y_test = y_test.copy()
        y_test[2] = 12
        write_mnist_npz(path, x_train, y_train, x_test, y_test)
    elif case == "image shape":
        write_mnist_npz(path, x_train[:, :27], y_train, x_test, y_test)
    elif case == "pixel range":
        write_mnist_npz(path, x_train, y_train, x_test.astype(np.int16) + 300, y_test)
    with pytest.raises(ValueError) as info:
        load_mnist(tmp_path)
    message = str(info.value)
    assert str(path) in message
    assert key in message


def test_not_an_npz_names_file(tmp_path, no_download, no_env):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"this is not a zip archive at all")
    with pytest.raises(ValueError) as info:
        load_mnist(tmp_path)
    assert str(path) in str(info.value)


def test_bad_file_in_env_folder_is_an_error_not_a_fallback(tmp_path, monkeypatch, no_download):
    (tmp_path / "mnist.npz").write_bytes(b"PK\x03\x04 truncated")
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path))
    with pytest.raises(ValueError, match="mnist.npz"):
        load_mnist(allow_sample=True)


# --------------------------------------------------------------------------- preparing


def test_prepare_images():
    x = _tiny_arrays()[0]
    x[0, 0, 0], x[0, 0, 1] = 0, 255
    out = prepare_images(x)
    assert out.shape == (len(x), 28, 28, 1)
    assert out.dtype == np.float32
    assert out.min() == 0.0 and out.max() == 1.0
    np.testing.assert_allclose(out[..., 0], x / 255.0, rtol=1e-6)
    # Already prepared images pass through unchanged.
    np.testing.assert_array_equal(prepare_images(out), out)
    with pytest.raises(ValueError):
        prepare_images(np.zeros((3, 32, 32), np.uint8))


def test_one_hot():
    y = np.array([7, 2, 1, 0, 4, 1, 4, 9, 5, 9], dtype=np.uint8)
    out = one_hot(y)
    assert out.shape == (10, 10) and out.dtype == np.float32
    np.testing.assert_array_equal(out.argmax(1), y)
    np.testing.assert_array_equal(out.sum(1), np.ones(10, np.float32))
    assert set(np.unique(out)) == {0.0, 1.0}
    assert one_hot(y[:, None], num_classes=12).shape == (10, 12)
    with pytest.raises(ValueError):
        one_hot(np.array([0, 10]))
    with pytest.raises(ValueError):
        one_hot(np.array([-1, 3]))


def test_prepare_sample_end_to_end(no_download, no_env):
    data = load_mnist(allow_sample=True)
    x = prepare_images(data.x_test)
    y = one_hot(data.y_test)
    assert x.shape == (1000, 28, 28, 1) and y.shape == (1000, 10)
    np.testing.assert_array_equal(y.argmax(1), data.y_test)


# --------------------------------------------------------------------------- the real file


def test_real_shared_file_loads(mnist_npz_path, no_download):
    data = load_mnist(mnist_npz_path)
    assert data.x_train.shape == (60000, 28, 28) and data.y_train.shape == (60000,)
    assert data.x_test.shape == (10000, 28, 28) and data.y_test.shape == (10000,)
    assert data.source == str(mnist_npz_path)
    assert not data.is_sample
    assert not no_download
    assert set(np.unique(data.y_train)) == set(range(10))
    # Also found through the environment variable alone (set by conftest when available).
    assert load_mnist().x_train.shape == (60000, 28, 28)


def test_source_label_keeps_a_files_name_but_not_its_folder():
    from keras_autoencoders.data.mnist import MnistDigits

    def label(source):
        return MnistDigits(None, None, None, None, source).source_label

    assert label("/some/where/mnist.npz") == "mnist.npz"
    assert label("bundled sample (5000 train / 1000 test digits)") == "bundled sample (5000 train / 1000 test digits)"
    assert label("keras download") == "keras download"
