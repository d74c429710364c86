"""Show saved figures and animations inline when a tutorial runs cell by cell.

Under a Jupyter kernel (a notebook made with jupytext, VS Code's interactive
window) each saved PNG or GIF is also displayed as the cell's output, so the
reader sees the picture beside the article's text. Run as a script, nothing is
shown: the files are the output.
"""
from __future__ import annotations

import os
import sys


def in_notebook() -> bool:
    """True inside an IPython kernel (Jupyter, VS Code's interactive window), not a terminal."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def show_file(path: str | os.PathLike) -> None:
    """Display a PNG or GIF file inline in a notebook kernel; do nothing elsewhere."""
    if in_notebook():
        from IPython.display import Image, display

        display(Image(filename=os.fspath(path)))
