"""Every use of a private Keras or TensorFlow API in the library, in one place.

Neither promises to keep these; each function below names the private
attribute it reads and what the library relies on it for. They were written
against Keras :data:`KERAS_TESTED` (TensorFlow backend), and
``tests/test_compat.py`` checks each one still exists and behaves as relied upon,
failing with a message that names the installed Keras version. Run that test
first after a Keras upgrade: the exact resume of
:mod:`keras_autoencoders.training.reproducible` (same weights as an uninterrupted
run), the distributed VAE loss and the dropout draws under XLA rest on them.

Behaviour relied upon without a private call (so checked there too, not wrapped
here): ``fit`` calls ``on_epoch_begin`` before it starts the epoch's data iterator
(``keras/src/trainers/epoch_iterator.py``), which is when an epoch-keyed shuffle
reads its epoch variable.
"""
from __future__ import annotations

import keras

#: The Keras version these wrappers were written and tested against.
KERAS_TESTED = "3.15.1"

__all__ = ["KERAS_TESTED", "flatten_layers", "in_xla_context", "layer_seed_generators",
           "scale_loss_for_distribution"]


def flatten_layers(layer: keras.layers.Layer) -> list[keras.layers.Layer]:
    """``layer`` and every sublayer, each once, in ``Layer._flatten_layers()`` order.

    Wraps the private ``Layer._flatten_layers(include_self=True, recursive=True)``
    (Keras 3.15.1): ``layer`` first, then a depth-first walk of the tracked
    ``_layers`` in which a layer's direct sublayers come in the order they were
    attached and each one's own sublayers come right after it, in reverse order of
    attachment (the walk pushes them on the front of a deque). The order depends
    only on the code that built the model, not on layer names, so two processes
    building the same model get the same list; seed generators are numbered by it.
    """
    return list(layer._flatten_layers(include_self=True, recursive=True))


def layer_seed_generators(layer: keras.layers.Layer) -> tuple[keras.random.SeedGenerator, ...]:
    """The ``SeedGenerator`` objects ``layer`` itself tracks (not its sublayers'), in attachment order.

    Wraps the private ``Layer._seed_generators`` list (Keras 3.15.1), which Keras'
    attribute tracker fills with every ``SeedGenerator`` assigned to an attribute
    of the layer (``Dropout.seed_generator``, :class:`~keras_autoencoders.models.vae.Sampling`'s).
    An object without it gives ``()``.
    """
    return tuple(getattr(layer, "_seed_generators", ()))


def in_xla_context() -> bool:
    """Whether the code being traced now will be compiled by XLA (``tf.function(jit_compile=True)``,
    as ``compile(jit_compile=True)`` makes Keras' step).

    Wraps TensorFlow's private ``control_flow_util.GraphOrParentsInXlaContext`` on the default
    graph (TensorFlow 2.21): true inside an XLA-compiled function and any function it calls,
    false eagerly and in a plain ``tf.function``. :class:`~keras_autoencoders.models.dropout.Float32DrawDropout`
    asks it to pick ThreeFry, which TensorFlow runs only under XLA.
    """
    import tensorflow as tf
    from tensorflow.python.ops import control_flow_util

    return bool(control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph()))


def scale_loss_for_distribution(loss):
    """``loss`` divided by the number of ``tf.distribute`` replicas (unchanged on one device).

    Wraps the private ``keras.src.losses.loss.scale_loss_for_distribution`` (Keras 3.15.1), which
    Keras' own losses apply: a model whose ``compute_loss`` returns a per-replica loss of its own
    calls it so that the replicas' summed gradients equal one step on the global batch (Keras'
    ``train_step`` undoes it for the reported loss). A no-op on the JAX and other backends.
    """
    from keras.src.losses.loss import scale_loss_for_distribution as scale

    return scale(loss)
