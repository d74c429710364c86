"""Training: fit callbacks, reproducible epochs, snapshots, Part 6's adaptive loop, the CVAE baseline."""

from keras_autoencoders._lazy import lazy_api

_API = {
    "run_folder_callbacks": "keras_autoencoders.training.callbacks",
    "EpochTimer": "keras_autoencoders.training.callbacks",
    "EpochSeeds": "keras_autoencoders.training.reproducible",
    "shuffled_batches": "keras_autoencoders.training.reproducible",
    "StopOnNonFiniteLoss": "keras_autoencoders.training.reproducible",
    "ManifoldSnapshots": "keras_autoencoders.training.snapshots",
    "AdaptiveTrainer": "keras_autoencoders.training.adaptive_loop",
    "train_cvae_for_steps": "keras_autoencoders.training.baseline",
    "build_distributed": "keras_autoencoders.training.distribute",
}
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
