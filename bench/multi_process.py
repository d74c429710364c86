"""Multi-process benchmark: the CelebA CVAE on one JAX process against two, and JAX against TensorFlow.

    python bench/multi_process.py [--data-dir DIR] [--images 2000] [--batch-size 64] [--epochs 2]
                                  [--part4-digits 60000] [--timeout 3600]

Every figure is the median of ``--epochs`` timed epochs after one warm-up epoch, each configuration run once, in
a fixed order, in its own subprocess (``KERAS_BACKEND`` is read once, at import). Take the figures on an otherwise
idle machine and quote them with the CPU printed first: on a shared one, other work falls on some runs only.

Prints:
* CelebA CVAE training (64x64, latent 16, Adam(1e-3), the tutorial's pipeline), JAX backend, at the same global
  batch ``--batch-size``: images per second on one process and on two local processes started by
  ``python -m keras_autoencoders.launch --processes 2`` (data-parallel: each decodes and trains half of every global
  batch; only whole global batches, ``floor(N / batch) * batch`` images an epoch), and the speed-up;
* the collective cost per step on two processes: the median time of an all-reduce (a jitted sum over the devices)
  of as many float32 values as the model has weights, the sum the data-parallel step does on the gradients, in ms
  and as a share of the two-process step;
* seconds per epoch on JAX against TensorFlow, and the ratio JAX/TF: Part 4's MNIST CVAE at the article's settings
  (``--part4-digits`` training digits, all 60,000 by default, batch 500, ``shuffled_batches`` with ``EpochSeeds``,
  ``steps_per_execution=1``, no XLA flag, no validation) and the CelebA CVAE on one process (the JAX figure is
  the one-process run above);
* a summary of the figures.

Data: ``--data-dir`` names a folder holding ``celeba/`` (official layout; the CelebA folder itself works too) and
``mnist.npz``; without it, ``--images`` generated 178x218 faces in a temporary folder (removed afterwards), and MNIST
from the library's usual places (``KERAS_AUTOENCODERS_DATA``, else Keras' download).
"""
from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import pathlib
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

from keras_autoencoders.machine import print_machine
from keras_autoencoders.tutorial import quiet_tensorflow

quiet_tensorflow()

REPO = pathlib.Path(__file__).resolve().parents[1]

CELEBA_WORKER = textwrap.dedent("""
    # argv: folder, images, global batch, timed epochs. Process 0 prints one JSON line.
    import json, sys, time
    import keras, numpy as np
    from keras_autoencoders.data.celeba import load_celeba_index
    from keras_autoencoders.data.image_pipeline import as_cvae_inputs, make_image_dataset
    from keras_autoencoders.models.conv_cvae import build_celeba_cvae
    from keras_autoencoders.training.callbacks import EpochTimer
    from keras_autoencoders.training.distribute import Cluster, build_distributed, join_processes, leave_processes
    from keras_autoencoders.training.reproducible import EpochSeeds

    folder, (count, batch_size, timed) = sys.argv[1], map(int, sys.argv[2:5])
    cluster = Cluster.from_environment()
    join_processes(cluster)
    keras.utils.set_random_seed(0)
    index = load_celeba_index(folder, seed=0).first(count)
    seeds = EpochSeeds(0)
    data = as_cvae_inputs(make_image_dataset(index.paths(), index.conditions(), batch_size, image_size=64, seed=0,
                                             epoch_variable=seeds.epoch, process=cluster.share))
    run = build_distributed(lambda: build_celeba_cvae(len(index.attribute_names), 64, 16, seed=0), data,
                            {"optimizer": keras.optimizers.Adam(1e-3)}, cluster=cluster, batch_size=batch_size)
    history = run.model.fit(run.dataset, epochs=1 + timed, verbose=0, callbacks=[seeds, EpochTimer()])
    result = {"backend": keras.config.backend(), "replicas": run.replicas, "seconds": history.history["train_seconds"],
              "images": len(index) // batch_size * batch_size if cluster.several else len(index)}
    if cluster.several:  # the step's sum of the gradients over the devices: one all-reduce of every weight
        import jax
        from jax.sharding import Mesh, NamedSharding, PartitionSpec
        mesh, params = Mesh(np.array(jax.devices()), ("batch",)), run.model.count_params()
        values = jax.make_array_from_process_local_data(
            NamedSharding(mesh, PartitionSpec("batch")), np.ones((jax.local_device_count(), params), np.float32),
            (jax.device_count(), params))
        total, times = jax.jit(lambda a: a.sum(axis=0), out_shardings=NamedSharding(mesh, PartitionSpec())), []
        for _ in range(25):  # 5 warm-up calls, 20 timed
            start = time.perf_counter()
            total(values).block_until_ready()
            times.append(time.perf_counter() - start)
        result.update(params=params, allreduce_seconds=float(np.median(times[5:])))
    if cluster.writes:
        print(json.dumps(result), flush=True)
    leave_processes(cluster)
""")

PART4_WORKER = textwrap.dedent("""
    # argv: MNIST folder ('' for the library's places), training digits, timed epochs. Prints one JSON line.
    import json, sys
    import keras
    from keras_autoencoders.arrays import one_hot
    from keras_autoencoders.data.mnist import load_mnist, prepare_images
    from keras_autoencoders.models.vae import build_part4_cvae
    from keras_autoencoders.training.callbacks import EpochTimer
    from keras_autoencoders.training.reproducible import EpochSeeds, shuffled_batches

    data_dir, digits, timed = sys.argv[1] or None, int(sys.argv[2]), int(sys.argv[3])
    mnist = load_mnist(data_dir)
    x, y = prepare_images(mnist.x_train[:digits]), one_hot(mnist.y_train[:digits])
    keras.utils.set_random_seed(0)
    model = build_part4_cvae(seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=1)
    seeds = EpochSeeds(0)
    history = model.fit(shuffled_batches((x, y), x, 500, seeds), epochs=1 + timed, shuffle=False, verbose=0,
                        callbacks=[seeds, EpochTimer()])
    print(json.dumps({"backend": keras.config.backend(), "seconds": history.history["epoch_seconds"],
                      "images": len(x)}))
""")


def run_worker(label: str, code: str, args: list, backend: str, timeout: float, processes: int = 1) -> dict:
    """Run ``code`` (``python -c``) on ``backend``, through the launcher when ``processes`` > 1; its JSON line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KERAS_DISTRIBUTION_")}
    env.update(KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
    launcher = ["-m", "keras_autoencoders.launch", "--processes", str(processes)] if processes > 1 else []
    child = subprocess.Popen([sys.executable, *launcher, "-c", code, *map(str, args)], cwd=REPO, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)  # the launcher's processes too
        stdout, stderr = child.communicate()
        raise SystemExit(f"{label}: no result within {timeout:g} s (--timeout)\n{(stdout + stderr)[-3000:]}")
    lines = [re.sub(r"^\[process \d+\] ", "", line) for line in stdout.splitlines()]
    found = [line for line in lines if line.startswith("{")]
    if child.returncode != 0 or not found:
        raise SystemExit(f"{label} failed (exit status {child.returncode}):\n{(stdout + stderr)[-3000:]}")
    result = json.loads(found[-1])
    result["median"] = statistics.median(result["seconds"][1:])  # after the warm-up epoch
    print(f"  {label}: " + ", ".join(f"{s:.2f}" for s in result["seconds"][1:])
          + f" s per epoch (warm-up {result['seconds'][0]:.2f} s; {result['images']} images an epoch)", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None, help="folder holding celeba/ and mnist.npz (else generated faces)")
    parser.add_argument("--images", type=int, default=2000, help="CelebA images trained each epoch (at most)")
    parser.add_argument("--batch-size", type=int, default=64, help="global batch of the CelebA CVAE")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs after the warm-up epoch")
    parser.add_argument("--part4-digits", type=int, default=60000, help="MNIST training digits of Part 4's epochs")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds each subprocess may run")
    args = parser.parse_args()
    if args.images < 1 or args.epochs < 1 or args.part4_digits < 1 or args.batch_size < 2 or args.batch_size % 2:
        parser.error("--images, --epochs and --part4-digits must be positive, --batch-size even (two processes)")
    print_machine()
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in ("keras", "jax", "tensorflow"))
    print(f"{versions}; {os.cpu_count()} CPU cores (load average at start {os.getloadavg()[0]:.1f})", flush=True)

    tmp = None if args.data_dir else tempfile.mkdtemp(prefix="celeba_generated_")
    try:
        if tmp is not None:
            from keras_autoencoders.data.make_celeba_folder import write_celeba_folder

            start = time.perf_counter()
            write_celeba_folder(tmp, count=args.images, image_size=(178, 218), seed=0)
            print(f"made {args.images} generated 178x218 faces in {time.perf_counter() - start:.0f} s")
        folder, mnist_dir = tmp or args.data_dir, args.data_dir or ""
        celeba = [folder, args.images, args.batch_size, args.epochs]
        batch = args.batch_size

        print(f"\n## CelebA CVAE, JAX, global batch {batch}: one process against two (launch --processes 2)")
        one = run_worker("1 process", CELEBA_WORKER, celeba, "jax", args.timeout)
        two = run_worker("2 processes", CELEBA_WORKER, celeba, "jax", args.timeout, processes=2)
        rate_one, rate_two = one["images"] / one["median"], two["images"] / two["median"]
        step = two["median"] / (two["images"] // batch)
        allreduce = two["allreduce_seconds"]
        print(f"images per second: {rate_one:.1f} on 1 process, {rate_two:.1f} on 2 ({rate_two / rate_one:.2f}x)")
        print(f"all-reduce of {two['params']:,} float32 values (every weight) on 2 processes: "
              f"{1000 * allreduce:.2f} ms, {allreduce / step:.1%} of the {1000 * step:.0f} ms step (median of 20)")

        print("\n## Seconds per epoch, JAX against TensorFlow (one process)")
        celeba_tf = run_worker("CelebA CVAE, TensorFlow", CELEBA_WORKER, celeba, "tensorflow", args.timeout)
        part4_jax = run_worker("Part 4 CVAE, JAX", PART4_WORKER, [mnist_dir, args.part4_digits, args.epochs], "jax",
                               args.timeout)
        part4_tf = run_worker("Part 4 CVAE, TensorFlow", PART4_WORKER, [mnist_dir, args.part4_digits, args.epochs],
                              "tensorflow", args.timeout)
        pairs = {f"Part 4 CVAE ({part4_jax['images']} digits, batch 500)": (part4_jax, part4_tf),
                 f"CelebA CVAE ({one['images']} images, batch {batch})": (one, celeba_tf)}
        for name, (jax_run, tf_run) in pairs.items():
            print(f"{name}: JAX {jax_run['median']:.2f} s, TensorFlow {tf_run['median']:.2f} s per epoch "
                  f"(JAX/TF {jax_run['median'] / tf_run['median']:.2f})")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    print("\n## Summary (medians of the timed epochs)")
    print(f"CelebA CVAE, JAX, batch {batch}: {rate_one:.1f} images/s on 1 process, {rate_two:.1f} on 2 "
          f"({rate_two / rate_one:.2f}x); all-reduce {1000 * allreduce:.2f} ms/step ({allreduce / step:.1%} of it)")
    for name, (jax_run, tf_run) in pairs.items():
        print(f"{name}: JAX/TF {jax_run['median'] / tf_run['median']:.2f} "
              f"({jax_run['median']:.2f} s against {tf_run['median']:.2f} s per epoch)")


if __name__ == "__main__":
    main()
