"""The probe.json schema (version 2): validation, summaries, the report writer, and the documented schema."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.eval.probe_report import probe_markdown, write_probe_report
from rvsim.eval.probe_results import summarize_results, validate_probe_results


def _entry(method: str, fraction: float, subset: int | None, score: float, run: str | None = None,
           model_seed: int | None = None) -> dict[str, Any]:
    return {"method": method, "label_fraction": fraction, "num_labelled": 0 if fraction == 0 else 10,
            "split_seed": 0, "subset_seed": subset, "run": run, "model_seed": model_seed, "score": score,
            "metrics": {"accuracy": score, "macro_f1": score / 2}}


def valid_doc() -> dict[str, Any]:
    return {
        "format": "rvsim-probe",
        "schema_version": 2,
        "task": {"name": "count_person", "kind": "multiclass", "names": ["0", "1", "2", "3+"], "unit": "", "params": {}},
        "chance": {"score": 0.3, "rule": "majority class of the training split"},
        "results": [
            _entry("ssl", 0.1, 0, 0.6, run="a"), _entry("ssl", 0.1, 1, 0.7, run="a"), _entry("ssl", 0.1, 0, 0.8, run="b"),
            _entry("raw", 0.1, 0, 0.5), _entry("raw", 0.1, 1, 0.5),
            _entry("supervised", 0.1, 0, 0.55, model_seed=0), _entry("zero-shot", 0.0, None, 0.4, run="a"),
        ],
        "comparisons": [{"method": "ssl", "baseline": "raw", "label_fraction": 0.1, "difference": 0.2, "ci_low": 0.05,
                         "ci_high": 0.31, "confidence": 0.95, "resamples": 100, "units": 2}],
    }


def test_valid_documents_pass() -> None:
    validate_probe_results(valid_doc())


@pytest.mark.parametrize(
    ("path", "value", "match"),
    [
        (("format",), "other", "format"),
        (("schema_version",), 1, "schema_version"),
        (("task", "kind"), "ordinal", "task"),
        (("chance", "score"), float("nan"), "chance"),
        (("results", 0, "label_fraction"), 1.5, r"label_fraction must be a number in \[0, 1\]"),
        (("results", 0, "score"), float("inf"), "score"),
        (("results", 0, "subset_seed"), -1, "subset_seed"),
        (("results", 0, "run"), 3, "run"),
        (("results", 0, "metrics"), {}, "metrics"),
        (("comparisons", 0, "ci_low"), 0.5, "ci_low <= ci_high"),
    ],
)
def test_mismatches_raise(path: tuple[Any, ...], value: Any, match: str) -> None:
    doc = valid_doc()
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(InputError, match=match):
        validate_probe_results(doc)


def test_duplicates_unknown_keys_and_missing_keys_raise() -> None:
    doc = valid_doc()
    doc["results"].append(copy.deepcopy(doc["results"][0]))
    with pytest.raises(InputError, match="repeats"):
        validate_probe_results(doc)
    doc = valid_doc()
    doc["extra"] = 1
    with pytest.raises(InputError, match="unknown keys"):
        validate_probe_results(doc)
    doc = valid_doc()
    del doc["results"][2]["model_seed"]
    with pytest.raises(InputError, match="lacks the keys"):
        validate_probe_results(doc)


def test_summaries_pool_every_result_of_a_cell() -> None:
    by = {(s.method, s.label_fraction): s for s in summarize_results(valid_doc())}
    ssl = by[("ssl", 0.1)]
    assert ssl.num_results == 3 and ssl.score_mean == pytest.approx(0.7)
    assert ssl.score_std == pytest.approx(np.std([0.6, 0.7, 0.8], ddof=1))
    assert ssl.metrics["macro_f1"][0] == pytest.approx(0.35)
    assert by[("supervised", 0.1)].score_std == 0.0  # one result
    assert [s.method for s in summarize_results(valid_doc())][:3] == ["ssl", "supervised", "raw"]  # report order
    assert ("zero-shot", 0.0) in by


def test_report_shows_cells_intervals_and_no_label_rows(tmp_path: Path) -> None:
    md = probe_markdown(valid_doc())
    assert "| `ssl` | 0.700 ± 0.100 (3) |" in md
    assert "| `raw` | +20.0 [+5.0, +31.0]* |" in md  # the interval excludes 0
    assert "Without any label of these data" in md and "| `zero-shot` | 0.400" in md
    paths = write_probe_report(valid_doc(), tmp_path / "out")
    assert json.loads(paths["json"].read_text()) == valid_doc()
    assert paths["accuracy_png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_probe_report_writes_nothing_for_bad_results(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_probe_report({"task": "t"}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_documented_schema_matches_the_validator() -> None:
    """Every key in docs/probe_results.md's tables is accepted by the validator, and vice versa."""
    from rvsim.eval import probe_results

    text = (Path(__file__).resolve().parents[2] / "docs" / "probe_results.md").read_text()
    schema = text[text.index("## Schema"):]
    top_table, rest = schema.split("Entries of `results`")
    entry_table, comparison_table = rest.split("Entries of `comparisons`")
    key = re.compile(r"^\| (?:\*\*)?`(\w+)`(?:\*\*)? \|", re.M)
    required = re.compile(r"^\| \*\*`(\w+)`\*\* \|", re.M)
    assert set(key.findall(top_table)) == set(probe_results._REQUIRED_TOP + probe_results._OPTIONAL_TOP)
    assert set(required.findall(top_table)) == set(probe_results._REQUIRED_TOP)
    assert set(key.findall(entry_table)) == set(probe_results._REQUIRED_ENTRY + probe_results._OPTIONAL_ENTRY)
    assert set(required.findall(entry_table)) == set(probe_results._REQUIRED_ENTRY)
    assert set(required.findall(comparison_table)) == set(probe_results._REQUIRED_COMPARISON)
    example = json.loads(re.search(r"```json\n(.*?)```", schema, re.S).group(1))
    validate_probe_results(example)
