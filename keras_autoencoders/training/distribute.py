"""Training on several devices or processes (not in the articles; the CelebA article trained for about 8 hours on one
GPU): one route per backend. TensorFlow: ``MirroredStrategy`` over the GPUs of one machine. JAX: Keras' distribution
API, ``DataParallel`` over every device of every process, the processes named by Keras' own variables
``KERAS_DISTRIBUTION_JOB_ADDRESSES`` (the coordinator first), ``KERAS_DISTRIBUTION_NUM_PROCESSES`` and
``KERAS_DISTRIBUTION_PROCESS_ID`` (``python -m keras_autoencoders.launch`` sets them). Each global batch is split
across the replicas and the step is one step on the whole batch. With one device or none nothing changes."""
from __future__ import annotations

import contextlib
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

import keras

from keras_autoencoders.errors import SettingsError

ADDRESSES, COUNT, INDEX = ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "KERAS_DISTRIBUTION_NUM_PROCESSES",
                           "KERAS_DISTRIBUTION_PROCESS_ID")
#: Seconds a process waits for all its peers to join (``$KERAS_AUTOENCODERS_PEER_TIMEOUT``), then ends with an error.
PEER_TIMEOUT_VARIABLE, PEER_TIMEOUT = "KERAS_AUTOENCODERS_PEER_TIMEOUT", 120


def _whole(environ: Mapping[str, str], name: str, default: int, least: int) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < least:
        raise SettingsError(f"{name}={text!r}: give a whole number, at least {least}")
    return int(text)


@dataclass(frozen=True)
class Cluster:
    """The processes a run trains on: ``processes`` of them, this one numbered ``process_id`` (0 writes the run
    folder), meeting at ``coordinator`` (``host:port``). One process, no coordinator, without the variables."""

    processes: int = 1
    process_id: int = 0
    coordinator: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> "Cluster":
        """The cluster Keras' ``KERAS_DISTRIBUTION_*`` variables describe, checked: a bad value raises
        :class:`~keras_autoencoders.errors.SettingsError` naming the variable, before any process waits."""
        environ = os.environ if environ is None else environ
        processes = _whole(environ, COUNT, 1, 1)
        process_id = _whole(environ, INDEX, 0, 0)
        if process_id >= processes:
            raise SettingsError(f"{INDEX}={process_id} is out of range: {COUNT}={processes} numbers the processes "
                                f"0 to {processes - 1}")
        addresses = [a.strip() for a in environ.get(ADDRESSES, "").split(",") if a.strip()]
        if processes == 1:
            return cls()
        if not addresses:
            raise SettingsError(f"{COUNT}={processes} needs {ADDRESSES}, the coordinator's host:port first")
        if len(addresses) not in (1, processes):
            raise SettingsError(f"{ADDRESSES} lists {len(addresses)} addresses for {COUNT}={processes}: give the "
                                "coordinator's alone or one per process")
        for address in addresses:
            host, _, port = address.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise SettingsError(f"{ADDRESSES}: {address!r} is not host:port (a port from 1 to 65535)")
        if keras.config.backend() != "jax":
            raise SettingsError(f"{COUNT}={processes}: several processes train on the JAX backend only; set "
                                f"KERAS_BACKEND=jax (Keras here runs on {keras.config.backend()!r})")
        return cls(processes, process_id, addresses[0])

    @property
    def several(self) -> bool:
        return self.processes > 1

    @property
    def share(self) -> tuple[int, int]:
        """``(process_id, processes)``: the ``process`` argument of the image pipeline."""
        return self.process_id, self.processes

    @property
    def writes(self) -> bool:
        """Whether this process writes the run folder (process 0 alone)."""
        return self.process_id == 0


def join_processes(cluster: Cluster, timeout: float | None = None) -> None:
    """What ``keras.distribution.initialize`` does, with a bound: ``jax.distributed.initialize`` on ``cluster``, then
    Keras' shared random seed. A peer missing after ``timeout`` seconds (default ``$KERAS_AUTOENCODERS_PEER_TIMEOUT``,
    else 120) ends this process with an error naming the settings; JAX itself would abort after its own 300."""
    if not cluster.several:
        return
    import jax  # here: on the JAX backend only

    from keras_autoencoders.compat import initialize_shared_rng

    if jax.distributed.is_initialized():
        return
    timeout = timeout if timeout is not None else _whole(os.environ, PEER_TIMEOUT_VARIABLE, PEER_TIMEOUT, 1)

    def give_up() -> None:  # JAX's own deadline aborts the process with a stack dump: end it first, clearly
        print(f"error: process {cluster.process_id} of {cluster.processes}: not every process joined at "
              f"{cluster.coordinator} ({ADDRESSES}) within {timeout:g} s ({PEER_TIMEOUT_VARIABLE}); start all "
              f"{cluster.processes} ({COUNT}) with the same coordinator", file=sys.stderr, flush=True)
        os._exit(3)

    watchdog = threading.Timer(timeout, give_up)
    watchdog.daemon = True
    watchdog.start()
    jax.distributed.initialize(cluster.coordinator, cluster.processes, cluster.process_id,
                               initialization_timeout=int(timeout) + 60)
    watchdog.cancel()
    initialize_shared_rng()


@contextlib.contextmanager
def this_process_alone() -> Iterator[None]:
    """Within: no Keras distribution (JAX), so that new variables (a model file's) and reads stay on this process."""
    distribution = keras.distribution.distribution() if keras.config.backend() == "jax" else None
    if distribution is None:
        yield
        return
    keras.distribution.set_distribution(None)
    try:
        yield
    finally:
        keras.distribution.set_distribution(distribution)


def leave_processes(cluster: Cluster) -> None:
    """After training: drop the distribution (what follows runs on this process alone) and, on several processes,
    wait until all of them are here (``jax.distributed.shutdown``)."""
    if keras.config.backend() == "jax":
        keras.distribution.set_distribution(None)
    if cluster.several:
        import jax

        jax.distributed.shutdown()


@dataclass
class DistributedTraining:
    """What :func:`build_distributed` returns: pass ``dataset`` to ``model.fit``. ``route`` names how it trains."""

    model: keras.Model
    dataset: Any
    replicas: int
    route: str
    strategy: Any = None  # the tf.distribute strategy, on TensorFlow


def make_strategy(devices: Sequence[str] | None = None):
    """A ``MirroredStrategy`` over ``devices`` (e.g. ``["/cpu:0", "/cpu:1"]``, logical devices as in the
    tests), else over all GPUs when two or more are visible, else the default strategy (TensorFlow)."""
    import tensorflow as tf

    if devices is not None:
        devices = list(devices)
        if not devices:
            raise ValueError("devices: give at least one device name, or None to choose automatically")
        return tf.distribute.MirroredStrategy(devices)
    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy([gpu.name for gpu in gpus])
    return tf.distribute.get_strategy()


def build_distributed(build_model: Callable[[], keras.Model], dataset: Any, compile_kwargs: dict | None = None,
                      strategy: Any = None, cluster: Cluster | None = None,
                      batch_size: int | None = None) -> DistributedTraining:
    """Build and compile (``compile_kwargs``) ``build_model()`` for the devices at hand. TensorFlow: inside
    ``strategy``'s scope (default :func:`make_strategy`), ``dataset``'s global batches distributed across the
    replicas. JAX: on several devices or processes (``cluster``, joined here), under ``DataParallel``; ``dataset``
    holds this process's rows of each global batch of ``batch_size`` (which the devices must divide)."""
    cluster = cluster or Cluster()
    if keras.config.backend() != "jax":
        if cluster.several:
            raise SettingsError(f"{COUNT}={cluster.processes}: several processes train on the JAX backend only")
        strategy = strategy if strategy is not None else make_strategy()
        with strategy.scope():
            model = build_model()
            model.compile(**(compile_kwargs or {}))
        replicas = int(strategy.num_replicas_in_sync)
        if replicas > 1:
            dataset = strategy.experimental_distribute_dataset(dataset)
        return DistributedTraining(model, dataset, replicas, type(strategy).__name__, strategy)
    join_processes(cluster)
    devices = keras.distribution.list_devices()
    if len(devices) > 1:
        if batch_size is not None and batch_size % len(devices):
            raise SettingsError(f"--batch-size {batch_size}: the global batch must split evenly over the "
                                f"{len(devices)} devices of {cluster.processes} process(es)")
        # auto_shard_dataset=False: each process's pipeline already reads only its share of the files.
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices,
                                                                            auto_shard_dataset=False))
        optimizer = (compile_kwargs or {}).get("optimizer")
        if isinstance(optimizer, keras.optimizers.Optimizer):  # made before: its variables must be the distribution's
            compile_kwargs = {**compile_kwargs, "optimizer": optimizer.__class__.from_config(optimizer.get_config())}
    model = build_model()
    model.compile(**(compile_kwargs or {}))
    return DistributedTraining(model, dataset, len(devices), "DataParallel" if len(devices) > 1 else "one device")
