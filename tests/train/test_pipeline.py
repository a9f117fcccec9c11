"""The streaming pipeline: every requested sample once per epoch, seeded shuffles across shards, bounded memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rvsim.data import Dataset, split_indices
from rvsim.data.pipeline import Pipeline, batch_sizes
from rvsim.errors import InputError

FIELDS = ["radio/range_angle", "image/rgb"]


@pytest.fixture
def ds(shared_dataset: Path) -> Dataset:
    with Dataset(shared_dataset) as d:
        yield d


@pytest.mark.parametrize(("n", "bs", "want"), [(64, 16, [16] * 4), (70, 16, [16] * 3 + [22]), (72, 16, [16] * 4 + [8]),
                                              (5, 16, [5]), (0, 4, [])])
def test_batch_sizes(n: int, bs: int, want: list[int]) -> None:
    assert batch_sizes(n, bs) == want


def test_every_training_sample_once_per_epoch_and_split_respected(ds: Dataset) -> None:
    split = split_indices(len(ds), (0.8, 0.1, 0.1), seed=0)
    pipe = Pipeline(ds, split["train"], fields=FIELDS, batch_size=8, seed=1, shuffle_buffer=16, block_size=8)
    orders = []
    for epoch in range(3):
        batches = list(pipe.batches(epoch))
        seen = np.concatenate([b["index"] for b in batches])
        assert sorted(seen.tolist()) == split["train"].tolist()  # exactly once, nothing from val/test
        assert [len(b["index"]) for b in batches] == batch_sizes(split["train"].size, 8) == [8] * 9 + [5]
        assert len(batches) == pipe.num_batches
        for b in batches:  # the arrays are the dataset's samples, in the batch's index order
            np.testing.assert_array_equal(b["radio/range_angle"], ds.read("radio/range_angle", b["index"]))
            np.testing.assert_array_equal(b["image/rgb"], ds.read("image/rgb", b["index"]))
            assert b["seed"].shape == (2,) and b["seed"].dtype == np.int64
        orders.append(seen)
    assert not np.array_equal(orders[0], orders[1])  # reshuffled every epoch
    # seeded: the same epoch gives the same batches
    again = np.concatenate([b["index"] for b in pipe.batches(0)])
    np.testing.assert_array_equal(again, orders[0])
    other = Pipeline(ds, split["train"], fields=FIELDS, batch_size=8, seed=2, shuffle_buffer=16, block_size=8)
    assert not np.array_equal(np.concatenate([b["index"] for b in other.batches(0)]), orders[0])


def test_small_remainder_joins_the_last_batch_when_shuffled(ds: Dataset) -> None:
    pipe = Pipeline(ds, np.arange(70), fields=["labels/num_objects"], batch_size=16, seed=0, shuffle_buffer=32, block_size=8)
    for epoch in range(2):
        batches = list(pipe.batches(epoch))
        assert [len(b["index"]) for b in batches] == [16, 16, 16, 22]
        assert sorted(np.concatenate([b["index"] for b in batches]).tolist()) == list(range(70))


def test_shuffles_across_shards_with_bounded_buffer(ds: Dataset) -> None:
    pipe = Pipeline(ds, np.arange(len(ds)), fields=FIELDS, batch_size=8, seed=0, shuffle_buffer=16, block_size=8)
    first = next(iter(pipe.batches(0)))["index"]
    assert len(set((first // 32).tolist())) >= 2  # the first batch mixes shards (3 shards of 32)
    # blocks never span shards and hold at most block_size samples
    assert all(len(b) <= 8 and len(set((pipe.indices[b] // 32).tolist())) == 1 for b in pipe._blocks)
    # memory is bounded by the buffer, not by the dataset
    from rvsim.data import pipeline as pipeline_module

    capacities = []
    original = pipeline_module._ShuffleBuffer.__init__

    def spy(self, specs, capacity):  # type: ignore[no-untyped-def]
        capacities.append(capacity)
        original(self, specs, capacity)

    pipeline_module._ShuffleBuffer.__init__ = spy  # type: ignore[method-assign]
    try:
        list(pipe.batches(0))
    finally:
        pipeline_module._ShuffleBuffer.__init__ = original  # type: ignore[method-assign]
    assert capacities == [16 + 8] and capacities[0] < len(ds)


def test_ordered_mode_and_extras(ds: Dataset) -> None:
    idx = np.array([50, 3, 70, 4, 33, 5, 90])
    labels = idx * 10
    pipe = Pipeline(ds, idx, fields=["labels/num_objects"], batch_size=3, shuffle=False, extras={"label": labels})
    batches = list(pipe.batches())
    assert [b["index"].tolist() for b in batches] == [[3, 4, 5], [33, 50, 70, 90]]
    for b in batches:
        np.testing.assert_array_equal(b["label"], b["index"] * 10)
    shuffled = Pipeline(ds, idx, fields=["labels/num_objects"], batch_size=3, seed=4, extras={"label": labels})
    for b in shuffled.batches(0):
        np.testing.assert_array_equal(b["label"], b["index"] * 10)


def test_tf_dataset_epochs_follow_iterations_and_set_epoch(ds: Dataset) -> None:
    idx = np.arange(0, 96, 2)
    pipe = Pipeline(ds, idx, fields=["radio/range_angle"], batch_size=8, seed=3, shuffle_buffer=16, block_size=8)
    data = pipe.as_tf_dataset(lambda b: {"x": b["radio/range_angle"] * 2.0, "index": b["index"]})
    assert int(data.cardinality()) == pipe.num_batches
    epoch0 = np.concatenate([b["index"].numpy() for b in data])
    epoch1 = np.concatenate([b["index"].numpy() for b in data])
    np.testing.assert_array_equal(epoch0, np.concatenate([b["index"] for b in pipe.batches(0)]))
    np.testing.assert_array_equal(epoch1, np.concatenate([b["index"] for b in pipe.batches(1)]))
    pipe.set_epoch(0)
    np.testing.assert_array_equal(np.concatenate([b["index"].numpy() for b in data]), epoch0)
    batch = next(iter(data))
    np.testing.assert_allclose(batch["x"].numpy(), 2.0 * ds.read("radio/range_angle", batch["index"].numpy()))


def test_pipeline_errors(ds: Dataset) -> None:
    with pytest.raises(InputError, match="fields must be fields of the dataset"):
        Pipeline(ds, [0, 1], fields=["radio/nope"], batch_size=2)
    with pytest.raises(InputError, match="must not repeat"):
        Pipeline(ds, [0, 1, 1], fields=FIELDS, batch_size=2)
    with pytest.raises(InputError, match=r"indices must be in \[0, 96\)"):
        Pipeline(ds, [0, 96], fields=FIELDS, batch_size=2)
    with pytest.raises(InputError, match="batch_size=0"):
        Pipeline(ds, [0, 1], fields=FIELDS, batch_size=0)
    with pytest.raises(InputError, match="one row per index"):
        Pipeline(ds, [0, 1], fields=FIELDS, batch_size=2, extras={"label": np.zeros(3)})
