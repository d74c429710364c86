"""The results files every tutorial writes (README, "Results files").

``results.json``: ``settings`` (all flags and the seed), ``history`` (lists
per epoch), ``versions`` (packages) and whatever measurements the tutorial
adds. ``samples.npz``: the arrays of
:func:`keras_autoencoders.generation.contract_samples` for MNIST generators.
Both are written atomically (temporary file, then rename), so a crash never
leaves a truncated file in place of a good one.
"""
from __future__ import annotations

import csv
import json
import os
import pathlib
import platform
from importlib import metadata

import numpy as np

PACKAGES = ("tensorflow", "keras", "numpy", "scipy", "matplotlib", "imageio", "imageio-ffmpeg")


def package_versions(packages=PACKAGES) -> dict[str, str | None]:
    """Installed versions of ``packages`` (None when absent), plus Python's."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _to_jsonable(value):
    if isinstance(value, dict):
        return {str(k): _to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_jsonable(v) for v in value]
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, pathlib.PurePath):
        return str(value)
    return value


def write_results(out_dir: str | os.PathLike, settings: dict, **sections) -> pathlib.Path:
    """Write ``results.json`` with ``settings``, the given sections and ``versions``."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    content = {"settings": settings, **sections, "versions": package_versions()}
    path = out_dir / "results.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(_to_jsonable(content), indent=2) + "\n")
    os.replace(tmp, path)
    return path


def write_samples(out_dir: str | os.PathLike, samples: dict[str, np.ndarray]) -> pathlib.Path:
    """Write ``samples.npz`` (compressed) from named arrays."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "samples.npz"
    tmp = out_dir / "samples.tmp.npz"
    np.savez_compressed(tmp, **samples)
    os.replace(tmp, path)
    return path


def read_history_csv(path: str | os.PathLike) -> dict[str, list[float]]:
    """Read a Keras ``CSVLogger`` file into ``{column: [value per epoch]}`` (epoch as int).

    A resumed run may log an epoch twice (it was logged, then redone after the
    restore); the last row of each epoch wins.
    """
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return {}
    by_epoch: dict[int, dict] = {}
    for line, row in enumerate(rows, start=2):
        parsed = {}
        for key, value in row.items():
            try:
                parsed[key] = int(value) if key == "epoch" else float(value)
            except (TypeError, ValueError) as err:
                raise ValueError(f"{path}, line {line}: bad value {value!r} in column {key!r}") from err
        by_epoch[parsed.get("epoch", line)] = parsed
    ordered = [by_epoch[e] for e in sorted(by_epoch)]
    return {key: [row[key] for row in ordered] for key in rows[0]}
