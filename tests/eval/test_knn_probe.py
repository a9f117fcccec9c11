"""KNNProbe: cosine kNN against a brute-force numpy reference."""

from __future__ import annotations

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.eval import KNNProbe


def reference_knn(xt: np.ndarray, yt: np.ndarray, xq: np.ndarray, k: int) -> np.ndarray:
    a = xt / np.linalg.norm(xt, axis=1, keepdims=True)
    b = xq / np.linalg.norm(xq, axis=1, keepdims=True)
    out = []
    for row in b @ a.T:
        nearest = np.argsort(-row)[:k]
        votes = np.bincount(yt[nearest], minlength=yt.max() + 1)
        out.append(np.argmax(votes))
    return np.array(out)


def test_matches_reference_on_clusters() -> None:
    rng = np.random.default_rng(0)
    directions = rng.normal(size=(3, 6))
    yt = rng.integers(0, 3, 150)
    xt = directions[yt] * rng.uniform(0.5, 5.0, (150, 1)) + 0.6 * rng.normal(size=(150, 6))
    yq = rng.integers(0, 3, 80)
    xq = directions[yq] * rng.uniform(0.5, 5.0, (80, 1)) + 0.6 * rng.normal(size=(80, 6))
    knn = KNNProbe(k=7, batch_size=16).fit(xt, yt)
    pred = knn.predict(xq)
    np.testing.assert_array_equal(pred, reference_knn(xt, yt, xq, 7))
    assert knn.score(xq, yq) > 0.9


def test_cosine_ignores_scale() -> None:
    xt = np.array([[1.0, 0.0], [0.0, 1.0]])
    knn = KNNProbe(k=1).fit(xt * [[100.0], [0.01]], np.array([5, 9]))
    np.testing.assert_array_equal(knn.predict(np.array([[0.1, 0.0], [0.0, 1000.0]])), [5, 9])


def test_ties_go_to_the_more_similar_class_and_k_is_capped() -> None:
    xt = np.array([[1.0, 0.0], [0.0, 1.0]])
    knn = KNNProbe(k=10).fit(xt, np.array([0, 1]))  # k capped at 2: one vote each
    np.testing.assert_array_equal(knn.predict(np.array([[1.0, 0.2], [0.2, 1.0]])), [0, 1])


def test_errors() -> None:
    with pytest.raises(InputError, match="k must be"):
        KNNProbe(k=0).fit(np.ones((2, 2)), np.array([0, 1]))
    with pytest.raises(InputError, match="not fitted"):
        KNNProbe().predict(np.ones((2, 2)))
