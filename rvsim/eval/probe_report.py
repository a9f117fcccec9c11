"""The one report writer of the protocol: ``probe.json``, ``probe.md`` and ``probe_accuracy.png``.

``rvsim probe`` and ``rvsim real`` both write their results through :func:`write_probe_report`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rvsim.eval.probe_results import comparison_table, headline_name, summarize_results, validate_probe_results

__all__ = [
    "write_probe_report",
    "probe_markdown",
    "plot_probe_accuracy",
    "write_json_atomic",
    "format_difference",
    "PROBE_JSON",
    "PROBE_MD",
    "PROBE_ACCURACY_PNG",
    "METHOD_LABELS",
]

PROBE_JSON = "probe.json"
PROBE_MD = "probe.md"
PROBE_ACCURACY_PNG = "probe_accuracy.png"

#: How reports describe each method.
METHOD_LABELS = {
    "ssl": "self-supervised encoder + linear probe",
    "supervised": "same encoder architecture trained end to end on the labelled subset",
    "random": "randomly initialised encoder + linear probe",
    "raw": "normalised radio input + linear probe",
    "vision": "vision (teacher) encoder on the camera image + linear probe",
    "zero-shot": "probe trained on simulated labels only (bins from the simulated labels), no real label",
    "zero-shot-raw": "the same on the normalised radio input",
    "zero-shot-realbins": "probe trained on simulated labels, classes binned with the real training split's edges "
                          "(uses the real training labels' distribution)",
}


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> Path:
    """Write ``data`` as indented JSON to ``path`` through a temporary file and ``os.replace``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _fraction_label(f: float) -> str:
    return "no label" if f == 0 else f"{100.0 * f:.3g}%"


def format_difference(doc: Mapping[str, Any], c: Mapping[str, Any]) -> str:
    """``+3.1 [+0.4, +5.9]`` in points (×100) for accuracy/mAP, in the task's unit for regression; a star
    marks an interval that excludes 0."""
    scale, fmt = (1.0, "{:+.2f}") if doc["task"]["kind"] == "regression" else (100.0, "{:+.1f}")
    d, lo, hi = (scale * float(c[k]) for k in ("difference", "ci_low", "ci_high"))
    star = "*" if lo > 0 or hi < 0 else ""
    return f"{fmt.format(d)} [{fmt.format(lo)}, {fmt.format(hi)}]{star}"


def probe_markdown(doc: Mapping[str, Any], title: str = "Linear probe") -> str:
    """A Markdown report of a (valid) ``probe.json`` document."""
    summaries = summarize_results(doc)
    task = doc["task"]
    labelled = sorted({s.label_fraction for s in summaries if s.label_fraction > 0})
    methods = list(dict.fromkeys(s.method for s in summaries if s.label_fraction > 0))
    unlabelled = [s for s in summaries if s.label_fraction == 0]
    by_key = {(s.method, s.label_fraction): s for s in summaries}
    score = headline_name(doc)
    lines = [f"# {title}: `{task['name']}` ({task['kind']})", ""]
    if task.get("description"):
        lines.append(f"{task['description']}.")
    if task.get("names"):
        what = {"multiclass": "Classes", "multilabel": "Labels", "regression": "Target"}[task["kind"]]
        lines.append(f"{what} ({len(task['names'])}): {', '.join(task['names'])}"
                     + (f" [{task['unit']}]" if task.get("unit") else "") + ".")
    if task.get("params"):
        lines.append("Task parameters (from the training split only): "
                     + ", ".join(f"{k} = {v}" for k, v in task["params"].items()) + ".")
    chance = doc["chance"]
    lines.append(f"Chance ({chance.get('rule', 'label-blind')}): **{float(chance['score']):.3f}**.")
    for split in doc.get("splits", []) or []:
        lines.append(f"Split seed {split.get('split_seed')}: " + ", ".join(
            f"{k} {v}" for k, v in split.items() if k in ("train", "test", "groups_train", "grouping")) + ".")
    lines += [
        "",
        f"## Score: {score} (higher is better), mean ± sample std over results",
        "",
        "Each column is a fraction of the training split's labels (nested stratified subsets); a cell pools "
        "every training run, subset seed and split seed (count in brackets).",
        "",
    ]

    def n_label(f: float) -> str:
        counts = [by_key[(m, f)].num_labelled for m in methods if (m, f) in by_key]
        return f" (n={counts[0]:.0f})" if counts else ""

    lines.append("| method | " + " | ".join(_fraction_label(f) + n_label(f) for f in labelled) + " |")
    lines.append("|---|" + "---|" * len(labelled))
    for m in methods:
        cells = []
        for f in labelled:
            s = by_key.get((m, f))
            cells.append("–" if s is None else f"{s.score_mean:.3f} ± {s.score_std:.3f} ({s.num_results})")
        lines.append(f"| `{m}` | " + " | ".join(cells) + " |")
    if unlabelled:
        lines += ["", "Without any label of these data:", "", "| method | score | results |", "|---|---|---|"]
        lines += [f"| `{s.method}` | {s.score_mean:.3f} ± {s.score_std:.3f} | {s.num_results} |" for s in unlabelled]
    comps = comparison_table(doc)
    if comps:
        baselines = list(dict.fromkeys(b for b, _ in comps))
        unit = f"[{task.get('unit') or 'unit'}]" if task["kind"] == "regression" else "in points (×100)"
        lines += [
            "",
            f"## `ssl` − baseline, paired, {100 * next(iter(comps.values()))['confidence']:.0f} % bootstrap interval",
            "",
            f"Differences of the score {unit}; * marks an interval that excludes 0 (otherwise: no difference). "
            "Resampled: subsets with their split, training runs and model seeds within them, test rows.",
            "",
            "| baseline | " + " | ".join(_fraction_label(f) for f in labelled) + " |",
            "|---|" + "---|" * len(labelled),
        ]
        for b in baselines:
            cells = [format_difference(doc, comps[(b, f)]) if (b, f) in comps else "–" for f in labelled]
            lines.append(f"| `{b}` | " + " | ".join(cells) + " |")
    metric_names = list(dict.fromkeys(k for s in summaries for k in s.metrics))
    if metric_names:
        lines += ["", "## Every metric (mean ± std)", "", "| method | labels | " + " | ".join(metric_names) + " |",
                  "|---|---|" + "---|" * len(metric_names)]
        for s in summaries:
            cells = [f"{s.metrics[k][0]:.3f} ± {s.metrics[k][1]:.3f}" if k in s.metrics else "–" for k in metric_names]
            lines.append(f"| `{s.method}` | {_fraction_label(s.label_fraction)} | " + " | ".join(cells) + " |")
    budgets = [r for r in doc["results"] if r["method"] == "supervised" and "budget" in r]
    if budgets:
        lines += ["", "## Budget of the supervised baseline", ""]
        for f in labelled:
            rows = [r["budget"] for r in budgets if float(r["label_fraction"]) == f]
            if not rows:
                continue
            chosen = Counter(f"lr {b['chosen']['lr']:g}, wd {b['chosen']['weight_decay']:g}, {b['chosen']['epochs']} epochs"
                             for b in rows)
            steps = sum(b["total_steps"] for b in rows) / len(rows)
            secs = sum(b["seconds"] for b in rows) / len(rows)
            rules = Counter(b["selection"] for b in rows)
            lines.append(f"- {_fraction_label(f)}: {len(rows)} trainings; {steps:.0f} optimiser steps and {secs:.0f} s each "
                         f"on average; selection: " + "; ".join(f"{k} ({v})" for k, v in rules.items())
                         + "; chosen: " + "; ".join(f"{k} ({v}×)" for k, v in chosen.most_common()))
    probes = [r["probe"] for r in doc["results"] if "probe" in r]
    if probes:
        cv = sum(1 for p in probes if p["cv_used"])
        lines += ["", f"Linear probes: regularisation chosen by grouped cross-validation in {cv} of {len(probes)} fits, "
                  "the documented default in the others (labelled subset too small to cross-validate)."]
    retrieval = doc.get("retrieval")
    if retrieval:
        lines += ["", "## Radio → image retrieval on the test split", "", "| run | top-1 | top-5 | chance top-1 | median rank |",
                  "|---|---|---|---|---|"]
        for run, r in retrieval.items():
            lines.append(f"| {run} | {r['top1']:.3f} | {r['top5']:.3f} | {r['chance_top1']:.3f} | {r.get('median_rank', float('nan')):.1f} |")
    lines += ["", "Methods: " + "; ".join(f"`{m}` = {METHOD_LABELS.get(m, m)}" for m in dict.fromkeys(s.method for s in summaries)) + "."]
    skipped = doc.get("skipped") or {}
    if skipped:
        lines.append("Skipped: " + "; ".join(f"`{m}` ({why})" for m, why in skipped.items()) + ".")
    if doc.get("command"):
        lines += ["", f"Command: `{doc['command']}`"]
    return "\n".join(lines) + "\n"


def plot_probe_accuracy(doc: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Plot the score against label fraction per method (log x, error bars = std), chance and no-label lines."""
    from matplotlib.figure import Figure

    summaries = summarize_results(doc)
    fig = Figure(figsize=(6.4, 4.2), dpi=120)
    ax = fig.subplots()
    methods = list(dict.fromkeys(s.method for s in summaries if s.label_fraction > 0))
    for i, method in enumerate(methods):
        rows = sorted((s for s in summaries if s.method == method and s.label_fraction > 0), key=lambda s: s.label_fraction)
        shift = 1.0 + 0.04 * (i - (len(methods) - 1) / 2)  # small offsets keep error bars apart (log x)
        ax.errorbar([100.0 * s.label_fraction * shift for s in rows], [s.score_mean for s in rows],
                    yerr=[s.score_std for s in rows], marker="o", capsize=3, label=method)
    for s in summaries:
        if s.label_fraction == 0:
            ax.axhline(s.score_mean, linestyle="-.", linewidth=1, color="black", label=f"{s.method} (no label)")
    ax.axhline(float(doc["chance"]["score"]), color="gray", linestyle="--", linewidth=1, label="chance")
    ax.set_xscale("log")
    fractions = sorted({s.label_fraction for s in summaries if s.label_fraction > 0})
    ax.set_xticks([100.0 * f for f in fractions], [_fraction_label(f) for f in fractions])
    ax.minorticks_off()
    ax.set_xlabel("labelled fraction of the training split [%]")
    ax.set_ylabel(f"test {headline_name(doc)}")
    if doc["task"]["kind"] != "regression":
        ax.set_ylim(0.0, 1.0)
    ax.set_title(f"{doc['task']['name']}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    return path


def write_probe_report(doc: Mapping[str, Any], out_dir: str | os.PathLike[str], title: str = "Linear probe") -> dict[str, Path]:
    """Validate ``doc`` and write ``probe.json``, ``probe.md`` and ``probe_accuracy.png`` into ``out_dir``.

    Raises:
        InputError: If ``doc`` does not match the schema (nothing is written then).
    """
    validate_probe_results(doc)
    markdown = probe_markdown(doc, title)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": write_json_atomic(out / PROBE_JSON, dict(doc)),
        "md": out / PROBE_MD,
        "accuracy_png": plot_probe_accuracy(doc, out / PROBE_ACCURACY_PNG),
    }
    paths["md"].write_text(markdown, encoding="utf-8")
    return paths
