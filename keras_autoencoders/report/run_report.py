"""``REPORT.md`` for one run folder: settings, losses, timings, scores, every measurement, the figures.

Every number is read from the folder's own files (``results.json``, ``history.csv``,
``scores.json``); the figures are embedded by relative path, so the report reads the
same wherever the folder is copied.
"""
from __future__ import annotations

import math
import pathlib
from typing import Any, Iterable

from keras_autoencoders.plotting import figures
from keras_autoencoders.report.run_record import REPORT_FILE, REPORT_LOSSES_FIGURE, RunRecord

#: results.json sections that have their own part of the report.
_OWN_SECTIONS = ("settings", "history", "versions")
#: Losses drawn on a log axis (Part 6's L_GAN spans orders of magnitude).
LOG_SCALE_LOSSES = ("l_gan",)


def fmt(value: Any) -> str:
    """A number as the tables show it: 4 significant digits, integers whole, None as a dash."""
    if value is None:
        return "-"
    if isinstance(value, bool) or isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.4g}"
    return str(value)


def markdown_table(head: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    head = list(head)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(fmt(v).replace("|", "/") for v in row) + " |" for row in rows]
    return lines


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``(dotted.key, value)`` for every number or string of nested dicts; a list of numbers
    longer than 10 is summarised (count, first, last, mean)."""
    if isinstance(value, dict):
        return [item for key, inner in value.items() for item in flatten(inner, f"{prefix}.{key}" if prefix else key)]
    if isinstance(value, list):
        numeric = [v for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(value) > 10 and len(numeric) == len(value):
            return [(prefix, f"{len(value)} values: first {fmt(value[0])}, last {fmt(value[-1])}, "
                             f"mean {fmt(sum(numeric) / len(numeric))}")]
        if all(not isinstance(v, (dict, list)) for v in value):
            return [(prefix, ", ".join(fmt(v) for v in value) or "(none)")]
        return [item for i, inner in enumerate(value) for item in flatten(inner, f"{prefix}[{i}]")]
    return [(prefix, value)]


def loss_rows(record: RunRecord) -> list[list[Any]]:
    rows = []
    for name, values in record.losses.items():
        finite = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
        if finite:
            rows.append([name, finite[0], finite[-1], min(finite), len(values)])
    return rows


def timing_rows(record: RunRecord) -> list[tuple[str, Any]]:
    """Every entry of results.json whose name says it is a time, and the history's total time."""
    rows = [(key, value) for key, value in flatten({k: v for k, v in record.results.items() if k != "settings"})
            if "second" in key and not key.startswith("history.")]
    for column in ("epoch_seconds", "train_seconds"):
        if column in record.history:
            rows.append((f"history.{column} (sum over {len(record.history[column])} epochs)",
                         sum(record.history[column])))
    return rows


#: How the tables name a tutorial's generators (``samples.npz`` prefixes; "samples" is the unprefixed one).
GENERATOR_NAMES = {
    ("part4", "samples"): "CVAE",
    ("part6", "samples"): "CVAE+GAN",
    ("part6", "cvae"): "CVAE (Part 4, as many steps)",
    ("mnist_study", "samples"): "CVAE (Part 4)",
    ("mnist_study", "vae_5"): "VAE, 5-d code",
    ("mnist_study", "conv_vae"): "conv VAE, 2-d code",
}


def generator_score_rows(scores: dict, tutorial: str = "") -> list[list[Any]]:
    """One row per generator of ``scores.json``, then the real test digits."""
    rows = []
    for name, s in scores["generators"].items():
        name = GENERATOR_NAMES.get((tutorial, name), name)
        c, u = s.get("conditional", {}), s.get("unconditional", {})
        rec = s.get("reconstruction", {})
        rows.append([name, c.get("label_accuracy"), u.get("confident_fraction"), s.get("style", {}).get("accuracy"),
                     c.get("frechet_distance", u.get("frechet_distance")),
                     c.get("relative_sharpness", u.get("relative_sharpness")), c.get("within_label_variety"),
                     rec.get("accuracy"), rec.get("bce")])
    real = scores["real_test_digits"]
    rows.append(["real test digits", real["label_accuracy"], real.get("confident_fraction"), None, real["frechet_distance"],
                 real["relative_sharpness"], real["within_label_variety"], None, None])
    return rows


SCORE_HEAD = ("generator", "read as requested label", "read confidently (no label)", "style transfer read as target",
              "Fréchet distance to test digits", "sharpness / real test digits", "variety within label",
              "reconstructions read correctly", "reconstruction BCE")


def score_section(record: RunRecord) -> list[str]:
    if record.scores is None:
        if record.tutorial in ("celeba", "faces"):
            return ["Faces are judged inside the tutorial by its attribute and smile classifiers; "
                    "their numbers are under *Measurements* below."]
        return ["No `samples.npz` or `scores.json` in this folder, so the digit judge has nothing to score."]
    judge = record.scores["judge"]
    kept = "" if record.samples.is_file() else " (`samples.npz` not kept here; `scores.json` holds its scores)"
    reference = record.scores.get("reference_digits", "MNIST")
    lines = [f"The digit judge (trained on {judge['trained_on']}, {fmt(judge['test_accuracy'])} of the test "
             f"digits read correctly) reads this run's `samples.npz`{kept}; real digits: {reference}. The Fréchet distance "
             "compares the judge's 128 features of the generated digits with those of the test digits; for the "
             "real row, of 10,000 training digits. Sharpness is over that of the real test digits.", ""]
    lines += markdown_table(SCORE_HEAD, generator_score_rows(record.scores, record.tutorial))
    per_label = {GENERATOR_NAMES.get((record.tutorial, name), name): s["conditional"]["per_label"]
                 for name, s in record.scores["generators"].items() if "conditional" in s}
    if per_label:
        lines += ["", "Read as the requested label, per label:", ""]
        lines += markdown_table(["generator", *map(str, range(10))], [[n, *v] for n, v in per_label.items()])
    return lines


def write_loss_figure(record: RunRecord) -> pathlib.Path | None:
    losses = record.losses
    if not losses:
        return None
    fig = figures.plot_loss_curves(record.steps, losses, xlabel=record.step_name,
                                   log_scale=[k for k in losses if k in LOG_SCALE_LOSSES], title=record.label)
    return figures.save_figure(fig, record.folder / REPORT_LOSSES_FIGURE, show=False)


def report_lines(record: RunRecord) -> list[str]:
    named = f"Run folder `{record.folder.name}`" + (f" ({record.label})" if record.label != record.folder.name else "")
    lines = [f"# {record.title}", "",
             f"{named}. Written by `python -m keras_autoencoders report` from this folder's own files.", "",
             "## Settings", ""]
    lines += markdown_table(["setting", "value"], record.settings.items())
    lines += ["", "## Training", ""]
    losses = loss_rows(record)
    if losses:
        lines += markdown_table(["loss", "first", "last", "lowest", f"{record.step_name}s logged"], losses)
        lines += ["", f"![losses]({REPORT_LOSSES_FIGURE})", ""]
    else:
        lines += ["No per-epoch history in this folder (the tutorial's models are resumable stages).", ""]
    timings = timing_rows(record)
    if timings:
        lines += ["Timings (seconds):", ""] + markdown_table(["what", "value"], timings)
    lines += ["", "## Generated digits, scored", ""] + score_section(record)
    measured = flatten({k: v for k, v in record.results.items() if k not in _OWN_SECTIONS})
    lines += ["", "## Measurements (results.json)", ""] + markdown_table(["measure", "value"], measured)
    lines += ["", "## Figures", ""]
    for path in record.figures:
        lines += [f"### {path.stem}", "", f"![{path.stem}]({path.parent.name}/{path.name})", ""]
    if record.animations:
        lines += ["## Animations", ""]
        lines += [f"- [{p.name}]({p.parent.name}/{p.name})" for p in record.animations] + [""]
    if "versions" in record.results:
        lines += ["## Versions", ""] + markdown_table(["package", "version"], record.results["versions"].items())
    return lines


def write_run_report(record: RunRecord) -> pathlib.Path:
    """Write ``REPORT.md`` (and ``report_losses.png`` when there is a history) into the run folder."""
    write_loss_figure(record)
    path = record.folder / REPORT_FILE
    path.write_text("\n".join(report_lines(record)) + "\n")
    return path
