"""Windows of consecutive frames from a dataset of sequences (schema version 2), written through the real writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rvsim.data import Dataset, DatasetWriter, split_indices, write_shard_file
from rvsim.data.pipeline import Pipeline
from rvsim.data.split import sample_groups
from rvsim.errors import InputError

FRAMES, SHARD, N = 6, 12, 48  # 8 sequences of 6 frames, two per shard
SCENE = {"name": "moving", "sequence": {"num_frames": FRAMES, "frame_rate_hz": 10.0}}


def frames(indices: np.ndarray) -> dict[str, np.ndarray]:
    idx = np.asarray(indices, dtype=np.int64)
    return {"radio/range_angle": (idx[:, None, None] * np.ones((1, 4, 3))).astype(np.float32),
            "labels/num_objects": (idx % 5).astype(np.int32),
            "meta/index": idx, "meta/sequence": idx // FRAMES, "meta/frame": idx % FRAMES}


@pytest.fixture(scope="module")
def seq_ds(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    out = tmp_path_factory.mktemp("seq") / "ds"
    w = DatasetWriter(out, scene=SCENE, seed=0, num_samples=N, shard_size=SHARD, class_names=["box"])
    for k, first, count in w.pending_shards():
        w.record(write_shard_file(w.shard_path(k), frames(np.arange(first, first + count)), None, first))
    w.finalize()
    with Dataset(out) as ds:
        yield ds


def test_a_dataset_of_sequences_is_schema_version_2(seq_ds: Dataset) -> None:
    assert seq_ds.manifest["schema_version"] == 2
    np.testing.assert_array_equal(sample_groups(seq_ds), np.arange(N) // FRAMES)


@pytest.mark.parametrize("shuffle", [True, False])
def test_windows_never_cross_a_sequence_and_each_comes_once(seq_ds: Dataset, shuffle: bool) -> None:
    pipe = Pipeline(seq_ds, np.arange(N), fields=["radio/range_angle", "meta/sequence", "meta/frame"], batch_size=5,
                    window=3, shuffle=shuffle, seed=2, shuffle_buffer=8, block_size=4,
                    extras={"label": np.arange(N) * 10})
    want = [s * FRAMES + f for s in range(N // FRAMES) for f in range(FRAMES - 2)]  # every start of 3 frames
    assert pipe.num_samples == len(want)
    batches = list(pipe.batches(0))
    starts = np.concatenate([b["index"] for b in batches])
    assert sorted(starts.tolist()) == want
    for b in batches:
        assert b["radio/range_angle"].shape[1:] == (3, 4, 3)
        assert np.all(b["meta/sequence"] == b["meta/sequence"][:, :1])  # one sequence per window
        np.testing.assert_array_equal(b["meta/frame"], b["meta/frame"][:, :1] + np.arange(3))
        np.testing.assert_array_equal(b["radio/range_angle"][:, :, 0, 0], b["index"][:, None] + np.arange(3))
        np.testing.assert_array_equal(b["label"], (b["index"] + 2) * 10)  # extras at the last frame
    again = np.concatenate([b["index"] for b in pipe.batches(0)])
    np.testing.assert_array_equal(starts, again)  # seeded


def test_windows_respect_a_split_by_sequence_and_the_stride(seq_ds: Dataset) -> None:
    split = split_indices(N, (0.5, 0.25, 0.25), 3, groups=sample_groups(seq_ds))
    pipe = Pipeline(seq_ds, split["train"], fields=["meta/sequence"], batch_size=4, window=4, window_stride=2)
    starts = np.concatenate([b["index"] for b in pipe.batches(0)])
    train_seqs = set((split["train"] // FRAMES).tolist())
    assert set((starts // FRAMES).tolist()) == train_seqs
    assert set((starts % FRAMES).tolist()) == {0, 2}  # frames 0 and 2 start a window of 4 in 6 frames
    # a window needs every one of its frames among the indices: a hole in a sequence removes the windows over it
    holed = np.setdiff1d(np.arange(FRAMES), [3])
    pipe = Pipeline(seq_ds, holed, fields=["meta/frame"], batch_size=2, window=2)
    assert sorted(np.concatenate([b["index"] for b in pipe.batches(0)]).tolist()) == [0, 1, 4]


def test_bad_windows_are_refused(seq_ds: Dataset, dataset_dir: Path) -> None:
    with pytest.raises(InputError, match=r"no window of 7 consecutive frames"):
        Pipeline(seq_ds, np.arange(N), fields=["meta/frame"], batch_size=2, window=7)
    with Dataset(dataset_dir) as still, pytest.raises(InputError, match="window needs a dataset of sequences"):
        Pipeline(still, np.arange(len(still)), fields=["radio/cfr"], batch_size=2, window=2)
    with pytest.raises(InputError, match="window_stride"):
        Pipeline(seq_ds, np.arange(N), fields=["meta/frame"], batch_size=2, window=2, window_stride=0)


@pytest.mark.parametrize("split_seed", [0, 1])
def test_probe_on_an_unseen_dataset_of_sequences_splits_by_sequence(seq_ds: Dataset, split_seed: int) -> None:
    from rvsim.eval.probe_runner import _load_runs

    _, split = _load_runs(seq_ds, [], test_fraction=0.25, split_seed=split_seed)
    seq = np.arange(N) // FRAMES
    assert not set(seq[split["train"]]) & set(seq[split["test"]])  # no sequence on both sides
    assert np.array_equal(np.sort(np.concatenate([split["train"], split["test"]])), np.arange(N))
    assert np.unique(seq[split["test"]]).size == 2  # round(0.25 x 8 sequences), whole
    assert split["val"].size == 0
