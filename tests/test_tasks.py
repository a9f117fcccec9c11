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
