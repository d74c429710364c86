"""Compiling the tutorials' models the way their articles train them: Adam, one loss."""
from __future__ import annotations

from typing import Any, Callable, TypeVar

import keras

ModelT = TypeVar("ModelT", bound=keras.Model)


def compile_with_adam(model: ModelT, learning_rate: float, steps_per_execution: int = 1,
                      loss: Any = None, jit_compile: bool = False) -> ModelT:
    """``model`` compiled with Adam(``learning_rate``) and ``loss`` (None: its own). ``steps_per_execution`` changes how
    ``fit`` runs, not the weights. ``jit_compile`` (XLA) draws its own dropout masks and noise from the seed (a run
    repeats exactly, unlike an un-jitted one's); on a CPU it fuses the dense VAEs' element-wise work (Part 4's CVAE:
    0.74x the Keras 2 reference's epoch time, ``bench/part4.py``) but slows convolutions several times."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, steps_per_execution=steps_per_execution,
                  jit_compile=jit_compile)
    return model


def built_with_adam(build: Callable[..., ModelT], *args: Any, learning_rate: float, steps_per_execution: int = 1,
                    loss: Any = None, **kwargs: Any) -> Callable[[], ModelT]:
    """A builder for a study's stage (:meth:`~keras_autoencoders.tutorial_run.TutorialRun.stage`,
    which seeds before it builds): ``build(*args, **kwargs)`` passed to :func:`compile_with_adam`."""
    return lambda: compile_with_adam(build(*args, **kwargs), learning_rate, steps_per_execution, loss)
