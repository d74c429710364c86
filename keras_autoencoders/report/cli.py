"""``python -m keras_autoencoders report``: REPORT.md per run, a comparison of several, the README's claims.

    python -m keras_autoencoders report RUN_DIR [RUN_DIR ...] [--compare-out DIR] [--data-dir DIR] [--rescore]
    python -m keras_autoencoders report --claims README.md         # rewrite the claims table
    python -m keras_autoencoders report --check-claims README.md   # exit 1 if it disagrees with the runs

Each RUN_DIR is a tutorial's ``--out`` folder. Its ``samples.npz`` is scored by the
digit judge (trained once, then cached in Keras' cache folder) into ``scores.json``,
unless a current ``scores.json`` is there; then ``REPORT.md`` is written into it.
With several runs, ``COMPARISON.md`` and the overlaid loss curves go to ``--compare-out``.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Sequence

from keras_autoencoders.errors import KerasAutoencodersError


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m keras_autoencoders report", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="*", type=pathlib.Path, help="run folders (a tutorial's --out)")
    p.add_argument("--compare-out", type=pathlib.Path, default=pathlib.Path("runs/comparison"),
                   help="where COMPARISON.md and the overlaid losses go when several runs are given")
    p.add_argument("--data-dir", type=pathlib.Path, default=None, help="folder holding mnist.npz (for scoring)")
    p.add_argument("--rescore", action="store_true", help="score samples.npz again even if scores.json is current")
    p.add_argument("--claims", type=pathlib.Path, metavar="README", help="rewrite README's claims table")
    p.add_argument("--check-claims", type=pathlib.Path, metavar="README",
                   help="compare README's claims table with the committed runs; exit 1 on a difference")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not (args.runs or args.claims or args.check_claims):
        parser().error("give run folders, --claims or --check-claims")
    from keras_autoencoders.tutorial import quiet_tensorflow

    quiet_tensorflow()
    from keras_autoencoders.report import claims
    from keras_autoencoders.report.comparison import write_comparison
    from keras_autoencoders.report.run_record import read_run
    from keras_autoencoders.report.run_report import write_run_report
    from keras_autoencoders.report.scoring import score_runs

    try:
        records = [read_run(folder) for folder in args.runs]
        score_runs(records, data_dir=args.data_dir, rescore=args.rescore)
        for record in records:
            print(f"wrote {write_run_report(record)}")
        if len(records) > 1:
            print(f"wrote {write_comparison(records, args.compare_out)}")
        if args.claims:
            changed = claims.update_readme(args.claims)
            print(f"{'rewrote' if changed else 'unchanged:'} the claims table of {args.claims}")
        if args.check_claims:
            problems = claims.check_readme(args.check_claims)
            for line in problems:
                print(line, file=sys.stderr)
            if problems:
                return 1
            print(f"{args.check_claims}: the claims table agrees with the committed runs")
    except KerasAutoencodersError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
