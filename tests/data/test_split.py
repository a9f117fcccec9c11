from __future__ import annotations

import numpy as np
import pytest

from rvsim.data import split_indices
from rvsim.errors import InputError


def test_split_is_disjoint_covering_sorted_and_sized() -> None:
    s = split_indices(1000, (0.8, 0.1, 0.1), seed=3)
    assert list(s) == ["train", "val", "test"]
    assert [len(v) for v in s.values()] == [800, 100, 100]
    allidx = np.concatenate(list(s.values()))
    assert np.array_equal(np.sort(allidx), np.arange(1000))
    for v in s.values():
        assert v.dtype == np.int64 and np.all(np.diff(v) > 0)


def test_split_is_seed_reproducible_and_seed_dependent() -> None:
    a, b, c = (split_indices(50, seed=s) for s in (7, 7, 8))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["test"], c["test"])
    g = split_indices(50, seed=np.random.default_rng(7))
    assert all(np.array_equal(a[k], g[k]) for k in a)


def test_split_sizes_add_up_for_awkward_counts() -> None:
    for n in (1, 2, 3, 7, 11):
        s = split_indices(n, (0.5, 0.25, 0.25), seed=0)
        assert sum(len(v) for v in s.values()) == n


@pytest.mark.parametrize(
    "fractions, match",
    [((0.8, 0.2, 0.0), "positive"), ((0.5, 0.5), "three"), ((0.8, 0.1, 0.2), "sum to 1"), (("a", 1, 1), "three")],
)
def test_split_rejects_bad_fractions(fractions: tuple, match: str) -> None:
    with pytest.raises(InputError, match=match):
        split_indices(10, fractions)


def test_split_rejects_bad_num_samples() -> None:
    with pytest.raises(InputError, match="num_samples"):
        split_indices(0)


def test_grouped_split_keeps_every_group_whole() -> None:
    groups = np.repeat(np.arange(30), 8)  # 30 sequences of 8 frames
    split = split_indices(groups.size, (0.7, 0.1, 0.2), 4, groups=groups)
    assert sum(v.size for v in split.values()) == groups.size
    assert np.array_equal(np.sort(np.concatenate(list(split.values()))), np.arange(groups.size))
    seen = [set(groups[v]) for v in split.values()]
    assert not (seen[0] & seen[1]) and not (seen[0] & seen[2]) and not (seen[1] & seen[2])
    assert [len(s) for s in seen] == [21, 3, 6]
    again = split_indices(groups.size, (0.7, 0.1, 0.2), 4, groups=groups)
    assert all(np.array_equal(split[k], again[k]) for k in split)
    # one group per sample: the same sizes as the ungrouped split
    plain = split_indices(50, (0.8, 0.1, 0.1), 1)
    grouped = split_indices(50, (0.8, 0.1, 0.1), 1, groups=np.arange(50))
    assert [v.size for v in plain.values()] == [v.size for v in grouped.values()]
    with pytest.raises(InputError, match=r"groups must have one entry per sample \(10\)"):
        split_indices(10, groups=np.arange(9))
