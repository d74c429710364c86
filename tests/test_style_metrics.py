"""Slant and stroke width from image moments, and the correlations that say how much style is kept."""
import numpy as np
import pytest

from keras_autoencoders.evaluation.style_metrics import (digit_slant, stroke_width, style_correlations,
                                                         transfer_correlations)


def bar(shear=0.0, width=2, size=28):
    """A vertical bar of ``width`` pixels, its column shifted by ``shear`` per row above the centre."""
    image = np.zeros((size, size))
    for row in range(4, size - 4):
        centre = size / 2 + shear * (size / 2 - row)
        start = int(round(centre - width / 2))
        image[row, start:start + width] = 1.0
    return image


def test_slant_is_the_shear_of_the_ink_and_positive_leaning_right():
    assert digit_slant(bar(0.0)[None])[0] == pytest.approx(0.0, abs=1e-9)
    leaning = digit_slant(np.stack([bar(0.2), bar(-0.3)]))
    assert leaning[0] == pytest.approx(0.2, abs=0.03) and leaning[1] == pytest.approx(-0.3, abs=0.03)


def test_stroke_width_reads_the_bar_width():
    widths = stroke_width(np.stack([bar(width=w) for w in (1, 2, 4)]))
    # 2 * area / edge for a w x L bar: 2 w L / (2 L + 2 w), a little under w.
    for w, measured in zip((1, 2, 4), widths):
        assert measured == pytest.approx(2 * w * 20 / (2 * 20 + 2 * w), rel=1e-6)
    assert np.isnan(stroke_width(np.zeros((1, 28, 28)))[0])  # no ink, no style


def test_correlations_are_one_for_kept_style_and_near_zero_for_one_drawing_per_label():
    rng = np.random.default_rng(0)
    shears, widths = rng.uniform(-0.3, 0.3, 40), rng.integers(1, 5, 40)
    inputs = np.stack([bar(s, w) for s, w in zip(shears, widths)])
    labels = np.repeat([0, 1], 20)
    kept = style_correlations(inputs, inputs, labels)
    assert kept["slant"] == pytest.approx(1.0) and kept["width"] == pytest.approx(1.0)
    assert kept["slant_gain"] == pytest.approx(1.0) and kept["width_gain"] == pytest.approx(1.0)
    # Outputs that follow the inputs' slant but carry only half of it: r near 1, gain near 0.5.
    halved = style_correlations(inputs, np.stack([bar(s / 2, w) for s, w in zip(shears, widths)]), labels)
    assert halved["slant"] > 0.95 and halved["slant_gain"] == pytest.approx(0.5, abs=0.08)
    noisy = np.stack([bar(s + rng.normal(0, 0.05), w) for s, w in zip(shears, widths)])
    assert 0.8 < style_correlations(inputs, noisy, labels)["slant"] < 1.0
    one_way = np.stack([bar(rng.uniform(-0.3, 0.3), rng.integers(1, 5)) for _ in range(40)])  # unrelated to inputs
    lost = style_correlations(inputs, one_way, labels)
    assert abs(lost["slant"]) < 0.4 and abs(lost["width"]) < 0.4
    # Transfer: the inputs drawn as three digits, label 2 being the source.
    transferred = np.stack([inputs[:20], inputs[:20], one_way[:20]])
    both = transfer_correlations(inputs[:20], transferred, source_label=2)
    assert both["slant"] == pytest.approx(1.0) and both["width"] == pytest.approx(1.0)
