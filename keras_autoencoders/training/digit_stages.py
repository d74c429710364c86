"""The MNIST study's eight models (``tutorials/mnist_autoencoders.py``), each one call of
:meth:`DigitStages.train`: a resumable :meth:`~keras_autoencoders.tutorial_run.TutorialRun.stage`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import keras
import numpy as np

from keras_autoencoders.data.mnist import MnistDigits
from keras_autoencoders.training.compile import built_with_adam


@dataclass
class DigitStages:
    """The study's shared training settings: Adam at ``learning_rate`` (``steps_per_execution`` per call), ``epochs``
    of ``batch_size`` digits, validation on the first ``validation_digits`` test digits (0: all), ``seed``."""

    run: Any  # a TutorialRun
    digits: MnistDigits
    learning_rate: float
    epochs: int
    batch_size: int
    seed: int = 0
    validation_digits: int = 0
    steps_per_execution: int = 1

    @property
    def validation(self) -> slice:
        """The test digits every model is validated on."""
        return slice(None, self.validation_digits or None)

    def train(self, name: str, build: Callable[..., keras.Model], *args: Any, loss: Any = None,
              epochs: int | None = None, batch_size: int | None = None,
              noisy: tuple[np.ndarray, np.ndarray] | None = None, labelled: bool = False,
              record: dict[str, Any] | None = None, **build_kwargs: Any) -> Any:
        """``build(*args, seed=..., **build_kwargs)`` compiled with Adam (and ``loss``), trained as stage ``name`` or
        reloaded: the :class:`~keras_autoencoders.tutorial_run.Trained`. The training digits are input and target;
        ``noisy`` (train, test) replaces the inputs (a denoising AE), ``labelled`` adds the one-hot labels (a
        conditional VAE). A ``precision`` among ``build_kwargs`` and ``record`` are recorded."""
        digits, val = self.digits, self.validation
        inputs = noisy if noisy is not None else (digits.x_train, digits.x_test)
        if labelled:
            data = ((inputs[0], digits.y_train_onehot), inputs[0])  # the article's fit([x, y], x)
            validation = ((inputs[1][val], digits.y_test_onehot[val]), inputs[1][val])
        else:
            data, validation = (inputs[0], digits.x_train), (inputs[1][val], digits.x_test[val])
        record = {**({"precision": build_kwargs["precision"]} if "precision" in build_kwargs else {}), **(record or {})}
        model = built_with_adam(build, *args, seed=self.seed, loss=loss, learning_rate=self.learning_rate,
                                steps_per_execution=self.steps_per_execution, **build_kwargs)
        return self.run.stage(name, model, data, validation_data=validation, epochs=epochs or self.epochs,
                              batch_size=batch_size or self.batch_size, **record)
