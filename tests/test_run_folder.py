"""results.json / samples.npz writers and the history reader."""
import json

import numpy as np
import pytest

from keras_autoencoders.run_folder import read_history_csv, write_results, write_samples


def test_results_json_round_trip(tmp_path):
    path = write_results(tmp_path, {"epochs": 3, "seed": np.int64(0)},
                         history={"loss": [np.float32(0.5), 0.25]}, manifold_render_seconds=0.04)
    content = json.loads(path.read_text())
    assert content["settings"] == {"epochs": 3, "seed": 0}
    assert content["history"]["loss"] == [0.5, 0.25]
    assert content["versions"]["keras"].startswith("3.")
    assert not list(tmp_path.glob("*.tmp"))


def test_samples_npz(tmp_path):
    path = write_samples(tmp_path, {"rec": np.zeros((2, 28, 28), "float32")})
    with np.load(path) as saved:
        assert saved["rec"].shape == (2, 28, 28)


def test_history_csv_resumed_epoch_counts_once(tmp_path):
    csv = tmp_path / "history.csv"
    csv.write_text("epoch,loss,val_loss\n0,0.3,0.2\n1,0.2,0.15\n1,0.19,0.14\n2,0.1,0.1\n")
    history = read_history_csv(csv)
    assert history["epoch"] == [0, 1, 2]
    assert history["loss"] == [0.3, 0.19, 0.1]


def test_history_csv_bad_value_names_file_and_line(tmp_path):
    csv = tmp_path / "history.csv"
    csv.write_text("epoch,loss\n0,0.3\n1,oops\n")
    with pytest.raises(ValueError, match=r"history.csv, line 3: bad value 'oops'"):
        read_history_csv(csv)
