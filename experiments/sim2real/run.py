"""Train the street encoder on simulated data and test it on every real DeepSense scenario.

Usage (from the repository root)::

    .venv/bin/python experiments/sim2real/run.py [--config experiments/sim2real/config.yaml] [--out runs/sim2real]
        [--num-samples N] [--epochs E] [--seeds 0 1 2] [--scenarios 5 6] [--tasks bearing] [--fractions 0.01 0.1]
        [--horizons 1 5 10] [--series-splits official] [--no-blockage]

Steps already done are reused (rerun after an interruption). One self-supervised run per seed of
``train.seeds`` (``OUT/ssl-seedS``); every ``rvsim real`` report probes all of them, so each cell is a mean
over training seeds, label subsets and splits. The first seed's radio encoder is copied to
``OUT/street_encoder.keras``; to ship it as ``--encoder street-pretrained``, copy it to
``rvsim/assets/street_encoder.keras`` (at most 5 MB). Each scenario's ``rvsim real`` report is
``OUT/sN-TASK/probe.json``; writes ``OUT/results.md``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import yaml


def scenario_section(name: str, doc: dict) -> list[str]:
    """One scenario-task: the score table with the paired ``ssl`` − baseline intervals (experiments/paper)."""
    from experiments.paper.report import task_table
    from rvsim.eval.probe_results import headline_name

    return [f"## {name} ({headline_name(doc)}, chance {doc['chance']['score']:.3f})", "", *task_table(doc), ""]


def main() -> int:
    here = Path(__file__).resolve().parent
    root = here.parents[1]
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `experiments` importable when run as a script
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(here / "config.yaml"))
    parser.add_argument("--out", default="runs/sim2real")
    parser.add_argument("--num-samples", type=int, default=None, help="override dataset.num_samples")
    parser.add_argument("--epochs", type=int, default=None, help="override train.epochs")
    parser.add_argument("--scenarios", type=int, nargs="+", default=None, help="override real.scenarios")
    parser.add_argument("--tasks", nargs="*", default=None, help="override real.tasks (bearing, range; none: skip)")
    parser.add_argument("--no-blockage", action="store_true", help="skip the scenario-17 blockage probe")
    parser.add_argument("--horizons", type=int, nargs="*", default=None,
                        help="override real.future_horizons (blockage-future K; none: skip)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="override train.seeds")
    parser.add_argument("--series-splits", nargs="+", choices=("official", "blocks"), default=None,
                        help="override real.future_series_splits (blockage-future)")
    parser.add_argument("--fractions", type=float, nargs="+", default=None,
                        help="override real.fractions of the scenario tasks (blockage-future keeps real.fractions)")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from rvsim.sim.sionna_import import import_sionna_rt

    import_sionna_rt()  # before TensorFlow: Dr.Jit crashes when imported after it
    from rvsim.cli import main as rvsim_main
    from rvsim.config import load_scene_spec
    from rvsim.data import Dataset
    from rvsim.sim.dataset_generation import generate_dataset
    from rvsim.train import TrainConfig, train_ssl

    d = cfg["dataset"]
    num_samples = args.num_samples or d["num_samples"]
    data = out / "street"
    if not (data / "manifest.json").exists() or not Dataset(data, allow_incomplete=True).complete:
        spec = load_scene_spec(Path(args.config).resolve().parent / d["scene"])
        generate_dataset(spec, data, num_samples, seed=d["seed"], shard_size=min(d["shard_size"], num_samples),
                         workers=d["workers"], resume=(data / "manifest.json").exists())
    train = dict(cfg["train"])
    seeds = args.seeds or train.pop("seeds", [train.get("seed", 0)])
    train.pop("seeds", None)
    if args.epochs is not None:
        train["epochs"] = args.epochs
    runs = [out / f"ssl-seed{s}" for s in seeds]
    for seed, run in zip(seeds, runs):
        if not (run / "radio_encoder.keras").exists():
            train_ssl(data, run, TrainConfig.from_dict({**train, "seed": seed}), verbose=2)
    shutil.copyfile(runs[0] / "radio_encoder.keras", out / "street_encoder.keras")

    r = cfg["real"]
    real_dir = (root / r["data"]).resolve()
    jobs = [(s, t) for t in (r["tasks"] if args.tasks is None else args.tasks) for s in (args.scenarios or r["scenarios"])]
    horizons = r.get("future_horizons", []) if args.horizons is None else args.horizons
    jobs += [(None, f"blockage-future-{k}" + ("" if split == "official" else f"-{split}"))
             for k in horizons for split in (args.series_splits or r.get("future_series_splits", ["official"]))]
    if r.get("blockage") and not args.no_blockage:
        jobs.append((None, "blockage"))
    rows = []
    for scenario, task in jobs:
        name = f"s{scenario}-{task}" if scenario is not None else f"s17-{task}"
        report = out / name / "probe.json"
        if not report.exists():
            fractions = r["fractions"] if args.fractions is None or task.startswith("blockage") else args.fractions
            argv = ["real", "--data", str(real_dir), "--encoder", *map(str, runs), "--out", str(out / name),
                    "--subset-seeds", str(r["subset_seeds"]), "--fractions", *map(str, fractions)]
            if task.startswith("blockage-future-"):
                k, *split = task.removeprefix("blockage-future-").split("-")
                argv += ["--task", "blockage-future", "--horizon", k, "--series-split", *(split or ["official"]),
                         "--split-seeds", *map(str, r["split_seeds"])]
            else:
                argv += ["--task", task, "--split-seeds", *map(str, r["split_seeds"])]
            if scenario is not None:
                argv += ["--scenario", str(scenario), "--sim-data", str(data)]
            if rvsim_main(argv) != 0:
                print(f"rvsim real failed for {name}", file=sys.stderr)
                continue
        rows.append((name, json.loads(report.read_text())))
    lines = ["# Sim-to-real results", "", f"Street samples: {num_samples}; config `{args.config}`; training seeds "
             f"{list(seeds)} x {r['subset_seeds']} label-subset seeds x split seeds {r['split_seeds']}; mean ± std over them, "
             "and the paired ssl − baseline difference with its 95 % bootstrap interval (docs/probe_results.md).", ""]
    for name, doc in rows:
        lines += scenario_section(name, doc)
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
