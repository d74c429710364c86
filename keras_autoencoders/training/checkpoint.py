"""Checkpoints of a custom training loop: model variables, optimiser states and loop state.

``keras.callbacks.BackupAndRestore`` serves ``fit``; Part 6's adaptive loop
runs its own steps, so it saves here. One ``.npz`` holds every variable of the
model (weights and the dropout/sampling seed-generator states), every
variable of each named optimiser (slots, iteration counts), and a JSON blob of
the loop's own state (iteration, batch order, NumPy generator states,
history). Restoring all of it makes a resumed run continue exactly as an
uninterrupted one would. Files are written to a temporary name and renamed,
so a crash mid-write leaves the previous checkpoint intact.
"""
from __future__ import annotations

import json
import os
import pathlib
from typing import Any, Mapping

import keras
import numpy as np

_STATE_KEY = "loop_state_json"


def _variable_groups(model: keras.Model, optimizers: Mapping[str, keras.optimizers.Optimizer]) -> dict:
    groups = {"model": list(model.variables)}
    for name, optimizer in optimizers.items():
        groups[f"optimizer_{name}"] = list(optimizer.variables)
    return groups


def save_checkpoint(path: str | os.PathLike, model: keras.Model,
                    optimizers: Mapping[str, keras.optimizers.Optimizer], state: Mapping[str, Any]) -> pathlib.Path:
    """Write the variables of ``model`` and ``optimizers`` and the JSON-able ``state`` to ``path``."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for group, variables in _variable_groups(model, optimizers).items():
        for index, variable in enumerate(variables):
            arrays[f"{group}/{index:04d}/{variable.path}"] = np.asarray(keras.ops.convert_to_numpy(variable))
    arrays[_STATE_KEY] = np.frombuffer(json.dumps(state).encode(), dtype=np.uint8)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)
    return path


def load_checkpoint(path: str | os.PathLike, model: keras.Model,
                    optimizers: Mapping[str, keras.optimizers.Optimizer]) -> dict:
    """Assign the saved variables to ``model`` and ``optimizers``; return the loop state.

    Every variable is checked (position, kind and shape) before any is assigned, so a
    checkpoint of another architecture is refused with the first mismatch
    named and leaves the model untouched.
    """
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    with np.load(path) as saved:
        stored = {key: saved[key] for key in saved.files}
    state = json.loads(stored.pop(_STATE_KEY).tobytes().decode())
    assignments = []
    for group, variables in _variable_groups(model, optimizers).items():
        keys = sorted(k for k in stored if k.startswith(group + "/"))
        if len(keys) != len(variables):
            raise ValueError(f"{path}: {group} has {len(keys)} saved variables, the model has {len(variables)}")
        for key, variable in zip(keys, variables):
            saved_path = key.split("/", 2)[2]
            value = stored[key]
            # Match by position, shape and kind (kernel, bias, seed state...): auto-numbered
            # names such as "seed_generator_12" differ between processes.
            same_kind = saved_path.rsplit("/", 1)[-1] == variable.path.rsplit("/", 1)[-1]
            if not same_kind or tuple(value.shape) != tuple(variable.shape):
                raise ValueError(f"{path}: saved {group} variable {saved_path!r} {value.shape} does not "
                                 f"match {variable.path!r} {tuple(variable.shape)}")
            assignments.append((variable, value))
    for variable, value in assignments:
        variable.assign(value)
    return state
