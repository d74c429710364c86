"""``keras_autoencoders.arrays``: writing named arrays as ``.npz``."""
import numpy as np
import pytest

from keras_autoencoders.arrays import save_npz


def test_save_npz_round_trips_every_array_compressed(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {"gen_0": rng.random((50, 28, 28)).astype("float32"), "labels": np.arange(50),
              "manifolds": np.zeros((3, 420, 420), "uint8"), "epochs": np.asarray([0, 3])}
    path = save_npz(tmp_path / "sub" / "samples.npz", arrays)
    with np.load(path) as saved:
        assert sorted(saved.files) == sorted(arrays)
        for name, array in arrays.items():
            assert saved[name].dtype == array.dtype and np.array_equal(saved[name], array)
    raw = sum(array.nbytes for array in arrays.values())
    assert path.stat().st_size < raw / 2  # the blank manifolds compress
    assert [p.name for p in path.parent.iterdir()] == ["samples.npz"]  # no temporary file left


def test_a_failed_write_keeps_the_file_already_there(tmp_path):
    path = save_npz(tmp_path / "samples.npz", {"rec": np.ones(3)})
    with pytest.raises(ValueError):  # object arrays would need pickle, which np.load refuses
        save_npz(path, {"rec": np.zeros(3), "bad": np.asarray([{"a": 1}], dtype=object)})
    with np.load(path) as saved:
        assert saved.files == ["rec"] and np.array_equal(saved["rec"], np.ones(3))
    assert [p.name for p in tmp_path.iterdir()] == ["samples.npz"]
