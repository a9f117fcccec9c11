"""probe.json schema: validation, chance level, summaries, and the written report."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.eval import chance_accuracy, summarize_results, validate_probe_results, write_probe_report


def doc() -> dict[str, Any]:
    results = []
    for method, base in (("ssl", 0.8), ("supervised", 0.6), ("random", 0.4), ("raw", 0.5)):
        for f in (0.01, 0.1, 1.0):
            for seed in (0, 1, 2):
                acc = min(1.0, base + 0.1 * np.log10(f) / 2 + 0.01 * seed)
                results.append({"method": method, "label_fraction": f, "seed": seed, "accuracy": acc,
                                "macro_f1": acc * 0.9, "num_labelled": int(max(1, f * 800)), "C": 0.1})
    return {
        "format": "rvsim-probe",
        "task": "count_person",
        "chance": 0.4,
        "chance_rule": "majority",
        "num_classes": 4,
        "class_names": ["0", "1", "2", "3+"],
        "split": {"train": 800, "val": 100, "test": 100},
        "data": "data", "encoder": "run",
        "retrieval": {"top1": 0.2, "top5": 0.5, "chance_top1": 0.01, "chance_top5": 0.05, "median_rank": 5.0,
                      "num_queries": 100, "space": "projection"},
        "config": {"seeds": 3},
        "rvsim_version": "0.1.0",
        "results": results,
    }


def test_valid_documents_pass() -> None:
    validate_probe_results(doc())
    minimal = {"task": "t", "chance": 0.25,
               "results": [{"method": "ssl", "label_fraction": 1.0, "seed": 0, "accuracy": 1.0, "macro_f1": 0.0}]}
    validate_probe_results(minimal)
    validate_probe_results(json.loads(json.dumps(doc())))  # JSON round trip
    validate_probe_results({**doc(), "retrieval": None})


def _set(d: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    d = copy.deepcopy(d)
    target = d
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return d


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "match"),
    [
        (("task",), _DELETE, "lacks the keys"),
        (("results",), _DELETE, "lacks the keys"),
        (("chance",), 1.5, "chance"),
        (("chance",), "0.2", "chance"),
        (("task",), "", "task"),
        (("results",), [], "non-empty list"),
        (("extra",), 1, "unknown keys"),
        (("results", 0, "accuracy"), -0.1, "accuracy"),
        (("results", 0, "macro_f1"), float("nan"), "macro_f1"),
        (("results", 0, "label_fraction"), 0.0, "label_fraction"),
        (("results", 0, "label_fraction"), 1.2, "label_fraction"),
        (("results", 0, "seed"), -1, "seed"),
        (("results", 0, "seed"), 1.0, "seed"),
        (("results", 0, "method"), "", "method"),
        (("results", 0, "method"), _DELETE, "lacks"),
        (("results", 0, "foo"), 1, "unknown keys"),
        (("results", 0, "num_labelled"), 0, "num_labelled"),
        (("results", 0, "C"), -1.0, "C"),
        (("chance_rule",), "median", "chance_rule"),
        (("class_names",), ["a"], "class_names"),
        (("format",), "other", "format"),
        (("retrieval", "top1"), 2.0, "top1"),
        (("retrieval", "bogus"), 1, "unknown key"),
        (("split", "train"), -5, "split"),
    ],
)
def test_mismatches_raise(path: tuple[Any, ...], value: Any, match: str) -> None:
    with pytest.raises(InputError, match=match):
        validate_probe_results(_set(doc(), path, value))


def test_duplicates_and_non_objects_raise() -> None:
    d = doc()
    d["results"].append(dict(d["results"][0]))
    with pytest.raises(InputError, match="repeats"):
        validate_probe_results(d)
    with pytest.raises(InputError, match="JSON object"):
        validate_probe_results([1, 2])


def test_chance_accuracy() -> None:
    train = np.array([0, 1, 1, 1, 2])
    test = np.array([1, 1, 0, 2])
    assert chance_accuracy(train, test) == 0.5  # majority training class 1
    assert chance_accuracy(np.array([2, 0, 0, 2]), np.array([0, 2, 2])) == pytest.approx(1 / 3)  # tie: smaller label
    assert chance_accuracy(train, test, "uniform", num_classes=4) == 0.25
    with pytest.raises(InputError):
        chance_accuracy(train, test, "uniform")
    with pytest.raises(InputError):
        chance_accuracy(train, test, "best")


def test_summaries_are_mean_and_sample_std() -> None:
    summaries = summarize_results(doc())
    assert [s.method for s in summaries][::3] == ["ssl", "supervised", "random", "raw"]
    s = next(s for s in summaries if s.method == "ssl" and s.label_fraction == 0.1)
    accs = [r["accuracy"] for r in doc()["results"] if r["method"] == "ssl" and r["label_fraction"] == 0.1]
    assert s.num_seeds == 3
    assert s.accuracy_mean == pytest.approx(np.mean(accs))
    assert s.accuracy_std == pytest.approx(np.std(accs, ddof=1))
    assert s.num_labelled == 80


def test_write_probe_report(tmp_path: Path) -> None:
    paths = write_probe_report(doc(), tmp_path / "out")
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"probe.json", "probe.md", "probe_accuracy.png"}
    loaded = json.loads(paths["json"].read_text())
    validate_probe_results(loaded)
    assert loaded == json.loads(json.dumps(doc()))
    md = paths["md"].read_text()
    assert "| ssl | " in md and "± " in md and "0.400" in md and "top-1" in md
    assert paths["accuracy_png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_probe_report_writes_nothing_for_bad_results(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_probe_report({"task": "t"}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_documented_schema_matches_the_validator() -> None:
    """Every key in docs/probe_results.md's tables is accepted by the validator, and vice versa."""
    import re

    from rvsim.eval import probe_results

    text = (Path(__file__).resolve().parents[2] / "docs" / "probe_results.md").read_text()
    schema = text[text.index("## Schema"):]
    top_table, entry_table = schema.split("Entries of `results`")
    key = re.compile(r"^\| (?:\*\*)?`(\w+)`(?:\*\*)? \|", re.M)
    required = re.compile(r"^\| \*\*`(\w+)`\*\* \|", re.M)
    assert set(key.findall(top_table)) == set(probe_results._REQUIRED_TOP + probe_results._OPTIONAL_TOP)
    assert set(required.findall(top_table)) == set(probe_results._REQUIRED_TOP)
    assert set(key.findall(entry_table)) == set(probe_results._REQUIRED_ENTRY + probe_results._OPTIONAL_ENTRY)
    assert set(required.findall(entry_table)) == set(probe_results._REQUIRED_ENTRY)
    example = json.loads(re.search(r"```json\n(.*?)```", schema, re.S).group(1))
    validate_probe_results(example)
