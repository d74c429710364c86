"""Each tutorial as a reader runs it: converted to a notebook with jupytext, its preset line set
to "quick", executed cell by cell in a Jupyter kernel (nbclient). Every figure a cell saves
must appear as an image output of that cell.

The Part 4 notebook runs on the bundled MNIST sample alone (no data setting), as the README's
first command does, and its digits must be of the requested label: a digit classifier
trained on the real training digits reads at least 80% of ``samples.npz``'s ``gen_*`` as
their label. These are the slowest tests (minutes each); they run in CI.
"""
import json
import os
import pathlib
import re

import jupytext
import numpy as np
import pytest
from nbclient import NotebookClient

REPO = pathlib.Path(__file__).resolve().parents[1]
PRESET_LINE = 'NOTEBOOK_PRESET = "article"'
IMAGE_TYPES = ("image/png", "image/gif")


def _execute(tutorial: str, workdir: pathlib.Path):
    """Run ``tutorials/<tutorial>`` as a notebook in ``workdir`` (the kernel inherits this
    process's environment); return the executed notebook."""
    text = (REPO / "tutorials" / tutorial).read_text()
    assert text.count(PRESET_LINE) == 1, "the settings cell must have one NOTEBOOK_PRESET line to edit"
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
    from keras_autoencoders.evaluation.judges import label_accuracy, train_digit_classifier

    digits = full_mnist_or_sample
    classifier = train_digit_classifier(digits.x_train, digits.y_train, seed=0)
    assert label_accuracy(classifier, digits.x_test, digits.y_test) > 0.97
    with np.load(out / "samples.npz") as samples:
        images, labels = generated_digits(samples)
    accuracy = label_accuracy(classifier, images, labels)
    assert accuracy >= 0.8, f"only {accuracy:.1%} of the quick run's digits read as their label"


def test_part6_notebook_quick_preset(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_AUTOENCODERS_DATA", raising=False)
    notebook = _execute("part6_cvae_gan.py", tmp_path)
    assert _check_figures_inline(notebook) >= 8
    results = json.loads((tmp_path / "runs" / "part6-quick" / "results.json").read_text())
    assert results["settings"]["preset"] == "corrected" and results["settings"]["quick"] is True
    assert results["comparison"]["cvae_gan"]["label_accuracy"] >= 0.6


def test_celeba_notebook_quick_preset(tmp_path):
    data = os.environ.get("KERAS_AUTOENCODERS_DATA")
    if not data or not (pathlib.Path(data) / "celeba").is_dir():
        pytest.skip("no CelebA folder (set KERAS_AUTOENCODERS_DATA)")
    notebook = _execute("celeba_cvae.py", tmp_path)
    assert _check_figures_inline(notebook) >= 8
    results = json.loads((tmp_path / "runs" / "celeba-quick" / "results.json").read_text())
    smile = results["edit_rates"]["+ smile"]
    assert smile["edited"] > smile["reconstruction"] + 0.2  # the edit visibly adds smiles
