"""nested_stratified_subsets: stratified, nested across fractions, >= 1 per class, seeded."""

from __future__ import annotations

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.eval import nested_stratified_subsets


def labels() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.permutation(np.repeat([0, 1, 2, 3], [500, 300, 150, 50]))


def test_subsets_are_nested() -> None:
    y = labels()
    subsets = nested_stratified_subsets(y, (0.01, 0.1, 0.5, 1.0), seed=3)
    assert list(subsets) == [0.01, 0.1, 0.5, 1.0]
    np.testing.assert_array_equal(subsets[1.0], np.arange(y.size))
    for small, large in ((0.01, 0.1), (0.1, 0.5), (0.5, 1.0)):
        assert np.isin(subsets[small], subsets[large]).all()
        assert subsets[small].size < subsets[large].size


def test_subsets_are_stratified() -> None:
    y = labels()
    subsets = nested_stratified_subsets(y, (0.01, 0.1, 0.5), seed=0)
    full = np.bincount(y) / y.size
    for f, pos in subsets.items():
        assert np.all(np.diff(pos) > 0) and pos.dtype == np.int64
        counts = np.bincount(y[pos], minlength=4)
        # per class: round(f * n_c), at least 1
        expected = np.maximum(1, np.floor(f * np.bincount(y) + 0.5))
        np.testing.assert_array_equal(counts, expected)
        if f >= 0.1:
            np.testing.assert_allclose(counts / counts.sum(), full, atol=0.02)
    assert subsets[0.01].size == 5 + 3 + 2 + 1  # 1 % of 500, 300, 150 (rounded half up), 50 (at least 1)


def test_every_class_keeps_a_sample() -> None:
    y = np.array([0] * 97 + [1] * 2 + [2])
    pos = nested_stratified_subsets(y, (0.01,), seed=1)[0.01]
    assert set(y[pos]) == {0, 1, 2}
    np.testing.assert_array_equal(np.bincount(y[pos]), [1, 1, 1])


def test_seeded() -> None:
    y = labels()
    a = nested_stratified_subsets(y, (0.1,), seed=7)[0.1]
    b = nested_stratified_subsets(y, (0.1,), seed=7)[0.1]
    c = nested_stratified_subsets(y, (0.1,), seed=8)[0.1]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    gen = nested_stratified_subsets(y, (0.1,), seed=np.random.default_rng(7))[0.1]
    np.testing.assert_array_equal(gen, a)


def test_order_of_fractions_does_not_matter() -> None:
    y = labels()
    a = nested_stratified_subsets(y, (1.0, 0.1, 0.01), seed=2)
    b = nested_stratified_subsets(y, (0.01, 0.1, 1.0), seed=2)
    for f in (0.01, 0.1, 1.0):
        np.testing.assert_array_equal(a[f], b[f])


@pytest.mark.parametrize("fractions", [(), (0.0,), (1.5,), (-0.1,), (float("nan"),), (0.1, 0.1), ("a",)])
def test_bad_fractions(fractions: tuple) -> None:
    with pytest.raises(InputError, match="Received"):
        nested_stratified_subsets(labels(), fractions, seed=0)


def test_bad_labels() -> None:
    with pytest.raises(InputError, match="1-D array of integers"):
        nested_stratified_subsets(np.zeros((3, 2), int), (0.5,))
    with pytest.raises(InputError, match="1-D array of integers"):
        nested_stratified_subsets(np.array([0.5, 1.5]), (0.5,))
