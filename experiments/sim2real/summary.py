"""Compact per-scenario tables of a sim2real output folder (the tables of docs/real_data.md).

Usage (from the repository root)::

    .venv/bin/python experiments/sim2real/summary.py [--out runs/sim2real]

For every ``OUT/s*/probe.json`` (scenario tasks and scenario-17 tasks), one row per (report, label fraction):
the mean ± std of ``ssl``, ``supervised``, ``random``, ``raw`` (and ``zero-shot`` / ``zero-shot-raw``, probes
trained on simulated labels alone, on the ``ssl`` embedding / the raw input),
then the paired ``ssl`` − baseline differences with their 95 % bootstrap intervals (``*``: the interval
excludes 0). Writes ``OUT/summary.md`` and prints it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from rvsim.eval.probe_report import format_difference
    from rvsim.eval.probe_results import comparison_table, summarize_results

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/sim2real")
    args = parser.parse_args()
    out = Path(args.out)
    reports = sorted(out.glob("s*/probe.json"), key=lambda p: (p.parent.name.split("-", 1)[1],
                                                              int(p.parent.name[1:].split("-")[0])))
    if not reports:
        print(f"no s*/probe.json under {out}", file=sys.stderr)
        return 2
    methods = ("ssl", "supervised", "random", "raw")
    lines = []
    task = None
    for path in reports:
        doc = json.loads(path.read_text())
        name = path.parent.name
        this = name.split("-", 1)[1]
        if this != task:
            task = this
            lines += ["", f"### {task}", "",
                      "| report | labels | " + " | ".join(f"`{m}`" for m in methods) + " | `zero-shot` | "
                      "`zero-shot-raw` | `ssl` − `raw` | `ssl` − `random` | `ssl` − `supervised` |",
                      "|---|---|" + "---|" * (len(methods) + 5)]
        by = {(s.method, s.label_fraction): s for s in summarize_results(doc)}
        comps = comparison_table(doc)
        zero = by.get(("zero-shot", 0.0))
        zero_raw = by.get(("zero-shot-raw", 0.0))
        for f in sorted({s.label_fraction for s in by.values() if s.label_fraction > 0}):
            n = next(s.num_labelled for (m, fr), s in by.items() if fr == f)
            cells = [f"{by[(m, f)].score_mean:.3f} ± {by[(m, f)].score_std:.3f}" if (m, f) in by else "–"
                     for m in methods]
            zs = " | ".join(f"{z.score_mean:.3f} ± {z.score_std:.3f}" if z is not None else "–" for z in (zero, zero_raw))
            diffs = [format_difference(doc, comps[(b, f)]) if (b, f) in comps else "–"
                     for b in ("raw", "random", "supervised")]
            lines.append(f"| {name.split('-')[0]} | {100 * f:g} % ({n:.0f}) | " + " | ".join(cells) + f" | {zs} | "
                         + " | ".join(diffs) + " |")
    text = "\n".join(lines).strip() + "\n"
    (out / "summary.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
