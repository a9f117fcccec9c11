"""The ``probe.json`` results schema (``docs/probe_results.md``): validation, chance level and summaries."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rvsim.errors import InputError

__all__ = [
    "validate_probe_results",
    "chance_accuracy",
    "summarize_results",
    "MethodSummary",
    "METHOD_ORDER",
    "PROBE_RESULTS_FORMAT",
]

#: Value of the optional ``"format"`` key of ``probe.json``.
PROBE_RESULTS_FORMAT = "rvsim-probe"

#: Methods in the order tables and plots show them (others follow alphabetically).
METHOD_ORDER: tuple[str, ...] = ("ssl", "ssl_knn", "supervised", "random", "raw")

_REQUIRED_TOP = ("task", "chance", "results")
_OPTIONAL_TOP = (
    "format", "chance_rule", "num_classes", "class_names", "split", "data", "encoder", "retrieval", "config",
    "rvsim_version",
)
_REQUIRED_ENTRY = ("method", "label_fraction", "seed", "accuracy", "macro_f1")
_OPTIONAL_ENTRY = ("num_labelled", "C")


def _fail(where: str, problem: str, value: Any) -> InputError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return InputError(f"probe results: {where} {problem}. Received: {shown}")


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and math.isfinite(float(v))


def _unit(v: Any, where: str) -> None:
    if not _is_num(v) or not 0.0 <= float(v) <= 1.0:
        raise _fail(where, "must be a number in [0, 1]", v)


def _check_entry(i: int, entry: Any) -> None:
    where = f"results[{i}]"
    if not isinstance(entry, Mapping):
        raise _fail(where, "must be an object", entry)
    missing = [k for k in _REQUIRED_ENTRY if k not in entry]
    if missing:
        raise _fail(where, f"lacks the keys {missing}", sorted(entry))
    unknown = sorted(set(entry) - set(_REQUIRED_ENTRY) - set(_OPTIONAL_ENTRY))
    if unknown:
        raise _fail(where, f"has unknown keys {unknown} (allowed: {list(_REQUIRED_ENTRY + _OPTIONAL_ENTRY)})", unknown)
    if not isinstance(entry["method"], str) or not entry["method"]:
        raise _fail(f"{where}.method", "must be a non-empty string", entry["method"])
    lf = entry["label_fraction"]
    if not _is_num(lf) or not 0.0 < float(lf) <= 1.0:
        raise _fail(f"{where}.label_fraction", "must be a number in (0, 1]", lf)
    if not _is_int(entry["seed"]) or entry["seed"] < 0:
        raise _fail(f"{where}.seed", "must be an integer >= 0", entry["seed"])
    _unit(entry["accuracy"], f"{where}.accuracy")
    _unit(entry["macro_f1"], f"{where}.macro_f1")
    if "num_labelled" in entry and (not _is_int(entry["num_labelled"]) or entry["num_labelled"] < 1):
        raise _fail(f"{where}.num_labelled", "must be an integer >= 1", entry["num_labelled"])
    if "C" in entry and entry["C"] is not None and (not _is_num(entry["C"]) or float(entry["C"]) <= 0):
        raise _fail(f"{where}.C", "must be a positive number or null", entry["C"])


def _check_retrieval(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping) or "num_queries" not in value or "top1" not in value:
        raise _fail("retrieval", "must be null or an object with top1, ..., num_queries", value)
    for key, v in value.items():
        if key == "num_queries":
            if not _is_int(v) or v < 1:
                raise _fail("retrieval.num_queries", "must be an integer >= 1", v)
        elif key == "space":
            if v not in ("projection", "embedding"):
                raise _fail("retrieval.space", "must be 'projection' or 'embedding'", v)
        elif key == "median_rank":
            if not _is_num(v) or float(v) < 1:
                raise _fail("retrieval.median_rank", "must be a number >= 1", v)
        elif (key.startswith("top") and key[3:].isdigit()) or (key.startswith("chance_top") and key[10:].isdigit()):
            _unit(v, f"retrieval.{key}")
        else:
            raise _fail("retrieval", "has an unknown key (allowed: topK, chance_topK, median_rank, num_queries, space)", key)


def validate_probe_results(results: Any) -> None:
    """Check a ``probe.json`` document against its schema (``docs/probe_results.md``).

    Required: ``task`` (non-empty str), ``chance`` (number in [0, 1]) and ``results`` (a non-empty list of
    ``{"method": str, "label_fraction": (0, 1], "seed": int >= 0, "accuracy": [0, 1], "macro_f1": [0, 1]}``,
    optionally with ``num_labelled`` (int >= 1) and ``C`` (positive number or null)), no two entries with the
    same (method, label_fraction, seed). Optional documented keys are checked when present; unknown keys are
    errors.

    Args:
        results: The parsed JSON document.

    Raises:
        InputError: Naming the first mismatch and the value received.
    """
    if not isinstance(results, Mapping):
        raise _fail("the document", "must be a JSON object", type(results).__name__)
    missing = [k for k in _REQUIRED_TOP if k not in results]
    if missing:
        raise _fail("the document", f"lacks the keys {missing}", sorted(results))
    unknown = sorted(set(results) - set(_REQUIRED_TOP) - set(_OPTIONAL_TOP))
    if unknown:
        raise _fail("the document", f"has unknown keys {unknown}", unknown)
    if not isinstance(results["task"], str) or not results["task"]:
        raise _fail("task", "must be a non-empty string", results["task"])
    _unit(results["chance"], "chance")
    entries = results["results"]
    if not isinstance(entries, Sequence) or isinstance(entries, (str, bytes)) or not entries:
        raise _fail("results", "must be a non-empty list", entries)
    seen: set[tuple[str, float, int]] = set()
    for i, entry in enumerate(entries):
        _check_entry(i, entry)
        key = (entry["method"], float(entry["label_fraction"]), int(entry["seed"]))
        if key in seen:
            raise _fail(f"results[{i}]", "repeats an earlier (method, label_fraction, seed)", key)
        seen.add(key)
    if "format" in results and results["format"] != PROBE_RESULTS_FORMAT:
        raise _fail("format", f"must be {PROBE_RESULTS_FORMAT!r}", results["format"])
    if "chance_rule" in results and results["chance_rule"] not in ("majority", "uniform"):
        raise _fail("chance_rule", "must be 'majority' or 'uniform'", results["chance_rule"])
    if "num_classes" in results and (not _is_int(results["num_classes"]) or results["num_classes"] < 1):
        raise _fail("num_classes", "must be an integer >= 1", results["num_classes"])
    if "class_names" in results:
        names = results["class_names"]
        if not isinstance(names, Sequence) or isinstance(names, str) or not all(isinstance(s, str) for s in names):
            raise _fail("class_names", "must be a list of strings", names)
        if "num_classes" in results and len(names) != results["num_classes"]:
            raise _fail("class_names", f"must hold num_classes={results['num_classes']} names", len(names))
    if "split" in results:
        split = results["split"]
        if not isinstance(split, Mapping) or not all(_is_int(v) and v >= 0 for v in split.values()):
            raise _fail("split", "must map split names to sample counts (integers >= 0)", split)
    for key in ("data", "encoder", "rvsim_version"):
        if key in results and not isinstance(results[key], str):
            raise _fail(key, "must be a string", results[key])
    if "config" in results and not isinstance(results["config"], Mapping):
        raise _fail("config", "must be an object", results["config"])
    if "retrieval" in results:
        _check_retrieval(results["retrieval"])


def chance_accuracy(train_labels: np.ndarray, test_labels: np.ndarray, rule: str = "majority", num_classes: int | None = None) -> float:
    """Accuracy of a label-blind classifier on the test set.

    Args:
        train_labels: Training labels ``(n_train,)``.
        test_labels: Test labels ``(n_test,)``.
        rule: ``"majority"``: always predict the most frequent training class (ties: the smallest label) and
            score it on the test labels; ``"uniform"``: ``1 / num_classes``, the expected accuracy of guessing
            uniformly.
        num_classes: Number of classes (``"uniform"`` only).

    Returns:
        The chance accuracy in ``[0, 1]``.
    """
    if rule == "uniform":
        if not _is_int(num_classes) or num_classes < 1:  # type: ignore[operator]
            raise InputError(f"rule 'uniform' needs num_classes >= 1. Received: num_classes={num_classes!r}")
        return 1.0 / int(num_classes)  # type: ignore[arg-type]
    if rule != "majority":
        raise InputError(f"rule must be 'majority' or 'uniform'. Received: rule={rule!r}")
    train = np.asarray(train_labels)
    test = np.asarray(test_labels)
    if train.size == 0 or test.size == 0:
        raise InputError(f"chance needs training and test labels. Received: {train.size} and {test.size} labels")
    classes, counts = np.unique(train, return_counts=True)
    majority = classes[np.argmax(counts)]
    return float(np.mean(test == majority))


@dataclass(frozen=True)
class MethodSummary:
    """Mean and standard deviation over seeds of one (method, label fraction).

    Attributes:
        method: Method name.
        label_fraction: Label fraction in (0, 1].
        num_seeds: Number of seeds (results) summarised.
        accuracy_mean: Mean accuracy.
        accuracy_std: Sample standard deviation of the accuracy over seeds (ddof=1; 0 for one seed).
        macro_f1_mean: Mean macro F1.
        macro_f1_std: Sample standard deviation of the macro F1 (ddof=1; 0 for one seed).
        num_labelled: Mean number of labelled samples used (``None`` if not recorded).
    """

    method: str
    label_fraction: float
    num_seeds: int
    accuracy_mean: float
    accuracy_std: float
    macro_f1_mean: float
    macro_f1_std: float
    num_labelled: float | None


def _method_key(method: str) -> tuple[int, str]:
    return (METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER), method)


def summarize_results(results: Mapping[str, Any]) -> list[MethodSummary]:
    """Mean ± std over seeds per (method, label fraction), methods in :data:`METHOD_ORDER`, fractions ascending.

    Args:
        results: A valid ``probe.json`` document.
    """
    validate_probe_results(results)
    groups: dict[tuple[str, float], list[Mapping[str, Any]]] = {}
    for entry in results["results"]:
        groups.setdefault((entry["method"], float(entry["label_fraction"])), []).append(entry)
    out: list[MethodSummary] = []
    for method, fraction in sorted(groups, key=lambda mf: (_method_key(mf[0]), mf[1])):
        rows = groups[(method, fraction)]
        acc = np.array([float(r["accuracy"]) for r in rows])
        f1 = np.array([float(r["macro_f1"]) for r in rows])
        labelled = [r["num_labelled"] for r in rows if "num_labelled" in r]
        out.append(
            MethodSummary(
                method=method,
                label_fraction=fraction,
                num_seeds=len(rows),
                accuracy_mean=float(acc.mean()),
                accuracy_std=float(acc.std(ddof=1)) if acc.size > 1 else 0.0,
                macro_f1_mean=float(f1.mean()),
                macro_f1_std=float(f1.std(ddof=1)) if f1.size > 1 else 0.0,
                num_labelled=float(np.mean(labelled)) if labelled else None,
            )
        )
    return out
