"""Saved figures and animations shown inline when a tutorial runs cell by cell in a Jupyter kernel (a jupytext
notebook, VS Code's interactive window); run as a script, the files are the output."""
from __future__ import annotations

import os
import sys


def in_notebook() -> bool:
    """True inside an IPython kernel (Jupyter, VS Code's interactive window), not a terminal."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def show_file(path: str | os.PathLike) -> None:
    """Display a PNG or GIF file inline in a notebook kernel; do nothing elsewhere."""
    if in_notebook():
        from IPython.display import Image, display

        display(Image(filename=os.fspath(path)))
