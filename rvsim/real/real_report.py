"""Files of an ``rvsim real`` run: ``real_report.json``/``.md``, beam statistics and plots."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "REPORT_NAME",
    "beam_statistics",
    "write_real_report",
    "plot_accuracy_vs_fraction",
    "plot_beam_statistics",
]

#: The results file (``probe.json`` schema).
REPORT_NAME: str = "real_report.json"


def beam_statistics(x: np.ndarray) -> dict[str, Any]:
    """Per-beam statistics of normalised beam-power vectors.

    Args:
        x: ``(n, num_beams)`` normalised powers [dB relative to each sample's peak].

    Returns:
        ``{"num_samples", "mean_db" (num_beams,), "std_db" (num_beams,), "best_beam_hist" (num_beams,) fractions,
        "median_min_db"}`` (lists, JSON-able); ``median_min_db`` is the median over samples of the weakest
        beam, i.e. minus the typical peak-to-floor ratio.
    """
    arr = np.asarray(x, dtype=np.float64)
    hist = np.bincount(np.argmax(arr, axis=1), minlength=arr.shape[1]) / max(arr.shape[0], 1)
    return {
        "num_samples": int(arr.shape[0]),
        "mean_db": arr.mean(axis=0).round(4).tolist(),
        "std_db": arr.std(axis=0).round(4).tolist(),
        "best_beam_hist": hist.round(6).tolist(),
        "median_min_db": float(np.median(arr.min(axis=1))),
    }


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def plot_beam_statistics(real: dict[str, Any], sim: dict[str, Any] | None, path: Path, title: str = "") -> None:
    """Mean ± std normalised dB profile per beam and best-beam distribution, real vs simulated.

    Args:
        real: :func:`beam_statistics` of the real vectors.
        sim: The same for simulated vectors, or None.
        path: PNG to write.
        title: Figure title.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for stats, label, colour in ((real, "real", "tab:blue"), (sim, "simulated", "tab:orange")):
        if stats is None:
            continue
        beams = np.arange(len(stats["mean_db"]))
        mean, std = np.asarray(stats["mean_db"]), np.asarray(stats["std_db"])
        axes[0].plot(beams, mean, color=colour, label=f"{label} (n={stats['num_samples']})")
        axes[0].fill_between(beams, mean - std, mean + std, color=colour, alpha=0.2)
        axes[1].step(beams, stats["best_beam_hist"], where="mid", color=colour, label=label)
    axes[0].set(xlabel="beam (codebook order)", ylabel="power rel. peak [dB]", title="mean ± std per beam")
    axes[1].set(xlabel="best beam", ylabel="fraction of samples", title="best-beam distribution")
    for ax in axes:
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_accuracy_vs_fraction(doc: dict[str, Any], path: Path) -> None:
    """Accuracy (mean ± std over seeds) against real label fraction; zero-shot rows as horizontal lines.

    Args:
        doc: A results document (``probe.json`` schema).
        path: PNG to write.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rvsim.eval.probe_results import summarize_results

    fig, ax = plt.subplots(figsize=(6, 4))
    by_method: dict[str, list[Any]] = {}
    for summary in summarize_results(doc):  # mean and sample std over seeds, fractions ascending
        by_method.setdefault(summary.method, []).append(summary)
    fractions = sorted({s.label_fraction for m, ss in by_method.items() if not m.startswith("zero-shot") for s in ss})
    for method, rows in by_method.items():
        if method.startswith("zero-shot"):
            ax.axhline(rows[0].accuracy_mean, linestyle="--", label=f"{method} (sim labels only)",
                       color="grey" if method.endswith("raw") else "black")
            continue
        ax.errorbar([r.label_fraction for r in rows], [r.accuracy_mean for r in rows],
                    yerr=[r.accuracy_std for r in rows], marker="o", capsize=3, label=method)
    ax.axhline(doc["chance"], color="red", linewidth=0.8, linestyle=":", label="chance")
    if len(fractions) > 1:
        ax.set_xscale("log")
    ax.set(xlabel="fraction of real training labels", ylabel="test accuracy", ylim=(0, 1), title=doc["task"])
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _markdown(doc: dict[str, Any]) -> str:
    from rvsim.eval.probe_results import summarize_results

    lines = [
        f"# {doc['task']}",
        "",
        f"- data: {doc.get('data', '')}",
        f"- encoder: {doc.get('encoder', '') or '(none)'}",
        f"- split: {doc.get('split', {})}",
        f"- chance ({doc.get('chance_rule', 'majority')}): {doc['chance']:.3f}",
        "",
        "Mean ± sample std (ddof=1) over seeds, on the real test split.",
        "",
        "| method | label fraction | seeds | accuracy | macro F1 |",
        "|---|---|---|---|---|",
    ]
    for r in summarize_results(doc):
        lines.append(
            f"| {r.method} | {r.label_fraction:g} | {r.num_seeds} | {r.accuracy_mean:.3f} ± {r.accuracy_std:.3f} | "
            f"{r.macro_f1_mean:.3f} ± {r.macro_f1_std:.3f} |"
        )
    skipped = doc.get("config", {}).get("skipped", {})
    if skipped:
        lines += ["", "Skipped: " + "; ".join(f"{m} ({why})" for m, why in skipped.items())]
    return "\n".join(lines) + "\n"


def write_real_report(
    doc: dict[str, Any], out_dir: str | Path, *, real_stats: dict[str, Any], sim_stats: dict[str, Any] | None
) -> dict[str, Path]:
    """Write ``real_report.json``, ``real_report.md``, ``beam_statistics.json`` and the two plots.

    Args:
        doc: The results document.
        out_dir: Output folder (created if needed).
        real_stats: :func:`beam_statistics` of the real vectors.
        sim_stats: The same of the simulated vectors, or None.

    Returns:
        ``{name: path}`` of the files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "report": out / REPORT_NAME,
        "markdown": out / "real_report.md",
        "beam_statistics": out / "beam_statistics.json",
        "beam_statistics_png": out / "beam_statistics.png",
        "accuracy_png": out / "accuracy_vs_fraction.png",
    }
    _atomic_write(paths["report"], json.dumps(doc, indent=2) + "\n")
    _atomic_write(paths["markdown"], _markdown(doc) if doc["results"] else f"# {doc['task']}\n\nNo method was run.\n")
    _atomic_write(paths["beam_statistics"], json.dumps({"real": real_stats, "simulated": sim_stats}, indent=1) + "\n")
    plot_beam_statistics(real_stats, sim_stats, paths["beam_statistics_png"], title=doc["task"])
    if doc["results"]:
        plot_accuracy_vs_fraction(doc, paths["accuracy_png"])
    else:
        del paths["accuracy_png"]
    return paths
