"""The VAEs on the JAX backend, on one process and data-parallel on two (``keras_autoencoders.launch``, 127.0.0.1):

* Part 4 trains, resumes to the uninterrupted weights, and saves a ``.keras`` file that TensorFlow loads;
* two processes train the CelebA CVAE to the weights one process reaches on the same global batches, resume from a
  kill -9 of both to them, and only process 0 writes the run folder;
* bad cluster settings end every process with one error naming the setting.

Each backend runs in its own process (``KERAS_BACKEND`` is read once, at import); every child has a timeout, and
ports are free ones of 127.0.0.1. Runs wherever jax is installed, as in CI."""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")]

REPO = pathlib.Path(__file__).resolve().parents[1]

TRAIN_ON_JAX = textwrap.dedent("""
    import json, pathlib, sys
    import keras, numpy as np
    from keras_autoencoders.data.mnist import load_mnist_digits
    from keras_autoencoders.models.vae import build_part4_cvae
    from keras_autoencoders.training.callbacks import run_folder_callbacks
    from keras_autoencoders.training.reproducible import EpochSeeds, shuffled_batches

    out = pathlib.Path(sys.argv[1])
    digits = load_mnist_digits(allow_sample=True, train_digits=600)
    x, y = digits.x_train, digits.y_train_onehot

    class Killed(Exception):
        pass

    class KillInEpoch1(keras.callbacks.Callback):  # stands for a kill after batch 2 of epoch 1 (0-based)
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == 1 and batch == 2:
                raise Killed()

    def fit(folder, extra=()):
        keras.utils.set_random_seed(0)
        model = build_part4_cvae(latent_dim=2, seed=0)
        model.compile(optimizer=keras.optimizers.Adam(1e-3))
        seeds = EpochSeeds(7)
        folder.mkdir(parents=True, exist_ok=True)
        model.fit(shuffled_batches((x, y), x, 100, seeds), epochs=3, verbose=0, shuffle=False,
                  callbacks=run_folder_callbacks(folder, seeds=seeds) + list(extra))
        return model

    reference = fit(out / "reference")
    try:
        fit(out / "run", [KillInEpoch1()])
    except Killed:
        pass
    resumed = fit(out / "run")
    untrained = build_part4_cvae(latent_dim=2, seed=0)
    gap = lambda a, b: max(float(np.abs(u - v).max()) for u, v in zip(a.get_weights(), b.get_weights()))
    reference.save(out / "part4_cvae.keras")
    z_mean = np.asarray(reference.encoder_net([x[:8], y[:8]])[0])
    np.savez(out / "outputs.npz", z_mean=z_mean, decoded=np.asarray(reference.decoder([z_mean, y[:8]])))
    print(json.dumps({"backend": keras.config.backend(), "resumed_gap": gap(reference, resumed),
                      "moved": gap(reference, untrained), "steps": int(resumed.optimizer.iterations)}))
""")

LOAD_ON_TENSORFLOW = textwrap.dedent("""
    import json, pathlib, sys
    import keras, numpy as np
    from keras_autoencoders.data.mnist import load_mnist_digits
    from keras_autoencoders.models import vae  # registers the model's classes for loading

    out = pathlib.Path(sys.argv[1])
    digits = load_mnist_digits(allow_sample=True, train_digits=600)
    x, y = digits.x_train[:8], digits.y_train_onehot[:8]
    model = keras.saving.load_model(out / "part4_cvae.keras")
    saved = np.load(out / "outputs.npz")
    z_mean = np.asarray(model.encoder_net([x, y])[0])
    decoded = np.asarray(model.decoder([saved["z_mean"], y]))
    print(json.dumps({"backend": keras.config.backend(), "z_mean_gap": float(np.abs(z_mean - saved["z_mean"]).max()),
                      "decoded_gap": float(np.abs(decoded - saved["decoded"]).max())}))
""")


def run_python(code: str, backend: str, *args: str) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_part4_on_jax_trains_resumes_exactly_and_saves_a_file_tensorflow_loads(tmp_path):
    trained = run_python(TRAIN_ON_JAX, "jax", str(tmp_path))
    assert trained["backend"] == "jax"
    assert trained["steps"] == 3 * 6  # 600 digits at batch 100, 3 epochs: the resumed run took every step
    assert trained["moved"] > 1e-3  # training changed the weights ...
    assert trained["resumed_gap"] <= 1e-6  # ... and the killed-then-resumed run ends where the uninterrupted one did
    loaded = run_python(LOAD_ON_TENSORFLOW, "tensorflow", str(tmp_path))
    assert loaded["backend"] == "tensorflow"
    # float32 on both sides, the same weights: the outputs differ by rounding only (oneDNN vs XLA kernels)
    assert loaded["z_mean_gap"] <= 1e-5 and loaded["decoded_gap"] <= 1e-5
    assert np.isfinite([loaded["z_mean_gap"], loaded["decoded_gap"]]).all()


CELEBA_STEPS = textwrap.dedent("""
    # The CelebA CVAE at 32x32 on 40 faces, global batch 8: 5 steps an epoch, EPOCHS epochs with OPTIMIZER, the
    # run-folder callbacks in OUT (backups), this process's weights to WEIGHTS; KILL_AT > 0: kill -9 after that step.
    import os, pathlib, signal, sys
    import keras, numpy as np
    from keras_autoencoders.data.celeba import load_celeba_index
    from keras_autoencoders.data.image_pipeline import as_cvae_inputs, make_image_dataset
    from keras_autoencoders.models.conv_cvae import build_celeba_cvae
    from keras_autoencoders.training.callbacks import run_folder_callbacks
    from keras_autoencoders.training.distribute import Cluster, build_distributed, join_processes, leave_processes
    from keras_autoencoders.training.reproducible import EpochSeeds

    folder, out, weights, epochs, optimizer, kill_at = sys.argv[1:7]
    cluster = Cluster.from_environment()
    join_processes(cluster)
    keras.utils.set_random_seed(0)
    index = load_celeba_index(folder, seed=0).first(40)
    seeds = EpochSeeds(0)
    data = as_cvae_inputs(make_image_dataset(index.paths(), index.conditions(), 8, image_size=32, seed=0,
                                             epoch_variable=seeds.epoch, process=cluster.share))
    optimizer = {"SGD": keras.optimizers.SGD(0.1), "Adam": keras.optimizers.Adam(1e-3)}[optimizer]
    run = build_distributed(lambda: build_celeba_cvae(40, 32, 8, seed=0), data, {"optimizer": optimizer},
                            cluster=cluster, batch_size=8)

    class KillAt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if int(self.model.optimizer.iterations) == int(kill_at):
                os.kill(os.getpid(), signal.SIGKILL)

    start = run.model.get_weights()  # as built (a restart restores its backup in fit)
    run.model.fit(run.dataset, epochs=int(epochs), verbose=0, shuffle=False,
                  callbacks=run_folder_callbacks(out, seeds=seeds, writes=cluster.writes) + [KillAt()])
    trained = run.model.get_weights()
    moved = max(float(np.abs(a - b).max()) for a, b in zip(start, trained))
    np.savez(pathlib.Path(weights) / f"process-{cluster.process_id}.npz", *trained,
             steps=int(run.model.optimizer.iterations), moved=moved)
    leave_processes(cluster)
""")


def launch(processes: int, *args: str, env: dict | None = None, timeout: float = 420) -> subprocess.CompletedProcess:
    """``python -m keras_autoencoders.launch --processes N ARGS`` (one process: ``python ARGS`` on JAX)."""
    command = (["-m", "keras_autoencoders.launch", "--processes", str(processes)] if processes > 1 else []) + list(args)
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    return subprocess.run([sys.executable, *command], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout)


def celeba_weights(processes: int, folder, work, epochs: int, optimizer: str, kill_at: int = 0) -> list:
    """Each process's weights after :data:`CELEBA_STEPS` (rerun once after a kill, as a user would)."""
    out, weights = work / "run", work / "weights"
    weights.mkdir(parents=True, exist_ok=True)
    out.mkdir()
    args = ["-c", CELEBA_STEPS, str(folder), str(out), str(weights), str(epochs), optimizer]
    done = launch(processes, *args, str(kill_at))
    if kill_at:
        assert done.returncode == 128 + 9, done.stdout[-3000:] + done.stderr[-3000:]  # killed, as asked
        assert not list(weights.iterdir()) and (out / "backup").is_dir()
        done = launch(processes, *args, "0")  # the same command again, on a new port
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    saved = [np.load(weights / f"process-{p}.npz") for p in range(processes)]
    assert all(int(s["steps"]) == 5 * epochs for s in saved)
    assert all(float(s["moved"]) > 1e-3 for s in saved)  # training changed the weights
    return [[s[f"arr_{k}"] for k in range(len(s.files) - 2)] for s in saved]


def largest_gap(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return max(float(np.abs(u - v).max()) for u, v in zip(a, b))


@pytest.fixture(scope="module")
def celeba_folder(tmp_path_factory):
    from keras_autoencoders.data.make_celeba_folder import write_celeba_folder

    return write_celeba_folder(tmp_path_factory.mktemp("celeba"), count=96, image_size=(89, 109), seed=0)


def test_two_processes_take_the_steps_one_process_takes_on_the_same_global_batches(celeba_folder, tmp_path):
    # SGD: each weight moves by its gradient, so the gap shows whether the batches, the noise and the steps match.
    # (Adam divides by sqrt(v) + 1e-7: where a gradient is near 0, the float32 rounding of the cross-process sum
    # moves a weight by up to the learning rate; 3e-5 after these 5 steps, 8e-4 after 10, measured.)
    one = celeba_weights(1, celeba_folder, tmp_path / "one", 1, "SGD")[0]
    first, second = celeba_weights(2, celeba_folder, tmp_path / "two", 1, "SGD")
    assert [w.shape for w in first] == [w.shape for w in one] == [w.shape for w in second]
    assert largest_gap(first, second) <= 1e-6  # every process holds the same weights
    assert largest_gap(first, one) <= 1e-6  # float32: only the order of the cross-process sums differs


def test_two_processes_killed_and_restarted_reach_the_uninterrupted_weights(celeba_folder, tmp_path):
    # The tutorial's Adam, 10 steps; killed after step 7, in epoch 2, after epoch 1's backup.
    uninterrupted, _ = celeba_weights(2, celeba_folder, tmp_path / "uninterrupted", 2, "Adam")
    first, second = celeba_weights(2, celeba_folder, tmp_path / "killed", 2, "Adam", kill_at=7)
    assert largest_gap(first, second) <= 1e-6
    assert largest_gap(first, uninterrupted) <= 1e-6


WATCH_WRITES = textwrap.dedent("""
    # Run the script in sys.argv[1:] and print, at exit, every write of this process under $WATCHED (Python's file
    # opens for writing, renames, removals and new folders, by audit hook; HDF5 files h5py opens for writing).
    import atexit, json, os, runpy, sys
    watched, writes = os.path.realpath(os.environ["WATCHED"]), set()

    def record(path):
        if isinstance(path, (str, bytes, os.PathLike)) and os.path.realpath(os.fsdecode(path)).startswith(watched):
            writes.add(os.path.relpath(os.path.realpath(os.fsdecode(path)), watched))

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            if (mode and any(c in mode for c in "wax+")) or (flags or 0) & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                record(path)
        elif event in ("os.rename", "os.remove", "os.mkdir", "os.rmdir", "shutil.rmtree", "os.truncate"):
            for path in args[:2] if event == "os.rename" else args[:1]:
                record(path)

    sys.addaudithook(hook)
    import h5py
    opened = h5py.File.__init__

    def h5_init(self, name, mode="r", *args, **kwargs):
        if mode not in (None, "r"):
            record(name)
        opened(self, name, mode, *args, **kwargs)

    h5py.File.__init__ = h5_init
    process = os.environ.get("KERAS_DISTRIBUTION_PROCESS_ID", "0")
    atexit.register(lambda: print("WRITES " + json.dumps({"process": process, "writes": sorted(writes)}), flush=True))
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
""")

TINY_CELEBA = ["--quick", "--max-images", "96", "--epochs", "2", "--batch-size", "8", "--image-size", "32",
               "--classifier-epochs", "1", "--judged-faces", "8"]


def test_only_process_0_writes_the_run_folder(celeba_folder, tmp_path):
    out = tmp_path / "run"
    done = launch(2, "-c", WATCH_WRITES, "tutorials/celeba_cvae.py", *TINY_CELEBA, "--data-dir", str(celeba_folder),
                  "--out", str(out), env={"WATCHED": str(out)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    reports = {r["process"]: r["writes"] for r in (json.loads(line.split("WRITES ", 1)[1])
                                                   for line in done.stdout.splitlines() if "WRITES " in line)}
    assert set(reports) == {"0", "1"}  # both ended by themselves, through Python's exit
    written = reports["0"]  # the watch sees process 0's files: the model, the history, the backup, the results
    assert {"model/celeba_cvae.keras", "history.csv", "results.json"} <= set(written)
    assert any(path.startswith("backup") for path in written)
    assert reports["1"] == []
    assert "process 1: trained; process 0 goes on alone" in done.stdout
    assert (out / "results.json").is_file() and (out / "figures" / "new_faces.png").is_file()


def _cluster(processes: int, process_id: int, address: str = "127.0.0.1:1") -> dict:
    return {"KERAS_DISTRIBUTION_JOB_ADDRESSES": address, "KERAS_DISTRIBUTION_NUM_PROCESSES": str(processes),
            "KERAS_DISTRIBUTION_PROCESS_ID": str(process_id)}


@pytest.mark.parametrize("env, named", [
    (_cluster(2, 0, "localhost"), "KERAS_DISTRIBUTION_JOB_ADDRESSES: 'localhost' is not host:port"),
    (_cluster(2, 0, "127.0.0.1:http"), "KERAS_DISTRIBUTION_JOB_ADDRESSES: '127.0.0.1:http' is not host:port"),
    (_cluster(2, 2), "KERAS_DISTRIBUTION_PROCESS_ID=2 is out of range"),
    (_cluster(2, 0) | {"KERAS_BACKEND": "tensorflow"}, "KERAS_DISTRIBUTION_NUM_PROCESSES=2: several processes train "
                                                       "on the JAX backend only"),
], ids=["address", "port", "process id", "backend"])
def test_bad_cluster_settings_end_with_one_error_naming_them(celeba_folder, tmp_path, env, named):
    done = launch(1, "tutorials/celeba_cvae.py", *TINY_CELEBA, "--data-dir", str(celeba_folder),
                  "--out", str(tmp_path / "run"), env=env, timeout=120)
    assert done.returncode == 1 and f"error: {named}" in done.stderr, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and not (tmp_path / "run").exists()


def test_a_missing_peer_ends_the_waiting_process_within_its_bound(celeba_folder, tmp_path):
    from keras_autoencoders.launch import free_port

    address = f"127.0.0.1:{free_port()}"
    done = launch(1, "tutorials/celeba_cvae.py", *TINY_CELEBA, "--data-dir", str(celeba_folder), "--out",
                  str(tmp_path / "run"), env=_cluster(2, 0, address) | {"KERAS_AUTOENCODERS_PEER_TIMEOUT": "5"},
                  timeout=120)  # alone, it would wait for process 1 for ever were it not for the bound
    assert done.returncode == 3, done.stdout[-3000:] + done.stderr[-3000:]
    assert (f"error: process 0 of 2: not every process joined at {address} (KERAS_DISTRIBUTION_JOB_ADDRESSES) "
            "within 5 s") in done.stderr


@pytest.mark.parametrize("flags, named", [
    (["--batch-size", "9"], "on 2 processes the batch size (the global batch, 9) must be a multiple of their count"),
    (["--demo"], "--demo writes its folder in the run folder"),
    (["--epochs", "3"], "holds a run with other settings (processes: 1 there, 2 now)"),
], ids=["batch", "demo", "restart"])
def test_bad_settings_on_two_processes_end_both_with_one_error(celeba_folder, tmp_path, flags, named):
    from keras_autoencoders.run_folder import check_same_run

    out = tmp_path / "run"
    if "--epochs" in flags:  # a run one process began (its settings and backup), restarted on two
        check_same_run(out, {"seed": 0, "batch_size": 8, "latent_dim": 16, "image_size": 32, "max_images": 96,
                             "processes": 1})
        (out / "backup").mkdir()
    done = launch(2, "tutorials/celeba_cvae.py", *TINY_CELEBA, *flags, "--data-dir", str(celeba_folder),
                  "--out", str(out), timeout=180)
    assert done.returncode == 1, done.stdout[-3000:]
    for process in (0, 1):  # each ends with the one message
        errors = [line for line in done.stdout.splitlines() if line.startswith(f"[process {process}] error: ")]
        assert len(errors) == 1 and named in errors[0], done.stdout[-3000:]
