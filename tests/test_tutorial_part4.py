"""The Part 4 tutorial end to end, with tiny settings, as a user runs it."""
import json
import os
import pathlib
import subprocess
import sys

import imageio.v3 as iio
import pytest

pytestmark = pytest.mark.slow  # runs a tutorial end to end

REPO = pathlib.Path(__file__).resolve().parents[1]


def test_quick_tutorial_writes_the_results_contract(tmp_path, small_mnist_folder, check_samples_contract,
                                                    check_projector):
    data = small_mnist_folder
    out = tmp_path / "run"
    # 7 steps per call (not a divisor of an epoch's 20 batches) runs the whole tutorial, the saved
    # model included (the preset's 10: the notebook test). Mixed bfloat16: tests/test_precision.py.
    cmd = [sys.executable, str(REPO / "tutorials" / "part4_cvae.py"), "--quick", "--epochs", "3",
           "--toy-epochs", "2", "--data-dir", str(data), "--out", str(out), "--seed", "3",
           "--steps-per-execution", "7"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]

    results = json.loads((out / "results.json").read_text())
    settings = results["settings"]
    assert settings["epochs"] == 3 and settings["seed"] == 3 and settings["quick"] is True
    assert settings["toy_epochs"] == 2 and settings["batch_size"] == 100  # preset, then flags
    assert settings["precision"] == "float32" and settings["steps_per_execution"] == 7
    assert "steps_per_execution=7" in done.stdout and "precision='float32'" in done.stdout  # echoed
    history = results["history"]
    assert len(history["loss"]) == len(history["val_loss"]) == len(history["epoch_seconds"]) == 3
    assert history["val_loss"][-1] < history["val_loss"][0]
    assert results["manifold_render_seconds"] > 0
    assert set(results["toy_manifold"]) == {"deep_ae", "conditional_deep_ae"}
    assert results["snapshot_epochs"] == [0, 1, 2]

    check_samples_contract(out / "samples.npz")

    assert 0 <= results["digits"]["label_accuracy"] <= 1 and 0 < results["digits"]["relative_sharpness"]
    for name in ["reconstructions", "digits_from_prior", "style_transfer", "toy_deep_ae", "manifolds_all_labels",
                 "z_distr_all_labels", "toy_conditional_deep_ae"] + [f"manifold_{c}" for c in range(10)]:
        assert (out / "figures" / f"{name}.png").stat().st_size > 0
    frames = iio.imread(out / "animations" / "manifold_4.gif", index=None)
    assert frames.shape[0] == 3  # one frame per snapshot
    assert iio.imread(out / "animations" / "manifolds_all_labels.gif", index=None).shape[0] == 3
    assert (out / "model" / "part4_cvae.keras").exists()
    check_projector(out, "part4_cvae", data)

    # Later sections run from the saved model, without retraining.
    again = subprocess.run(cmd + ["--skip-training"], cwd=REPO, env=env, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Epoch 1/" not in again.stdout
    assert json.loads((out / "results.json").read_text())["history"] == history


def test_pretrained_run_redraws_the_committed_run_without_training(tmp_path, mnist_npz_path, run_tutorial):
    """``--pretrained``: the shipped models of figs/part4, no training, the committed numbers again."""
    out = tmp_path / "pretrained"
    done = run_tutorial("part4_cvae.py", "--pretrained", "--data-dir", mnist_npz_path.parent, "--out", out)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Epoch 1/" not in done.stdout and "no snapshots" in done.stdout
    results = json.loads((out / "results.json").read_text())
    committed = json.loads((REPO / "figs" / "part4" / "results.json").read_text())
    assert results["settings"]["pretrained"] is True and results["settings"]["epochs"] == 1000
    assert results["history"]["val_loss"] == committed["history"]["val_loss"]
    for key in ("label_accuracy", "style_transfer_accuracy"):
        assert results["digits"][key] == pytest.approx(committed["digits"][key], abs=1e-3), key
    # Sharpness is over the test digits' as the report's (committed results.json: the training digits')
    scored = json.loads((REPO / "figs" / "part4" / "scores.json").read_text())["generators"]["samples"]
    assert results["digits"]["relative_sharpness"] == pytest.approx(scored["conditional"]["relative_sharpness"],
                                                                     abs=1e-3)
    for name, distances in committed["toy_manifold"].items():
        assert results["toy_manifold"][name] == pytest.approx(distances, rel=1e-4), name
    assert results["digits"]["z_kl_by_label"] == pytest.approx(committed["digits"]["z_kl_by_label"], rel=1e-4)
    assert (out / "figures" / "digits_from_prior.png").stat().st_size > 0
