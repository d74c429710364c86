"""Tests for keras_autoencoders.plotting.animation (frame rendering, GIF and MP4 writing)."""
import warnings

import numpy as np
import pytest

import imageio.v3 as iio

from keras_autoencoders.plotting import animation


def _random_frames(n, h, w, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8) for _ in range(n)]


# ---------------------------------------------------------------- titles


def test_label_epoch_title():
    assert animation.label_epoch_title(7, 12) == "Label: 7\nEpoch: 12"


# ---------------------------------------------------------------- rendering


def test_render_image_frames_shape_and_dtype():
    images = [np.random.rand(20, 20) for _ in range(5)]
    titles = [animation.label_epoch_title(3, e) for e in range(5)]
    frames = animation.render_image_frames(images, titles)
    assert len(frames) == 5
    for frame in frames:
        assert frame.dtype == np.uint8
        assert frame.shape == (7 * 80, 7 * 80, 3)


def test_render_image_frames_size_follows_figsize_and_dpi():
    frames = animation.render_image_frames(
        [np.random.rand(8, 8)], ["t"], figsize=(4, 3), dpi=50
    )
    assert frames[0].shape == (150, 200, 3)


def test_render_image_frames_different_images_differ():
    black = np.ones((20, 20))
    white = np.zeros((20, 20))
    f_black, f_white, f_black2 = animation.render_image_frames(
        [black, white, black], ["same", "same", "same"]
    )
    assert not np.array_equal(f_black, f_white)
    # Greys maps 1 -> black, 0 -> white: the black image is darker overall.
    assert f_black.mean() < f_white.mean()
    # Reusing the figure is deterministic: same image and title, same frame.
    np.testing.assert_array_equal(f_black, f_black2)


def test_render_image_frames_different_titles_differ():
    img = np.random.rand(20, 20)
    a, b = animation.render_image_frames([img, img], ["Epoch: 1", "Epoch: 2"])
    assert not np.array_equal(a, b)


def test_render_image_frames_length_mismatch():
    with pytest.raises(ValueError, match=r"3.*2"):
        animation.render_image_frames([np.zeros((4, 4))] * 3, ["a", "b"])
    with pytest.raises(ValueError):
        animation.render_image_frames([], [])


def test_render_scatter_frames_count_and_shape():
    points = [np.random.randn(100, 2) for _ in range(4)]
    titles = [f"Epoch: {e}" for e in range(4)]
    frames = animation.render_scatter_frames(points, titles)
    assert len(frames) == 4
    assert all(f.shape == (560, 560, 3) and f.dtype == np.uint8 for f in frames)
    assert not np.array_equal(frames[0], frames[1])


def test_render_scatter_frames_outliers_do_not_move_axes():
    inside = np.random.uniform(-1, 1, size=(50, 3))  # extra column is ignored
    outside = np.concatenate([inside, [[100.0, -100.0, 0.0], [-50.0, 80.0, 0.0]]])
    frames = animation.render_scatter_frames([inside, outside], ["a", "a"])
    assert frames[0].shape == frames[1].shape == (560, 560, 3)
    # Points outside the fixed limits are clipped, so nothing visible changes.
    np.testing.assert_array_equal(frames[0], frames[1])


def test_render_scatter_frames_rejects_one_column():
    with pytest.raises(ValueError, match="points 0"):
        animation.render_scatter_frames([np.zeros((5, 1))], ["t"])


# ---------------------------------------------------------------- GIF


def test_write_gif_round_trip(tmp_path):
    frames = _random_frames(6, 30, 40)
    path = animation.write_gif(frames, tmp_path / "sub" / "anim.gif")
    assert path.is_file()
    back = iio.imread(path, index=None)
    assert back.shape[0] == 6
    assert back.shape[1:3] == (30, 40)  # height, width
    for i in range(6):
        assert iio.immeta(path, index=i)["duration"] == 100


def test_write_gif_custom_duration(tmp_path):
    path = animation.write_gif(_random_frames(3, 10, 10), tmp_path / "a.gif", duration_ms=250)
    assert iio.immeta(path, index=0)["duration"] == 250


# ---------------------------------------------------------------- MP4


def test_write_mp4_round_trip_pads_to_even(tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    frames = _random_frames(5, 75, 61)  # height 75, width 61: both odd
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        path = animation.write_mp4(frames, tmp_path / "anim.mp4", fps=10)
    assert path is not None and path.is_file()
    n_frames, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert n_frames == 5
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    assert tuple(meta["size"]) == (62, 76)  # (width, height), padded to even
    decoded = list(reader)
    assert len(decoded) == 5
    assert all(len(buf) == 62 * 76 * 3 for buf in decoded)


def test_write_animation_writes_both(tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    frames = _random_frames(3, 20, 20)
    written = animation.write_animation(frames, tmp_path / "run.v1")
    assert set(written) == {"gif", "mp4"}
    assert written["gif"] == tmp_path / "run.v1.gif"
    assert written["mp4"] == tmp_path / "run.v1.mp4"
    assert all(p.is_file() for p in written.values())


def test_mp4_impossible_warns_once_and_keeps_gif(tmp_path, monkeypatch):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")

    def no_ffmpeg():
        raise RuntimeError("No ffmpeg exe could be found.")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_ffmpeg)
    monkeypatch.setattr(animation, "_MP4_WARNED", False)
    frames = _random_frames(3, 16, 16)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = animation.write_animation(frames, tmp_path / "a")
        second = animation.write_animation(frames, tmp_path / "b")

    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(runtime) == 1
    assert "MP4" in str(runtime[0].message)
    for result, stem in ((first, "a"), (second, "b")):
        assert set(result) == {"gif"}
        assert result["gif"].is_file()
        assert not (tmp_path / f"{stem}.mp4").exists()
    assert animation.write_mp4(frames, tmp_path / "c.mp4") is None


def test_mp4_writer_failure_returns_none(tmp_path, monkeypatch):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")

    def broken_writer(*args, **kwargs):
        raise OSError("encoder exploded")
        yield  # pragma: no cover  (makes this a generator like write_frames)

    monkeypatch.setattr(imageio_ffmpeg, "write_frames", broken_writer)
    monkeypatch.setattr(animation, "_MP4_WARNED", False)
    frames = _random_frames(2, 8, 8)
    with pytest.warns(RuntimeWarning, match="encoder exploded"):
        assert animation.write_mp4(frames, tmp_path / "x.mp4") is None
    assert not (tmp_path / "x.mp4").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # second failure is silent
        assert animation.write_mp4(frames, tmp_path / "y.mp4") is None


# ---------------------------------------------------------------- validation


def test_invalid_frames_mixed_shapes(tmp_path):
    frames = _random_frames(3, 10, 10) + _random_frames(1, 12, 10)
    with pytest.raises(ValueError, match="frame 3"):
        animation.write_gif(frames, tmp_path / "x.gif")
    with pytest.raises(ValueError, match="frame 3"):
        animation.write_animation(frames, tmp_path / "x")
    assert not (tmp_path / "x.gif").exists()


def test_invalid_frames_float_dtype(tmp_path):
    frames = _random_frames(2, 10, 10)
    frames.insert(1, np.zeros((10, 10, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="frame 1"):
        animation.write_mp4(frames, tmp_path / "x.mp4")


def test_invalid_frames_wrong_channels_and_empty(tmp_path):
    with pytest.raises(ValueError, match="frame 0"):
        animation.write_gif([np.zeros((10, 10), dtype=np.uint8)], tmp_path / "x.gif")
    with pytest.raises(ValueError):
        animation.write_gif([], tmp_path / "x.gif")
