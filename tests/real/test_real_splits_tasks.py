from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.real.deepsense import RealBlockage, load_scenario
from rvsim.real.real_tasks import apply_bins, make_real_task, quantile_bins
from rvsim.real.splits import split_by_sequence, split_contiguous_blocks


def test_sequence_split_keeps_sequences_whole() -> None:
    seq = np.repeat(np.arange(10), 7)
    sp = split_by_sequence(seq, test_fraction=0.2, seed=3)
    assert np.array_equal(np.sort(np.concatenate([sp["train"], sp["test"]])), np.arange(70))
    assert not set(seq[sp["train"]]) & set(seq[sp["test"]])
    assert len(set(seq[sp["test"]])) == 2
    again = split_by_sequence(seq, test_fraction=0.2, seed=3)
    assert np.array_equal(again["test"], sp["test"])
    assert any(not np.array_equal(split_by_sequence(seq, seed=s)["test"], sp["test"]) for s in range(4, 8))
    with pytest.raises(InputError, match="at least 2 sequences"):
        split_by_sequence(np.zeros(5))
    with pytest.raises(InputError, match="test_fraction"):
        split_by_sequence(seq, test_fraction=1.0)


def test_block_split_is_contiguous_with_a_guard() -> None:
    y = np.zeros(1000, dtype=int)
    y[100:130] = 1
    y[700:760] = 1
    sp = split_contiguous_blocks(1000, test_fraction=0.2, num_blocks=10, guard=15, seed=0, labels=y)
    train, test = sp["train"], sp["test"]
    assert not set(train) & set(test)
    assert len(test) == 200
    # two whole blocks of 100 rows
    starts = test[np.r_[True, np.diff(test) > 1]]
    assert all(s % 100 == 0 for s in starts)
    # no training row within the guard of a test row
    assert np.min(np.abs(train[:, None] - test[None, :])) > 15
    assert set(y[train]) == set(y[test]) == {0, 1}
    with pytest.raises(InputError, match="every class"):
        split_contiguous_blocks(100, num_blocks=10, labels=np.r_[np.ones(5), np.zeros(95)], max_tries=50)
    with pytest.raises(InputError, match="num_blocks"):
        split_contiguous_blocks(10, num_blocks=11)


def test_quantile_bins_are_balanced_on_train() -> None:
    rng = np.random.default_rng(0)
    v = rng.normal(size=1000)
    train = np.arange(800)
    labels, edges = quantile_bins(v, train, 8)
    assert edges.shape == (9,) and np.all(np.diff(edges) > 0)
    counts = np.bincount(labels[train], minlength=8)
    assert counts.max() - counts.min() <= 1
    assert labels.min() >= 0 and labels.max() <= 7
    assert np.array_equal(apply_bins(v, edges), labels)
    assert apply_bins([-1e9, 1e9], edges).tolist() == [0, 7]  # beyond the training range: end bins
    with pytest.raises(InputError, match="distinct quantile bins"):
        quantile_bins(np.r_[np.zeros(90), np.arange(10)], np.arange(100), 4)
    with pytest.raises(InputError, match="at least 2"):
        quantile_bins(v, train, 1)


def test_real_tasks_on_a_scenario(deepsense_root: Path) -> None:
    sc = load_scenario(deepsense_root, 6)
    sp = split_by_sequence(sc.seq_index, seed=0)
    bearing = make_real_task("bearing", sc, sp["train"])
    assert bearing.num_classes == 8 and bearing.unit == "deg" and bearing.labels.shape == (sc.num_samples,)
    assert np.bincount(bearing.labels[sp["train"]], minlength=8).min() > 0
    assert bearing.class_names[0].endswith("deg")
    rng = make_real_task("range", sc, sp["train"])
    assert rng.num_classes == 4 and rng.edges is not None and rng.edges[0] >= sc.range_m.min()
    assert rng.to_dict()["unit"] == "m"
    with pytest.raises(InputError, match="Unknown real task"):
        make_real_task("speed", sc, sp["train"])
    with pytest.raises(InputError, match="blockage set"):
        make_real_task("blockage", sc)
    with pytest.raises(InputError, match="training rows"):
        make_real_task("range", sc)


def test_blockage_task() -> None:
    b = RealBlockage(np.ones((4, 64)), np.array([0, 1, 1, 0]), np.arange(4), "x")
    t = make_real_task("blockage", b)
    assert t.labels.tolist() == [0, 1, 1, 0] and t.class_names == ("clear", "blocked") and t.edges is None
    with pytest.raises(InputError, match="drive-by scenario"):
        make_real_task("bearing", b, np.arange(4))


def test_future_blockage_series_and_their_time_split(deepsense_root: Path) -> None:
    from rvsim.real import load_blockage, load_blockage_series, split_series_by_time

    sweeps = load_blockage(deepsense_root)
    series = load_blockage_series(deepsense_root, 5)
    assert series.power.shape == (2316, 8, 64) and set(np.unique(series.part)) == {"train", "val", "test"}
    # each series is 8 consecutive sweeps looked up by DeepSense index; its label: blocked within the next 5
    row = {int(ix): r for r, ix in enumerate(sweeps.index)}
    i = 17
    np.testing.assert_array_equal(series.power[i], sweeps.power[[row[int(series.start[i]) + j] for j in range(8)]])
    nxt = [sweeps.blockage[row[int(series.start[i]) + 8 + j]] for j in range(5)]
    assert series.blocked[i] == max(nxt)
    split = split_series_by_time(series.start, span=8 + 5, seed=0, labels=series.blocked)
    tr, te = split["train"], split["test"]
    gap = np.abs(series.start[tr][:, None] - series.start[te][None, :])
    assert gap.min() >= 13  # no sweep of a training series is in a test series
    assert set(series.blocked[tr]) == set(series.blocked[te]) == {0, 1}
    with pytest.raises(InputError, match="horizon"):
        load_blockage_series(deepsense_root, 3)
