"""Each tutorial as a reader runs it: converted to a notebook with jupytext, its preset line set
to "quick", executed cell by cell in a Jupyter kernel (nbclient). Every figure a cell saves
must appear as an image output of that cell.

The Part 4 notebook runs on the bundled MNIST sample alone (no data setting), as the README's
first command does, and its digits must be of the requested label: a digit classifier
trained on the real training digits reads at least 80% of ``samples.npz``'s ``gen_*`` as
their label. Part 6 runs 60 of its preset's 300 iterations in float32, CelebA 4 of its preset's 10
epochs and the two studies an epoch or two per model, to keep CI short on any CPU; their full
quick presets are measured by real runs (`docs/tutorials.md`). These are the slowest tests (minutes
each); they run in CI.
"""
import json
import os
import pathlib
import re
import subprocess
import sys

import jupytext
import numpy as np
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow  # runs a tutorial end to end

REPO = pathlib.Path(__file__).resolve().parents[1]
PRESET_LINE = 'NOTEBOOK_PRESET = "article"'
IMAGE_TYPES = ("image/png", "image/gif")


def _execute(tutorial: str, workdir: pathlib.Path, flags: list[str] | None = None):
    """Run ``tutorials/<tutorial>`` as a notebook in ``workdir`` (the kernel inherits this
    process's environment); return the executed notebook.

    ``flags`` (e.g. ``["--epochs", "2"]``) are given to the tutorial's ``start_tutorial`` call, on
    top of the quick preset, as a reader who shortens the run would pass them."""
    text = (REPO / "tutorials" / tutorial).read_text()
    assert text.count(PRESET_LINE) == 1, "the settings cell must have one NOTEBOOK_PRESET line to edit"
    if flags:
        call = re.search(r"start_tutorial\((\w+), NOTEBOOK_PRESET\)", text)
        assert call, "the tutorial must start with start_tutorial(SettingsClass, NOTEBOOK_PRESET)"
        text = text.replace(call.group(0), f"start_tutorial({call.group(1)}, NOTEBOOK_PRESET, argv={flags!r})")
    notebook = jupytext.reads(text.replace(PRESET_LINE, 'NOTEBOOK_PRESET = "quick"'), fmt="py:percent")
    NotebookClient(notebook, timeout=1200, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute()
    return notebook


def _check_figures_inline(notebook) -> int:
    """Every code cell that saves a figure or writes animations shows at least one image; returns the count."""
    shown = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        images = sum(1 for output in cell.get("outputs", []) for kind in IMAGE_TYPES
                     if kind in output.get("data", {}))
        if re.search(r"save_figure\(|save_\w+_figures\(|write_snapshot_animations\(", cell.source):
            assert images > 0, f"no image output in the cell:\n{cell.source[:300]}"
        shown += images
    return shown


@pytest.fixture(scope="module")
def full_mnist_or_sample():
    from keras_autoencoders.data.mnist import load_mnist_digits

    return load_mnist_digits(allow_sample=True)


def test_part4_notebook_on_the_bundled_sample_draws_the_requested_digits(tmp_path, monkeypatch,
                                                                        full_mnist_or_sample):
    monkeypatch.delenv("KERAS_AUTOENCODERS_DATA", raising=False)  # no data setting, as a new user
    notebook = _execute("part4_cvae.py", tmp_path)
    assert _check_figures_inline(notebook) >= 8
    out = tmp_path / "runs" / "part4-quick"
    results = json.loads((out / "results.json").read_text())
    assert results["settings"]["quick"] is True and results["settings"]["data_source"].startswith("bundled sample")
    assert (out / "animations" / "manifolds_all_labels.gif").is_file()

    from keras_autoencoders.evaluation.digit_generators import generated_digits
    from keras_autoencoders.evaluation.digit_judge import load_digit_judge
    from keras_autoencoders.evaluation.judges import label_accuracy

    digits = full_mnist_or_sample
    classifier = load_digit_judge(digits=digits).model
    assert label_accuracy(classifier, digits.x_test, digits.y_test) > 0.97
    with np.load(out / "samples.npz") as samples:
        images, labels = generated_digits(samples)
    accuracy = label_accuracy(classifier, images, labels)
    assert accuracy >= 0.8, f"only {accuracy:.1%} of the quick run's digits read as their label"


def test_part6_notebook_shortened(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_AUTOENCODERS_DATA", raising=False)
    # In float32 (the default, fast on every CPU) with the folded up-sampling (the same function,
    # faster): 60 of the preset's 300 iterations, snapshots every 15 and one backup at 30. What the
    # full quick preset draws (80-90% of the digits read as their label) is measured by real runs
    # (docs/tutorials.md); the default path, unfolded, runs in test_tutorial_part6.py.
    notebook = _execute("part6_cvae_gan.py", tmp_path, ["--fold-upsampling", "--iterations", "60",
                                                        "--snapshot-every", "15", "--checkpoint-every", "30"])
    assert _check_figures_inline(notebook) >= 8
    results = json.loads((tmp_path / "runs" / "part6-quick" / "results.json").read_text())
    assert results["settings"]["preset"] == "corrected" and results["settings"]["quick"] is True
    assert results["settings"]["fold_upsampling"] is True and results["settings"]["precision"] == "float32"
    assert results["snapshot_iterations"] == [0, 15, 30, 45, 57]  # every 15th iteration and the last period's
    assert results["comparison"]["cvae_gan"]["iterations"] == 60
    assert all(np.isfinite(results["history"][key]).all() for key in ("l_prior", "l_llike", "l_gan"))


def test_celeba_notebook_quick_preset_shortened(tmp_path):
    data = os.environ.get("KERAS_AUTOENCODERS_DATA")
    if not data or not (pathlib.Path(data) / "celeba").is_dir():
        pytest.skip("no CelebA folder (set KERAS_AUTOENCODERS_DATA)")
    # The preset's 10 epochs over 10,000 images (and 4 of the judge) take 4 min; 4 and 2 epochs over
    # 5,000 take 74 s (smile edit 0.41 vs 0.09 here; over 10,000: 0.68 vs 0.15 in 2 min).
    notebook = _execute("celeba_cvae.py", tmp_path, ["--epochs", "4", "--classifier-epochs", "2",
                                                     "--max-images", "5000"])
    assert _check_figures_inline(notebook) >= 8
    results = json.loads((tmp_path / "runs" / "celeba-quick" / "results.json").read_text())
    smile = results["edit_rates"]["smile"]
    assert smile["edited"] > smile["reconstruction"] + 0.2  # the edit visibly adds smiles


def test_mnist_study_notebook_shortened(tmp_path, check_samples_contract):
    """The study's notebook with every model trained for an epoch or two: every section's figure
    shows inline, every number lands in results.json, and ``--skip-training`` redoes them exactly."""
    notebook = _execute("mnist_autoencoders.py", tmp_path,
                        ["--epochs", "2", "--conv-epochs", "1", "--cvae-epochs", "2", "--train-digits", "1000"])
    assert _check_figures_inline(notebook) >= 9
    out = tmp_path / "runs" / "mnist_study-quick"
    results = json.loads((out / "results.json").read_text())
    assert results["settings"]["epochs"] == 2 and results["settings"]["quick"] is True
    assert set(results["compression"]) == {"2", "8", "32"}
    assert set(results["code_space"]) == {"autoencoder", "vae"}
    assert results["denoising"]["psnr_denoised_db"] > results["denoising"]["psnr_noisy_db"]
    assert set(results["digits_on_demand"]) == {"read_as_5", "read_as_7", "all_labels"}
    assert "mnist_vs_noise" in results["anomaly_auroc"]
    if (pathlib.Path(os.environ.get("KERAS_AUTOENCODERS_DATA", "")) / "fashion-mnist").is_dir():
        assert "mnist_vs_fashion_mnist" in results["anomaly_auroc"]
    for section in ("vae_generation", "conv_vae"):
        assert 0 <= results[section]["confident_fraction"] <= 1 and len(results[section]["by_digit"]) == 10
    check_samples_contract(out / "samples.npz")
    with np.load(out / "samples.npz") as samples:
        assert samples["vae_5_prior"].shape == samples["conv_vae_rec"].shape == (1000, 28, 28)

    rerun = subprocess.run([sys.executable, str(REPO / "tutorials" / "mnist_autoencoders.py"), "--quick",
                            "--epochs", "2", "--conv-epochs", "1", "--cvae-epochs", "2", "--train-digits", "1000",
                            "--skip-training", "--out", str(out)],
                           cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    again = json.loads((out / "results.json").read_text())
    for section in ("compression", "denoising", "code_space", "vae_generation", "digits_on_demand", "anomaly_auroc"):
        assert again[section] == results[section], section


def _write_attribute_file(path: pathlib.Path, filenames, seed: int = 0) -> None:
    """An ``lfw_attributes.txt`` in the official format for ``filenames`` (random Male and Smiling scores)."""
    rng = np.random.default_rng(seed)
    lines = ["# made by the tests", "#\tperson\timagenum\tMale\tSmiling"]
    for name in filenames:
        person, number = name.split("/")[1][:-len(".jpg")].rsplit("_", 1)
        lines.append("\t".join([person.replace("_", " "), str(int(number)),
                                *(f"{v:.4f}" for v in rng.normal(size=2))]))
    path.write_text("\n".join(lines) + "\n")


def test_faces_notebook_shortened(tmp_path):
    """The faces study's notebook on the first 2,000 LFW images, one epoch per model, with an
    attribute file: every figure inline, every number in results.json, the Male shift measured."""
    data = os.environ.get("KERAS_AUTOENCODERS_DATA")
    if not data or not (pathlib.Path(data) / "lfw").is_dir():
        pytest.skip("no LFW folder (set KERAS_AUTOENCODERS_DATA)")
    from keras_autoencoders.data.lfw import load_lfw_index

    attributes = tmp_path / "lfw_attributes.txt"
    _write_attribute_file(attributes, load_lfw_index().filenames[:2000])
    notebook = _execute("faces_autoencoder.py", tmp_path,
                        ["--epochs", "1", "--vae-epochs", "1", "--judge-epochs", "1", "--max-images", "2000",
                         "--attributes-file", str(attributes)])
    assert _check_figures_inline(notebook) >= 5
    results = json.loads((tmp_path / "runs" / "faces-quick" / "results.json").read_text())
    splits = results["splits"]
    assert splits["train"] + splits["validation"] == 2000 and splits["validation_people"] > 0
    assert 0 < results["reconstruction"]["validation_mse"] < 0.1
    faces = results["new_faces"]
    assert faces["nearest_training_distance_new"] > 0 and faces["reconstruction_distance_to_original"] > 0
    smile = results["smile_vector"]
    assert set(smile["judged_smiling_by_step"]) == {"0.0", "0.5", "1.0", "1.5", "2.0"}
    assert isinstance(smile["male_shift_at_1x"], float) and set(smile["male_probability_by_step"]) == {
        "0.0", "0.5", "1.0", "1.5", "2.0"}
    assert 0 < results["vae"]["relative_sharpness"]
