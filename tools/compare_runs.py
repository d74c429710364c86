"""Put Part 6 runs side by side: their losses in one figure, their numbers in one table.

    python tools/compare_runs.py RUN_DIR [RUN_DIR ...] [--out FIGURE.png]

Each RUN_DIR is the ``--out`` of a ``part6_cvae_gan.py`` run. Runs are named by
their preset and latent size. Prints a Markdown table of the ``comparison``
numbers (CVAE+GAN and the Part 4 CVAE of each run, and real digits) and the
last logged losses, and writes the losses of all runs, overlaid, to ``--out``.
"""
from __future__ import annotations

import argparse
import json
import pathlib

from keras_autoencoders.tutorial import quiet_tensorflow

quiet_tensorflow()
from keras_autoencoders.plotting import figures  # noqa: E402
from keras_autoencoders.run_folder import RESULTS_FILE  # noqa: E402

LOSSES = ("l_prior", "l_llike", "l_gan")


def run_name(results: dict) -> str:
    s = results["settings"]
    return f"{s['preset']}, latent {s['latent_dim']}"


def unique_names(folders: list[pathlib.Path], results: list[dict]) -> list[str]:
    """Each run's name; runs whose settings give the same name also get their folder's name."""
    names = [run_name(r) for r in results]
    return [f"{n} ({f.name})" if names.count(n) > 1 else n for n, f in zip(names, folders)]


def table(runs: dict[str, dict]) -> str:
    """Markdown rows: one per model per run, plus real digits."""
    head = ("| run | model | iterations | optimiser steps | relative sharpness | label accuracy | "
            "variety within label | reconstruction MSE | own / same-label MSE |")
    rows = [head, "|" + "---|" * 9]
    real = None
    for name, results in runs.items():
        comparison = results["comparison"]
        real = comparison["real"]
        for model in ("cvae_gan", "cvae"):
            c = comparison[model]
            steps = c["optimizer_steps"]
            steps = (f"{steps['discriminator']} D + {steps['encoder_decoder']} E+D"
                     if isinstance(steps, dict) else f"{steps} (Adam)")
            rec = c["reconstruction"]
            rows.append(f"| {name} | {'CVAE+GAN' if model == 'cvae_gan' else 'Part 4 CVAE'} | "
                        f"{comparison['cvae_gan']['iterations']} | {steps} | {c['relative_sharpness']:.2f} | "
                        f"{c['label_accuracy']:.3f} | {c['within_label_variety']:.2f} | {rec['mse_own']:.4f} | "
                        f"{rec['ratio']:.3f} |")
    if real is not None:
        sharpness = f"{real['relative_sharpness']:.2f}" if "relative_sharpness" in real else "1.00"  # older runs
        rows.append(f"| - | real test digits | - | - | {sharpness} | {real['label_accuracy']:.3f} | "
                    f"{real['within_label_variety']:.2f} | - | - |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("part6_losses.png"))
    args = parser.parse_args()
    loaded = []
    for folder in args.runs:
        path = folder / RESULTS_FILE
        if not path.exists():
            raise SystemExit(f"{path}: not found (is {folder} the --out of a part6_cvae_gan.py run?)")
        loaded.append(json.loads(path.read_text()))
    runs = dict(zip(unique_names(args.runs, loaded), loaded))
    print(table(runs))
    for name, results in runs.items():
        h = results["history"]
        last = {k: h[k][-1] for k in LOSSES}
        print(f"{name}: at iteration {h['iteration'][-1]}: " + ", ".join(f"{k} {v:.4g}" for k, v in last.items()))
    steps = {name: r["history"]["iteration"] for name, r in runs.items()}
    curves = {k: {name: r["history"][k] for name, r in runs.items()} for k in LOSSES}
    figures.save_figure(figures.plot_loss_curves(steps, curves, log_scale=("l_gan",)), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
