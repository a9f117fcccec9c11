"""The ``probe.json`` results schema, version 2 (``docs/probe_results.md``): validation and summaries.

Both ``rvsim probe`` (simulated data) and ``rvsim real`` (real captures) write this document.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rvsim.errors import InputError
from rvsim.tasks import HEADLINE_METRIC, TASK_KINDS

__all__ = [
    "validate_probe_results",
    "summarize_results",
    "comparison_table",
    "MethodSummary",
    "METHOD_ORDER",
    "PROBE_RESULTS_FORMAT",
    "PROBE_SCHEMA_VERSION",
]

#: Value of the ``"format"`` key of ``probe.json``.
PROBE_RESULTS_FORMAT = "rvsim-probe"

#: Version of the schema documented in ``docs/probe_results.md``.
PROBE_SCHEMA_VERSION = 2

#: Methods in the order tables and plots show them (others follow alphabetically).
METHOD_ORDER: tuple[str, ...] = ("ssl", "supervised", "random", "raw", "vision", "zero-shot", "zero-shot-raw",
                                 "zero-shot-realbins")

_REQUIRED_TOP = ("format", "schema_version", "task", "chance", "results", "comparisons")
_OPTIONAL_TOP = ("data", "encoders", "splits", "config", "normalization", "retrieval", "skipped", "external",
                 "methods_run", "rvsim_version", "command")
_REQUIRED_ENTRY = ("method", "label_fraction", "num_labelled", "split_seed", "subset_seed", "run", "model_seed",
                   "score", "metrics")
_OPTIONAL_ENTRY = ("probe", "budget", "external")
_REQUIRED_COMPARISON = ("method", "baseline", "label_fraction", "difference", "ci_low", "ci_high", "confidence",
                        "resamples", "units")


def _fail(where: str, problem: str, value: Any) -> InputError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return InputError(f"probe results: {where} {problem}. Received: {shown}")


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and math.isfinite(float(v))


def _check_metrics(where: str, metrics: Any) -> None:
    if not isinstance(metrics, Mapping) or not metrics or not all(
        isinstance(k, str) and (_is_num(v) or v is None) for k, v in metrics.items()
    ):
        raise _fail(where, "must be an object of metric names to numbers", metrics)


def _check_object(where: str, obj: Any, required: Any) -> None:
    """``obj`` is a mapping holding every key of ``required``."""
    if not isinstance(obj, Mapping):
        raise _fail(where, "must be an object", obj)
    missing = [k for k in required if k not in obj]
    if missing:
        raise _fail(where, f"lacks the keys {missing}", sorted(obj))


def _check_entry(i: int, entry: Any) -> None:
    where = f"results[{i}]"
    _check_object(where, entry, _REQUIRED_ENTRY)
    unknown = sorted(set(entry) - set(_REQUIRED_ENTRY) - set(_OPTIONAL_ENTRY))
    if unknown:
        raise _fail(where, f"has unknown keys {unknown}", unknown)
    if not isinstance(entry["method"], str) or not entry["method"]:
        raise _fail(f"{where}.method", "must be a non-empty string", entry["method"])
    lf = entry["label_fraction"]
    if not _is_num(lf) or not 0.0 <= float(lf) <= 1.0:
        raise _fail(f"{where}.label_fraction", "must be a number in [0, 1] (0: no label of these data)", lf)
    if not _is_int(entry["num_labelled"]) or entry["num_labelled"] < 0:
        raise _fail(f"{where}.num_labelled", "must be an integer >= 0", entry["num_labelled"])
    if not _is_int(entry["split_seed"]) or entry["split_seed"] < 0:
        raise _fail(f"{where}.split_seed", "must be an integer >= 0", entry["split_seed"])
    for key in ("subset_seed", "model_seed"):
        if entry[key] is not None and (not _is_int(entry[key]) or entry[key] < 0):
            raise _fail(f"{where}.{key}", "must be null or an integer >= 0", entry[key])
    if entry["run"] is not None and not isinstance(entry["run"], str):
        raise _fail(f"{where}.run", "must be null or a string", entry["run"])
    if not _is_num(entry["score"]):
        raise _fail(f"{where}.score", "must be a finite number", entry["score"])
    _check_metrics(f"{where}.metrics", entry["metrics"])


def _check_comparison(i: int, c: Any) -> None:
    where = f"comparisons[{i}]"
    _check_object(where, c, _REQUIRED_COMPARISON)
    for key in ("difference", "ci_low", "ci_high"):
        if not _is_num(c[key]):
            raise _fail(f"{where}.{key}", "must be a finite number", c[key])
    if not float(c["ci_low"]) <= float(c["ci_high"]):
        raise _fail(where, "must have ci_low <= ci_high", (c["ci_low"], c["ci_high"]))


def validate_probe_results(doc: Any) -> None:
    """Check a ``probe.json`` document against schema version 2 (``docs/probe_results.md``).

    Args:
        doc: The parsed JSON document.

    Raises:
        InputError: Naming the first mismatch and the value received.
    """
    if not isinstance(doc, Mapping):
        raise _fail("the document", "must be a JSON object", type(doc).__name__)
    missing = [k for k in _REQUIRED_TOP if k not in doc]
    if missing:
        raise _fail("the document", f"lacks the keys {missing}", sorted(doc))
    unknown = sorted(set(doc) - set(_REQUIRED_TOP) - set(_OPTIONAL_TOP))
    if unknown:
        raise _fail("the document", f"has unknown keys {unknown}", unknown)
    if doc["format"] != PROBE_RESULTS_FORMAT:
        raise _fail("format", f"must be {PROBE_RESULTS_FORMAT!r}", doc["format"])
    if doc["schema_version"] != PROBE_SCHEMA_VERSION:
        raise _fail("schema_version", f"must be {PROBE_SCHEMA_VERSION}", doc["schema_version"])
    task = doc["task"]
    if not isinstance(task, Mapping) or not isinstance(task.get("name"), str) or task.get("kind") not in TASK_KINDS:
        raise _fail("task", f"must be an object with a name and a kind among {TASK_KINDS}", task)
    names = task.get("names")
    if not isinstance(names, Sequence) or isinstance(names, str) or not all(isinstance(s, str) for s in names):
        raise _fail("task.names", "must be a list of strings", names)
    chance = doc["chance"]
    if not isinstance(chance, Mapping) or not _is_num(chance.get("score")):
        raise _fail("chance", "must be an object with a score", chance)
    entries = doc["results"]
    if not isinstance(entries, Sequence) or isinstance(entries, (str, bytes)) or not entries:
        raise _fail("results", "must be a non-empty list", entries)
    seen: set[tuple[Any, ...]] = set()
    for i, entry in enumerate(entries):
        _check_entry(i, entry)
        key = tuple(entry[k] for k in ("method", "label_fraction", "split_seed", "subset_seed", "run", "model_seed"))
        if key in seen:
            raise _fail(f"results[{i}]", "repeats an earlier (method, fraction, split, subset, run, model seed)", key)
        seen.add(key)
    comps = doc["comparisons"]
    if not isinstance(comps, Sequence) or isinstance(comps, (str, bytes)):
        raise _fail("comparisons", "must be a list", comps)
    for i, c in enumerate(comps):
        _check_comparison(i, c)
    for key in ("config", "data", "encoders", "skipped", "external", "normalization"):
        if key in doc and doc[key] is not None and not isinstance(doc[key], Mapping):
            raise _fail(key, "must be an object or null", doc[key])


@dataclass(frozen=True)
class MethodSummary:
    """Mean and sample std over every result of one (method, label fraction).

    Attributes:
        method: Method name.
        label_fraction: Label fraction in [0, 1] (0: no label of these data).
        num_results: Results summarised (training runs × subset seeds × split seeds).
        score_mean: Mean of ``score`` (the headline metric, higher is better).
        score_std: Sample standard deviation of ``score`` (ddof=1; 0 for one result).
        metrics: ``{metric: (mean, std)}`` of every metric.
        num_labelled: Mean number of labelled samples.
    """

    method: str
    label_fraction: float
    num_results: int
    score_mean: float
    score_std: float
    metrics: dict[str, tuple[float, float]]
    num_labelled: float


def _method_key(method: str) -> tuple[int, str]:
    return (METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER), method)


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    arr = np.asarray(values, dtype=np.float64)
    return float(arr.mean()), float(arr.std(ddof=1)) if arr.size > 1 else 0.0


def summarize_results(doc: Mapping[str, Any]) -> list[MethodSummary]:
    """Mean ± std per (method, label fraction), methods in :data:`METHOD_ORDER`, fractions ascending.

    Args:
        doc: A valid ``probe.json`` document.
    """
    validate_probe_results(doc)
    groups: dict[tuple[str, float], list[Mapping[str, Any]]] = {}
    for entry in doc["results"]:
        groups.setdefault((entry["method"], float(entry["label_fraction"])), []).append(entry)
    out = []
    for method, fraction in sorted(groups, key=lambda mf: (_method_key(mf[0]), mf[1])):
        rows = groups[(method, fraction)]
        keys = sorted({k for r in rows for k, v in r["metrics"].items() if v is not None})
        mean, std = _mean_std([r["score"] for r in rows])
        out.append(MethodSummary(
            method=method, label_fraction=fraction, num_results=len(rows), score_mean=mean, score_std=std,
            metrics={k: _mean_std([r["metrics"][k] for r in rows if r["metrics"].get(k) is not None]) for k in keys},
            num_labelled=float(np.mean([r["num_labelled"] for r in rows])),
        ))
    return out


def comparison_table(doc: Mapping[str, Any]) -> dict[tuple[str, float], Mapping[str, Any]]:
    """``{(baseline, label fraction): comparison}`` of a document's ``ssl``-vs-baseline comparisons."""
    return {(c["baseline"], float(c["label_fraction"])): c for c in doc.get("comparisons", []) if c["method"] == "ssl"}


def headline_name(doc: Mapping[str, Any]) -> str:
    """How the report names the score: ``"accuracy"``, ``"mAP"`` or ``"−MAE [unit]"``."""
    kind = doc["task"]["kind"]
    if kind == "regression":
        unit = doc["task"].get("unit") or ""
        return f"−MAE{f' [{unit}]' if unit else ''}"
    return HEADLINE_METRIC[kind]
