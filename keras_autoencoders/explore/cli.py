"""``python -m keras_autoencoders explore (RUN_DIR | --pretrained NAME) [--port N] [--data-dir DIR]``."""
from __future__ import annotations

import argparse
import sys
from typing import Sequence


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m keras_autoencoders explore", description=__doc__)
    p.add_argument("run", nargs="?", help="a tutorial's --out folder holding model/part4_cvae.keras or "
                                          "model/part6_cvae_gan.keras")
    p.add_argument("--pretrained", metavar="NAME", help="a shipped digit model instead: part4_cvae or part6_cvae_gan")
    p.add_argument("--port", type=int, default=7860, help="port on 127.0.0.1 (default 7860)")
    p.add_argument("--data-dir", default=None, help="folder holding mnist.npz, for the test digits")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if (args.run is None) == (args.pretrained is None):
        parser().error("give a run folder or --pretrained NAME (one of them)")
    from keras_autoencoders.errors import KerasAutoencodersError
    from keras_autoencoders.explore.app import serve
    from keras_autoencoders.explore.digits import load_digit_explorer

    try:
        explorer = load_digit_explorer(args.run, args.pretrained, args.data_dir)
    except KerasAutoencodersError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    serve(explorer, port=args.port)
    return 0
