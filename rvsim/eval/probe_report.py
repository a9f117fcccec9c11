"""Writing probe results: ``probe.json``, a Markdown table ``probe.md`` and the accuracy-vs-labels plot."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rvsim.eval.probe_results import MethodSummary, summarize_results, validate_probe_results

__all__ = [
    "write_probe_report",
    "probe_markdown",
    "plot_probe_accuracy",
    "write_json_atomic",
    "PROBE_JSON",
    "PROBE_MD",
    "PROBE_ACCURACY_PNG",
]

PROBE_JSON = "probe.json"
PROBE_MD = "probe.md"
PROBE_ACCURACY_PNG = "probe_accuracy.png"

_METHOD_LABELS = {
    "ssl": "SSL encoder + linear probe",
    "ssl_knn": "SSL encoder + kNN",
    "supervised": "supervised end to end",
    "random": "random encoder + linear probe",
    "raw": "raw input + linear probe",
}


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> Path:
    """Write ``data`` as indented JSON to ``path`` through a temporary file and ``os.replace``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _fraction_label(f: float) -> str:
    return f"{100.0 * f:.3g}%"


def _cell(mean: float, std: float, n: int) -> str:
    return f"{mean:.3f} ± {std:.3f}" if n > 1 else f"{mean:.3f}"


def probe_markdown(results: Mapping[str, Any]) -> str:
    """A Markdown report of a (valid) ``probe.json`` document: accuracy and macro-F1 tables (mean ± std over
    seeds per method and label fraction), the chance level, and retrieval scores when present."""
    summaries = summarize_results(results)
    fractions = sorted({s.label_fraction for s in summaries})
    methods = list(dict.fromkeys(s.method for s in summaries))
    by_key = {(s.method, s.label_fraction): s for s in summaries}
    rule = results.get("chance_rule", "majority")
    rule_text = "always predicting the majority training class" if rule == "majority" else "uniform guessing"
    lines = [f"# Linear probe: {results['task']}", ""]
    if "class_names" in results:
        lines.append(f"Classes ({len(results['class_names'])}): {', '.join(results['class_names'])}.")
    if "split" in results:
        lines.append("Split: " + ", ".join(f"{k} {v}" for k, v in results["split"].items()) + " samples.")
    if "encoder" in results:
        lines.append(f"Encoder run: `{results['encoder']}`.")
    lines.append(f"Chance accuracy ({rule_text}, scored on the test split): **{float(results['chance']):.3f}**.")
    seeds = sorted({s.num_seeds for s in summaries})
    lines += [
        "",
        f"Test-split scores, mean ± sample std (ddof=1) over {'/'.join(map(str, seeds))} seed(s); each column is a "
        "fraction of the training split's labels (stratified subsets, nested across fractions).",
        "",
    ]

    def labelled(f: float) -> str:
        counts = [by_key[(m, f)].num_labelled for m in methods if (m, f) in by_key]
        known = [c for c in counts if c is not None]
        return f" (n={known[0]:.0f})" if known else ""

    for metric, title in (("accuracy", "Accuracy"), ("macro_f1", "Macro F1")):
        lines += [f"## {title}", ""]
        lines.append("| method | " + " | ".join(_fraction_label(f) + labelled(f) for f in fractions) + " |")
        lines.append("|---|" + "---|" * len(fractions))
        for m in methods:
            cells = []
            for f in fractions:
                s: MethodSummary | None = by_key.get((m, f))
                if s is None:
                    cells.append("–")
                else:
                    mean, std = (s.accuracy_mean, s.accuracy_std) if metric == "accuracy" else (s.macro_f1_mean, s.macro_f1_std)
                    cells.append(_cell(mean, std, s.num_seeds))
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["Methods: " + "; ".join(f"`{m}` = {_METHOD_LABELS.get(m, m)}" for m in methods) + ".", ""]
    retrieval = results.get("retrieval")
    if retrieval:
        ks = sorted(int(k[3:]) for k in retrieval if k.startswith("top") and k[3:].isdigit())
        lines += ["## Radio → image retrieval", "", "| metric | value | chance |", "|---|---|---|"]
        for k in ks:
            chance = retrieval.get(f"chance_top{k}")
            lines.append(f"| top-{k} accuracy | {retrieval[f'top{k}']:.3f} | {'' if chance is None else f'{chance:.3f}'} |")
        if "median_rank" in retrieval:
            lines.append(f"| median rank of the own image | {retrieval['median_rank']:.1f} | "
                         f"{(retrieval['num_queries'] + 1) / 2:.1f} |")
        space = {"projection": "the projection space the objective trained", "embedding": "the encoder embeddings"}
        where = space.get(retrieval.get("space", ""), "")
        lines += ["", f"Queries: {retrieval['num_queries']} test-split radio samples, gallery: their camera images"
                  + (f"; cosine similarity in {where}." if where else "."), ""]
    return "\n".join(lines)


def plot_probe_accuracy(results: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Plot test accuracy against label fraction per method (log x, error bars = std over seeds) to ``path``.

    Args:
        results: A valid ``probe.json`` document.
        path: Output image file (PNG).
    """
    from matplotlib.figure import Figure

    summaries = summarize_results(results)
    fig = Figure(figsize=(6.0, 4.0), dpi=120)
    ax = fig.subplots()
    methods = list(dict.fromkeys(s.method for s in summaries))
    for i, method in enumerate(methods):
        rows = sorted((s for s in summaries if s.method == method), key=lambda s: s.label_fraction)
        shift = 1.0 + 0.04 * (i - (len(methods) - 1) / 2)  # small offsets keep error bars apart (log x)
        ax.errorbar(
            [100.0 * s.label_fraction * shift for s in rows],
            [s.accuracy_mean for s in rows],
            yerr=[s.accuracy_std for s in rows],
            marker="o",
            capsize=3,
            label=_METHOD_LABELS.get(method, method),
        )
    ax.axhline(float(results["chance"]), color="gray", linestyle="--", linewidth=1, label="chance")
    ax.set_xscale("log")
    fractions = sorted({s.label_fraction for s in summaries})
    ax.set_xticks([100.0 * f for f in fractions], [_fraction_label(f) for f in fractions])
    ax.minorticks_off()
    ax.set_xlabel("labelled fraction of the training split [%]")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0.0, 1.0)
    ax.set_title(f"Linear probe: {results['task']}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    return path


def write_probe_report(results: Mapping[str, Any], out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Validate ``results`` and write ``probe.json``, ``probe.md`` and ``probe_accuracy.png`` into ``out_dir``.

    Args:
        results: A ``probe.json`` document (``docs/probe_results.md``).
        out_dir: Output folder (created if missing).

    Returns:
        ``{"json": path, "md": path, "accuracy_png": path}``.

    Raises:
        InputError: If ``results`` does not match the schema (nothing is written then).
    """
    validate_probe_results(results)
    markdown = probe_markdown(results)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": write_json_atomic(out / PROBE_JSON, dict(results)),
        "md": out / PROBE_MD,
        "accuracy_png": plot_probe_accuracy(results, out / PROBE_ACCURACY_PNG),
    }
    paths["md"].write_text(markdown, encoding="utf-8")
    return paths
