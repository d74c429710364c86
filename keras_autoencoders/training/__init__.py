"""Training: fit callbacks, reproducible epochs, snapshots, the CVAE baseline."""

from keras_autoencoders._lazy import lazy_api

__all__, __getattr__, __dir__ = lazy_api(__name__, """
training.callbacks: run_folder_callbacks EpochTimer adaptive_loop_callbacks BackupEvery IterationProgress
training.reproducible: EpochSeeds shuffled_batches StopOnNonFiniteLoss
training.snapshots: ManifoldSnapshots
training.baseline: baseline_cvae baseline_batches
training.compile: compile_with_adam built_with_adam
training.distribute: build_distributed
""")
