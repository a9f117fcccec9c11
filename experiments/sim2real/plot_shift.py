"""One figure of the real-vs-simulated shift over every scenario of a sim2real output folder.

Usage (from the repository root)::

    .venv/bin/python experiments/sim2real/plot_shift.py [--out runs/sim2real] [--png docs/figures/sim2real_shift.png]

Reads ``OUT/s*-bearing/beam_statistics.json`` (written by ``rvsim real --sim-data``) and draws, per
scenario and for the simulated street data, the mean normalised beam profile and the best-beam distribution.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/sim2real")
    parser.add_argument("--png", default=None, help="figure path (default OUT/shift.png)")
    args = parser.parse_args()
    out = Path(args.out)
    files = sorted(out.glob("s*-bearing/beam_statistics.json"), key=lambda p: int(p.parent.name[1:].split("-")[0]))
    if not files:
        print(f"no s*-bearing/beam_statistics.json under {out}", file=sys.stderr)
        return 2
    docs = [(p.parent.name.split("-")[0], json.loads(p.read_text())) for p in files]
    sim = next((d["simulated"] for _, d in docs if d.get("simulated")), None)
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    beams = np.arange(64)
    colours = plt.cm.viridis(np.linspace(0, 0.85, len(docs)))
    for (name, doc), colour in zip(docs, colours):
        real = doc["real"]
        axes[0].plot(beams, real["mean_db"], color=colour, lw=1.2, label=f"real {name} (n={real['num_samples']})")
        axes[1].plot(beams, real["best_beam_hist"], color=colour, lw=1.0, drawstyle="steps-mid", label=f"real {name}")
    if sim is not None:
        axes[0].plot(beams, sim["mean_db"], color="tab:red", lw=2.2, ls="--", label=f"simulated (n={sim['num_samples']})")
        axes[1].plot(beams, sim["best_beam_hist"], color="tab:red", lw=1.8, ls="--", drawstyle="steps-mid",
                     label="simulated")
    axes[0].set(xlabel="beam (codebook order)", ylabel="mean power rel. sample peak [dB]",
                title="mean normalised beam profile")
    axes[1].set(xlabel="best beam", ylabel="fraction of samples", title="best-beam distribution")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, ncol=2)
    axes[1].legend(fontsize=7, ncol=2)
    fig.suptitle("DeepSense 6G scenarios vs the simulated street (measured beam patterns)")
    fig.tight_layout()
    png = Path(args.png) if args.png else out / "shift.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)
    print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
