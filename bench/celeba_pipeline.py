"""CelebA / LFW input benchmark: the tf.data pipeline against the article's PIL generator.

    python bench/celeba_pipeline.py [--dataset celeba] [--data-dir DIR] [--count 5000] [--rounds 2]
                                    [--training [--steps 30]]
    python bench/celeba_pipeline.py --dataset lfw [--data-dir DIR] [--max-images N] [--rounds 2]
                                    [--training [--steps 30]]

Two folders in the CelebA layout: (a) ``--count`` full-resolution 178x218 JPEGs,
made in a temporary folder (removed afterwards) by upscaling the first images of
the CelebA folder found through ``--data-dir`` or ``KERAS_AUTOENCODERS_DATA``;
(b) that CelebA folder itself (e.g. the half-size 89x109 subset). On each, every
method crops the same centred square (``DEFAULT_CROP_FRACTION`` of the width),
resizes it to 64x64 float32 in [0, 1] and yields batches of 64, for one full epoch
after a warm-up of a few batches:

* ``pipeline``: :func:`make_image_dataset` as training uses it (shuffle, parallel
  map, decode-error backstop, batch, prefetch);
* ``pipeline_intra1``: the default pipeline in a process whose TensorFlow intra-op
  thread pool has one thread (``tf.config.threading.set_intra_op_parallelism_threads(1)``).
  The antialiased bilinear resize op hands work to that pool for every image (the
  default area resize does not); this row shows what the pool costs;
* ``bare_tf_decode``: the bare decode+crop+resize, ``from_tensor_slices(paths)
  .map(decode_crop_resize, AUTOTUNE).batch(64)``: no shuffle, conditions, error
  backstop or prefetch. It is batched and iterated from Python exactly like the
  pipeline (element-wise iteration would time Python, not decoding), so the two
  differ only by what the pipeline adds around the decode;
* ``pil_generator``: the article's approach, a plain Python generator that opens
  each JPEG with PIL, crops, resizes (``Image.BILINEAR``, no ``reducing_gap``),
  converts to float32 / 255 and stacks batches of 64 with numpy, on one core.

``--dataset lfw`` runs the same benchmark on LFW (the faces study): the index comes
from :func:`~keras_autoencoders.data.lfw.load_lfw_index` (``lfw/`` found through
``--data-dir`` or ``KERAS_AUTOENCODERS_DATA``). LFW's deep-funneled images already
are the official full-resolution 250x250 JPEGs, so no folder is made: the one folder
benchmarked is the LFW folder itself, or only its first ``--max-images`` images (in
index order; 0, the default: all). Every method crops and sizes as the faces tutorial
does: the centred square of 0.36 of the width (the central 90x90) resized to 32x32.

Each method runs in its own subprocess (``--worker METHOD --folder F --dataset D``), so its
peak resident memory (``ru_maxrss``) is its own; the resident memory just before
iterating is printed too, so the increase due to iterating is visible. Images/s
is wall time; CPU ms/img counts all threads. ``--rounds`` runs every method that
many times, interleaved; the best rate and the lowest CPU time are kept. On a
machine shared with other work the wall rates of the multi-threaded methods jump
between rounds, while CPU ms/img is steadier: the targets are also printed as the
"CPU bound" ratio, the rates the CPU times allow with every core free.

``--training`` also times ``fit`` of the CelebA CVAE
(:func:`~keras_autoencoders.models.conv_cvae.build_celeba_cvae`; for LFW, the faces
study's conv autoencoder,
:func:`~keras_autoencoders.models.conv_face_autoencoder.build_face_autoencoder` with a
32-value code, Adam(1e-3) and the MSE loss on ``(images, images)`` batches; on the
benchmarked folder: the full-resolution one for CelebA) for ``--steps``
batches streamed by the pipeline against the same batches already in memory
(``take(steps).cache()``, warmed up), ``--training-rounds`` fits of each,
interleaved. A step's time runs from the end of one step to the end of the next
(fetching its batch included); with the medians of those, the fraction of a step
spent waiting for data is ``1 - t_memory / t_pipeline`` (the median resists the
bursts of other load on a shared machine). A third series times the pipeline with
``cache_decoded=True`` (decode every file once, keep the crops in memory, shuffle them
each epoch) after its first epoch has filled the cache, with the fill time printed:
on a 2-core CPU, decoding every epoch competes with the training step for the same
cores, which the cache avoids for sets that fit in memory. When the folder holds fewer than
``--steps`` full batches, ``--steps`` is lowered to the number it holds (and said so).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

from keras_autoencoders.machine import print_machine
from keras_autoencoders.tutorial import quiet_tensorflow

quiet_tensorflow()

BATCH, WARMUP_BATCHES = 64, 3
#: Per dataset: the centred crop (fraction of the width) and output side every method uses, and
#: the model ``--training`` fits. Written out here so that the PIL worker never imports TensorFlow.
DATASETS = {
    # image_pipeline.DEFAULT_CROP_FRACTION and DEFAULT_IMAGE_SIZE: the article's 64x64 CelebA faces.
    "celeba": {"crop_fraction": 140 / 178, "image_size": 64, "model": "build_celeba_cvae"},
    # The faces tutorial's settings: the central 90x90 of the 250x250 deep-funneled image, at 32x32.
    "lfw": {"crop_fraction": 0.36, "image_size": 32, "model": "build_face_autoencoder"},
}
METHODS = ("pipeline", "pipeline_intra1", "bare_tf_decode", "pil_generator")
TARGET_VS_PIL, TARGET_VS_BARE, TARGET_WAITING = 2.5, 0.8, 0.10


def rss_mb() -> float:
    """Current resident memory of this process in MB (Linux ``/proc``; else the peak so far)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (``ru_maxrss`` is KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pil_batches(paths, conditions, crop_fraction: float, image_size: int, seed: int):
    """The article's generator: PIL, one image at a time, numpy batches of (images, conditions)."""
    import numpy as np
    from PIL import Image

    order = np.random.default_rng(seed).permutation(len(paths))
    for start in range(0, len(order), BATCH):
        rows = order[start:start + BATCH]
        images = []
        for i in rows:
            with Image.open(paths[i]) as im:
                im = im.convert("RGB")
                width, height = im.size
                side = min(max(int(crop_fraction * width + 0.5), 1), height, width)
                left, top = (width - side) // 2, (height - side) // 2
                im = im.crop((left, top, left + side, top + side)).resize((image_size, image_size), Image.BILINEAR)
                images.append(np.asarray(im, dtype=np.float32) / 255.0)
        yield np.stack(images), conditions[rows]


def load_index(folder, dataset: str = "celeba", max_images: int = 0):
    """The index of ``folder`` (``None``: found through ``KERAS_AUTOENCODERS_DATA``), no image read.

    CelebA: without checking images (the split warning of a subset silenced). LFW: its first
    ``max_images`` images in index order (0: all).
    """
    if dataset == "lfw":
        import numpy as np

        from keras_autoencoders.data.lfw import load_lfw_index

        index = load_lfw_index(folder)
        return index.select(np.arange(min(max_images, len(index)))) if max_images > 0 else index
    from keras_autoencoders.data.celeba import load_celeba_index

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return load_celeba_index(folder, check_images=False)


def make_epoch(method: str, paths, conditions, crop_fraction: float, image_size: int):
    """A function that returns one epoch's iterable of batches for ``method``."""
    if method == "pil_generator":
        epochs = iter(range(10**9))
        return lambda: pil_batches(paths, conditions, crop_fraction, image_size, seed=next(epochs))
    import tensorflow as tf

    from keras_autoencoders.data.image_pipeline import decode_crop_resize, make_image_dataset

    if method == "pipeline_intra1":
        tf.config.threading.set_intra_op_parallelism_threads(1)

    if method == "bare_tf_decode":
        dataset = (tf.data.Dataset.from_tensor_slices(paths)
                   .map(lambda path: decode_crop_resize(path, image_size, crop_fraction),
                        num_parallel_calls=tf.data.AUTOTUNE).batch(BATCH))
    else:
        dataset = make_image_dataset(paths, conditions, BATCH, image_size=image_size, crop_fraction=crop_fraction,
                                     seed=0)
    return lambda: dataset


def batch_size_of(batch) -> int:
    images = batch[0] if isinstance(batch, tuple) else batch
    return int(images.shape[0])


def run_worker(method: str, folder: str, dataset: str, max_images: int) -> dict:
    """Warm up, then time one full epoch of ``method`` on ``folder``; memory and CPU included."""
    index = load_index(folder, dataset, max_images)
    paths, conditions = index.paths(), index.conditions()
    epoch = make_epoch(method, paths, conditions, DATASETS[dataset]["crop_fraction"], DATASETS[dataset]["image_size"])
    for i, _ in enumerate(epoch()):
        if i + 1 >= WARMUP_BATCHES:
            break
    rss_before = rss_mb()
    cpu, start = cpu_seconds(), time.perf_counter()
    images = sum(batch_size_of(batch) for batch in epoch())
    seconds = time.perf_counter() - start
    return {"method": method, "images": images, "seconds": seconds,
            "cpu_ms_per_image": 1000 * (cpu_seconds() - cpu) / images,
            "rss_before_mb": rss_before, "peak_rss_mb": peak_rss_mb()}


def build_model(dataset: str, index, image_size: int):
    """The compiled model ``--training`` fits: the CelebA CVAE, or the faces study's conv autoencoder."""
    import keras

    if dataset == "lfw":
        from keras_autoencoders.models.conv_face_autoencoder import build_face_autoencoder

        model = build_face_autoencoder(image_size=image_size, code_dim=32, seed=0)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
        return model
    from keras_autoencoders.models.conv_cvae import build_celeba_cvae

    model = build_celeba_cvae(num_conditions=len(index.attribute_names), image_size=image_size,
                              latent_dim=16, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return model


def run_training_worker(folder: str, dataset: str, max_images: int, steps: int, rounds: int) -> dict:
    """Seconds of each ``fit`` step (data fetch included) on the streaming pipeline and on the
    same batches in memory, ``rounds`` fits of each, interleaved."""
    import keras
    import numpy as np

    from keras_autoencoders.data.image_pipeline import dataset_from_index

    class StepEnds(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.ends = []

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append(time.perf_counter())

    settings = DATASETS[dataset]
    index = load_index(folder, dataset, max_images)
    keras.utils.set_random_seed(0)
    model = build_model(dataset, index, settings["image_size"])
    def pipeline(cache_decoded: bool):
        batches = dataset_from_index(index, BATCH, image_size=settings["image_size"], cache_decoded=cache_decoded,
                                     crop_fraction=settings["crop_fraction"], drop_remainder=True, seed=0)
        if dataset == "lfw":  # the autoencoder's batches: (images, images), as the faces tutorial trains it
            batches = batches.map(lambda images, _: (images, images))
        return batches

    streamed, cached = pipeline(False), pipeline(True)
    start = time.perf_counter()
    for _ in cached:  # its first epoch decodes every file and fills the cache
        pass
    first_epoch_seconds = time.perf_counter() - start
    in_memory = streamed.take(steps).cache()
    for _ in in_memory:  # fill the cache
        pass
    model.fit(in_memory, epochs=1, steps_per_epoch=WARMUP_BATCHES, shuffle=False, verbose=0)  # trace the train step

    def step_seconds(dataset) -> list[float]:
        ends = StepEnds()
        model.fit(dataset, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0, callbacks=[ends])
        return np.diff(ends.ends).tolist()  # from one step's end to the next: fetch + step

    memory, streaming, from_cache = [], [], []
    for _ in range(rounds):  # interleaved, so that bursts of other load hit all three
        memory += step_seconds(in_memory)
        streaming += step_seconds(streamed.take(steps))
        from_cache += step_seconds(cached.take(steps))
    return {"memory": memory, "pipeline": streaming, "cached": from_cache,
            "cache_fill_seconds": first_epoch_seconds, "images": len(index)}


def worker_json(args: list[str]) -> dict:
    """Run this script as a worker subprocess and parse its last output line."""
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def benchmark_folder(folder: str, rounds: int, dataset: str = "celeba", max_images: int = 0) -> dict[str, dict]:
    """Every method ``rounds`` times, interleaved; the best rate and the largest peak memory."""
    runs: dict[str, list[dict]] = {m: [] for m in METHODS}
    for _ in range(rounds):
        for method in METHODS:
            runs[method].append(worker_json(["--worker", method, "--folder", folder, "--dataset", dataset,
                                             "--max-images", str(max_images)]))
    best = {}
    for method, results in runs.items():
        top = max(results, key=lambda r: r["images"] / r["seconds"])
        best[method] = dict(top, rate=top["images"] / top["seconds"],
                            rates=[r["images"] / r["seconds"] for r in results],
                            cpu_ms_per_image=min(r["cpu_ms_per_image"] for r in results),
                            peak_rss_mb=max(r["peak_rss_mb"] for r in results))
    return best


def print_table(label: str, results: dict[str, dict]) -> None:
    print(f"\n### {label}\n")
    print("| method | images | images/s (best; all rounds) | CPU ms/img | RSS before MB | peak RSS MB | increase MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for method, r in results.items():
        rounds = ", ".join(f"{x:.0f}" for x in r["rates"])
        print(f"| {method} | {r['images']} | {r['rate']:.0f} ({rounds}) | {r['cpu_ms_per_image']:.2f} "
              f"| {r['rss_before_mb']:.0f} | {r['peak_rss_mb']:.0f} | {r['peak_rss_mb'] - r['rss_before_mb']:.0f} |")


def check(name: str, value: float, target: float, higher_is_better: bool = True, note: str = "") -> None:
    ok = value >= target if higher_is_better else value < target
    sign = ">=" if higher_is_better else "<"
    note = f"; {note}" if note else ""
    print(f"- {name}: {value:.2f} (target {sign} {target:g}): {'met' if ok else 'MISSED'}{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=tuple(DATASETS), default="celeba", help="which faces to read")
    parser.add_argument("--data-dir", default=None,
                        help="CelebA folder, or the folder holding lfw/ (else KERAS_AUTOENCODERS_DATA)")
    parser.add_argument("--count", type=int, default=5000,
                        help="full-resolution images to make and read (--dataset celeba)")
    parser.add_argument("--max-images", type=int, default=0,
                        help="read only the first N LFW images, in index order; 0: all (--dataset lfw)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved runs of every method; the best is kept")
    parser.add_argument("--training", action="store_true", help="also time fit on streamed vs in-memory batches")
    parser.add_argument("--steps", type=int, default=30, help="training steps per timed fit (--training)")
    parser.add_argument("--training-rounds", type=int, default=3,
                        help="interleaved timed fits of each kind (--training); medians of their steps")
    parser.add_argument("--worker", choices=METHODS + ("training",), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    print_machine()
    if args.max_images < 0:
        parser.error(f"--max-images must be 0 (all) or positive, got {args.max_images}")
    if args.max_images and args.dataset != "lfw":
        parser.error("--max-images is for --dataset lfw (CelebA's folder size is --count)")

    if args.worker == "training":
        print(json.dumps(run_training_worker(args.folder, args.dataset, args.max_images, args.steps, args.rounds)))
        return
    if args.worker:
        print(json.dumps(run_worker(args.worker, args.folder, args.dataset, args.max_images)))
        return

    settings = DATASETS[args.dataset]
    image_size = settings["image_size"]
    source = load_index(args.data_dir, args.dataset, args.max_images)
    print(f"CPU cores: {os.cpu_count()} (load average at start {os.getloadavg()[0]:.1f}); "
          f"batch {BATCH}, {image_size}x{image_size} output, warm-up {WARMUP_BATCHES} batches, "
          f"{args.rounds} round(s)")
    tmp = tempfile.mkdtemp(prefix="celeba_full_") if args.dataset == "celeba" else None
    try:
        if tmp is not None:
            from keras_autoencoders.data.make_celeba_folder import write_celeba_folder

            start = time.perf_counter()
            write_celeba_folder(tmp, count=args.count, image_size=(178, 218), source=source.root)
            print(f"made {args.count} 178x218 JPEGs from {source.root} in {time.perf_counter() - start:.0f} s")
            # (folder, table title, images in it); the targets and the training use the first.
            folders = [(tmp, f"178x218 JPEGs ({args.count}, upscaled from the subset)", args.count),
                       (os.fspath(source.root),
                        f"{source.root.name}: the CelebA folder as found ({len(source)} images)", len(source))]
            target_label = "full-resolution folder"
        else:
            part = f"the first {len(source)}" if args.max_images else f"all {len(source)}"
            folders = [(os.fspath(source.root), f"{source.root.name}: 250x250 deep-funneled JPEGs ({part}; "
                        f"central {settings['crop_fraction']:g} of the width -> {image_size}x{image_size})",
                        len(source))]
            target_label = "LFW folder"
        results = []
        for folder, title, _ in folders:
            results.append(benchmark_folder(folder, args.rounds, args.dataset, args.max_images))
            print_table(title, results[-1])
        full = results[0]

        cores = os.cpu_count() or 1
        print(f"\nTargets ({target_label}; 'CPU bound' = the rate the CPU ms/img allow with every "
              f"core free: {cores} cores for tf.data, 1 for the single-threaded generator):")
        for method in ("pipeline", "pipeline_intra1"):
            label = "pipeline" if method == "pipeline" else f"({method})"
            cpu_ratio = cores * full["pil_generator"]["cpu_ms_per_image"] / full[method]["cpu_ms_per_image"]
            check(f"{label} images/s / PIL generator images/s", full[method]["rate"] / full["pil_generator"]["rate"],
                  TARGET_VS_PIL, note=f"CPU bound {cpu_ratio:.2f}")
        bare, pipeline = full["bare_tf_decode"], full["pipeline"]
        check("pipeline images/s / bare decode+crop+resize images/s", pipeline["rate"] / bare["rate"],
              TARGET_VS_BARE, note=f"CPU bound {bare['cpu_ms_per_image'] / pipeline['cpu_ms_per_image']:.2f}")

        if args.training:
            steps = args.steps
            if folders[0][2] < steps * BATCH:
                steps = folders[0][2] // BATCH
                if steps < 1:
                    raise SystemExit(f"--training needs at least one full batch of {BATCH} images; "
                                     f"the folder holds {folders[0][2]}")
                print(f"\n(the folder holds {folders[0][2]} images, {steps} full batch(es) of {BATCH}: "
                      f"--steps lowered from {args.steps} to {steps})")
            timing = worker_json(["--worker", "training", "--folder", folders[0][0], "--dataset", args.dataset,
                                  "--max-images", str(args.max_images), "--steps", str(steps),
                                  "--rounds", str(args.training_rounds)])
            t_memory, t_pipeline = statistics.median(timing["memory"]), statistics.median(timing["pipeline"])
            print(f"\nTraining ({settings['model']}, batch {BATCH}, {args.training_rounds} fits of {steps} "
                  f"steps each way, interleaved; median step, data fetch included): "
                  f"{1000 * t_memory:.0f} ms/step on batches in memory, {1000 * t_pipeline:.0f} ms/step streamed "
                  f"(means {1000 * statistics.fmean(timing['memory']):.0f} and "
                  f"{1000 * statistics.fmean(timing['pipeline']):.0f})")
            check("fraction of a step spent waiting for data", 1 - t_memory / t_pipeline, TARGET_WAITING,
                  higher_is_better=False, note="decoding every epoch, on the cores training uses")
            t_cached = statistics.median(timing["cached"])
            print(f"With cache_decoded=True (the faces tutorial's setting): the first epoch decoded "
                  f"{timing['images']} images in {timing['cache_fill_seconds']:.1f} s, then "
                  f"{1000 * t_cached:.0f} ms/step (mean {1000 * statistics.fmean(timing['cached']):.0f})")
            check("fraction of a step spent waiting for data, decoded once and cached", 1 - t_memory / t_cached,
                  TARGET_WAITING, higher_is_better=False)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
