"""``python -m keras_autoencoders report``: REPORT.md, scores.json, runs compared, the README's claims."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from keras_autoencoders.report import claims
from keras_autoencoders.report.run_record import RunFolderError, read_run

REPO = pathlib.Path(__file__).resolve().parents[1]
SECTIONS = ("## Settings", "## Training", "## Generated digits, scored", "## Measurements (results.json)",
            "## Figures", "## Animations", "## Versions")


def _report(*args, cwd=None, without_data=False):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if without_data:
        env.pop("KERAS_AUTOENCODERS_DATA", None)
    return subprocess.run([sys.executable, "-m", "keras_autoencoders", "report", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd or REPO, env=env, timeout=600)


@pytest.fixture(scope="module")
def digits(full_mnist_digits):
    return full_mnist_digits


def _make_run(folder: pathlib.Path, digits, latent_dim: int, shift: int = 0) -> pathlib.Path:
    """A small Part 4 run folder: settings, history, one figure, one animation, samples of real digits."""
    from keras_autoencoders.plotting import figures

    folder.mkdir(parents=True)
    losses = np.linspace(0.3, 0.1, 12) + 0.01 * latent_dim
    results = {"settings": {"epochs": 12, "batch_size": 500, "latent_dim": latent_dim, "seed": 0, "out": str(folder)},
               "history": {"loss": losses.tolist(), "val_loss": (losses + 0.01).tolist(),
                           "epoch_seconds": [1.5] * 12},
               "toy_manifold": {"deep_ae": {"mean_distance_to_nearest_curve": 0.06}},
               "digits": {"reconstruction": {"ratio": 0.3}}, "versions": {"keras": "3"}}
    (folder / "results.json").write_text(json.dumps(results))
    figures.save_figure(figures.plot_digits(digits.x_test[:5]), folder / "figures" / "digits.png", show=False)
    (folder / "animations").mkdir()
    (folder / "animations" / "manifold_0.gif").write_bytes(b"GIF89a")
    of_label = [digits.x_test[digits.y_test == (c + shift) % 10][:100, ..., 0] for c in range(10)]
    np.savez(folder / "samples.npz", **{f"gen_{c}": of_label[c] for c in range(10)},
             rec=digits.x_test[:100, ..., 0], style=np.stack([x[:10] for x in of_label]))
    return folder


@pytest.mark.slow  # the report command in four new processes, scoring with the digit judge
def test_report_writes_every_section_and_scores_once(tmp_path, digits):
    run = _make_run(tmp_path / "run", digits, latent_dim=8)
    done = _report(run)
    assert done.returncode == 0, done.stderr
    report = (run / "REPORT.md").read_text()
    for section in SECTIONS:
        assert section in report, section
    for image in ("figures/digits.png", "report_losses.png"):
        assert f"({image})" in report and (run / image).is_file()
    assert "(animations/manifold_0.gif)" in report
    scores = json.loads((run / "scores.json").read_text())
    assert scores["judge"]["test_accuracy"] >= 0.99
    conditional = scores["generators"]["samples"]["conditional"]
    assert conditional["label_accuracy"] > 0.95
    assert f"| CVAE | {conditional['label_accuracy']:.4g} |" in report  # the number in the table is the file's
    assert "| loss | 0.38 | 0.18 |" in report  # first and last of the history
    assert "generator" in done.stdout  # the progress bar counted generators

    before = (run / "scores.json").stat().st_mtime_ns
    again = _report(run)
    assert again.returncode == 0 and (run / "scores.json").stat().st_mtime_ns == before  # still current

    assert "60000 train / 10000 test" in scores["reference_digits"]

    rescored = _report(run, "--rescore", without_data=True)  # a new user with no data at hand
    assert rescored.returncode == 0, rescored.stderr
    assert "bundled sample" in json.loads((run / "scores.json").read_text())["reference_digits"]

    (run / "samples.npz").unlink()  # a committed run keeps scores.json only
    assert _report(run).returncode == 0
    assert "not kept here" in (run / "REPORT.md").read_text()


@pytest.mark.slow  # the report command in a new process, scoring two runs
def test_several_runs_are_compared_in_one_table_and_one_figure(tmp_path, digits):
    runs = [_make_run(tmp_path / "z2", digits, latent_dim=2), _make_run(tmp_path / "z8", digits, 8, shift=3)]
    done = _report(*runs, "--compare-out", tmp_path / "compared")
    assert done.returncode == 0, done.stderr
    table = (tmp_path / "compared" / "COMPARISON.md").read_text()
    assert "| run | tutorial | folder | latent_dim |" in table  # only the setting that differs
    assert (tmp_path / "compared" / "losses_by_epoch.png").is_file()
    rows = [line for line in table.splitlines() if line.startswith("| part4, latent")]
    z2, z8 = (json.loads((r / "scores.json").read_text())["generators"]["samples"] for r in runs)
    assert z2["conditional"]["label_accuracy"] > 0.95 > 0.05 > z8["conditional"]["label_accuracy"]
    assert any(f"{z8['conditional']['label_accuracy']:.4g}" in row for row in rows)


def test_bad_run_folders_name_the_file_and_line(tmp_path):
    with pytest.raises(RunFolderError, match="results.json: not found"):
        read_run(tmp_path)
    (tmp_path / "results.json").write_text('{"settings": {\n  "epochs": 3,\n}')
    done = _report(tmp_path)
    assert done.returncode == 2
    assert f"{tmp_path / 'results.json'}, line 3: not valid JSON" in done.stderr


def test_the_readme_claims_table_agrees_with_the_committed_runs():
    problems = claims.check_readme(REPO / "README.md")
    assert problems == [], "\n".join(problems)
    table = claims.claims_table(REPO)
    assert table.count("\n| ") == len(claims.CLAIMS) + 1  # the head and one row per claim
    # Only a claim whose runs are not all committed yet (the long Part 6 runs) reads "not measured".
    for claim in claims.CLAIMS:
        words, holds = claims.measure_claim(claim, REPO)
        assert (holds == "-") == words.startswith("not measured"), claim.text
        committed = all((REPO / run / "results.json").is_file() for run in (claim.run, *claim.also_reads))
        assert holds != "-" or not committed, (claim.text, words)


def test_the_rule_column_is_the_rule_the_verdict_applies():
    """Each row's rule column prints its Rule, and the verdict follows the printed conditions."""
    table = claims.claims_table(REPO).splitlines()[3:-1]
    for claim, row in zip(claims.CLAIMS, table):
        assert f"| {claim.rule} |" in row
    style = next(c for c in claims.CLAIMS if c.text.startswith("Part 4: style transfer")).rule
    assert str(style) == ("yes: read as target >= 0.8 and slant r >= 0.5 and width r >= 0.5; "
                          "partly: slant r >= 0.3 and width r >= 0.3")
    at = {"read as target": 0.9, "slant r": 0.5, "width r": 0.5}
    assert style.verdict(at) == "yes"
    assert style.verdict({**at, "read as target": 0.79}) == "partly"
    assert style.verdict({**at, "width r": 0.29}) == "no"
    assert claims.Rule(claims.conditions(("x", ">", 1))).verdict({"x": 0.5}) == "no"  # no partly: never


def test_rows_the_articles_do_not_make_are_marked_ours():
    ours = {c.text for c in claims.CLAIMS if c.article == "(ours)"}
    assert ours == {"each label's z is close to N(0, I) (the loss's target; the article shows each label's z)",
                    "the corrected preset against the article's, equally long (latent 8)",
                    "faces: sampled faces are not copies"}
    for claim in claims.CLAIMS:
        if claim.article != "(ours)":
            assert claim.article.split(",")[0] in ("Part 4", "Part 6", "slides S2.1", "slides S2.2-S2.3", "slides S2.3",
                                                   "slides S2.5", "study", "study F0.4", "study F0.5", "faces study",
                                                   "faces study F0.3", "CelebA CVAE"), claim.article


def test_the_claims_check_fails_on_a_doctored_number(tmp_path):
    text = (REPO / "README.md").read_text()
    start = text.index(claims.BEGIN)
    line = next(x for x in text[start:].splitlines() if x.startswith("| the denoising AE"))
    measured = re.search(r"-> ([0-9.]+) dB denoised", line)
    better = f"-> {float(measured[1]) + 1:.3g} dB denoised"  # one decibel better than the run measured
    readme = tmp_path / "README.md"
    readme.write_text(text.replace(line, line.replace(measured[0], better)))
    problems = claims.check_readme(readme, root=REPO)
    assert len(problems) == 1 and better in problems[0]
    done = _report("--check-claims", readme)
    assert done.returncode == 1  # tmp_path has no figs/: every claim reads "not measured"
    shutil.copy(REPO / "README.md", readme)
    assert claims.check_readme(readme, root=REPO) == []
