"""Downstream sensing tasks, defined once from a dataset's labels.

Each :class:`Task` turns the ``labels/`` arrays of a dataset (``docs/dataset_schema.md``) into one integer
class per sample, so that linear probes, kNN, the supervised baseline and the real-data evaluation all score
the same thing. Tasks:

* ``count_person`` — people in the scene: ``0``, ``1``, ``2``, ``3+`` (``labels/class_counts`` of the class
  named ``"person"``).
* ``dominant_class`` — the object class with the most objects in the scene (ties: the lowest class id), or
  ``none`` for an empty scene. Its classes are the dataset's ``class_names`` plus ``"none"`` (the last id):
  use :meth:`Task.for_dataset` to get them.
* ``occupancy`` — where the nearest object is: which of 4 angle sectors of 30° covering [-60°, +60°] of
  bearing (sector 0 on the right, i.e. most negative bearing; bearings outside are put in the outermost
  sector), and whether it is *near* or *far* (range below or at/above the dataset's median object range),
  or ``empty``. 1 + 4 × 2 = 9 classes.
* ``num_objects`` — objects in the scene: ``0``, ``1``, ``2``, ``3+``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rvsim.errors import DatasetError, InputError

if TYPE_CHECKING:  # pragma: no cover
    from rvsim.data import Dataset

__all__ = ["Task", "TASKS", "get_task"]

_COUNT_CLASSES: tuple[str, ...] = ("0", "1", "2", "3+")

#: Sector edges of the occupancy task [deg]; sector k spans [edges[k], edges[k + 1]).
_SECTOR_EDGES_DEG: tuple[float, ...] = (-60.0, -30.0, 0.0, 30.0, 60.0)


def _indices(ds: Dataset, indices: np.ndarray | None) -> np.ndarray:
    if indices is None:
        return np.arange(len(ds), dtype=np.int64)
    idx = np.asarray(indices)
    if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
        raise InputError(f"indices must be a 1-D array of integers. Received: shape={idx.shape}, dtype={idx.dtype}")
    return idx.astype(np.int64, copy=False)


def _require(ds: Dataset, *fields: str) -> None:
    missing = [f for f in fields if f not in ds.fields]
    if missing:
        raise DatasetError(f"the task needs the label arrays {missing}, which the dataset lacks. Received: {ds.path}")


def _count_person(ds: Dataset, idx: np.ndarray) -> np.ndarray:
    _require(ds, "labels/class_counts")
    names = list(ds.class_names)
    if "person" not in names:
        raise DatasetError(f"count_person needs a class named 'person'. Received: class_names={names}")
    counts = ds.read("labels/class_counts", idx)[:, names.index("person")]
    return np.minimum(counts, 3).astype(np.int64)


def _num_objects(ds: Dataset, idx: np.ndarray) -> np.ndarray:
    _require(ds, "labels/num_objects")
    return np.minimum(ds.read("labels/num_objects", idx), 3).astype(np.int64)


def _dominant_class(ds: Dataset, idx: np.ndarray) -> np.ndarray:
    _require(ds, "labels/class_counts")
    counts = ds.read("labels/class_counts", idx)
    labels = np.argmax(counts, axis=1).astype(np.int64)  # first maximum: the lowest class id on ties
    labels[counts.sum(axis=1) == 0] = counts.shape[1]  # "none"
    return labels


def _median_object_range(ds: Dataset) -> float:
    """Median of ``labels/obj_range`` over every real object (``obj_class >= 0``) of the whole dataset [m]."""
    n = len(ds)
    ranges: list[np.ndarray] = []
    for start in range(0, n, 4096):
        chunk = np.arange(start, min(n, start + 4096), dtype=np.int64)
        cls = ds.read("labels/obj_class", chunk)
        rng = ds.read("labels/obj_range", chunk)
        ranges.append(rng[cls >= 0])
    values = np.concatenate(ranges) if ranges else np.zeros(0)
    return float(np.median(values)) if values.size else float("inf")


def _occupancy(ds: Dataset, idx: np.ndarray) -> np.ndarray:
    _require(ds, "labels/obj_class", "labels/obj_range", "labels/obj_bearing")
    cls = ds.read("labels/obj_class", idx)
    rng = ds.read("labels/obj_range", idx).astype(np.float64)
    bearing = ds.read("labels/obj_bearing", idx).astype(np.float64)
    threshold = _median_object_range(ds)
    valid = cls >= 0
    occupied = valid.any(axis=1)
    nearest = np.argmin(np.where(valid, rng, np.inf), axis=1)
    rows = np.arange(idx.size)
    r = rng[rows, nearest]
    b = bearing[rows, nearest]
    num_sectors = len(_SECTOR_EDGES_DEG) - 1
    sector = np.clip(np.searchsorted(np.asarray(_SECTOR_EDGES_DEG), b, side="right") - 1, 0, num_sectors - 1)
    far = (r >= threshold).astype(np.int64)
    labels = 1 + 2 * sector.astype(np.int64) + far
    return np.where(occupied, labels, 0).astype(np.int64)


def _occupancy_classes() -> tuple[str, ...]:
    names = ["empty"]
    for lo, hi in zip(_SECTOR_EDGES_DEG[:-1], _SECTOR_EDGES_DEG[1:]):
        for dist in ("near", "far"):
            names.append(f"{lo:+.0f}..{hi:+.0f}deg/{dist}")
    return tuple(names)


@dataclass(frozen=True)
class Task:
    """A single-label classification task on a dataset's scenes.

    Attributes:
        name: Task name (a key of :data:`TASKS`).
        description: One line saying what is predicted.
        class_names: Class names; class id ``k`` is ``class_names[k]``. Empty for a task whose classes come
            from the dataset (``dominant_class``) until bound with :meth:`for_dataset`.
        label_fn: ``(dataset, indices (n,)) -> labels (n,) int64``.
    """

    name: str
    description: str
    class_names: tuple[str, ...]
    label_fn: Callable[[Any, np.ndarray], np.ndarray] = dataclasses.field(repr=False, compare=False)

    @property
    def dataset_dependent(self) -> bool:
        """Whether the class names come from the dataset (call :meth:`for_dataset` first)."""
        return not self.class_names

    @property
    def num_classes(self) -> int:
        """Number of classes.

        Raises:
            InputError: For a task whose classes come from the dataset and that is not bound to one.
        """
        if self.dataset_dependent:
            raise InputError(
                f"task {self.name!r} takes its classes from the dataset; use task.for_dataset(ds). "
                f"Received: class_names={self.class_names}"
            )
        return len(self.class_names)

    def for_dataset(self, ds: Dataset) -> Task:
        """This task with its class names resolved for ``ds`` (the task itself if they do not depend on it)."""
        if self.name == "dominant_class":
            return dataclasses.replace(self, class_names=(*ds.class_names, "none"))
        return self

    def labels(self, ds: Dataset, indices: np.ndarray | None = None) -> np.ndarray:
        """Class ids of samples ``indices`` (default: all), shape ``(n,)`` int64."""
        return np.asarray(self.label_fn(ds, _indices(ds, indices)), dtype=np.int64)


#: Every task, by name.
TASKS: dict[str, Task] = {
    "count_person": Task(
        name="count_person",
        description="number of people in the scene (0, 1, 2, 3+)",
        class_names=_COUNT_CLASSES,
        label_fn=_count_person,
    ),
    "dominant_class": Task(
        name="dominant_class",
        description="object class with the most objects (ties: lowest class id; empty scene: 'none')",
        class_names=(),
        label_fn=_dominant_class,
    ),
    "occupancy": Task(
        name="occupancy",
        description=(
            "sector (4 x 30 deg over [-60, 60] deg bearing) and near/far (vs. the dataset's median object "
            "range) of the nearest object, or 'empty'"
        ),
        class_names=_occupancy_classes(),
        label_fn=_occupancy,
    ),
    "num_objects": Task(
        name="num_objects",
        description="number of objects in the scene (0, 1, 2, 3+)",
        class_names=_COUNT_CLASSES,
        label_fn=_num_objects,
    ),
}


def get_task(name: str) -> Task:
    """The task called ``name``.

    Raises:
        InputError: If there is no such task (the message lists the names).
    """
    if name not in TASKS:
        raise InputError(f"unknown task; expected one of {sorted(TASKS)}. Received: task={name!r}")
    return TASKS[name]
