"""Lazily imported public names for the package ``__init__`` files.

``import keras_autoencoders`` stays cheap (no TensorFlow until a name that needs it is
used), so :func:`keras_autoencoders.tutorial.quiet_tensorflow` can still run first.
"""
from __future__ import annotations

import importlib
from typing import Callable, Mapping


def lazy_api(package: str, api: Mapping[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: ``api`` maps each public name to its module."""

    def __getattr__(name: str) -> object:
        if name in api:
            return getattr(importlib.import_module(api[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(api)

    return __getattr__, __dir__
