"""Lazily imported public names for the package ``__init__`` files: ``import keras_autoencoders`` imports
no TensorFlow until a name that needs it is used, so :func:`~keras_autoencoders._quiet.quiet_tensorflow` runs first."""
from __future__ import annotations

import importlib
from typing import Callable


def lazy_api(package: str, table: str) -> tuple[list[str], Callable[[str], object], Callable[[], list[str]]]:
    """``(__all__, __getattr__, __dir__)`` for ``package``; ``table`` has one line per module under
    ``keras_autoencoders``, then its public names: ``"data.mnist: load_mnist load_mnist_digits"``."""
    api = {}
    for line in filter(None, (line.strip() for line in table.splitlines())):
        module, names = line.split(":")
        api.update({name: f"keras_autoencoders.{module.strip()}" for name in names.split()})

    def __getattr__(name: str) -> object:
        if name in api:
            return getattr(importlib.import_module(api[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(api)

    return list(api), __getattr__, __dir__
