"""Per-beam statistics of normalised beam vectors, real against simulated: the shift a sim-to-real
evaluation reports beside its scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["beam_statistics", "plot_beam_statistics"]


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
