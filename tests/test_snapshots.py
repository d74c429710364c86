"""The snapshot schedule and callback of Part 4."""
import keras
import numpy as np

from keras_autoencoders.arrays import one_hot
from keras_autoencoders.models.vae import build_part4_cvae
from keras_autoencoders.training.callbacks import EpochTimer
from keras_autoencoders.training.snapshots import ManifoldSnapshots, article_snapshot_epochs


def test_schedule_equals_the_articles():
    article = set(list((np.arange(0, 59) ** 1.701).astype(int)) + list(range(10)))
    assert article_snapshot_epochs() == sorted(article)
    assert article_snapshot_epochs()[-1] == 999
    assert article_snapshot_epochs(30) == [e for e in sorted(article) if e < 30]


def _tiny_run(tmp_path, epochs, snapshot_epochs, model=None, tensorboard_dir=None):
    model = model or build_part4_cvae(seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    x = np.random.RandomState(0).rand(60, 28, 28, 1).astype("float32")
    labels = np.arange(60) % 10
    snaps = ManifoldSnapshots(model.decoder, model.article_models()["z_meaner"], x[:30], labels[:30],
                              latent_dim=8, epochs=snapshot_epochs, path=tmp_path / "snaps.npz",
                              tensorboard_dir=tensorboard_dir)
    timer = EpochTimer()
    history = model.fit([x, one_hot(labels)], batch_size=30, epochs=epochs, verbose=0,
                        callbacks=[timer, snaps])
    return model, snaps, history


def test_callback_snapshots_at_chosen_epochs(tmp_path):
    _, snaps, history = _tiny_run(tmp_path, epochs=4, snapshot_epochs=[0, 2, 7])
    assert snaps.epochs_taken == [0, 2]
    assert len(snaps.manifolds) == 2 and snaps.manifolds[0].shape == (10, 420, 420)
    assert snaps.manifolds[0].dtype == np.uint8
    assert [len(z) for z in snaps.z_means[1]] == [3] * 10
    assert len(snaps.manifold_frames(3)) == 2 and snaps.z_frames(3)[0].shape == (3, 8)
    # training moved the decoder between the two snapshots
    assert not np.array_equal(snaps.manifolds[0], snaps.manifolds[1])
    assert len(history.history["epoch_seconds"]) == 4
    assert all(s > 0 for s in history.history["epoch_seconds"])


def test_snapshots_persist_and_resume(tmp_path):
    model, snaps, _ = _tiny_run(tmp_path, epochs=2, snapshot_epochs=[0, 1, 3])
    reloaded = ManifoldSnapshots(model.decoder, None, snaps.images, snaps.labels, latent_dim=8,
                                 epochs=[0, 1, 3], path=tmp_path / "snaps.npz")
    assert reloaded.epochs_taken == [0, 1]
    np.testing.assert_array_equal(reloaded.manifolds[1], snaps.manifolds[1])
    for c in range(10):
        np.testing.assert_array_equal(reloaded.z_means[1][c], snaps.z_means[1][c])
    reloaded.on_epoch_end(1)  # already taken: not taken twice
    assert reloaded.epochs_taken == [0, 1]


def _image_summaries(log_dir) -> dict[str, list[tuple[int, np.ndarray]]]:
    """``{tag: [(step, image), ...]}`` read back from the event files under ``log_dir``."""
    import tensorflow as tf

    found: dict[str, list] = {}
    for path in sorted(log_dir.rglob("events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                # An image summary's tensor holds [width, height, PNG bytes...].
                png = tf.make_ndarray(value.tensor)[2]
                found.setdefault(value.tag, []).append((event.step, tf.io.decode_png(png).numpy()))
    return found


def test_snapshots_are_tensorboard_images_one_tag_per_label_at_their_epochs(tmp_path):
    _, snaps, _ = _tiny_run(tmp_path, epochs=3, snapshot_epochs=[0, 2], tensorboard_dir=tmp_path / "logs")
    summaries = _image_summaries(tmp_path / "logs")
    assert sorted(summaries) == [f"manifold/label_{c}" for c in range(10)]
    for c in range(10):
        assert [step for step, _ in summaries[f"manifold/label_{c}"]] == [0, 2]
        for (_, image), manifold in zip(summaries[f"manifold/label_{c}"], snaps.manifolds):
            np.testing.assert_array_equal(image[..., 0], manifold[c])  # PNG is lossless
    later = tmp_path / "exported"
    snaps.write_tensorboard(later)  # snapshots taken earlier, written afterwards
    assert sum(len(v) for v in _image_summaries(later).values()) == 20
