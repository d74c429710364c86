"""Command-line settings shared by the tutorials: article defaults, a ``--quick`` preset, overrides.

Every tutorial declares its article settings and a quick preset (minutes on a
2-core CPU). Precedence: explicit flags > ``--quick`` preset > article settings.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any, Sequence


def quiet_tensorflow() -> None:
    """Hide TensorFlow's C++ start-up chatter and retracing notes unless the user set a level.

    Call before TensorFlow is imported.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


def tutorial_parser(description: str, article: dict[str, Any], help_texts: dict[str, str]) -> argparse.ArgumentParser:
    """A parser with one ``--flag`` per article setting, plus ``--quick`` and ``--out``.

    Flags default to None so that :func:`parse_settings` can tell which were given.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="the quick preset: minutes on a 2-core CPU instead of the article's run")
    for name, default in article.items():
        flag = "--" + name.replace("_", "-")
        help_text = f"{help_texts.get(name, '')} (article: {default})".strip()
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        else:
            kind = type(default) if default is not None else str
            parser.add_argument(flag, type=kind, default=None, help=help_text)
    return parser


def parse_settings(parser: argparse.ArgumentParser, article: dict[str, Any], quick: dict[str, Any],
                   argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Resolve the settings: article values, then the quick preset, then explicit flags.

    Unknown arguments (such as a notebook kernel's own) are ignored with a note,
    so the tutorial also runs cell by cell in an editor.
    """
    args, unknown = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if unknown:
        print(f"note: ignoring unknown arguments {unknown}", file=sys.stderr)
    settings = dict(article)
    if args.quick:
        settings.update(quick)
    settings.update({k: v for k, v in vars(args).items() if k in article and v is not None})
    settings["quick"] = bool(args.quick)
    return settings
