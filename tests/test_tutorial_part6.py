"""The Part 6 tutorial end to end, with tiny settings, as a user runs it; then continued."""
import json
import os
import pathlib
import subprocess
import sys

import imageio.v3 as iio
import numpy as np
import pytest

pytestmark = pytest.mark.slow  # runs a tutorial end to end

REPO = pathlib.Path(__file__).resolve().parents[1]


def test_tutorial_writes_results_and_continues(tmp_path, small_mnist_folder, check_samples_contract, check_projector):
    data = small_mnist_folder
    out = tmp_path / "run"
    base = [sys.executable, str(REPO / "tutorials" / "part6_cvae_gan.py"), "--quick", "--batch-size", "16",
            "--data-dir", str(data), "--out", str(out), "--seed", "2", "--snapshot-every", "6",
            "--checkpoint-every", "3", "--preset", "corrected"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    first = subprocess.run(base + ["--iterations", "6"], cwd=REPO, env=env, capture_output=True,
                           text=True, timeout=900)
    assert first.returncode == 0, first.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    assert results["history"]["iteration"] == [0, 3]
    assert results["snapshot_iterations"] == [0, 3]  # periods 0 and 1 (the last), counted in iterations

    # The same command with more iterations continues the finished run from its kept backup.
    again = subprocess.run(base + ["--iterations", "9"], cwd=REPO, env=env, capture_output=True,
                           text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resumed from the backup at iteration 6" in again.stdout
    results = json.loads((out / "results.json").read_text())
    settings = results["settings"]
    assert settings["iterations"] == 9 and settings["preset"] == "corrected" and settings["batch_size"] == 16
    assert settings["precision"] == "float32"  # the article's (the notebook test runs it folded)
    history = results["history"]
    assert history["iteration"] == [0, 3, 6]
    assert len({len(v) for v in history.values()}) == 1
    counts = results["step_counts"]
    assert 9 <= counts["discriminator"] <= 27 and 9 <= counts["encoder_decoder"] <= 27
    assert results["seconds_per_iteration"] > 0
    assert results["snapshot_iterations"] == [0, 3, 6]
    check_projector(out, "part6_cvae_gan", data)
    comparison = results["comparison"]
    for name in ("cvae_gan", "cvae"):
        assert 0 < comparison[name]["relative_sharpness"]
        assert 0 <= comparison[name]["label_accuracy"] <= 1
    # The real row (training digits against the test digits, as the generators) is measured, not set to 1.
    assert 0.8 < comparison["real"]["relative_sharpness"] < 1.2 and comparison["real"]["relative_sharpness"] != 1.0
    assert comparison["cvae_gan"]["iterations"] == 9
    assert comparison["cvae"]["optimizer_steps"] == counts["encoder_decoder"]

    check_samples_contract(out / "samples.npz")
    with np.load(out / "samples.npz") as samples:  # the Part 4 CVAE beside it, as cvae_*
        assert samples["cvae_gen_3"].shape == (1000, 28, 28) and samples["cvae_style"].shape == (10, 10, 28, 28)
    for name in ["reconstructions", "losses", "digits_from_prior_cvae_gan", "digits_from_prior_cvae",
                 "style_transfer_cvae_gan", "style_transfer_cvae", "manifold_3", "z_distr_3"]:
        assert (out / "figures" / f"{name}.png").stat().st_size > 0
    assert iio.imread(out / "animations" / "manifold_4.gif", index=None).shape[0] == 3  # one frame per snapshot

    # --skip-training redraws the figures and numbers from the saved models: the same history and steps.
    saved = (out / "model" / "part6_cvae_gan.keras").stat().st_mtime_ns
    redrawn = subprocess.run(base + ["--iterations", "9", "--skip-training"], cwd=REPO, env=env, capture_output=True,
                             text=True, timeout=900)
    assert redrawn.returncode == 0, redrawn.stderr[-3000:]
    assert "resumed" not in redrawn.stdout and (out / "model" / "part6_cvae_gan.keras").stat().st_mtime_ns == saved
    again_results = json.loads((out / "results.json").read_text())
    assert again_results["history"] == history and again_results["step_counts"] == counts
    assert again_results["comparison"]["cvae_gan"]["label_accuracy"] == pytest.approx(
        comparison["cvae_gan"]["label_accuracy"], abs=1e-3)

    # Another preset in the same folder is refused, not trained on top of this run's weights.
    other = subprocess.run(base[:-2] + ["--preset", "article", "--iterations", "12"], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=900)
    assert other.returncode == 1 and "preset: 'corrected' there, 'article' now" in other.stderr
    assert "Traceback" not in other.stderr


def test_pretrained_run_redraws_the_committed_run_without_training(tmp_path, mnist_npz_path, run_tutorial):
    """``--pretrained``: the shipped models of figs/part6/corrected-z8-48000 and its losses, no training."""
    out = tmp_path / "pretrained"
    done = run_tutorial("part6_cvae_gan.py", "--pretrained", "--data-dir", mnist_npz_path.parent, "--out", out)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "no snapshots" in done.stdout
    results = json.loads((out / "results.json").read_text())
    committed = json.loads((REPO / "figs" / "part6" / "corrected-z8-48000" / "results.json").read_text())
    assert results["settings"]["preset"] == "corrected" and results["settings"]["iterations"] == 48000
    # It trained in mixed bfloat16; shipped, it computes in float32 on every CPU (pretrained.py).
    assert results["settings"]["precision"] == "float32"
    assert results["history"] == committed["history"] and results["step_counts"] == committed["step_counts"]
    # Sharpness is over the test digits' as the report's (committed results.json: the training digits')
    scored = json.loads((REPO / "figs" / "part6" / "corrected-z8-48000" / "scores.json").read_text())["generators"]
    for model, scored_as in (("cvae_gan", "samples"), ("cvae", "cvae")):
        for key in ("label_accuracy", "style_transfer_accuracy"):
            assert results["comparison"][model][key] == pytest.approx(committed["comparison"][model][key],
                                                                      abs=1e-3), (model, key)
        assert results["comparison"][model]["relative_sharpness"] == pytest.approx(
            scored[scored_as]["conditional"]["relative_sharpness"], abs=1e-3), model
    assert (out / "figures" / "digits_from_prior_cvae_gan.png").stat().st_size > 0


def test_report_compares_part6_runs(tmp_path):
    """Runs without samples.npz (the committed ones keep results.json only) still compare."""
    def fake_run(preset, latent_dim, last_gan, folder_name=None):
        folder = tmp_path / (folder_name or f"{preset}-z{latent_dim}")
        folder.mkdir()
        results = {
            "settings": {"preset": preset, "latent_dim": latent_dim, "iterations": 4, "gamma": 1.0},
            "history": {"iteration": [0, 3], "l_prior": [0.1, 0.05], "l_llike": [14.5, 14.0], "l_gan": [0.05, last_gan],
                        "d_steps": [1, 1], "ed_steps": [3, 3]},
            "step_counts": {"discriminator": 4, "encoder_decoder": 12},
            "comparison": {"cvae_gan": {"relative_sharpness": 0.97, "label_accuracy": 0.9}},
        }
        (folder / "results.json").write_text(json.dumps(results))
        return folder

    runs = [fake_run("article", 8, 1e-4), fake_run("corrected", 8, 0.03), fake_run("corrected", 2, 0.04),
            fake_run("corrected", 2, 0.02, "corrected-z2-again")]
    done = subprocess.run([sys.executable, "-m", "keras_autoencoders", "report", *map(str, runs), "--compare-out",
                           str(tmp_path / "compared")], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    table = (tmp_path / "compared" / "COMPARISON.md").read_text()
    assert "| run | tutorial | folder | latent_dim | preset |" in table  # what differs, nothing else
    assert "| run | l_gan | l_llike | l_prior |" in table
    assert "| article, latent 8, 4 it. | 0.0001 | 14 | 0.05 |" in table  # the last logged losses
    # Runs with the same settings keep their own rows (named by folder), not one overwriting the other.
    assert "| corrected, latent 2, 4 it. (corrected-z2) | 0.04 | 14 | 0.05 |" in table
    assert "| corrected, latent 2, 4 it. (corrected-z2-again) | 0.02 | 14 | 0.05 |" in table
    assert (tmp_path / "compared" / "losses_by_iteration.png").stat().st_size > 0
    report = (runs[0] / "REPORT.md").read_text()
    assert "| comparison.cvae_gan.label_accuracy | 0.9 |" in report
    assert "| step_counts.encoder_decoder | 12 |" in report
