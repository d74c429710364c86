"""The optimiser of Part 6 as the article ran it: TensorFlow 1's ``RMSPropOptimizer``.

Part 6 ("Определение шагов оптимизатора") trains with
``tf.train.RMSPropOptimizer(lr)``. Its update rule is Keras' RMSprop (decay
0.9, no momentum), with two differences that matter early in training:

* the running mean of squared gradients starts at **1**, not 0, so the first
  steps are about ``lr * g`` rather than ``lr * sign(g) * 3.2``;
* ``epsilon`` is 1e-10 instead of Keras' 1e-7.

:class:`ArticleRMSprop` is Keras' RMSprop with those two settings.
"""
from __future__ import annotations

import keras
from keras import ops

from keras_autoencoders.compat import rmsprop_velocities

#: TensorFlow 1's ``RMSPropOptimizer`` default epsilon.
TF1_RMSPROP_EPSILON = 1e-10


@keras.saving.register_keras_serializable(package="keras_autoencoders")
class ArticleRMSprop(keras.optimizers.RMSprop):
    """RMSprop whose squared-gradient average starts at ``initial_accumulator`` (TF1: 1.0)."""

    def __init__(self, learning_rate: float = 1e-3, rho: float = 0.9,
                 epsilon: float = TF1_RMSPROP_EPSILON, initial_accumulator: float = 1.0, **kwargs):
        super().__init__(learning_rate=learning_rate, rho=rho, epsilon=epsilon, **kwargs)
        self.initial_accumulator = initial_accumulator

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        for velocity in rmsprop_velocities(self):
            velocity.assign(ops.full(velocity.shape, self.initial_accumulator, velocity.dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "initial_accumulator": self.initial_accumulator}
