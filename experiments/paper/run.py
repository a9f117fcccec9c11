"""Run the paper experiment: generate (or reuse) the dataset, train the SSL encoder, probe every task.

Usage::

    .venv/bin/python experiments/paper/run.py [--config experiments/paper/config.yaml] [--out runs/paper]
        [--data DIR] [--seeds N] [--tasks T ...] [--fractions 0.01 0.1]

Steps already done (a complete dataset, a finished run, a probe.json) are reused, so the script can be
rerun after an interruption. Writes OUT/results.md with one table per task.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml


def main() -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(here / "config.yaml"))
    parser.add_argument("--out", default="runs/paper")
    parser.add_argument("--data", default=None, help="use this existing dataset instead of generating one")
    parser.add_argument("--seeds", type=int, default=None, help="override probe.seeds")
    parser.add_argument("--tasks", nargs="+", default=None, help="override tasks")
    parser.add_argument("--fractions", type=float, nargs="+", default=None,
                        help="override probe.fractions; the probes go to OUT/probe-TASK-f<fractions>")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    if args.seeds is not None:
        cfg["probe"]["seeds"] = args.seeds
    if args.tasks is not None:
        cfg["tasks"] = args.tasks
    suffix = ""
    if args.fractions is not None:
        cfg["probe"]["fractions"] = args.fractions
        suffix = "-f" + "_".join(f"{f:g}" for f in args.fractions)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from rvsim.sim.sionna_import import import_sionna_rt

    import_sionna_rt()  # before TensorFlow: Dr.Jit crashes when imported after it
    from rvsim.config import load_scene_spec
    from rvsim.data import Dataset
    from rvsim.eval import ProbeConfig, run_probe
    from rvsim.sim.dataset_generation import generate_dataset
    from rvsim.train import TrainConfig, train_ssl

    timings: dict[str, float] = {}
    data = Path(args.data) if args.data else out / "data"
    d = cfg["dataset"]
    if not (data / "manifest.json").exists() or not Dataset(data, allow_incomplete=True).complete:
        t = time.perf_counter()
        generate_dataset(load_scene_spec(d["scene"]), data, d["num_samples"], seed=d["seed"],
                         shard_size=d["shard_size"], workers=d["workers"], resume=(data / "manifest.json").exists())
        timings["generate_s"] = time.perf_counter() - t
    run = out / "ssl"
    if not (run / "radio_encoder.keras").exists():
        t = time.perf_counter()
        train_ssl(data, run, TrainConfig.from_dict(cfg["train"]), verbose=2)
        timings["train_s"] = time.perf_counter() - t
    sections = []
    for task in cfg["tasks"]:
        probe_dir = out / f"probe-{task}{suffix}"
        if not (probe_dir / "probe.json").exists():
            t = time.perf_counter()
            run_probe(data, run, task, probe_dir, ProbeConfig(**cfg["probe"]), progress=print)
            timings[f"probe_{task}_s"] = time.perf_counter() - t
        sections.append((probe_dir / "probe.md").read_text())
    metrics = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if x.strip()]
    last = metrics[-1] if metrics else {}
    text = ["# Paper experiment results", "", f"Config: `{args.config}`; probe seeds {cfg['probe']['seeds']}, "
            f"tasks {cfg['tasks']}", "",
            "Final SSL epoch metrics: `" + json.dumps(last) + "`", "", "Timings [s]: `" + json.dumps(timings) + "`",
            ""] + sections
    (out / f"results{suffix}.md").write_text("\n".join(text) + "\n")
    print(f"wrote {out / f'results{suffix}.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
