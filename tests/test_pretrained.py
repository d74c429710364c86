"""The shipped models of the committed runs: each loads in a fresh process and reproduces its run's number."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from keras_autoencoders.pretrained import PRETRAINED_FOLDER, SHIPPED, install_pretrained, pretrained_path
from keras_autoencoders.errors import SettingsError
from keras_autoencoders.evaluation.digit_judge import shipped_judge_path
from keras_autoencoders.run_folder import RunFolder

REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.slow  # exact resume / a whole run / a fresh process: the full suite's
def test_every_shipped_model_reproduces_its_committed_number_in_a_fresh_process(mnist_npz_path):
    """One new Python process (nothing trained or cached in this one) loads every shipped model."""
    code = ("import json; from keras_autoencoders.pretrained import SHIPPED, check_shipped; "
            "print(json.dumps({name: check_shipped(name) for name in SHIPPED}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-3000:]
    numbers = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(numbers) == set(SHIPPED)
    for name, pair in numbers.items():  # the tolerance follows the precision the committed number came from
        assert pair["measured"] == pytest.approx(pair["committed"], rel=pair["tolerance"]), name
    assert {name for name, pair in numbers.items() if pair["tolerance"] > 1e-5} == {"part6_cvae_gan"}


def test_shipped_models_compute_in_float32_on_every_cpu():
    import zipfile

    for name in SHIPPED:
        with zipfile.ZipFile(pretrained_path(name)) as archive:
            assert b"bfloat16" not in archive.read("config.json"), name


@pytest.mark.bfloat16
def test_shipping_a_mixed_bfloat16_model_keeps_its_weights_and_computes_in_float32(tmp_path):
    import keras
    import numpy as np

    from keras_autoencoders.models.conv_vae import build_conv_vae
    from keras_autoencoders.pretrained import computing_in_float32

    keras.utils.set_random_seed(0)
    mixed = build_conv_vae(latent_dim=2, precision="mixed_bfloat16")
    path = tmp_path / "mixed.keras"
    mixed.save(path)
    computing_in_float32(path)
    shipped = keras.models.load_model(path, compile=False)
    assert {layer.dtype_policy.name for layer in shipped.decoder.layers} == {"float32"}
    for ours, theirs in zip(shipped.weights, mixed.weights):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    codes = np.random.default_rng(0).standard_normal((4, 2)).astype("float32")
    in_float32 = keras.ops.convert_to_numpy(shipped.decoder(codes))
    assert in_float32.dtype == np.float32
    # The same function: the mixed decoder's bfloat16 arithmetic rounds to 2**-8 of each value.
    np.testing.assert_allclose(in_float32, keras.ops.convert_to_numpy(mixed.decoder(codes)), atol=2e-2)


def test_shipped_models_are_small_and_carry_no_optimiser_state():
    files = sorted(PRETRAINED_FOLDER.glob("*.keras"))
    judge = shipped_judge_path()
    assert {f.stem for f in files if f != judge} == set(SHIPPED) and judge in files
    assert sum(f.stat().st_size for f in files) < 12e6  # a few MB in all
    import zipfile

    for f in files:
        with zipfile.ZipFile(f) as archive, archive.open("model.weights.h5") as weights:
            assert b"optimizer" not in weights.read(), f.name


def test_install_checks_every_name_before_copying(tmp_path):
    run = RunFolder(tmp_path)
    with pytest.raises(SettingsError, match="no pretrained model named 'celeba_cvae'"):
        install_pretrained(run, "part4_cvae", "celeba_cvae")
    assert not (tmp_path / "model").exists()
    install_pretrained(run, "part4_cvae")
    assert run.model("part4_cvae").read_bytes() == pretrained_path("part4_cvae").read_bytes()
