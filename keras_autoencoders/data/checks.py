"""The loaders' argument checks: each returns the value, or raises ``SettingsError`` naming the argument."""
from __future__ import annotations

import numbers
from typing import Any, Optional, Sequence

from keras_autoencoders.errors import SettingsError


def check_integer(name: str, value: Any, low: Optional[int] = 1, high: Optional[int] = None,
                  what: str = "a positive integer") -> int:
    """``value`` as an int (not a bool) in ``low..high`` (``None``: unbounded), else "``name`` must be ``what``"."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral)
            or low is not None and value < low or high is not None and value > high):
        raise SettingsError(f"{name} must be {what}, got {value!r}")
    return int(value)


def check_fraction(name: str, value: Any, what: str, one_allowed: bool = False) -> float:
    """``value`` as a float in (0, 1), or (0, 1] when ``one_allowed``, else "``name`` must be ``what``"."""
    number = float(value) if isinstance(value, numbers.Real) and not isinstance(value, bool) else float("nan")
    if not (0.0 < number <= 1.0 if one_allowed else 0.0 < number < 1.0):
        raise SettingsError(f"{name} must be {what}, got {value!r}")
    return number


def check_choice(name: str, value: Any, choices: Sequence[str]) -> Any:
    """``value`` when it is one of ``choices``."""
    if value not in choices:
        raise SettingsError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value
