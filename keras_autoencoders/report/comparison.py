"""Several runs side by side: one table of their settings and scores, their losses overlaid.

For the comparisons the articles invite: CVAE (Part 4) against CVAE+GAN (Part 6; each
Part 6 run also scores the CVAE trained beside it), latent 2 against 8, the presets,
gamma values, a quick run against a full one.
"""
from __future__ import annotations

import pathlib
from typing import Sequence

from keras_autoencoders.plotting import figures
from keras_autoencoders.report.run_report import LOG_SCALE_LOSSES, generator_score_rows, markdown_table
from keras_autoencoders.report.run_record import RunRecord

COMPARISON_FILE = "COMPARISON.md"
#: Settings that name places, not choices: left out of "what differs".
_PLACES = ("out", "data_dir", "resume", "part4_run", "attributes_file")


def unique_labels(records: Sequence[RunRecord]) -> list[str]:
    """Each run's label; runs that share a label get their folder's name added."""
    labels = [r.label for r in records]
    return [f"{label} ({r.folder.name})" if labels.count(label) > 1 else label for label, r in zip(labels, records)]


def differing_settings(records: Sequence[RunRecord]) -> list[str]:
    """Settings whose values differ between the runs (a setting one run lacks counts as differing)."""
    keys = sorted({k for r in records for k in r.settings if k not in _PLACES})
    return [k for k in keys if len({repr(r.settings.get(k)) for r in records}) > 1]


def comparison_lines(records: Sequence[RunRecord], figure_names: Sequence[str]) -> list[str]:
    labels = unique_labels(records)
    differ = differing_settings(records)
    lines = ["# Runs compared", "", "Written by `python -m keras_autoencoders report` from each run's own files.",
             "", "## Settings that differ", ""]
    lines += markdown_table(["run", "tutorial", "folder", *differ],
                            [[label, r.tutorial, f"`{r.folder}`", *(r.settings.get(k) for k in differ)]
                             for label, r in zip(labels, records)])
    loss_names = sorted({k for r in records for k in r.losses})
    if loss_names:
        lines += ["", "## Last logged losses", ""]
        lines += markdown_table(["run", *loss_names],
                                [[label, *(r.losses[k][-1] if k in r.losses else None for k in loss_names)]
                                 for label, r in zip(labels, records)])
    scored = [(label, r) for label, r in zip(labels, records) if r.scores]
    if scored:
        head = ("run", "generator", "read as requested label", "read confidently (no label)",
                "style transfer read as target", "Fréchet distance", "sharpness / real", "variety within label",
                "reconstructions read correctly", "reconstruction BCE")
        rows = [[label, *row] for label, r in scored for row in generator_score_rows(r.scores, r.tutorial)[:-1]]
        rows.append(["-", *generator_score_rows(scored[0][1].scores)[-1]])
        lines += ["", "## Generated digits, scored by the digit judge", ""] + markdown_table(head, rows)
    for name in figure_names:
        lines += ["", f"![{name}]({name})"]
    return lines


def write_comparison(records: Sequence[RunRecord], out: str | pathlib.Path) -> pathlib.Path:
    """Write ``COMPARISON.md`` and the overlaid loss curves (one figure per step unit:
    ``losses_by_epoch.png``, ``losses_by_iteration.png``) into ``out``."""
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    labels = unique_labels(records)
    figure_names = []
    for unit in ("epoch", "iteration"):
        runs = [(label, r) for label, r in zip(labels, records) if r.losses and r.step_name == unit]
        if not runs:
            continue
        names = sorted({k for _, r in runs for k in r.losses})
        curves = {k: {label: r.losses[k] for label, r in runs if k in r.losses} for k in names}
        steps = {label: r.steps for label, r in runs}
        fig = figures.plot_loss_curves(steps, curves, xlabel=unit, log_scale=LOG_SCALE_LOSSES)
        figure_names.append(figures.save_figure(fig, out / f"losses_by_{unit}.png", show=False).name)
    path = out / COMPARISON_FILE
    path.write_text("\n".join(comparison_lines(records, figure_names)) + "\n")
    return path
