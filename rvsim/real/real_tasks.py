"""Classification tasks on real captures: car bearing (8 classes), car range (4 classes), blockage (2 classes).

Bearing and range classes are quantile bins of the **training split** (balanced there); the same edges label
the test split (:func:`apply_bins`). Labels are :class:`rvsim.tasks.TaskTargets` (kind ``"multiclass"``),
the bin edges in their ``params``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike

from rvsim.errors import InputError
from rvsim.real.deepsense import RealBlockage, RealBlockageSeries, RealScenario
from rvsim.tasks import TaskTargets

__all__ = [
    "RealTaskLabels",
    "REAL_TASKS",
    "quantile_bins",
    "apply_bins",
    "bearing_task",
    "range_task",
    "blockage_task",
    "blockage_future_task",
    "make_real_task",
]

#: Task names and the data they need: ``bearing``/``range`` a scenario, ``blockage`` the scenario-17 set,
#: ``blockage-future`` DeepSense's official series of scenario 17 (8 past sweeps, blocked within K ahead).
REAL_TASKS: tuple[str, ...] = ("bearing", "range", "blockage", "blockage-future")


@dataclasses.dataclass(frozen=True, eq=False)
class RealTaskLabels:
    """Labels of one real task.

    Attributes:
        name: ``"bearing"``, ``"range"`` or ``"blockage"``.
        labels: ``(N,)`` int64 class of every row.
        class_names: Name of each class.
        edges: ``(num_classes + 1,)`` bin edges (outer ones are the training min/max; values beyond them go
            to the end bins) in ``unit``, or None for a task without bins.
        unit: Unit of ``edges`` (``"deg"``, ``"m"`` or ``""``).
    """

    name: str
    labels: np.ndarray
    class_names: tuple[str, ...]
    edges: np.ndarray | None
    unit: str

    @property
    def num_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)

    def to_dict(self) -> dict[str, object]:
        """JSON-able description (no labels)."""
        return {
            "name": self.name,
            "class_names": list(self.class_names),
            "edges": None if self.edges is None else [float(e) for e in self.edges],
            "unit": self.unit,
        }

    def targets(self, rows: ArrayLike | None = None) -> TaskTargets:
        """The labels of ``rows`` (default: all) as :class:`rvsim.tasks.TaskTargets`: binned tasks name their
        classes ``bin 1`` … ``bin K`` (their edges, which differ between training splits, are in ``params``)."""
        labels = self.labels if rows is None else self.labels[np.asarray(rows, dtype=np.int64)]
        params: dict[str, object] = {} if self.edges is None else {
            "edges": [round(float(e), 4) for e in self.edges], "edges_unit": self.unit, "edges_from": "training split"}
        names = self.class_names if self.edges is None else tuple(f"bin {k + 1}" for k in range(self.num_classes))
        return TaskTargets(self.name, "multiclass", labels, np.ones(labels.shape[0], dtype=bool), names, "", params)


def quantile_bins(values: ArrayLike, train_indices: ArrayLike, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Bin values into classes of equal frequency on the training rows.

    Args:
        values: ``(N,)`` values (e.g. bearing [deg]).
        train_indices: Rows whose quantiles set the edges.
        num_classes: Number of bins ``K ≥ 2``.

    Returns:
        ``labels`` ``(N,)`` int64 in ``[0, K)`` and ``edges`` ``(K + 1,)`` (training min, the ``K − 1``
        interior quantiles, training max).

    Raises:
        InputError: Fewer training rows than classes, non-finite values, or tied quantiles.
    """
    v = np.asarray(values, dtype=np.float64)
    idx = np.asarray(train_indices, dtype=np.int64)
    k = int(num_classes)
    if k < 2:
        raise InputError(f"num_classes must be at least 2. Received: num_classes={num_classes!r}")
    if v.ndim != 1 or not np.all(np.isfinite(v)):
        raise InputError(f"values must be a finite 1-D array. Received: shape={v.shape}")
    if idx.size < k:
        raise InputError(f"Quantile bins need at least num_classes training rows. Received: {idx.size} rows, {k} classes")
    edges = np.quantile(v[idx], np.linspace(0.0, 1.0, k + 1))
    if np.any(np.diff(edges) <= 0):
        raise InputError(f"The training values do not give {k} distinct quantile bins. Received: edges={edges.round(3).tolist()}")
    return apply_bins(v, edges), edges


def apply_bins(values: ArrayLike, edges: ArrayLike) -> np.ndarray:
    """Class of values under bin edges from :func:`quantile_bins` (values beyond the outer edges → end bins).

    Args:
        values: Values, any shape.
        edges: ``(K + 1,)`` increasing edges.

    Returns:
        int64 classes in ``[0, K)``, same shape as ``values``.
    """
    e = np.asarray(edges, dtype=np.float64)
    return np.digitize(np.asarray(values, dtype=np.float64), e[1:-1]).astype(np.int64)


def _bin_names(edges: np.ndarray, unit: str) -> tuple[str, ...]:
    return tuple(f"[{lo:.1f}, {hi:.1f}) {unit}" for lo, hi in zip(edges[:-1], edges[1:]))


def bearing_task(scenario: RealScenario, train_indices: ArrayLike, num_classes: int = 8) -> RealTaskLabels:
    """Car bearing from the array broadside in ``num_classes`` quantile bins of the training split.

    Args:
        scenario: The scenario.
        train_indices: Training rows.
        num_classes: Bins.

    Returns:
        The labels (edges in [deg]).
    """
    labels, edges = quantile_bins(scenario.bearing_deg, train_indices, num_classes)
    return RealTaskLabels("bearing", labels, _bin_names(edges, "deg"), edges, "deg")


def range_task(scenario: RealScenario, train_indices: ArrayLike, num_classes: int = 4) -> RealTaskLabels:
    """Car range from the base station in ``num_classes`` quantile bins of the training split.

    Args:
        scenario: The scenario.
        train_indices: Training rows.
        num_classes: Bins.

    Returns:
        The labels (edges in [m]).
    """
    labels, edges = quantile_bins(scenario.range_m, train_indices, num_classes)
    return RealTaskLabels("range", labels, _bin_names(edges, "m"), edges, "m")


def blockage_task(blockage: RealBlockage) -> RealTaskLabels:
    """Line of sight clear (0) or blocked (1).

    Args:
        blockage: The scenario-17 set.

    Returns:
        The labels.
    """
    return RealTaskLabels("blockage", blockage.blockage.astype(np.int64), ("clear", "blocked"), None, "")


def blockage_future_task(series: RealBlockageSeries) -> RealTaskLabels:
    """Blocked within the next ``K`` sweeps (1) or not (0), DeepSense's future-blockage label.

    Args:
        series: The official series of one horizon.

    Returns:
        The labels.
    """
    return RealTaskLabels("blockage-future", series.blocked.astype(np.int64),
                          ("clear", f"blocked within {series.horizon}"), None, "")


def make_real_task(
    name: str, data: RealScenario | RealBlockage | RealBlockageSeries, train_indices: ArrayLike | None = None
) -> RealTaskLabels:
    """Labels of a task by name.

    Args:
        name: One of :data:`REAL_TASKS`.
        data: A :class:`RealScenario` (bearing, range) or :class:`RealBlockage` (blockage).
        train_indices: Training rows (bearing, range).

    Returns:
        The labels.

    Raises:
        InputError: Unknown task, or data of the wrong kind.
    """
    if name not in REAL_TASKS:
        raise InputError(f"Unknown real task; choose one of {list(REAL_TASKS)}. Received: task={name!r}")
    if name == "blockage-future":
        if not isinstance(data, RealBlockageSeries):
            raise InputError(f"Task 'blockage-future' needs the official series. Received: {type(data).__name__}")
        return blockage_future_task(data)
    if name == "blockage":
        if not isinstance(data, RealBlockage):
            raise InputError(f"Task 'blockage' needs the scenario-17 blockage set. Received: {type(data).__name__}")
        return blockage_task(data)
    if not isinstance(data, RealScenario):
        raise InputError(f"Task {name!r} needs a drive-by scenario. Received: {type(data).__name__}")
    if train_indices is None:
        raise InputError(f"Task {name!r} needs the training rows for its bins. Received: train_indices=None")
    return bearing_task(data, train_indices) if name == "bearing" else range_task(data, train_indices)
