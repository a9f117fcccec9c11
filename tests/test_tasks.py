"""Downstream tasks from dataset labels, on a tiny dataset with hand-set labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rvsim.data import Dataset, DatasetWriter, write_shard_file
from rvsim.errors import DatasetError, InputError
from rvsim.tasks import TASKS, get_task

CLASSES = ["person", "robot", "crate"]
M = 3
# (class ids, ranges [m], bearings [deg]) of each scene's objects
SCENES = [
    ([], [], []),                                   # empty
    ([0], [2.0], [-45.0]),                          # one person, right, near
    ([0, 0, 1], [6.0, 3.0, 5.0], [10.0, -10.0, 50.0]),  # nearest: person at -10 deg, 3 m
    ([1, 2], [8.0, 9.0], [70.0, 20.0]),             # robot and crate tie: robot (lower id); nearest beyond +60
    ([0, 0, 0], [4.0, 4.5, 5.0], [0.0, 1.0, 2.0]),  # three persons; bearing 0 belongs to sector [0, 30)
    ([2, 2, 1], [7.0, 1.5, 6.0], [-70.0, -59.0, 0.0]),  # two crates; nearest at -59 deg
]


def _write(path: Path, class_names: list[str] = CLASSES) -> Path:
    n = len(SCENES)
    cls = np.full((n, M), -1, np.int32)
    rng = np.zeros((n, M), np.float32)
    bearing = np.zeros((n, M), np.float32)
    for i, (c, r, b) in enumerate(SCENES):
        cls[i, : len(c)], rng[i, : len(r)], bearing[i, : len(b)] = c, r, b
    arrays = {
        "labels/obj_class": cls,
        "labels/obj_range": rng,
        "labels/obj_bearing": bearing,
        "labels/num_objects": (cls >= 0).sum(1).astype(np.int32),
        "labels/class_counts": np.stack([np.bincount(c[c >= 0], minlength=len(class_names)) for c in cls]).astype(np.int32),
    }
    writer = DatasetWriter(path, scene={"name": "t"}, seed=0, num_samples=n, shard_size=4, class_names=class_names)
    for k, first, count in writer.shard_ranges():
        writer.record(write_shard_file(writer.shard_path(k), {a: v[first : first + count] for a, v in arrays.items()}, None, first))
    writer.finalize()
    return path


@pytest.fixture
def ds(tmp_path: Path) -> Dataset:
    with Dataset(_write(tmp_path / "d")) as d:
        yield d


def test_count_tasks(ds: Dataset) -> None:
    assert get_task("count_person").labels(ds).tolist() == [0, 1, 2, 0, 3, 0]
    assert get_task("num_objects").labels(ds).tolist() == [0, 1, 3, 2, 3, 3]
    assert get_task("num_objects").labels(ds, np.array([5, 0])).tolist() == [3, 0]
    assert TASKS["count_person"].class_names == ("0", "1", "2", "3+") and TASKS["count_person"].num_classes == 4


def test_dominant_class(ds: Dataset) -> None:
    task = get_task("dominant_class")
    assert task.labels(ds).tolist() == [3, 0, 0, 1, 0, 2]  # 3 = "none"; ties -> lowest class id
    bound = task.for_dataset(ds)
    assert bound.class_names == ("person", "robot", "crate", "none") and bound.num_classes == 4
    with pytest.raises(InputError, match="for_dataset"):
        _ = task.num_classes


def test_occupancy(ds: Dataset) -> None:
    with pytest.raises(InputError, match="call task.fit"):
        get_task("occupancy").labels(ds)
    task = get_task("occupancy").fit(ds, np.arange(6))
    # median range of all 12 objects = 5.0 m: near < 5 m <= far
    assert task.params == {"near_far_threshold_m": 5.0}
    labels = task.labels(ds)
    names = [task.class_names[k] for k in labels]
    assert names == ["empty", "-60..-30deg/near", "-30..+0deg/near", "+30..+60deg/far", "+0..+30deg/near",
                     "-60..-30deg/near"]
    assert task.num_classes == 9 and labels.dtype == np.int64
    # the threshold comes from the training samples only: scenes 0-2 hold objects at 2, 6, 3, 5 m (median 4 m)
    train_only = get_task("occupancy").fit(ds, np.array([0, 1, 2]))
    assert train_only.params == {"near_far_threshold_m": 4.0}
    assert train_only.labels(ds, np.array([4])).tolist() == [labels[4] + 1]  # 4.0 m is now far


def test_localisation_presence_and_regression_tasks(tmp_path: Path) -> None:
    import json

    path = _write(tmp_path / "placed")
    manifest = path / "manifest.json"
    doc = json.loads(manifest.read_text())
    doc["scene"]["placement"] = {"bearing_span_deg": 80.0, "min_range_m": 1.0, "max_range_m": 10.0}
    manifest.write_text(json.dumps(doc))
    with Dataset(path) as d:
        grid = get_task("occupancy_grid").for_dataset(d)
        assert grid.kind == "multilabel" and grid.num_classes == 12
        assert grid.class_names[0] == "-40..-20deg/1.0..4.0m"
        t = grid.targets(d)
        assert t.values.shape == (6, 12) and t.values[0].sum() == 0  # the empty scene
        # scene 1: one object at -45 deg (beyond the span: outermost sector), 2 m (first ring)
        assert np.flatnonzero(t.values[1]).tolist() == [0]
        # scene 4: three persons at 0..2 deg, 4..5 m: sector 2, ring 1
        assert np.flatnonzero(t.values[4]).tolist() == [2 * 3 + 1]
        presence = get_task("class_presence").for_dataset(d).targets(d)
        assert presence.values.tolist()[2] == [1, 1, 0] and presence.names == ("person", "robot", "crate")
        rng = get_task("nearest_range").targets(d)
        assert rng.kind == "regression" and rng.valid.tolist() == [False, True, True, True, True, True]
        np.testing.assert_allclose(rng.values[1:], [2.0, 3.0, 8.0, 4.0, 1.5])
        bearing = get_task("nearest_bearing").targets(d)
        np.testing.assert_allclose(bearing.values[1:], [-45.0, -10.0, 70.0, 0.0, -59.0])
        count = get_task("count_objects").for_dataset(d)
        assert count.class_names == ("0", "1", "2", "3") and count.labels(d).tolist() == [0, 1, 3, 2, 3, 3]


def test_metrics_of_every_kind() -> None:
    from sklearn.metrics import average_precision_score

    from rvsim.tasks import task_metrics, task_score, weighted_scores

    y = np.array([0, 1, 2, 1])
    proba = np.eye(3)[[0, 1, 1, 1]]
    m = task_metrics("multiclass", y, proba)
    assert m["accuracy"] == 0.75 and m["score"] == 0.75 and task_score("multiclass", m) == 0.75
    labels = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    scores = np.array([[0.9, 0.2], [0.1, 0.8], [0.6, 0.3], [0.4, 0.1]])
    m = task_metrics("multilabel", labels, scores)
    want = np.mean([average_precision_score(labels[:, j], scores[:, j]) for j in range(2)])
    assert m["mAP"] == pytest.approx(want) and m["score"] == pytest.approx(want)
    m = task_metrics("regression", np.array([1.0, 2.0]), np.array([1.5, 1.0]))
    assert m["mae"] == 0.75 and m["score"] == -0.75 and task_score("regression", m) == -0.75
    # weights: bootstrap counts; a row of weight 2 counts twice
    w = np.array([[2, 1, 1, 0]])
    assert weighted_scores("multiclass", y, proba, w)[0] == pytest.approx(3 / 4)


def test_errors(tmp_path: Path, ds: Dataset) -> None:
    with pytest.raises(InputError, match=r"Received: task='speed'"):
        get_task("speed")
    with Dataset(_write(tmp_path / "nop", ["robot", "crate", "box"])) as other:
        with pytest.raises(DatasetError, match="class named 'person'"):
            get_task("count_person").labels(other)


# ---------------------------------------------------------------------------------------------- temporal tasks
def _moving_dataset(out: Path) -> Dataset:
    """Two sequences of 8 frames, one object each, seen from a base station at the origin facing +x.

    Sequence 0: the object walks straight at the base station (approaching) from bearing -40 deg, outside the
    central sector. Sequence 1: it crosses from bearing -40 deg to +40 deg at constant range (range rate 0), so
    it enters the central sector (|bearing| <= 15 deg) at a known frame.
    """
    frames, rate = 8, 10.0
    scene = {"name": "moving", "base_station": {"position_m": [0.0, 0.0, 2.0]},
             "sequence": {"num_frames": frames, "frame_rate_hz": rate}}
    rows: dict[str, list] = {k: [] for k in ("cls", "range", "bearing", "pos", "vel")}
    for s in range(2):
        for f in range(frames):
            if s == 0:
                r, b = 8.0 - 0.15 * f, -40.0
                v = -1.5 * np.array([np.cos(np.deg2rad(b)), np.sin(np.deg2rad(b))])
            else:
                r, b = 6.0, -40.0 + 10.0 * f
                v = 6.0 * np.deg2rad(10.0) * rate * np.array([-np.sin(np.deg2rad(b)), np.cos(np.deg2rad(b))])
            rows["cls"].append([0, -1])
            rows["range"].append([r, 0.0])
            rows["bearing"].append([b, 0.0])
            rows["pos"].append([[r * np.cos(np.deg2rad(b)), r * np.sin(np.deg2rad(b)), 0.0], [0, 0, 0]])
            rows["vel"].append([[v[0], v[1], 0.0], [0, 0, 0]])
    n = 2 * frames
    idx = np.arange(n)
    arrays = {"labels/obj_class": np.array(rows["cls"], np.int32), "labels/obj_range": np.array(rows["range"], np.float32),
              "labels/obj_bearing": np.array(rows["bearing"], np.float32),
              "labels/obj_position": np.array(rows["pos"], np.float32),
              "labels/obj_velocity": np.array(rows["vel"], np.float32),
              "meta/index": idx, "meta/sequence": idx // frames, "meta/frame": idx % frames}
    w = DatasetWriter(out, scene=scene, seed=0, num_samples=n, shard_size=n, class_names=["person"])
    w.record(write_shard_file(w.shard_path(0), arrays, None, 0))
    w.finalize()
    return Dataset(out)


def test_radial_velocity_and_enter_sector_on_sequences(tmp_path: Path) -> None:
    ds = _moving_dataset(tmp_path / "ds")
    rv = get_task("radial_velocity").targets(ds)
    assert rv.names == ("empty", "approaching", "still", "receding")
    np.testing.assert_array_equal(rv.values, [1] * 8 + [2] * 8)  # walking at it; crossing at constant range
    es = get_task("enter_sector").targets(ds)
    # sequence 0 never enters; sequence 1 is in the sector (|b| <= 15) at frames 3 (-10 deg) to 5 (+10 deg):
    # frames 0..2 are empty now and enter within 5 frames; frames 3..5 are occupied now (undefined); frames 6, 7
    # have fewer than 5 frames left (undefined)
    np.testing.assert_array_equal(es.valid, [True, True, True, False, False, False, False, False,
                                             True, True, True, False, False, False, False, False])
    np.testing.assert_array_equal(es.values[es.valid], [0, 0, 0, 1, 1, 1])


def test_future_blockage_on_a_street_sequence(tmp_path: Path) -> None:
    from rvsim.data import DatasetWriter, write_shard_file

    blocked = np.array([0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0,   # sequence 0: blocked at frames 6, 7
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], np.uint8)  # sequence 1: at frame 15 only
    idx = np.arange(32)
    arrays = {"labels/los_blocked": blocked, "meta/index": idx, "meta/sequence": idx // 16, "meta/frame": idx % 16}
    w = DatasetWriter(tmp_path / "st", scene={"name": "s", "sequence": {"num_frames": 16, "frame_rate_hz": 10.0}},
                      seed=0, num_samples=32, shard_size=16, class_names=["car"])
    for k, first, count in w.pending_shards():
        w.record(write_shard_file(w.shard_path(k), {n: a[first:first + count] for n, a in arrays.items()}, None, first))
    w.finalize()
    t = get_task("future_blockage").targets(Dataset(tmp_path / "st"))
    np.testing.assert_array_equal(t.valid, np.tile(np.arange(16) + 5 < 16, 2))  # 5 frames left in the sequence
    # blocked within the next 5 frames: frames 1..6 of sequence 0 (frames 6, 7 ahead); sequence 1's blockage at
    # frame 15 is beyond every valid frame's horizon (frames 10.. are undefined) except frame 10
    want = np.zeros(32, np.int64)
    want[1:7] = 1
    want[16 + 10] = 1
    np.testing.assert_array_equal(t.values[t.valid], want[t.valid])


def test_temporal_tasks_need_sequences(ds: Dataset) -> None:
    with pytest.raises(DatasetError, match="obj_velocity"):
        get_task("radial_velocity").targets(ds)
    with pytest.raises(DatasetError, match="meta/frame"):
        get_task("enter_sector").targets(ds)
