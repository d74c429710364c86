"""The Fashion-MNIST test-set loader: the IDX reader, where it looks, what it rejects, the real files.

No test reaches the network: every test that could call the Keras download patches it.
"""
import gzip
import os
import pathlib

import numpy as np
import pytest

from keras_autoencoders.data import fashion_mnist
from keras_autoencoders.data.fashion_mnist import (
    FOLDER,
    IMAGES_FILE,
    LABELS_FILE,
    load_fashion_mnist_test,
    read_idx,
    write_idx,
)
from keras_autoencoders.data.locations import DATA_ENV_VAR, DataNotFoundError
from keras_autoencoders.errors import DataFormatError


@pytest.fixture
def no_download(monkeypatch):
    calls = []

    def _fail():
        calls.append(1)
        raise ConnectionError("no network in tests")

    monkeypatch.setattr(fashion_mnist, "_keras_download", _fail)
    return calls


def _tiny(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), (np.arange(n) % 10).astype(np.uint8)


def _write_folder(folder, n=12, seed=0):
    x, y = _tiny(n, seed)
    write_idx(folder / IMAGES_FILE, x)
    write_idx(folder / LABELS_FILE, y)
    return x, y


# --------------------------------------------------------------------------- IDX files


@pytest.mark.parametrize("name", ["a-idx3-ubyte.gz", "a-idx3-ubyte"])
def test_idx_round_trip(tmp_path, name):
    x, y = _tiny()
    path = write_idx(tmp_path / name, x)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    got = read_idx(path)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, x)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / ("l" + name), y)), y)


def test_idx_header_is_big_endian(tmp_path):
    raw = write_idx(tmp_path / "h", np.zeros((3, 258), np.uint8)).read_bytes()
    assert raw[:12] == bytes([0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 1, 2])


def _idx(code=8, shape=(2, 3), payload=None, magic=b"\x00\x00"):
    body = bytes(range(int(np.prod(shape)))) if payload is None else payload
    return magic + bytes([code, len(shape)]) + np.asarray(shape, ">u4").tobytes() + body


@pytest.mark.parametrize("raw, message", [
    (_idx(magic=b"\x08\x03"), "magic number"),
    (b"", "magic number"),
    (_idx(code=0x0D), "type code 0x0d"),
    (_idx(payload=bytes(5)), "holds 5"),
    (_idx(payload=bytes(7)), "holds 7"),
    (_idx()[:9], "ends after 9 bytes"),
])
@pytest.mark.parametrize("compress", [False, True])
def test_bad_idx_files_name_the_file(tmp_path, raw, message, compress):
    path = tmp_path / ("bad.gz" if compress else "bad")
    path.write_bytes(gzip.compress(raw) if compress else raw)
    with pytest.raises(DataFormatError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_broken_gzip_names_the_file(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(_idx())[:-6])
    with pytest.raises(DataFormatError, match="gzip") as info:
        read_idx(path)
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------- finding the folder


def test_loads_a_folder_holding_fashion_mnist_via_data_dir(tmp_path, no_download):
    x, y = _write_folder(tmp_path / FOLDER)
    for given in (tmp_path, tmp_path / FOLDER, str(tmp_path)):
        data = load_fashion_mnist_test(given)
        np.testing.assert_array_equal(data.x_test, x)
        np.testing.assert_array_equal(data.y_test, y)
        assert data.source == str(tmp_path / FOLDER)
    assert not no_download


def test_data_dir_may_hold_the_files_directly(tmp_path, no_download):
    x, _ = _write_folder(tmp_path / "my-copy")
    np.testing.assert_array_equal(load_fashion_mnist_test(tmp_path / "my-copy").x_test, x)


def test_loads_via_the_environment_variable(tmp_path, monkeypatch, no_download):
    x, _ = _write_folder(tmp_path / "data" / FOLDER, n=7)
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "data"))
    data = load_fashion_mnist_test(download=False)
    np.testing.assert_array_equal(data.x_test, x)
    assert data.source == str(tmp_path / "data" / FOLDER)


def test_an_explicit_data_dir_never_falls_back(tmp_path, monkeypatch, no_download):
    _write_folder(tmp_path / "env" / FOLDER)
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "env"))
    with pytest.raises(DataNotFoundError) as info:
        load_fashion_mnist_test(tmp_path / "empty")
    assert [place for place, _, _ in info.value.attempts] == ["argument"]
    assert not no_download


def test_not_found_lists_every_place(tmp_path, monkeypatch, no_download):
    (tmp_path / FOLDER).mkdir()
    write_idx(tmp_path / FOLDER / IMAGES_FILE, _tiny()[0])  # labels missing
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path))
    with pytest.raises(DataNotFoundError) as info:
        load_fashion_mnist_test(download=False)
    message = str(info.value)
    assert str(tmp_path / FOLDER) in message and f"missing {LABELS_FILE}" in message
    assert "download=False" in message
    assert not no_download

    monkeypatch.delenv(DATA_ENV_VAR)
    with pytest.raises(DataNotFoundError) as info:
        load_fashion_mnist_test()
    places = [place for place, _, _ in info.value.attempts]
    assert places == [f"environment variable {DATA_ENV_VAR}", "keras download"]
    assert "not set" in str(info.value) and "ConnectionError" in str(info.value)
    assert no_download == [1]


def test_download_used_when_nothing_else(monkeypatch):
    x, y = _tiny(5)
    monkeypatch.delenv(DATA_ENV_VAR, raising=False)
    monkeypatch.setattr(fashion_mnist, "_keras_download", lambda: ((None, None), (x, y)))
    data = load_fashion_mnist_test()
    assert data.source == "keras download"
    np.testing.assert_array_equal(data.x_test, x)


def test_mismatched_files_raise_data_format_error(tmp_path, no_download):
    folder = tmp_path / FOLDER
    _write_folder(folder)
    write_idx(folder / LABELS_FILE, np.zeros(11, np.uint8))
    with pytest.raises(DataFormatError, match=IMAGES_FILE):
        load_fashion_mnist_test(tmp_path)
    write_idx(folder / LABELS_FILE, np.full(12, 10, np.uint8))
    with pytest.raises(DataFormatError, match="0..9"):
        load_fashion_mnist_test(tmp_path)
    write_idx(folder / IMAGES_FILE, np.zeros((12, 28, 27), np.uint8))
    with pytest.raises(DataFormatError, match=r"\(N, 28, 28\)"):
        load_fashion_mnist_test(tmp_path)


# --------------------------------------------------------------------------- the real files


def test_loads_the_real_test_set(no_download):
    folder = os.environ.get(DATA_ENV_VAR)
    if not folder or not (pathlib.Path(folder) / FOLDER / IMAGES_FILE).is_file():
        pytest.skip("no Fashion-MNIST test set (set KERAS_AUTOENCODERS_DATA)")
    data = load_fashion_mnist_test(download=False)
    assert data.x_test.shape == (10_000, 28, 28) and data.x_test.dtype == np.uint8
    assert data.y_test.shape == (10_000,) and data.y_test.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(data.y_test, minlength=10), [1000] * 10)
    assert 0 < data.x_test.mean() < 255 and data.x_test.max() == 255
