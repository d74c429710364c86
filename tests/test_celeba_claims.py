"""The CelebA claims' numbers (``evaluation.judges``): balanced accuracy and agreement against hand-made arrays and a
direct count, and the effect of switching one attribute on new faces, against decoders and judges whose answer is
known; old ``results.json`` files still load."""
import json
import pathlib

import numpy as np
import pytest

from keras_autoencoders.evaluation.judges import (attribute_effects, balanced_accuracy, balanced_agreement,
                                                  build_small_cnn)
from keras_autoencoders.models.conv_cvae import build_celeba_cvae
from keras_autoencoders.records.celeba import CelebAResults

REPO = pathlib.Path(__file__).resolve().parents[1]


def _counted_balanced_accuracy(verdicts, labels):
    """Per column, (TP / (TP + FN) + TN / (TN + FP)) / 2 from the four counts."""
    scores = []
    for v, y in zip(verdicts.T, labels.T > 0.5):
        tp, fn, tn, fp = (int(np.sum(v & y)), int(np.sum(~v & y)), int(np.sum(~v & ~y)), int(np.sum(v & ~y)))
        scores.append(None if tp + fn == 0 or tn + fp == 0 else (tp / (tp + fn) + tn / (tn + fp)) / 2)
    return scores


def test_balanced_accuracy_of_simple_judges():
    labels = np.array([[1, 0], [0, 0], [0, 1], [0, 0], [1, 0]], "float32")  # a rare and a common attribute
    truth = labels > 0.5
    assert balanced_accuracy(truth, labels) == [1.0, 1.0]
    assert balanced_accuracy(np.zeros_like(truth), labels) == [0.5, 0.5]  # always "no": a guess, however rare
    assert balanced_accuracy(np.ones_like(truth), labels) == [0.5, 0.5]
    assert balanced_accuracy(~truth, labels) == [0.0, 0.0]
    # One hit of two positives, one false alarm of three negatives: (1/2 + 2/3) / 2.
    verdicts = np.array([[1, 0], [1, 0], [0, 1], [0, 0], [0, 0]], bool)
    assert balanced_accuracy(verdicts, labels)[0] == pytest.approx((1 / 2 + 2 / 3) / 2)
    # CelebA's -1/1 files read as 0/1 conditions; -1 is "without" either way.
    assert balanced_accuracy(verdicts, np.where(labels > 0.5, 1, -1)) == balanced_accuracy(verdicts, labels)


def test_balanced_accuracy_is_none_without_positives_or_negatives():
    labels = np.array([[0, 1, 1], [0, 1, 0], [0, 1, 1]], "float32")
    assert balanced_accuracy(np.ones((3, 3), bool), labels) == [None, None, 0.5]
    assert balanced_accuracy(np.zeros((0, 2), bool), np.zeros((0, 2))) == [None, None]


def test_balanced_accuracy_matches_a_direct_count_on_random_arrays():
    rng = np.random.default_rng(37)
    for rare in (0.5, 0.1, 0.02):
        labels = (rng.random((400, 6)) < rare).astype("float32")
        verdicts = rng.random((400, 6)) < 0.3
        expected = _counted_balanced_accuracy(verdicts, labels)
        got = balanced_accuracy(verdicts, labels)
        assert [e is None for e in expected] == [g is None for g in got]
        np.testing.assert_allclose([g for g in got if g is not None], [e for e in expected if e is not None])
    one_column = balanced_accuracy(verdicts[:, 0], labels[:, 0])  # 1-D: one attribute
    assert one_column == balanced_accuracy(verdicts[:, :1], labels[:, :1]) and len(one_column) == 1


def test_balanced_agreement_by_hand_and_against_a_direct_count():
    labels = np.array([1, 1, 0, 0, 0, 0], "float32")[:, None]
    face = np.array([1, 1, 0, 0, 1, 0], bool)[:, None]
    reconstruction = np.array([1, 0, 0, 0, 0, 0], bool)[:, None]
    # With the attribute: 1 of 2 alike; without it: 3 of 4 alike. Raw agreement (4/6) would weigh the common side.
    assert balanced_agreement(face, reconstruction, labels) == [pytest.approx((1 / 2 + 3 / 4) / 2)]
    assert balanced_agreement(face, face, labels) == [1.0] and balanced_agreement(face, ~face, labels) == [0.0]
    assert balanced_agreement(face, reconstruction, np.zeros((6, 1))) == [None]  # one side empty
    assert balanced_agreement(face, reconstruction, np.ones((6, 1))) == [None]

    rng = np.random.default_rng(5)
    labels = (rng.random((300, 4)) < [0.5, 0.2, 0.05, 0.0]).astype("float32")
    a, b = rng.random((300, 4)) < 0.4, rng.random((300, 4)) < 0.6
    expected = []
    for column in range(4):
        alike = a[:, column] == b[:, column]
        with_it, without = alike[labels[:, column] == 1], alike[labels[:, column] == 0]
        expected.append(None if len(with_it) == 0 or len(without) == 0 else (with_it.mean() + without.mean()) / 2)
    got = balanced_agreement(a, b, labels)
    assert got[3] is None and expected[3] is None
    np.testing.assert_allclose(got[:3], expected[:3])


def test_balanced_agreement_wants_one_shape():
    with pytest.raises(ValueError, match="one shape"):
        balanced_agreement(np.zeros((4, 2), bool), np.zeros((4, 3), bool), np.zeros((4, 2)))


class _PaintingDecoder:
    """Decodes (z, conditions) into a 1x1 image whose channels are the conditions, then whether z[0] > 0."""

    def __init__(self):
        self.calls = []

    def predict(self, inputs, batch_size=None, verbose=0):
        z, conditions = inputs
        self.calls.append(len(z))
        return np.concatenate([conditions, (z[:, :1] > 0).astype("float32")], axis=1)[:, None, None, :]


class _ReadingJudge:
    """Output 0 ("A", column 2): channel 2 and z[0] > 0; output 1 ("B", column 0): channel 0 and channel 1;
    output 2 ("C", column 3): z[0] > 0 only (the attribute does nothing)."""

    def predict(self, images, batch_size=None, verbose=0):
        pixel = images[:, 0, 0, :]
        return np.stack([pixel[:, 2] * pixel[:, 4], pixel[:, 0] * pixel[:, 1], pixel[:, 4]], axis=1)


def test_attribute_effects_switch_one_attribute_and_keep_the_rest():
    rng = np.random.default_rng(3)
    codes = rng.standard_normal((64, 2)).astype("float32")
    conditions = (rng.random((64, 4)) < 0.5).astype("float32")
    decoder = _PaintingDecoder()
    effects = attribute_effects(_ReadingJudge(), decoder, codes, conditions, {"A": 2, "B": 0, "C": 3})
    positive = float(np.mean(codes[:, 0] > 0))
    assert effects["faces"] == 64 and list(effects) == ["faces", "A", "B", "C"]
    assert effects["A"] == {"on": positive, "off": 0.0, "effect": positive}
    # B's reading needs column 1 too, which each face keeps from its own conditions.
    assert effects["B"] == {"on": float(conditions[:, 1].mean()), "off": 0.0, "effect": float(conditions[:, 1].mean())}
    assert effects["C"] == {"on": positive, "off": positive, "effect": 0.0}
    assert decoder.calls == [128, 128, 128]  # on and off in one call per attribute
    with pytest.raises(ValueError, match="one condition vector per code"):
        attribute_effects(_ReadingJudge(), decoder, codes, conditions[:10], {"A": 2})


def test_attribute_effects_with_keras_models():
    cvae = build_celeba_cvae(num_conditions=4, image_size=16, latent_dim=3, hidden=8, seed=0)
    judge = build_small_cnn((16, 16, 3), 2, "sigmoid", "judge", seed=0)
    rng = np.random.default_rng(0)
    codes, conditions = rng.standard_normal((10, 3)), (rng.random((10, 4)) < 0.5).astype("float32")
    effects = attribute_effects(judge, cvae.decoder, codes, conditions, {"x": 1, "y": 3}, batch_size=4)
    assert effects["faces"] == 10
    for name in ("x", "y"):
        assert 0 <= effects[name]["on"] <= 1 and 0 <= effects[name]["off"] <= 1
        assert effects[name]["effect"] == effects[name]["on"] - effects[name]["off"]
    json.dumps(effects)  # plain numbers, ready for results.json


def test_results_record_carries_the_new_sections_and_reads_older_runs():
    committed = json.loads((REPO / "figs" / "celeba" / "results.json").read_text())
    assert CelebAResults.from_results(committed).attribute_effects["faces"] == 256  # the committed run has them
    older = {k: v for k, v in committed.items() if k not in ("reconstruction_balanced_agreement", "attribute_effects")}
    old = CelebAResults.from_results(older)  # a run written before the new sections: they default to empty
    assert old.reconstruction_balanced_agreement == {} and old.attribute_effects == {}
    sections = old.as_dict()
    assert "reconstruction_balanced_agreement" in sections and "attribute_effects" in sections
    effects = {"faces": 256, "Male": {"on": 0.8, "off": 0.1, "effect": 0.7}}
    new = CelebAResults.from_results({**committed, "attribute_effects": effects,
                                      "reconstruction_balanced_agreement": {"Male": 0.9, "Pale_Skin": None}})
    assert new.reconstruction_balanced_agreement["Pale_Skin"] is None and new.attribute_effects["faces"] == 256
