"""A damaged model file, shipped file or backup gives one DamagedFileError naming the file and what
to do, and nothing is deleted. Damaged copies are made in tmp_path; figs/ is never modified."""
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest

from keras_autoencoders import pretrained
from keras_autoencoders.errors import DamagedFileError
from keras_autoencoders.evaluation.digit_judge import load_digit_judge, shipped_judge_path
from keras_autoencoders.model_files import load_model_file, read_manifest, sha256_of
from keras_autoencoders.run_folder import RunFolder
from keras_autoencoders.training.callbacks import BACKUP_FILES, run_folder_callbacks
from keras_autoencoders.tutorial import TrainingSettings
from keras_autoencoders.tutorial_run import TutorialRun

REPO = pathlib.Path(__file__).resolve().parents[1]
SHIPPED_FOLDER = pretrained.PRETRAINED_FOLDER
LFS_POINTER = "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 1737852\n"


def truncate(path: pathlib.Path, size: int = 20_000) -> None:
    """Cut ``path`` to ``size`` bytes (to half its size when it is not larger)."""
    data = path.read_bytes()
    path.write_bytes(data[:size if size < len(data) else len(data) // 2])


def files_of(folder: pathlib.Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch):
    """The part4 CVAE, the judge and the manifest copied to tmp_path/pretrained, which stands in for figs/pretrained."""
    folder = tmp_path / "pretrained"
    folder.mkdir()
    judge = shipped_judge_path()
    for path in (SHIPPED_FOLDER / "part4_cvae.keras", SHIPPED_FOLDER / pretrained.MANIFEST_FILE, judge,
                 judge.with_suffix(".json")):
        shutil.copyfile(path, folder / path.name)
    monkeypatch.setattr(pretrained, "PRETRAINED_FOLDER", folder)
    return folder


def tiny_model() -> keras.Model:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_manifest_matches_the_committed_files():
    manifest = read_manifest(SHIPPED_FOLDER / pretrained.MANIFEST_FILE)
    shipped = {p.name for p in SHIPPED_FOLDER.glob("*.keras")}
    assert shipped <= set(manifest) and shipped_judge_path().name in shipped
    for name, digest in manifest.items():
        assert sha256_of(SHIPPED_FOLDER / name) == digest, f"{name}: rerun export_for_shipping or fix SHA256SUMS"


def test_an_intact_shipped_file_passes(shipped_copy):
    assert pretrained.pretrained_path("part4_cvae") == shipped_copy / "part4_cvae.keras"


@pytest.mark.parametrize("damage, reason", [
    (truncate, "sha256 differs"),
    (lambda p: p.write_text(LFS_POINTER.format("0" * 64)), "Git LFS pointer"),
    (lambda p: p.write_bytes(p.read_bytes()[:500] + b"X" + p.read_bytes()[501:]), "sha256 differs"),  # same size
])
def test_a_damaged_shipped_model_is_refused_before_it_is_copied(shipped_copy, tmp_path, damage, reason):
    path = shipped_copy / "part4_cvae.keras"
    damage(path)
    run = RunFolder(tmp_path / "run")
    with pytest.raises(DamagedFileError, match=reason) as caught:
        pretrained.install_pretrained(run, "part4_cvae")
    assert str(path) in str(caught.value) and "fetch it again" in str(caught.value)
    assert "git lfs pull" in str(caught.value) and not run.model("part4_cvae").exists()


def test_keras_failure_on_a_truncated_shipped_file_names_it(shipped_copy):
    path = shipped_copy / "part4_cvae.keras"
    truncate(path)
    with pytest.raises(DamagedFileError, match="truncated or not a .keras zip archive") as caught:
        load_model_file(path, pretrained.FETCH_AGAIN, compile=False)
    assert str(caught.value).startswith(f"{path}: damaged file") and "git lfs pull" in str(caught.value)


def test_a_truncated_model_in_a_run_folder(tmp_path):
    run = RunFolder(tmp_path)
    shutil.copyfile(SHIPPED_FOLDER / "part4_cvae.keras", run.model("part4_cvae"))
    truncate(run.model("part4_cvae"))
    reloading = TutorialRun(TrainingSettings(out=str(tmp_path), skip_training=True))
    for load in (lambda: run.load_model("part4_cvae"), lambda: reloading.keep("part4_cvae")):
        with pytest.raises(DamagedFileError, match="retrain without --pretrained / --skip-training") as caught:
            load()
        assert str(run.model("part4_cvae")) in str(caught.value)


def test_a_fine_file_keeps_keras_own_error(tmp_path):
    """An archive that is whole but names an unknown class is not called damaged."""
    good, renamed = tmp_path / "good.keras", tmp_path / "unknown_class.keras"
    tiny_model().save(good)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(renamed, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data.replace(b'"Dense"', b'"NoSuchLayer"') if item.filename == "config.json" else data)
    with pytest.raises(Exception) as caught:
        load_model_file(renamed)
    assert not isinstance(caught.value, DamagedFileError)


def test_a_damaged_shipped_or_cached_judge(shipped_copy, tmp_path):
    truncate(shipped_copy / shipped_judge_path().name)
    cache = tmp_path / "cache"
    with pytest.raises(DamagedFileError, match="fetch it again"):
        load_digit_judge(cache_dir=cache)
    assert not cache.exists()  # nothing damaged copied into the cache
    cache.mkdir()
    shutil.copyfile(SHIPPED_FOLDER / shipped_judge_path().name, cache / shipped_judge_path().name)
    shutil.copyfile(shipped_judge_path().with_suffix(".json"), cache / shipped_judge_path().with_suffix(".json").name)
    truncate(cache / shipped_judge_path().name)
    with pytest.raises(DamagedFileError, match="delete it and keras_autoencoders_digit_judge_v1.json"):
        load_digit_judge(cache_dir=cache)


def test_export_for_shipping_rewrites_its_manifest_line(shipped_copy, tmp_path):
    manifest = shipped_copy / pretrained.MANIFEST_FILE
    before = read_manifest(manifest)
    tiny_model().save(tmp_path / "tiny.keras")
    target = pretrained.export_for_shipping(tmp_path / "tiny.keras", "tiny")
    assert read_manifest(manifest) == {**before, "tiny.keras": sha256_of(target)}


def backed_up_run(out: pathlib.Path) -> None:
    """Two epochs of a tiny model with the tutorials' callbacks, its backup kept."""
    out.mkdir(parents=True, exist_ok=True)
    x = np.random.default_rng(0).standard_normal((32, 2)).astype("float32")
    tiny_model().fit(x, x[:, :1], epochs=2, verbose=0, callbacks=run_folder_callbacks(out, keep_backup=True))


@pytest.mark.parametrize("name, damage", [("latest.weights.h5", truncate),
                                          ("training_metadata.json", lambda p: p.write_text("{not json"))])
def test_a_damaged_backup_is_named_and_kept(tmp_path, name, damage):
    out = tmp_path / "run"
    backed_up_run(out)
    backup = out / "backup"
    assert {p.name for p in backup.iterdir()} == {n for n in BACKUP_FILES if not n.endswith(".bkp")}  # Keras' names
    (out / "figures").mkdir()
    (out / "figures" / "a.png").write_bytes(b"png")
    damage(backup / name)
    before = files_of(out)
    x = np.zeros((32, 2), "float32")
    with pytest.raises(DamagedFileError) as caught:
        tiny_model().fit(x, x[:, :1], epochs=3, verbose=0, callbacks=run_folder_callbacks(out, keep_backup=True))
    message = str(caught.value)
    assert message.startswith(f"{backup / name}: damaged backup")
    assert f"the damaged backup is kept in {backup}; move it away to start over from epoch 0" in message
    assert files_of(out) == before  # backup, history.csv and figures untouched


@pytest.mark.slow  # a tutorial in a new process
def test_part4_pretrained_with_a_damaged_shipped_model_ends_in_one_error_line(tmp_path):
    folder = tmp_path / "pretrained"
    shutil.copytree(SHIPPED_FOLDER, folder)
    truncate(folder / "part4_cvae.keras")
    argv = [str(REPO / "tutorials" / "part4_cvae.py"), "--pretrained", "--out", str(tmp_path / "out"), "--quick"]
    code = ("import pathlib, runpy, sys; import keras_autoencoders.pretrained as p; "
            f"p.PRETRAINED_FOLDER = pathlib.Path({str(folder)!r}); sys.argv = {argv!r}; "
            "runpy.run_path(sys.argv[0], run_name='__main__')")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 1, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(folder / "part4_cvae.keras") in errors[0] and "fetch it again" in errors[0]
    assert "Traceback" not in done.stderr
