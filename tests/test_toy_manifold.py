"""Tests of the Part 4 toy "disconnected manifold" example: data, metric, models, training."""
import numpy as np
import pytest

from keras_autoencoders.data.toy_manifold import ToyManifold, make_sine_circle
from keras_autoencoders.evaluation.toy_curves import distance_to_curves, toy_manifold_distances


# ---------------------------------------------------------------- data

def test_shapes_dtypes_and_labels():
    data = make_sine_circle()
    assert isinstance(data, ToyManifold)
    assert data.points.shape == (2000, 2) and data.points.dtype == np.float32
    assert data.labels.shape == (2000,) and data.labels.dtype == np.float32
    np.testing.assert_array_equal(data.labels[:1000], 0.0)
    np.testing.assert_array_equal(data.labels[1000:], 1.0)
    assert len(data.curves) == 2
    assert all(c.shape == (1000, 2) for c in data.curves)


def test_noise_free_curves_lie_on_sine_and_circle():
    sine, circle = make_sine_circle().curves
    np.testing.assert_allclose(sine[:, 1], np.sin(sine[:, 0]), atol=1e-12)
    assert sine[0, 0] == pytest.approx(-2.2) and sine[-1, 0] == pytest.approx(2.2)
    np.testing.assert_allclose(np.linalg.norm(circle - np.array([1.5, -0.5]), axis=1), 0.5, atol=1e-12)
    # t runs over the full turn: the polyline is closed and starts at the top of the circle
    np.testing.assert_allclose(circle[0], [1.5, 0.0], atol=1e-12)
    np.testing.assert_allclose(circle[-1], circle[0], atol=1e-12)


def test_noise_level():
    data = make_sine_circle(noise=0.06)
    residual = data.points - np.concatenate(data.curves)
    assert abs(residual.mean()) < 0.01
    for axis in range(2):
        assert residual[:, axis].std() == pytest.approx(0.06, rel=0.1)
    clean = make_sine_circle(noise=0.0)
    np.testing.assert_allclose(clean.points, np.concatenate(clean.curves), atol=1e-6)


def test_seed_reproducibility():
    a, b, c = make_sine_circle(seed=3), make_sine_circle(seed=3), make_sine_circle(seed=4)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.allclose(a.points, c.points)
    np.testing.assert_array_equal(a.curves[0], c.curves[0])


# ---------------------------------------------------------------- metric

def _brute_force_distance(points, curves, samples_per_segment=20001):
    """Distance to densely sampled segments: an independent upper-bound reference."""
    dense = []
    for curve in curves:
        for a, b in zip(curve[:-1], curve[1:]):
            t = np.linspace(0.0, 1.0, samples_per_segment)[:, None]
            dense.append(a + t * (b - a))
    dense = np.concatenate(dense)
    return np.array([np.linalg.norm(dense - p, axis=1).min() for p in points])


def test_distance_is_perpendicular_to_segment_not_to_vertex():
    segment = np.array([[0.0, 0.0], [2.0, 0.0]])
    d = distance_to_curves(np.array([[1.0, 0.3]]), [segment])
    assert d[0] == pytest.approx(0.3)            # the vertex distance would be sqrt(1.09)
    beyond = distance_to_curves(np.array([[3.0, 4.0]]), [segment])
    assert beyond[0] == pytest.approx(np.hypot(1.0, 4.0))   # past the end: distance to the end


def test_points_on_the_curve_have_zero_distance():
    polyline = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [2.0, -3.0]])
    on = np.array([[0.0, 0.0], [0.5, 0.5], [1.0, 1.0], [1.25, 0.75], [2.0, -1.7]])
    np.testing.assert_allclose(distance_to_curves(on, [polyline]), 0.0, atol=1e-12)
    data = make_sine_circle(noise=0.0)
    np.testing.assert_allclose(distance_to_curves(data.points, data.curves), 0.0, atol=1e-6)


def test_minimum_over_curves_and_brute_force_agreement():
    a = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    b = np.array([[3.0, 0.0], [3.0, 2.0]])
    points = np.array([[0.5, -0.2], [2.6, 1.0], [1.9, 0.5], [-1.0, -1.0], [2.0, 2.0]])
    d = distance_to_curves(points, [a, b])
    np.testing.assert_allclose(d, [0.2, 0.4, 0.9, np.sqrt(2.0), 1.0], atol=1e-12)
    np.testing.assert_allclose(d, np.minimum(distance_to_curves(points, [a]),
                                             distance_to_curves(points, [b])))
    rng = np.random.default_rng(0)
    random_points = rng.uniform(-1.0, 4.0, size=(30, 2))
    np.testing.assert_allclose(distance_to_curves(random_points, [a, b]),
                               _brute_force_distance(random_points, [a, b]), atol=1e-4)


def test_distance_chunking_gives_same_answer(monkeypatch):
    from keras_autoencoders.evaluation import toy_curves

    data = make_sine_circle(n_per_curve=200)
    full = distance_to_curves(data.points, data.curves)
    monkeypatch.setattr(toy_curves, "_MAX_PAIRS", 1000)   # forces many small chunks
    np.testing.assert_allclose(distance_to_curves(data.points, data.curves), full)


def test_toy_manifold_distances_own_versus_nearest():
    data = make_sine_circle(n_per_curve=100, noise=0.0)
    exact = toy_manifold_distances(data.points, data)
    assert exact == pytest.approx({"mean_distance_to_nearest_curve": 0.0,
                                   "mean_distance_to_own_curve": 0.0}, abs=1e-6)
    # send every sine point to the top of the circle: nearest distance stays 0, own grows
    moved = data.points.copy()
    moved[:100] = [1.5, 0.0]
    d = toy_manifold_distances(moved, data)
    assert all(isinstance(v, float) for v in d.values())
    assert d["mean_distance_to_nearest_curve"] == pytest.approx(0.0, abs=1e-6)
    expected_own = 0.5 * distance_to_curves(np.array([[1.5, 0.0]]), [data.curves[0]])[0]
    assert d["mean_distance_to_own_curve"] == pytest.approx(expected_own)


# ---------------------------------------------------------------- models

HIDDEN = 64
PLAIN_PARAMS = (2 * 64 + 64) + (64 * 64 + 64) + (64 * 1 + 1) + (1 * 64 + 64) + (64 * 64 + 64) + (64 * 2 + 2)


def test_plain_autoencoder_shapes_and_parameters():
    from keras_autoencoders.models.toy_autoencoder import build_toy_autoencoder

    model = build_toy_autoencoder()
    assert model.name == "deep_ae"
    assert len(model.inputs) == 1 and tuple(model.inputs[0].shape) == (None, 2)
    assert tuple(model.outputs[0].shape) == (None, 2)
    assert model.count_params() == PLAIN_PARAMS == 8835
    out = model.predict(np.zeros((5, 2), np.float32), verbose=0)
    assert out.shape == (5, 2)


def test_conditional_autoencoder_shapes_and_parameters():
    from keras_autoencoders.models.toy_autoencoder import build_toy_autoencoder

    model = build_toy_autoencoder(conditional=True)
    assert model.name == "cond_deep_ae"
    assert [tuple(x.shape) for x in model.inputs] == [(None, 2), (None, 1)]
    assert tuple(model.outputs[0].shape) == (None, 2)
    # the label adds one input row to the first encoder and the first decoder Dense
    assert model.count_params() == PLAIN_PARAMS + 64 + 64
    out = model.predict([np.zeros((5, 2), np.float32), np.ones((5, 1), np.float32)], verbose=0)
    assert out.shape == (5, 2)


def test_code_dim_and_hidden_are_used():
    from keras_autoencoders.models.toy_autoencoder import build_toy_autoencoder

    model = build_toy_autoencoder(hidden=8, code_dim=3)
    expected = (2 * 8 + 8) + (8 * 8 + 8) + (8 * 3 + 3) + (3 * 8 + 8) + (8 * 8 + 8) + (8 * 2 + 2)
    assert model.count_params() == expected


# ---------------------------------------------------------------- training

def test_short_training_conditional_ae_follows_the_manifold_better():
    """Part 4's claim on a shortened schedule: conditioning on the label lets the AE
    reconstruct each piece of the disconnected manifold, the plain AE cannot.

    The article trains 300 epochs at batch 30 and lr 1e-3; to stay within seconds this
    uses 120 epochs at batch 100 and lr 1e-2 (2400 steps), which separates the two models
    on every seed tried (0 to 7 and 1234; margins from 8% to 60%).
    """
    import keras

    from keras_autoencoders.models.toy_autoencoder import build_toy_autoencoder, train_toy_autoencoder

    data = make_sine_circle()
    results = {}
    for conditional in (False, True):
        keras.utils.set_random_seed(0)
        model = build_toy_autoencoder(conditional=conditional)
        history = train_toy_autoencoder(model, data, epochs=120, batch_size=100, learning_rate=1e-2,
                                        steps_per_execution=20)  # one call per epoch: the same weights
        losses = history.history["loss"]
        assert len(losses) == 120
        assert losses[-1] < 0.25 * losses[0]
        inputs = [data.points, data.labels[:, None]] if conditional else data.points
        predicted = model.predict(inputs, batch_size=2000, verbose=0)
        assert predicted.shape == (2000, 2)
        results[conditional] = toy_manifold_distances(predicted, data)

    plain, cond = results[False], results[True]
    assert cond["mean_distance_to_nearest_curve"] < 0.1
    assert cond["mean_distance_to_nearest_curve"] < plain["mean_distance_to_nearest_curve"]
    assert cond["mean_distance_to_own_curve"] < plain["mean_distance_to_own_curve"]


# ---------------------------------------------------------------- figure

def test_plot_toy_manifold_draws_the_article_figure():
    from matplotlib.figure import Figure

    from keras_autoencoders.plotting.toy import plot_toy_manifold

    data = make_sine_circle(n_per_curve=50)
    fig = plot_toy_manifold(data, data.points * 0.9, title="deep AE")
    assert isinstance(fig, Figure)
    assert tuple(fig.get_size_inches()) == (15.0, 9.0)
    (ax,) = fig.axes
    assert ax.get_xlim() == (-2.5, 2.5) and ax.get_ylim() == (-1.5, 1.5)
    assert [line.get_color() for line in ax.lines] == ["red", "yellow"]
    assert all(line.get_linewidth() == 4 for line in ax.lines)
    noisy, recon = ax.collections
    assert noisy.get_offsets().shape == (100, 2) and recon.get_offsets().shape == (100, 2)
    np.testing.assert_allclose(recon.get_facecolors()[0], [1, 1, 1, 1])
    assert ax.get_title() == "deep AE"
    fig.canvas.draw()   # renders on Agg without pyplot
    assert len(plot_toy_manifold(data).axes[0].collections) == 1
