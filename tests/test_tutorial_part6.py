"""The Part 6 tutorial end to end, with tiny settings, as a user runs it; then resumed."""
import json
import os
import pathlib
import subprocess
import sys

import imageio.v3 as iio

REPO = pathlib.Path(__file__).resolve().parents[1]


def test_tutorial_writes_results_and_resumes(tmp_path, small_mnist_folder, check_samples_contract):
    data = small_mnist_folder
    out = tmp_path / "run"
    base = [sys.executable, str(REPO / "tutorials" / "part6_cvae_gan.py"), "--quick", "--batch-size", "16",
            "--data-dir", str(data), "--out", str(out), "--seed", "2", "--snapshot-every", "2",
            "--checkpoint-every", "2", "--preset", "corrected"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    first = subprocess.run(base + ["--iterations", "4"], cwd=REPO, env=env, capture_output=True,
                           text=True, timeout=900)
    assert first.returncode == 0, first.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    assert results["history"]["iteration"] == [0, 3]
    assert results["snapshot_iterations"] == [0, 2, 3]

    # Continue the same run to 7 iterations: the checkpoint at 4 is picked up.
    again = subprocess.run(base + ["--iterations", "7", "--resume"], cwd=REPO, env=env, capture_output=True,
                           text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resumed from" in again.stdout and "at iteration 4" in again.stdout
    results = json.loads((out / "results.json").read_text())
    settings = results["settings"]
    assert settings["iterations"] == 7 and settings["preset"] == "corrected" and settings["batch_size"] == 16
    history = results["history"]
    assert history["iteration"] == [0, 3, 6]
    assert len({len(v) for v in history.values()}) == 1
    counts = results["step_counts"]
    assert 7 <= counts["discriminator"] <= 21 and 7 <= counts["encoder_decoder"] <= 21
    assert sum(history["d_steps"]) <= counts["discriminator"]
    assert results["seconds_per_step"]["encoder_decoder"] > 0
    # The first run ended on a snapshot at 3; the longer run adds its own schedule's 4 and 6.
    assert results["snapshot_iterations"] == [0, 2, 3, 4, 6]
    comparison = results["comparison"]
    for name in ("cvae_gan", "cvae"):
        assert 0 < comparison[name]["relative_sharpness"]
        assert 0 <= comparison[name]["label_accuracy"] <= 1
    # Real test digits are measured like the generators (against the training digits), not set to 1.
    assert 0.8 < comparison["real"]["relative_sharpness"] < 1.2 and comparison["real"]["relative_sharpness"] != 1.0
    assert comparison["cvae_gan"]["iterations"] == 7
    assert comparison["cvae"]["optimizer_steps"] == counts["encoder_decoder"]

    check_samples_contract(out / "samples.npz")
    for name in ["reconstructions", "losses", "digits_from_prior_cvae_gan", "digits_from_prior_cvae",
                 "style_transfer_cvae_gan", "style_transfer_cvae", "manifold_3", "z_distr_3"]:
        assert (out / "figures" / f"{name}.png").stat().st_size > 0
    assert iio.imread(out / "animations" / "manifold_4.gif", index=None).shape[0] == 5  # one frame per snapshot


def test_compare_runs_tabulates_and_plots(tmp_path):
    def fake_run(preset, sharpness, folder_name=None):
        folder = tmp_path / (folder_name or preset)
        folder.mkdir()
        model = {"relative_sharpness": sharpness, "label_accuracy": 0.9, "within_label_variety": 5.0,
                 "reconstruction": {"mse_own": 0.05, "ratio": 0.5}}
        results = {
            "settings": {"preset": preset, "latent_dim": 8},
            "history": {"iteration": [0, 3], "l_prior": [0.1, 0.05], "l_llike": [14.5, 14.0], "l_gan": [0.05, 0.01]},
            "comparison": {"cvae_gan": {**model, "iterations": 4,
                                        "optimizer_steps": {"discriminator": 4, "encoder_decoder": 12}},
                           "cvae": {**model, "optimizer_steps": 12},
                           "real": {"relative_sharpness": 1.02, "label_accuracy": 0.98,
                                    "within_label_variety": 9.0}},
        }
        (folder / "results.json").write_text(json.dumps(results))
        return folder

    runs = [fake_run("article", 0.91), fake_run("corrected", 0.97), fake_run("corrected", 0.95, "corrected-again")]
    figure = tmp_path / "losses.png"
    done = subprocess.run([sys.executable, str(REPO / "tools" / "compare_runs.py"), *map(str, runs),
                           "--out", str(figure)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 6 + 1  # header, two models per run, real digits
    assert "| article, latent 8 | CVAE+GAN | 4 | 4 D + 12 E+D | 0.91 |" in done.stdout
    # Two runs with the same settings keep their own rows (named by folder), not one overwriting the other.
    assert "| corrected, latent 8 (corrected) | CVAE+GAN | 4 | 4 D + 12 E+D | 0.97 |" in done.stdout
    assert "| corrected, latent 8 (corrected-again) | CVAE+GAN | 4 | 4 D + 12 E+D | 0.95 |" in done.stdout
    assert "| - | real test digits | - | - | 1.02 |" in done.stdout
    assert figure.stat().st_size > 0
