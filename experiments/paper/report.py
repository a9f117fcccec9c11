"""Tables and the unlabelled-scale figure of the paper experiment (``experiments/paper/run.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rvsim.eval.probe_report import format_difference
from rvsim.eval.probe_results import comparison_table, headline_name, summarize_results


def task_table(doc: dict[str, Any]) -> list[str]:
    """Score (mean ± std, results) per method and fraction, then ``ssl`` − each baseline with its interval."""
    summaries = summarize_results(doc)
    fractions = sorted({s.label_fraction for s in summaries})
    by = {(s.method, s.label_fraction): s for s in summaries}
    methods = list(dict.fromkeys(s.method for s in summaries))
    n = {f: next(s.num_labelled for s in summaries if s.label_fraction == f) for f in fractions}
    lines = [f"| method | " + " | ".join(f"{100 * f:g} % ({n[f]:.0f} labels)" for f in fractions) + " |",
             "|---|" + "---|" * len(fractions)]
    for m in methods:
        cells = [f"{by[(m, f)].score_mean:.3f} ± {by[(m, f)].score_std:.3f}" if (m, f) in by else "–" for f in fractions]
        lines.append(f"| `{m}` | " + " | ".join(cells) + " |")
    comps = comparison_table(doc)
    for b in dict.fromkeys(b for b, _ in comps):
        cells = [format_difference(doc, comps[(b, f)]) if (b, f) in comps else "–" for f in fractions]
        lines.append(f"| `ssl` − `{b}` | " + " | ".join(cells) + " |")
    return lines


def scale_figure(scale: dict[str, dict[str, dict[str, Any]]], main: dict[str, dict[str, Any]],
                 pool_sizes: dict[str, int], path: Path) -> None:
    """Score against unlabelled pool size per task and label fraction; the supervised score as a dashed line."""
    from matplotlib.figure import Figure

    tasks = list(scale)
    fig = Figure(figsize=(4.2 * len(tasks), 3.6), dpi=120)
    axes = fig.subplots(1, len(tasks), squeeze=False)[0]
    for ax, task in zip(axes, tasks):
        groups = sorted(scale[task], key=lambda g: pool_sizes[g])
        fractions = sorted({s.label_fraction for g in groups for s in summarize_results(scale[task][g])})
        for k, f in enumerate(fractions):
            xs, ys, es = [], [], []
            for g in groups:
                s = next((s for s in summarize_results(scale[task][g]) if s.method == "ssl" and s.label_fraction == f), None)
                if s is not None:
                    xs.append(pool_sizes[g]), ys.append(s.score_mean), es.append(s.score_std)
            line = ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=f"ssl, {100 * f:g} % labels")
            if task in main:
                sup = next((s for s in summarize_results(main[task]) if s.method == "supervised" and s.label_fraction == f),
                           None)
                if sup is not None:
                    ax.axhline(sup.score_mean, color=line[0].get_color(), linestyle="--", linewidth=1,
                               label=f"supervised, {100 * f:g} %")
        ax.set_xscale("log")
        ax.set_xlabel("unlabelled pool [samples]")
        ax.set_ylabel(f"test {headline_name(next(iter(scale[task].values())))}")
        ax.set_title(task)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)


def write_results(cfg: dict[str, Any], docs: dict[str, dict[str, Any]], scale: dict[str, dict[str, dict[str, Any]]],
                  out: Path, command: str) -> None:
    lines = ["# Paper experiment results", "", f"Command: `{command}`", ""]
    for task, doc in docs.items():
        lines += [f"## `{task}` ({doc['task']['kind']}; chance {doc['chance']['score']:.3f})", "", *task_table(doc), ""]
    if scale:
        sizes = {g["name"]: int(g["max_samples"]) for g in cfg["runs"]}
        scale_figure(scale, docs, sizes, out / "scale.png")
        lines += ["## Unlabelled scale", "", "![scale](scale.png)", ""]
        for task, groups in scale.items():
            for g, doc in sorted(groups.items(), key=lambda kv: sizes[kv[0]]):
                lines += [f"### `{task}`, pool {sizes[g]}", "", *task_table(doc), ""]
    (out / "results.md").write_text("\n".join(lines) + "\n")
