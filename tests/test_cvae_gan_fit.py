"""``adaptive_loop_fit``: Part 6's fit arguments, snapshots and callbacks from a run folder."""
import pytest

from keras_autoencoders.data.mnist import load_mnist_digits
from keras_autoencoders.errors import SettingsError
from keras_autoencoders.models.cvae_gan import build_cvae_gan
from keras_autoencoders.run_folder import RunFolder
from keras_autoencoders.training.cvae_gan_fit import adaptive_loop_fit


@pytest.fixture(scope="module")
def digits(small_mnist_folder_module):
    return load_mnist_digits(small_mnist_folder_module)


@pytest.fixture(scope="module")
def small_mnist_folder_module(tmp_path_factory):
    from keras_autoencoders.data.mnist import load_sample, write_mnist_npz

    sample = load_sample()
    folder = tmp_path_factory.mktemp("data")
    write_mnist_npz(folder / "mnist.npz", sample.x_train[:500], sample.y_train[:500], sample.x_test[:200],
                    sample.y_test[:200])
    return folder


def test_periods_snapshots_and_refused_counts(tmp_path, digits):
    model = build_cvae_gan(latent_dim=3, preset="corrected", seed=0)
    run = RunFolder(tmp_path / "run")
    loop = adaptive_loop_fit(run, model, digits, iterations=12, batch_size=8, seed=0, snapshot_every=6,
                             checkpoint_every=6)
    arguments = loop.fit_arguments()
    assert arguments["epochs"] == 4 and arguments["steps_per_epoch"] == 3 and arguments["callbacks"] is loop.callbacks
    assert loop.snapshots in loop.callbacks and loop.snapshots.snapshot_epochs == {0, 2, 3}  # every 2nd and the last
    assert loop.snapshots.latent_dim == 3
    images, labels, codes = next(iter(loop.draws))  # one iteration's six draws of 8 digits and 3-d codes
    assert (images.shape, labels.shape, codes.shape) == ((6, 8, 28, 28, 1), (6, 8, 10), (6, 8, 3))
    assert adaptive_loop_fit(run, model, digits, iterations=12, batch_size=8, seed=0).snapshots.snapshot_epochs == \
        {0, 1, 2, 3}  # the article's save_periods, cut to the run
    for counts in ({"iterations": 10}, {"checkpoint_every": 4}, {"snapshot_every": 5}):
        with pytest.raises(SettingsError, match=next(iter(counts))):
            adaptive_loop_fit(run, model, digits, **{"iterations": 12, "batch_size": 8, "seed": 0, **counts})
