"""The VAEs on the JAX backend: Part 4 trains, resumes to the uninterrupted weights, and saves a ``.keras``
file that TensorFlow loads to the same outputs. Each backend runs in its own process (``KERAS_BACKEND`` is read
once, at import). Runs wherever jax is installed, as in CI."""
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
