"""Downstream sensing tasks and their metrics, defined once.

A :class:`Task` turns the ``labels/`` arrays of a dataset (``docs/dataset_schema.md``) into targets of one of
three kinds, so that linear probes, the supervised baseline and every report score the same thing:

* ``"multiclass"`` — one class per sample, ``(n,)`` int64; metrics accuracy (headline) and macro F1;
* ``"multilabel"`` — several yes/no labels per sample, ``(n, L)`` int8; metrics mAP (headline: the mean over
  labels of the average precision) and macro F1 at a 0.5 threshold;
* ``"regression"`` — one value per sample, ``(n,)`` float64 in the task's unit; metrics MAE (headline, as
  ``score = -MAE``) and RMSE.

Every result carries ``score``, the headline metric oriented so that higher is better (:func:`task_score`).

Tasks whose definition needs a number computed from data (``occupancy``'s near/far threshold) compute it in
:meth:`Task.fit` from the **training split only** and record it in :attr:`Task.params`; nothing about a task
depends on the test split. A task may be undefined for some samples (``nearest_range`` on an empty scene):
:meth:`Task.targets` returns a validity mask beside the targets.

Simulated tasks (this module's :data:`TASKS`):

* ``count_person`` — people in the scene: ``0``, ``1``, ``2``, ``3+``.
* ``num_objects`` — objects in the scene: ``0``, ``1``, ``2``, ``3+``.
* ``count_objects`` — objects in the scene, every count its own class ``0 .. max_objects`` (classes from the
  dataset: bind with :meth:`Task.for_dataset`).
* ``dominant_class`` — the object class with the most objects (ties: the lowest class id), or ``none``.
* ``occupancy`` — where the nearest object is: 4 angle sectors of 30° over [-60°, +60°] of bearing (sector 0
  on the right; bearings beyond go to the outermost sector) × near/far (range below / at or above the median
  object range **of the training split**), or ``empty``: 9 classes.
* ``occupancy_grid`` — localisation as multi-label: is any object's centre in each cell of a grid of bearing
  sectors × range rings (4 × 3 cells spanning the family's placement area, from the dataset's scene spec).
* ``class_presence`` — multi-label: is at least one object of each class present.
* ``nearest_bearing`` / ``nearest_range`` — regression: bearing [deg] / range [m] of the nearest object
  (defined on scenes with at least one object).

Temporal tasks (datasets of sequences, schema version 2: frames carry ``labels/obj_velocity`` and
``meta/frame``):

* ``radial_velocity`` — how the nearest object moves along the line of sight: ``approaching`` (range rate
  below -0.3 m/s), ``still``, ``receding`` (above +0.3 m/s), or ``empty``.
* ``enter_sector`` — will an object enter the central sector (bearing within ±15° of the broadside) within the
  next 5 frames, the sector being empty now: ``no`` / ``yes``; defined on frames with the sector empty and at
  least 5 frames left in their sequence.
* ``future_blockage`` — (street sequences, ``labels/los_blocked``) will the line of sight be blocked within the
  next 5 frames: ``clear`` / ``blocked``, as DeepSense's future-blockage task; defined on frames with at least
  5 frames left in their sequence.

Real-data tasks (``rvsim.real``) build the same :class:`TaskTargets`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rvsim.errors import DatasetError, InputError

if TYPE_CHECKING:  # pragma: no cover
    from rvsim.data import Dataset

__all__ = [
    "Task",
    "TaskTargets",
    "TASKS",
    "TASK_KINDS",
    "HEADLINE_METRIC",
    "get_task",
    "task_metrics",
    "task_score",
    "weighted_scores",
    "check_prediction",
]

#: Kinds of task, see the module docstring.
TASK_KINDS: tuple[str, ...] = ("multiclass", "multilabel", "regression")

#: The headline metric of each kind (``score`` is it, oriented so that higher is better).
HEADLINE_METRIC: dict[str, str] = {"multiclass": "accuracy", "multilabel": "mAP", "regression": "mae"}

_COUNT_CLASSES: tuple[str, ...] = ("0", "1", "2", "3+")

#: Sector edges of the occupancy task [deg]; sector k spans [edges[k], edges[k + 1]).
_SECTOR_EDGES_DEG: tuple[float, ...] = (-60.0, -30.0, 0.0, 30.0, 60.0)

#: Cells of ``occupancy_grid``: bearing sectors × range rings.
_GRID_SECTORS = 4
_GRID_RINGS = 3


# ================================================================================================ targets
@dataclass(frozen=True, eq=False)
class TaskTargets:
    """The targets of a task on some rows, with what defines them.

    Attributes:
        name: Task name.
        kind: One of :data:`TASK_KINDS`.
        values: ``(n,)`` int64 classes (multiclass), ``(n, L)`` int8 labels (multilabel) or ``(n,)`` float64
            values in ``unit`` (regression).
        valid: ``(n,)`` bool, rows on which the task is defined.
        names: Class names (multiclass), label names (multilabel) or ``(quantity,)`` (regression).
        unit: Unit of regression values (``"deg"``, ``"m"``) or ``""``.
        params: JSON-able parameters the targets depend on (thresholds, bin edges), computed from training
            rows only.
    """

    name: str
    kind: str
    values: np.ndarray
    valid: np.ndarray
    names: tuple[str, ...]
    unit: str = ""
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in TASK_KINDS:
            raise InputError(f"kind must be one of {TASK_KINDS}. Received: kind={self.kind!r}")
        v = np.asarray(self.values)
        ok = np.asarray(self.valid, dtype=bool)
        if v.shape[:1] != ok.shape or ok.ndim != 1:
            raise InputError(f"values and valid must have one row per sample. Received: {v.shape}, {ok.shape}")
        if self.kind == "multilabel" and (v.ndim != 2 or v.shape[1] != len(self.names)):
            raise InputError(f"multilabel values must be (n, {len(self.names)}). Received: {v.shape}")
        if self.kind != "multilabel" and v.ndim != 1:
            raise InputError(f"{self.kind} values must be (n,). Received: {v.shape}")
        object.__setattr__(self, "values", v)
        object.__setattr__(self, "valid", ok)

    @property
    def num_outputs(self) -> int:
        """Outputs a model predicts: classes, labels, or 1."""
        return 1 if self.kind == "regression" else len(self.names)

    def take(self, rows: np.ndarray) -> TaskTargets:
        """These targets restricted to ``rows`` (positions)."""
        rows = np.asarray(rows, dtype=np.int64)
        return dataclasses.replace(self, values=self.values[rows], valid=self.valid[rows])

    def describe(self) -> dict[str, Any]:
        """JSON-able description (no values)."""
        return {"name": self.name, "kind": self.kind, "names": list(self.names), "unit": self.unit,
                "params": dict(self.params)}


# ================================================================================================ metrics
def check_prediction(kind: str, prediction: Any, n: int, num_outputs: int) -> np.ndarray:
    """A model's prediction in the form :func:`task_metrics` takes.

    Args:
        kind: The task kind.
        prediction: ``(n, C)`` class probabilities (multiclass), ``(n, L)`` label probabilities (multilabel) or
            ``(n,)`` values (regression).
        n: Rows expected.
        num_outputs: Classes / labels (ignored for regression).

    Returns:
        The prediction as a float64 array.

    Raises:
        InputError: Wrong shape or non-finite values.
    """
    p = np.asarray(prediction, dtype=np.float64)
    want = (n,) if kind == "regression" else (n, num_outputs)
    if p.shape != want:
        raise InputError(f"a {kind} prediction must have shape {want}. Received: {p.shape}")
    if not np.isfinite(p).all():
        raise InputError(f"a prediction must be finite. Received: {int((~np.isfinite(p)).sum())} non-finite values")
    return p


def _weighted_ap(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Average precision of scores ``s`` (n,) for binary ``y`` (n,) under row weights ``w`` (B, n) -> (B,).

    AP = Σ_k w_k y_k P(k) / Σ_k w_k y_k over rows sorted by decreasing score, with the precision at k counting
    every row scored at least as high as row k (ties share one precision, as scikit-learn's
    ``average_precision_score``). Rows of weight 0 do not count; ``nan`` where no positive has weight.
    """
    order = np.argsort(-s, kind="stable")
    ys, ss, ws = y[order].astype(np.float64), s[order], w[:, order]
    tp = np.cumsum(ws * ys, axis=1)
    total = np.cumsum(ws, axis=1)
    # the last position of every run of tied scores carries the run's precision
    last = np.append(ss[1:] != ss[:-1], True)
    idx = np.flatnonzero(last)
    run_of = np.searchsorted(idx, np.arange(ss.size))
    prec = np.where(total[:, idx] > 0, tp[:, idx] / np.maximum(total[:, idx], 1e-300), 0.0)[:, run_of]
    pos = (ws * ys).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pos > 0, (ws * ys * prec).sum(axis=1) / pos, np.nan)


def weighted_scores(kind: str, y_true: np.ndarray, prediction: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The headline score (higher is better) under many row weightings at once, e.g. bootstrap resamples.

    Args:
        kind: The task kind.
        y_true: Targets ``(n,)`` or ``(n, L)``.
        prediction: As for :func:`check_prediction`.
        weights: ``(B, n)`` non-negative row weights (bootstrap counts); ``(n,)`` is one weighting.

    Returns:
        ``(B,)`` scores: accuracy, mAP (over labels with a weighted positive) or ``-MAE``.
    """
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    y = np.asarray(y_true)
    p = np.asarray(prediction, dtype=np.float64)
    norm = np.maximum(w.sum(axis=1), 1e-300)
    if kind == "multiclass":
        correct = (np.argmax(p, axis=1) == y).astype(np.float64)
        return (w @ correct) / norm
    if kind == "regression":
        return -(w @ np.abs(p - y.astype(np.float64))) / norm
    if kind == "multilabel":
        aps = np.stack([_weighted_ap(y[:, j], p[:, j], w) for j in range(y.shape[1])], axis=1)
        counted = ~np.isnan(aps)
        return np.where(counted.any(axis=1), np.where(counted, aps, 0.0).sum(axis=1) / np.maximum(counted.sum(axis=1), 1),
                        np.nan)
    raise InputError(f"kind must be one of {TASK_KINDS}. Received: kind={kind!r}")


def task_metrics(kind: str, y_true: np.ndarray, prediction: np.ndarray) -> dict[str, float]:
    """Every metric of a kind, and ``score`` (the headline metric oriented so that higher is better).

    Args:
        kind: The task kind.
        y_true: Targets ``(n,)`` int (multiclass), ``(n, L)`` 0/1 (multilabel) or ``(n,)`` float (regression).
        prediction: As for :func:`check_prediction`.

    Returns:
        multiclass ``{"accuracy", "macro_f1", "score"}``; multilabel ``{"mAP", "macro_f1", "score"}`` (mAP over
        labels with at least one positive; macro F1 at threshold 0.5 over all labels); regression ``{"mae",
        "rmse", "score"}``.
    """
    from sklearn.metrics import f1_score

    y = np.asarray(y_true)
    p = np.asarray(prediction, dtype=np.float64)
    if y.shape[0] == 0:
        raise InputError("metrics need at least one row. Received: 0 rows")
    if kind == "multiclass":
        pred = np.argmax(p, axis=1)
        acc = float(np.mean(pred == y))
        return {"accuracy": acc, "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0)), "score": acc}
    if kind == "multilabel":
        m_ap = float(weighted_scores(kind, y, p, np.ones(y.shape[0]))[0])
        f1 = float(f1_score(y, (p >= 0.5).astype(np.int64), average="macro", zero_division=0))
        return {"mAP": m_ap, "macro_f1": f1, "score": m_ap}
    if kind == "regression":
        err = p - y.astype(np.float64)
        mae = float(np.mean(np.abs(err)))
        return {"mae": mae, "rmse": float(np.sqrt(np.mean(err**2))), "score": -mae}
    raise InputError(f"kind must be one of {TASK_KINDS}. Received: kind={kind!r}")


def task_score(kind: str, metrics: Mapping[str, float]) -> float:
    """The headline metric of ``metrics`` oriented so that higher is better (accuracy, mAP, or ``-MAE``)."""
    value = float(metrics[HEADLINE_METRIC[kind]])
    return -value if kind == "regression" else value


# ================================================================================================ label readers
def _require(ds: Dataset, *fields: str) -> None:
    missing = [f for f in fields if f not in ds.fields]
    if missing:
        raise DatasetError(f"the task needs the label arrays {missing}, which the dataset lacks. Received: {ds.path}")


def _objects(ds: Dataset, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-object class (``-1`` padding), range [m] and bearing [deg] of samples ``idx``, ``(n, M)`` each."""
    _require(ds, "labels/obj_class", "labels/obj_range", "labels/obj_bearing")
    return (
        ds.read("labels/obj_class", idx),
        ds.read("labels/obj_range", idx).astype(np.float64),
        ds.read("labels/obj_bearing", idx).astype(np.float64),
    )


def _nearest(cls: np.ndarray, rng: np.ndarray, bearing: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Occupied mask ``(n,)`` and the nearest object's range and bearing ``(n,)`` (0 for empty scenes)."""
    valid = cls >= 0
    occupied = valid.any(axis=1)
    nearest = np.argmin(np.where(valid, rng, np.inf), axis=1)
    rows = np.arange(cls.shape[0])
    return occupied, np.where(occupied, rng[rows, nearest], 0.0), np.where(occupied, bearing[rows, nearest], 0.0)


def _all_valid(n: int) -> np.ndarray:
    return np.ones(n, dtype=bool)


def _count_person(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    _require(ds, "labels/class_counts")
    names = list(ds.class_names)
    if "person" not in names:
        raise DatasetError(f"count_person needs a class named 'person'. Received: class_names={names}")
    counts = ds.read("labels/class_counts", idx)[:, names.index("person")]
    return np.minimum(counts, 3).astype(np.int64), _all_valid(idx.size)


def _num_objects(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    _require(ds, "labels/num_objects")
    return np.minimum(ds.read("labels/num_objects", idx), 3).astype(np.int64), _all_valid(idx.size)


def _max_objects(ds: Dataset) -> int:
    _require(ds, "labels/obj_class")
    return int(ds.fields["labels/obj_class"].shape[0])


def _count_objects(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    _require(ds, "labels/num_objects")
    counts = ds.read("labels/num_objects", idx).astype(np.int64)
    return np.minimum(counts, _max_objects(ds)), _all_valid(idx.size)


def _dominant_class(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    _require(ds, "labels/class_counts")
    counts = ds.read("labels/class_counts", idx)
    labels = np.argmax(counts, axis=1).astype(np.int64)  # first maximum: the lowest class id on ties
    labels[counts.sum(axis=1) == 0] = counts.shape[1]  # "none"
    return labels, _all_valid(idx.size)


def _object_ranges(ds: Dataset, idx: np.ndarray) -> np.ndarray:
    """Ranges [m] of every real object (``obj_class >= 0``) of samples ``idx``, read in chunks."""
    parts: list[np.ndarray] = []
    for start in range(0, idx.size, 4096):
        chunk = idx[start : start + 4096]
        cls = ds.read("labels/obj_class", chunk)
        rng = ds.read("labels/obj_range", chunk)
        parts.append(rng[cls >= 0])
    return np.concatenate(parts) if parts else np.zeros(0)


def _fit_occupancy(ds: Dataset, train_idx: np.ndarray) -> dict[str, Any]:
    _require(ds, "labels/obj_class", "labels/obj_range", "labels/obj_bearing")
    values = _object_ranges(ds, train_idx)
    return {"near_far_threshold_m": float(np.median(values)) if values.size else float("inf")}


def _occupancy(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    cls, rng, bearing = _objects(ds, idx)
    occupied, r, b = _nearest(cls, rng, bearing)
    num_sectors = len(_SECTOR_EDGES_DEG) - 1
    sector = np.clip(np.searchsorted(np.asarray(_SECTOR_EDGES_DEG), b, side="right") - 1, 0, num_sectors - 1)
    far = (r >= float(params["near_far_threshold_m"])).astype(np.int64)
    labels = 1 + 2 * sector.astype(np.int64) + far
    return np.where(occupied, labels, 0).astype(np.int64), _all_valid(idx.size)


def _occupancy_classes() -> tuple[str, ...]:
    names = ["empty"]
    for lo, hi in zip(_SECTOR_EDGES_DEG[:-1], _SECTOR_EDGES_DEG[1:]):
        for dist in ("near", "far"):
            names.append(f"{lo:+.0f}..{hi:+.0f}deg/{dist}")
    return tuple(names)


def _placement(ds: Dataset) -> tuple[float, float, float]:
    """``(bearing span [deg], min range [m], max range [m])`` of the dataset's scene spec placement."""
    scene = ds.manifest.get("scene", {})
    placement = scene.get("placement") if isinstance(scene, Mapping) else None
    if not isinstance(placement, Mapping) or not all(
        isinstance(placement.get(k), (int, float)) for k in ("bearing_span_deg", "min_range_m", "max_range_m")
    ):
        raise DatasetError(
            "occupancy_grid needs the placement area (placement.bearing_span_deg, min_range_m, max_range_m) in the "
            f"dataset's scene spec. Received: placement={placement!r} in {ds.path}"
        )
    return float(placement["bearing_span_deg"]), float(placement["min_range_m"]), float(placement["max_range_m"])


def _grid_edges(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    span, r0, r1 = _placement(ds)
    return np.linspace(-span / 2, span / 2, _GRID_SECTORS + 1), np.linspace(r0, r1, _GRID_RINGS + 1)


def _grid_names(ds: Dataset) -> tuple[str, ...]:
    sectors, rings = _grid_edges(ds)
    return tuple(
        f"{sectors[i]:+.0f}..{sectors[i + 1]:+.0f}deg/{rings[j]:.1f}..{rings[j + 1]:.1f}m"
        for i in range(_GRID_SECTORS) for j in range(_GRID_RINGS)
    )


def _occupancy_grid(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    cls, rng, bearing = _objects(ds, idx)
    sectors, rings = _grid_edges(ds)
    s = np.clip(np.searchsorted(sectors, bearing, side="right") - 1, 0, _GRID_SECTORS - 1)
    r = np.clip(np.searchsorted(rings, rng, side="right") - 1, 0, _GRID_RINGS - 1)
    cell = s * _GRID_RINGS + r
    out = np.zeros((idx.size, _GRID_SECTORS * _GRID_RINGS), dtype=np.int8)
    rows, cols = np.nonzero(cls >= 0)
    out[rows, cell[rows, cols]] = 1
    return out, _all_valid(idx.size)


def _class_presence(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    _require(ds, "labels/class_counts")
    return (ds.read("labels/class_counts", idx) > 0).astype(np.int8), _all_valid(idx.size)


def _nearest_bearing(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    occupied, _, b = _nearest(*_objects(ds, idx))
    return b, occupied


def _nearest_range(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    occupied, r, _ = _nearest(*_objects(ds, idx))
    return r, occupied


# ================================================================================================ tasks
#: Range rate [m/s] beyond which ``radial_velocity`` calls an object approaching or receding.
_STILL_MPS = 0.3
_RADIAL_CLASSES: tuple[str, ...] = ("empty", "approaching", "still", "receding")

#: ``enter_sector``: half-width of the central sector [deg] and the frames ahead it looks.
_CENTRE_HALF_WIDTH_DEG = 15.0
_ENTER_HORIZON = 5


def _radial_velocity(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    _require(ds, "labels/obj_velocity", "labels/obj_position")
    cls, rng, bearing = _objects(ds, idx)
    occupied = (cls >= 0).any(axis=1)
    nearest = np.argmin(np.where(cls >= 0, rng, np.inf), axis=1)
    rows = np.arange(idx.size)
    pos = ds.read("labels/obj_position", idx)[rows, nearest, :2].astype(np.float64)
    vel = ds.read("labels/obj_velocity", idx)[rows, nearest, :2].astype(np.float64)
    bs = np.asarray(ds.manifest["scene"]["base_station"]["position_m"][:2], dtype=np.float64)
    los = pos - bs[None]
    rate = np.sum(vel * los, axis=1) / np.maximum(np.linalg.norm(los, axis=1), 1e-9)
    label = np.where(rate < -_STILL_MPS, 1, np.where(rate > _STILL_MPS, 3, 2))
    return np.where(occupied, label, 0).astype(np.int64), _all_valid(idx.size)


def _centre_occupied(ds: Dataset, idx: np.ndarray) -> np.ndarray:
    cls, _, bearing = _objects(ds, idx)
    return ((cls >= 0) & (np.abs(bearing) <= _CENTRE_HALF_WIDTH_DEG)).any(axis=1)


def _enter_sector(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    _require(ds, "meta/frame", "meta/sequence")
    scene = ds.manifest["scene"]
    frames = int(scene["sequence"]["num_frames"])
    frame = ds.read("meta/frame", idx)
    now = _centre_occupied(ds, idx)
    left = frame + _ENTER_HORIZON < frames  # the next K frames are in this sequence (shards hold whole sequences)
    valid = ~now & left
    ahead = np.zeros(idx.size, dtype=bool)
    rows = np.flatnonzero(valid)
    for k in range(1, _ENTER_HORIZON + 1):
        ahead[rows] |= _centre_occupied(ds, idx[rows] + k)
    return ahead.astype(np.int64), valid


def _future_blockage(ds: Dataset, idx: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    _require(ds, "meta/frame", "meta/sequence", "labels/los_blocked")
    frames = int(ds.manifest["scene"]["sequence"]["num_frames"])
    valid = ds.read("meta/frame", idx) + _ENTER_HORIZON < frames
    rows = np.flatnonzero(valid)
    ahead = np.zeros(idx.size, dtype=bool)
    for k in range(1, _ENTER_HORIZON + 1):
        ahead[rows] |= ds.read("labels/los_blocked", idx[rows] + k).astype(bool)
    return ahead.astype(np.int64), valid


def _indices(ds: Dataset, indices: Sequence[int] | np.ndarray | None) -> np.ndarray:
    from rvsim.data.split import sample_indices

    return sample_indices(len(ds), indices)


TargetFn = Callable[[Any, np.ndarray, Mapping[str, Any]], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Task:
    """A downstream task on a dataset's scenes.

    Attributes:
        name: Task name (a key of :data:`TASKS`).
        description: One line saying what is predicted.
        kind: One of :data:`TASK_KINDS`.
        class_names: Class names (multiclass; class id ``k`` is ``class_names[k]``), label names (multilabel),
            or ``(quantity,)`` (regression). Empty for a task whose names come from the dataset until bound
            with :meth:`for_dataset` (or :meth:`fit`).
        unit: Unit of a regression target (``"deg"``, ``"m"``), else ``""``.
        target_fn: ``(dataset, indices (n,), params) -> (targets, valid (n,) bool)``.
        fit_fn: ``(dataset, training indices) -> params`` for a task whose definition needs numbers computed
            from data (training rows only), or ``None``.
        names_fn: ``dataset -> names`` for a task whose names come from the dataset, or ``None``.
        params: The fitted parameters (``None``: not fitted; tasks without ``fit_fn`` need none).
    """

    name: str
    description: str
    kind: str
    class_names: tuple[str, ...]
    target_fn: TargetFn = dataclasses.field(repr=False, compare=False)
    unit: str = ""
    fit_fn: Callable[[Any, np.ndarray], dict[str, Any]] | None = dataclasses.field(default=None, repr=False, compare=False)
    names_fn: Callable[[Any], tuple[str, ...]] | None = dataclasses.field(default=None, repr=False, compare=False)
    params: Mapping[str, Any] | None = None

    @property
    def dataset_dependent(self) -> bool:
        """Whether the names come from the dataset (call :meth:`for_dataset` first)."""
        return not self.class_names

    @property
    def needs_fit(self) -> bool:
        """Whether :meth:`fit` must be called (on the training split) before :meth:`targets`."""
        return self.fit_fn is not None and self.params is None

    @property
    def num_classes(self) -> int:
        """Number of classes (multiclass) or labels (multilabel); 1 for regression.

        Raises:
            InputError: For a task whose names come from the dataset and that is not bound to one.
        """
        if self.dataset_dependent:
            raise InputError(
                f"task {self.name!r} takes its classes from the dataset; use task.for_dataset(ds). "
                f"Received: class_names={self.class_names}"
            )
        return 1 if self.kind == "regression" else len(self.class_names)

    def for_dataset(self, ds: Dataset) -> Task:
        """This task with its names resolved for ``ds`` (the task itself if they do not depend on it)."""
        if self.names_fn is None:
            return self
        return dataclasses.replace(self, class_names=tuple(self.names_fn(ds)))

    def fit(self, ds: Dataset, train_indices: np.ndarray) -> Task:
        """The task bound to ``ds`` with its parameters computed from the training samples ``train_indices``.

        Args:
            ds: The dataset.
            train_indices: The training split ``(n,)``: the only samples whose labels define the task.

        Returns:
            A task whose :attr:`params` are set (``{}`` when it has none) and names resolved.
        """
        bound = self.for_dataset(ds)
        idx = _indices(ds, train_indices)
        params = dict(self.fit_fn(ds, idx)) if self.fit_fn is not None else {}
        return dataclasses.replace(bound, params=params)

    def targets(self, ds: Dataset, indices: np.ndarray | None = None) -> TaskTargets:
        """Targets of samples ``indices`` (default: all).

        Raises:
            InputError: If the task needs :meth:`fit` first.
        """
        if self.needs_fit:
            raise InputError(
                f"task {self.name!r} is defined from the training split; call task.fit(ds, train_indices) first. "
                "Received: an unfitted task"
            )
        bound = self.for_dataset(ds)
        values, valid = bound.target_fn(ds, _indices(ds, indices), bound.params or {})
        return TaskTargets(bound.name, bound.kind, values, valid, bound.class_names, bound.unit, dict(bound.params or {}))

    def labels(self, ds: Dataset, indices: np.ndarray | None = None) -> np.ndarray:
        """Class ids ``(n,)`` int64 of a multiclass task (every sample valid), e.g. for the supervised CLI."""
        if self.kind != "multiclass":
            raise InputError(f"labels() is for multiclass tasks; use targets(). Received: task {self.name!r} ({self.kind})")
        return np.asarray(self.targets(ds, indices).values, dtype=np.int64)


#: Every simulated task, by name.
TASKS: dict[str, Task] = {
    "count_person": Task(
        name="count_person",
        description="number of people in the scene (0, 1, 2, 3+)",
        kind="multiclass",
        class_names=_COUNT_CLASSES,
        target_fn=_count_person,
    ),
    "num_objects": Task(
        name="num_objects",
        description="number of objects in the scene (0, 1, 2, 3+)",
        kind="multiclass",
        class_names=_COUNT_CLASSES,
        target_fn=_num_objects,
    ),
    "count_objects": Task(
        name="count_objects",
        description="number of objects in the scene, each count a class (0 .. the family's most objects)",
        kind="multiclass",
        class_names=(),
        target_fn=_count_objects,
        names_fn=lambda ds: tuple(str(k) for k in range(_max_objects(ds) + 1)),
    ),
    "dominant_class": Task(
        name="dominant_class",
        description="object class with the most objects (ties: lowest class id; empty scene: 'none')",
        kind="multiclass",
        class_names=(),
        target_fn=_dominant_class,
        names_fn=lambda ds: (*ds.class_names, "none"),
    ),
    "occupancy": Task(
        name="occupancy",
        description=(
            "sector (4 x 30 deg over [-60, 60] deg bearing) and near/far (vs. the training split's median object "
            "range) of the nearest object, or 'empty'"
        ),
        kind="multiclass",
        class_names=_occupancy_classes(),
        target_fn=_occupancy,
        fit_fn=_fit_occupancy,
    ),
    "occupancy_grid": Task(
        name="occupancy_grid",
        description="is an object in each of 4 bearing sectors x 3 range rings over the placement area (multi-label)",
        kind="multilabel",
        class_names=(),
        target_fn=_occupancy_grid,
        names_fn=_grid_names,
    ),
    "class_presence": Task(
        name="class_presence",
        description="is at least one object of each class present (multi-label)",
        kind="multilabel",
        class_names=(),
        target_fn=_class_presence,
        names_fn=lambda ds: tuple(ds.class_names),
    ),
    "nearest_bearing": Task(
        name="nearest_bearing",
        description="bearing of the nearest object [deg] (scenes with objects)",
        kind="regression",
        class_names=("bearing",),
        unit="deg",
        target_fn=_nearest_bearing,
    ),
    "nearest_range": Task(
        name="nearest_range",
        description="range of the nearest object [m] (scenes with objects)",
        kind="regression",
        class_names=("range",),
        unit="m",
        target_fn=_nearest_range,
    ),
    "radial_velocity": Task(
        name="radial_velocity",
        description=f"range rate of the nearest object: approaching (< -{_STILL_MPS} m/s), still, receding "
                    f"(> +{_STILL_MPS} m/s), or empty (sequences)",
        kind="multiclass",
        class_names=_RADIAL_CLASSES,
        target_fn=_radial_velocity,
    ),
    "enter_sector": Task(
        name="enter_sector",
        description=f"will an object enter the central sector (|bearing| <= {_CENTRE_HALF_WIDTH_DEG:g} deg) within "
                    f"the next {_ENTER_HORIZON} frames, the sector empty now (sequences)",
        kind="multiclass",
        class_names=("no", "yes"),
        target_fn=_enter_sector,
    ),
    "future_blockage": Task(
        name="future_blockage",
        description=f"will the line of sight be blocked within the next {_ENTER_HORIZON} frames (street sequences)",
        kind="multiclass",
        class_names=("clear", "blocked"),
        target_fn=_future_blockage,
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
