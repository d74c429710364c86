"""Anomaly scores judged: how well a score (e.g. a reconstruction error) tells anomalies from normal inputs."""
from __future__ import annotations

import numpy as np


def _scores(values, name: str) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size == 0:
        raise ValueError(f"{name} is empty")
    if np.isnan(x).any():
        raise ValueError(f"{name} holds NaN")
    return x


def auroc(normal_scores, anomalous_scores) -> float:
    """Area under the ROC curve for "higher score = more anomalous".

    The probability that a random anomalous score exceeds a random normal one, ties
    counting 1/2: 1 = perfect separation, 0.5 = chance, 0 = reversed.  Computed as the
    Mann-Whitney U of the anomalous scores, from the ranks of all scores (tied scores
    share their average rank), in O(n log n).
    """
    normal = _scores(normal_scores, "normal_scores")
    anomalous = _scores(anomalous_scores, "anomalous_scores")
    scores = np.concatenate([normal, anomalous])
    order = np.argsort(scores, kind="mergesort")
    ordered = scores[order]
    starts_group = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(starts_group)                 # 0-based first position of each tie group
    ends = np.r_[starts[1:], len(scores)]                 # one past its last position
    average_rank = (starts + 1 + ends) / 2.0              # mean of the 1-based ranks starts+1 .. ends
    ranks = np.empty(len(scores))
    ranks[order] = average_rank[np.cumsum(starts_group) - 1]
    n_a = len(anomalous)
    u = ranks[len(normal):].sum() - n_a * (n_a + 1) / 2.0
    return float(u / (n_a * len(normal)))
