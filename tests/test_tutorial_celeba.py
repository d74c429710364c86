"""The CelebA tutorial end to end on a generated folder: trains, writes every figure and the results file."""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # runs a tutorial end to end

REPO = pathlib.Path(__file__).resolve().parents[1]
FIGURES = ("faces_with_attributes.png", "reconstructions.png", "new_faces.png", "edit_smile.png",
           "edit_male.png", "edit_male_only.png", "edit_glasses.png", "interpolation.png")


def test_demo_run_trains_and_writes_figures_and_results(tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"}
    # At 4 steps per call (through build_distributed's compile); the default 1: the notebook test.
    cmd = [sys.executable, str(REPO / "tutorials" / "celeba_cvae.py"), "--demo", "--quick",
           "--max-images", "400", "--epochs", "2", "--image-size", "32", "--batch-size", "32",
           "--steps-per-execution", "4", "--out", str(out)]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    for name in FIGURES:
        assert (out / "figures" / name).stat().st_size > 1000, name
    results = json.loads((out / "results.json").read_text())
    assert results["settings"]["image_size"] == 32
    assert results["settings"]["precision"] == "float32" and results["settings"]["steps_per_execution"] == 4
    assert sum(results["splits"].values()) == 400 and min(results["splits"].values()) > 0
    history = results["history"]
    assert len(history["loss"]) == 2 and history["loss"][1] < history["loss"][0]
    assert results["train_images_per_second"] > 0
    assert all(t <= e for t, e in zip(history["train_seconds"], history["epoch_seconds"]))  # validation apart
    assert set(results["edit_rates"]) == {"smile", "male", "male_only", "glasses"}  # records.celeba.EDITS' keys
    agreement = results["reconstruction_agreement"]
    assert list(agreement) == results["judge"]["attributes"] and all(0 <= a <= 1 for a in agreement.values())
    judge = results["judge"]
    assert len(judge["balanced_accuracy"]) == len(judge["test_positives"]) == len(judge["attributes"])
    assert list(results["reconstruction_balanced_agreement"]) == judge["attributes"]
    effects = results["attribute_effects"]
    assert effects["faces"] == min(256, results["splits"]["test"])
    assert all(effects[a]["effect"] == effects[a]["on"] - effects[a]["off"] for a in judge["attributes"])
    for rates in results["edit_rates"].values():
        assert 0 <= rates["reconstruction"] <= 1 and 0 <= rates["edited"] <= 1 and rates["faces"] > 0
    assert np.isfinite(results["test_reconstruction_mse"]) and np.isfinite(results["test_loss"]["loss"])
    assert results["judged_test_faces"] == results["splits"]["test"]  # fewer than --judged-faces: all of them

    # The saved model reloads and the figures are redone without training.
    again = subprocess.run(cmd + ["--skip-training"], cwd=REPO, env=env, capture_output=True,
                           text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-4000:]
    redone = json.loads((out / "results.json").read_text())
    assert redone["history"] == history
    # The judge trains on the same faces in the same order, so it reads every picture as the trained run's did.
    assert redone["judge"] == results["judge"] and redone["edit_rates"] == results["edit_rates"]
