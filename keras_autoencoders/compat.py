"""Every use of a private Keras or TensorFlow API in the library, in one place.

Each function names the private attribute it wraps and what the library relies on it for
(written against Keras :data:`KERAS_TESTED`, TensorFlow backend). ``tests/test_compat.py`` checks
each still behaves as relied upon, naming the installed Keras when not: run it first after an
upgrade, as exact resume (:mod:`keras_autoencoders.training.reproducible`), the distributed VAE loss
and the dropout draws under XLA rest on them. Also checked there, without a private call: ``fit``
calls ``on_epoch_begin`` before it starts the epoch's data iterator (``keras/src/trainers/epoch_iterator.py``).
"""
from __future__ import annotations

import keras

#: The Keras version these wrappers were written and tested against.
KERAS_TESTED = "3.15.1"

__all__ = ["KERAS_TESTED", "flatten_layers", "in_xla_context", "initialize_shared_rng", "layer_seed_generators",
           "scale_loss_for_distribution"]


def flatten_layers(layer: keras.layers.Layer) -> list[keras.layers.Layer]:
    """``layer`` and every sublayer, each once: the private ``Layer._flatten_layers(include_self=True,
    recursive=True)``. ``layer`` first, then its tracked ``_layers`` depth-first, each one's own sublayers
    right after it in reverse order of attachment (a deque). The order depends only on the code that
    built the model, not on layer names; seed generators are numbered by it."""
    return list(layer._flatten_layers(include_self=True, recursive=True))


def layer_seed_generators(layer: keras.layers.Layer) -> tuple[keras.random.SeedGenerator, ...]:
    """The ``SeedGenerator`` objects ``layer`` itself tracks (not its sublayers'), in attachment order:
    the private ``Layer._seed_generators`` list, filled with every ``SeedGenerator`` assigned to an
    attribute (``Dropout.seed_generator``, :class:`~keras_autoencoders.models.vae.Sampling`'s); ``()`` without it."""
    return tuple(getattr(layer, "_seed_generators", ()))


def in_xla_context() -> bool:
    """Whether the code being traced will be compiled by XLA (``compile(jit_compile=True)``): TensorFlow
    2.21's private ``control_flow_util.GraphOrParentsInXlaContext`` on the default graph, false eagerly
    and in a plain ``tf.function``. :class:`~keras_autoencoders.models.dropout.Float32DrawDropout` asks it
    to pick ThreeFry, which TensorFlow runs only under XLA."""
    import tensorflow as tf
    from tensorflow.python.ops import control_flow_util

    return bool(control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph()))


def scale_loss_for_distribution(loss):
    """``loss`` divided by the number of ``tf.distribute`` replicas (unchanged on one device): the
    private ``keras.src.losses.loss.scale_loss_for_distribution`` that Keras' own losses apply, so that
    the replicas' summed gradients equal one step on the global batch (``train_step`` undoes it for the
    reported loss). A no-op on other backends."""
    from keras.src.losses.loss import scale_loss_for_distribution as scale

    return scale(loss)


def initialize_shared_rng() -> None:
    """After ``jax.distributed.initialize``: Keras' global seed, the same in every process (the private
    ``keras.src.backend.jax.distribution_lib.initialize_rng``, the second half of ``keras.distribution.initialize``;
    it keeps a seed set by ``keras.utils.set_random_seed``, as every tutorial sets one). JAX backend only."""
    from keras.src.backend.jax.distribution_lib import initialize_rng

    initialize_rng()
