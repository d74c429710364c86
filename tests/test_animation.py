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


# ---------------------------------------------------------------- all-labels grid


def _constant_manifolds(n_frames, n_labels=10, size=20):
    """(T, L, size, size) uint8: label c is the constant 25 * c (white ink on black)."""
    values = np.arange(n_labels, dtype=np.uint8) * 25
    one = np.broadcast_to(values[:, None, None], (n_labels, size, size))
    return np.broadcast_to(one, (n_frames, n_labels, size, size)).copy()


def _grid_cell(frame, index, *, panel, cols=5, pad=8, title_height=36, label_height=22):
    """The image area of grid cell ``index`` in a frame of render_label_grid_frames' defaults."""
    top = title_height + (index // cols) * (label_height + panel + pad) + label_height
    left = pad + (index % cols) * (panel + pad)
    return frame[top : top + panel, left : left + panel]


def test_label_grid_frames_count_shape_even():
    manifolds = _constant_manifolds(4, size=42)  # 42 // 2 = 21 px panels
    frames = animation.render_label_grid_frames(manifolds, [0, 1, 5, 9], unit="Batch")
    assert len(frames) == 4
    h = 36 + 2 * (22 + 21 + 8)
    w = 8 + 5 * (21 + 8)
    expected = (h + h % 2, w + w % 2, 3)
    for frame in frames:
        assert frame.dtype == np.uint8
        assert frame.shape == expected
        assert frame.shape[0] % 2 == 0 and frame.shape[1] % 2 == 0
    # Only the title changes between frames of identical manifolds.
    assert not np.array_equal(frames[0], frames[1])
    np.testing.assert_array_equal(frames[0][36:], frames[1][36:])


def test_label_grid_panels_hold_their_label():
    # Float input in [0, 1], as ManifoldSnapshots.manifold_frames gives it.
    manifolds = _constant_manifolds(3).astype(np.float32) / 255.0
    frames = animation.render_label_grid_frames(manifolds, [0, 10, 20], scale=2)
    lut = animation._colormap_lut("Greys")
    for frame in frames:
        for c in range(10):
            cell = _grid_cell(frame, c, panel=10)
            np.testing.assert_array_equal(cell, np.broadcast_to(lut[25 * c], cell.shape))
    # Greys draws white ink (label 9, value 225) darker than the black background (label 0).
    assert _grid_cell(frames[0], 9, panel=10).mean() < _grid_cell(frames[0], 0, panel=10).mean()


def test_label_grid_block_average_and_sequence_input():
    # A checkerboard averages to mid grey at scale 2; a list of (L, H, W) works like (T, L, H, W).
    board = (np.indices((8, 8)).sum(axis=0) % 2 * 255).astype(np.uint8)
    snapshot = np.stack([board] * 10)
    frames = animation.render_label_grid_frames([snapshot, snapshot], [1, 2], scale=2)
    cell = _grid_cell(frames[0], 3, panel=4)
    np.testing.assert_array_equal(cell, np.broadcast_to(animation._colormap_lut("Greys")[128], cell.shape))


def test_label_grid_rejects_bad_input():
    with pytest.raises(ValueError, match=r"3.*2"):
        animation.render_label_grid_frames(_constant_manifolds(3), [0, 1])
    with pytest.raises(ValueError):
        animation.render_label_grid_frames(np.zeros((0, 10, 4, 4)), [])
    with pytest.raises(ValueError, match="snapshot 1"):
        animation.render_label_grid_frames([np.zeros((10, 4, 4)), np.zeros((10, 6, 6))], [0, 1])


def test_write_label_grid_animation_gif_frames(tmp_path):
    manifolds = _constant_manifolds(5, size=20)
    manifolds[:, 3] = np.arange(5, dtype=np.uint8)[:, None, None] * 50  # label 3 changes
    written = animation.write_label_grid_animation(
        manifolds, [0, 1, 2, 3, 4], tmp_path / "grid", formats=("gif",)
    )
    assert set(written) == {"gif"} and written["gif"] == tmp_path / "grid.gif"
    back = iio.imread(written["gif"], index=None)
    assert back.shape[0] == 5
    assert back.shape[1:3] == animation.render_label_grid_frames(manifolds[:1], [0])[0].shape[:2]


# ---------------------------------------------------------------- tools/label_grid_from_animations.py


def _label_grid_tool():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[1] / "tools" / "label_grid_from_animations.py"
    spec = importlib.util.spec_from_file_location("label_grid_from_animations", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_per_label_run(run_dir, n_frames, frame_counts=None, size=(2.5, 2.5)):
    """Per-label manifold GIFs as the tutorials write them (small figures), plus a z_distr GIF."""
    import json

    anim = run_dir / "animations"
    for c in range(10):
        n = n_frames if frame_counts is None else frame_counts[c]
        images = [np.full((28, 28), 0.1 * c) for _ in range(n)]
        titles = [animation.label_epoch_title(c, e) for e in range(n)]
        animation.write_gif(animation.render_image_frames(images, titles, figsize=size),
                            anim / f"manifold_{c}.gif")
    animation.write_gif(_random_frames(2, 8, 8), anim / "z_distr_0.gif")
    (run_dir / "results.json").write_text(json.dumps({"snapshot_epochs": [0, 5, 9][:n_frames]}))
    return anim


def test_tool_composes_grid_and_removes_per_label(tmp_path):
    tool = _label_grid_tool()
    anim = _write_per_label_run(tmp_path / "run", 3)
    assert tool.main([str(tmp_path / "run"), "--formats", "gif", "--panel", "20",
                      "--remove-per-label"]) == 0
    grid = anim / "manifolds_all_labels.gif"
    assert sorted(p.name for p in anim.iterdir()) == ["manifolds_all_labels.gif"]
    frames = iio.imread(grid, index=None)
    assert frames.shape[0] == 3
    for c in range(10):
        # Each label's constant image lands in its own cell, near its Greys colour.
        cell = _grid_cell(frames[0], c, panel=20)[2:-2, 2:-2].astype(int)
        expected = animation._colormap_lut("Greys")[round(0.1 * c * 255)].astype(int)
        assert np.abs(cell - expected).max() <= 3, c
    # Titles come from results.json.
    assert not np.array_equal(frames[0][:36], frames[1][:36])


def test_tool_refuses_mismatched_frame_counts(tmp_path, capsys):
    tool = _label_grid_tool()
    counts = [3] * 10
    counts[7] = 2
    anim = _write_per_label_run(tmp_path / "run", 3, frame_counts=counts)
    before = sorted(p.name for p in anim.iterdir())
    assert tool.main([str(tmp_path / "run"), "--formats", "gif", "--remove-per-label"]) == 1
    err = capsys.readouterr().err
    assert "frame counts differ" in err and "manifold_7.gif: 2" in err
    assert sorted(p.name for p in anim.iterdir()) == before  # nothing written or removed
