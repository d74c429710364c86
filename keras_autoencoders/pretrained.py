"""The trained models of the committed runs, shipped in ``figs/pretrained/``: a ``--pretrained`` run copies them and
the committed run's history into its run folder and skips training. :func:`export_for_shipping` writes them without
optimiser state (a third of the size) and their line of ``SHA256SUMS``, which :func:`pretrained_path` checks before
use; :func:`check_shipped` recomputes a committed number with each. Not shipped: the CelebA CVAE (8.5 million weights,
34 MB, more than the whole budget for ``figs/``) and the MNIST study's dense models (3.6 MB each)."""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import zipfile

import numpy as np

from keras_autoencoders.errors import SettingsError
from keras_autoencoders.model_files import RETRAIN, check_sha256, load_model_file, write_manifest_entry
from keras_autoencoders.run_folder import HISTORY_FILE, RESULTS_FILE, RunFolder, read_history_csv

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
PRETRAINED_FOLDER = REPO_ROOT / "figs" / "pretrained"
MANIFEST_FILE = "SHA256SUMS"  #: The sha256 manifest beside the shipped files (``HEX  NAME`` lines).
#: What to do about a damaged shipped file.
FETCH_AGAIN = "fetch it again (a fresh checkout; if it is a Git LFS pointer, `git lfs pull`)"

#: Shipped model -> the committed run folder (under the repository) it was trained in.
SHIPPED = {"part4_cvae": "figs/part4", "toy_deep_ae": "figs/part4", "toy_conditional_deep_ae": "figs/part4",
           "part6_cvae_gan": "figs/part6/corrected-z8-48000", "part6_cvae_baseline": "figs/part6/corrected-z8-48000",
           "conv_vae": "figs/mnist_study", "face_ae": "figs/faces", "face_vae": "figs/faces"}
#: Shipped models whose committed numbers came from mixed bfloat16 arithmetic (they ship computing in float32).
COMMITTED_IN_BFLOAT16 = ("part6_cvae_gan",)
#: The relative difference :func:`check_shipped` allows between a shipped model's number and the committed one. Every
#: shipped model computes in float32, where CPUs differ only in the order of sums (1e-8 measured, AVX-512 and capped to
#: AVX2): 1e-5, about 100 ulps. A number committed from bfloat16 arithmetic also carries bfloat16's unit roundoff, 2**-8
#: (6.9e-5 measured for part6_cvae_gan).
TOLERANCE = {"float32": 1e-5, "mixed_bfloat16": 2.0 ** -8}
#: Shipped MNIST model -> (its generator in the run's scores.json, the latent size of its code).
_SCORED_AS = {"part4_cvae": ("samples", 8), "part6_cvae_gan": ("samples", 8), "part6_cvae_baseline": ("cvae", 8),
              "conv_vae": ("conv_vae", 2)}


def pretrained_path(name: str) -> pathlib.Path:
    """The shipped ``NAME.keras``, checked (:func:`verify_shipped`); :class:`SettingsError` when it is missing."""
    if name not in SHIPPED:
        raise SettingsError(f"no pretrained model named {name!r}; shipped: {', '.join(sorted(SHIPPED))}")
    path = PRETRAINED_FOLDER / f"{name}.keras"
    if not path.is_file():
        raise SettingsError(f"{path}: pretrained model missing; --pretrained needs the repository's figs/ folder "
                            "(a full checkout, not an installed package)")
    verify_shipped(path)
    return path


def verify_shipped(path: str | os.PathLike) -> None:
    """Check a shipped file against the ``SHA256SUMS`` beside it (``model_files.check_sha256``)."""
    path = pathlib.Path(path)
    check_sha256(path, path.parent / MANIFEST_FILE, FETCH_AGAIN)


def source_run(name: str) -> pathlib.Path:
    """The committed run folder the shipped model ``name`` comes from."""
    return REPO_ROOT / SHIPPED[name]


def install_pretrained(run: RunFolder, *names: str) -> list[pathlib.Path]:
    """Copy the shipped models ``names`` into ``run``'s ``model/`` folder (replacing what is there)."""
    paths = [pretrained_path(name) for name in names]  # all found before anything is copied
    return [shutil.copyfile(path, run.model(name)) for name, path in zip(names, paths)]


def export_for_shipping(model_file: str | os.PathLike, name: str) -> pathlib.Path:
    """Save a run's ``model/NAME.keras`` without optimiser state as ``figs/pretrained/NAME.keras`` (its sha256 in
    ``SHA256SUMS``), computing in float32 (:func:`computing_in_float32`: the same on every CPU, `docs/machines.md`)."""
    model = load_model_file(model_file, RETRAIN, compile=False)
    PRETRAINED_FOLDER.mkdir(parents=True, exist_ok=True)
    target = PRETRAINED_FOLDER / f"{name}.keras"
    model.save(target)
    computing_in_float32(target)
    write_manifest_entry(PRETRAINED_FOLDER / MANIFEST_FILE, target)
    return target


def computing_in_float32(path: str | os.PathLike) -> None:
    """Rewrite the ``.keras`` file ``path`` so that every layer computes in float32: each ``mixed_bfloat16``
    dtype policy (and bfloat16 tensor it made) becomes float32; the float32 weights are untouched."""
    path = pathlib.Path(path)

    def to_float32(node: dict) -> dict:  # each JSON object of the config, innermost first
        config = node.get("config")
        if node.get("class_name") == "DTypePolicy" and config.get("name") == "mixed_bfloat16":
            config["name"] = "float32"
        if node.get("class_name") == "__keras_tensor__" and config.get("dtype") == "bfloat16":
            config["dtype"] = "float32"
        return node

    rewritten = path.with_suffix(".float32.tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "config.json":
                data = json.dumps(json.loads(data, object_hook=to_float32)).encode()
            target.writestr(item, data)
    os.replace(rewritten, path)


def check_shipped(name: str, data_dir: str | os.PathLike | None = None) -> dict[str, float]:
    """Recompute one committed number with the shipped model ``name``: ``{"measured", "committed", "tolerance"}``, the
    last the relative difference allowed (:data:`TOLERANCE`). MNIST models: the mean squared pixel error of decoding
    z_mean of the first 1,000 test digits (``scores.json``); toy AEs: the mean distance of their outputs to the nearest
    curve; faces models (need LFW): the autoencoder's validation MSE, the sharpness of the VAE's faces from N(0, I)."""
    committed_in = "mixed_bfloat16" if name in COMMITTED_IN_BFLOAT16 else "float32"
    return {**_recompute(name, data_dir), "tolerance": TOLERANCE[committed_in]}


def _recompute(name: str, data_dir: str | os.PathLike | None) -> dict[str, float]:
    model, run = load_model_file(pretrained_path(name), FETCH_AGAIN, compile=False), source_run(name)
    if name.startswith("toy_"):
        from keras_autoencoders.data.toy_manifold import make_sine_circle
        from keras_autoencoders.evaluation.toy_curves import toy_manifold_distances

        results = json.loads((run / "results.json").read_text())
        toy = make_sine_circle(seed=results["settings"]["seed"])
        inputs = [toy.points, toy.labels] if "conditional" in name else toy.points
        measured = toy_manifold_distances(model.predict(inputs, batch_size=2000, verbose=0), toy)
        return {"measured": measured["mean_distance_to_nearest_curve"],
                "committed": results["toy_manifold"][name.removeprefix("toy_")]["mean_distance_to_nearest_curve"]}
    if name.startswith("face_"):  # the faces run's validation split again
        from keras_autoencoders.data.image_pipeline import first_images
        from keras_autoencoders.data.lfw import load_lfw_index
        from keras_autoencoders.evaluation.image_metrics import reconstruction_mse, relative_sharpness

        results = json.loads((run / "results.json").read_text())
        s = results["settings"]
        index = load_lfw_index(data_dir, validation_fraction=s["validation_fraction"], seed=s["seed"])
        validation = index.split("validation")
        faces, _ = first_images(validation, len(validation), image_size=s["image_size"],
                                crop_fraction=s["crop_fraction"])
        if name == "face_ae":
            return {"measured": reconstruction_mse(faces, model.predict(faces, batch_size=512, verbose=0)),
                    "committed": results["reconstruction"]["validation_mse"]}
        codes = np.random.default_rng(s["seed"]).standard_normal((256, s["code_dim"])).astype("float32")
        drawn = model.decoder.predict(codes, batch_size=256, verbose=0)
        return {"measured": relative_sharpness(drawn, faces), "committed": results["vae"]["relative_sharpness"]}
    from keras_autoencoders.data.mnist import load_mnist_digits
    from keras_autoencoders.evaluation.image_metrics import reconstruction_mse
    from keras_autoencoders.generate import digits as generate_digits

    digits = load_mnist_digits(data_dir)
    generator, latent_dim = _SCORED_AS[name]
    parts = model.article_models()
    x, y = digits.x_test[:generate_digits.CONTRACT_SAMPLES], digits.y_test[:generate_digits.CONTRACT_SAMPLES]
    if name == "conv_vae":
        decoded = generate_digits.unconditional_samples(parts["z_meaner"], parts["decoder"], latent_dim, x)["rec"]
    else:
        decoded = generate_digits.reconstructions(parts["z_meaner"], parts["decoder"], x, y)
    committed = json.loads((run / "scores.json").read_text())["generators"][generator]["reconstruction"]["mse"]
    return {"measured": reconstruction_mse(x, decoded), "committed": committed}


def pretrained_history(name: str) -> dict[str, list[float]]:
    """The per-epoch losses the shipped model ``name`` was trained with, from its committed run's ``history.csv``,
    ``stages/NAME.csv`` or ``results.json``'s ``history``; empty when the run kept none (the toy AEs)."""
    run = source_run(name)
    results = json.loads((run / RESULTS_FILE).read_text()) if (run / RESULTS_FILE).is_file() else {}
    for path in (run / "stages" / f"{name}.csv", run / HISTORY_FILE):
        if path.is_file() and (path.name != HISTORY_FILE or _is_main_model(name)):
            return read_history_csv(path)
    return dict(results.get("history", {})) if _is_main_model(name) else {}


def _is_main_model(name: str) -> bool:
    """True for the model a run's ``history.csv`` / ``history`` belongs to (not a side model)."""
    return not name.startswith("toy_") and name != "part6_cvae_baseline"
