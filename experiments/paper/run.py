"""The paper experiment under the evaluation protocol: does vision teach a radio encoder that wins when labels
are scarce (Alloulah et al., ICC 2022)?

Two factory datasets of different seeds: an unlabelled *pool* the self-supervised runs train on (the first
``max_samples`` samples of it, so the pools of different sizes are nested) and an *evaluation* set they never
see, split by sample into 80 % training rows (with the config's 2 500 samples the label budgets are 1 % = 20,
10 % = 200 and 100 % = 2 000 labels) and 20 % test rows. For every task, ``rvsim probe`` compares the runs of the main group (one per training
seed) with the supervised, random, raw and vision baselines; the *scale* group probes runs trained on growing
pools at fixed label budgets (the unlabelled-scale figure).

Usage (from the repository root)::

    .venv/bin/python experiments/paper/run.py [--config experiments/paper/config.yaml] [--out runs/paper]
        [--only-train] [--tasks T ...] [--groups main scale]

Every step already done (complete datasets, finished runs, probe.json files) is reused, so the script can be
rerun after an interruption. Writes ``OUT/results.md`` (the tables) and ``OUT/scale.png``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import yaml


def _generate(d: dict[str, Any], out: Path) -> None:
    from rvsim.config import load_scene_spec
    from rvsim.data import Dataset
    from rvsim.sim.dataset_generation import generate_dataset

    if (out / "manifest.json").exists() and Dataset(out, allow_incomplete=True).complete:
        return
    generate_dataset(load_scene_spec(d["scene"]), out, d["num_samples"], seed=d["seed"], shard_size=d["shard_size"],
                     workers=d["workers"], resume=(out / "manifest.json").exists())


def _runs(cfg: dict[str, Any], out: Path) -> dict[str, list[Path]]:
    """``{group name: [run folder per seed]}`` of the config's ``runs``."""
    return {g["name"]: [out / f"{g['name']}-seed{s}" for s in g["seeds"]] for g in cfg["runs"]}


def _train(cfg: dict[str, Any], pool: Path, out: Path, say: Any) -> None:
    from rvsim.train import TrainConfig, train_ssl

    for group in cfg["runs"]:
        for seed in group["seeds"]:
            run = out / f"{group['name']}-seed{seed}"
            if (run / "radio_encoder.keras").exists() and (run / "selected_epoch.json").exists():
                continue
            settings = {**cfg["train"], **{k: v for k, v in group.items() if k not in ("name", "seeds")}, "seed": seed}
            t = time.perf_counter()
            say(f"training {run.name}: {settings}")
            train_ssl(pool, run, TrainConfig.from_dict(settings), resume=(run / "checkpoint").exists(), verbose=2)
            say(f"trained {run.name} in {time.perf_counter() - t:.0f} s")


def _probe(eval_dir: Path, runs: list[Path], task: str, out: Path, protocol: dict[str, Any], test_fraction: float,
           say: Any) -> dict[str, Any]:
    from rvsim.eval.probe_runner import run_probe
    from rvsim.eval.protocol import ProtocolConfig

    if (out / "probe.json").exists():
        return json.loads((out / "probe.json").read_text())
    command = (f"rvsim probe --data {eval_dir} --test-fraction {test_fraction} --encoder "
               + " ".join(str(r) for r in runs) + f" --task {task} --out {out} --protocol PROTOCOL.yaml")
    return run_probe(eval_dir, runs, task, out, ProtocolConfig(**protocol), test_fraction=test_fraction,
                     command=command, progress=say)


def main() -> int:
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `experiments` importable when run as a script
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(here / "config.yaml"))
    parser.add_argument("--out", default="runs/paper")
    parser.add_argument("--only-train", action="store_true", help="generate and train, no probes")
    parser.add_argument("--tasks", nargs="+", default=None, help="override probe.tasks")
    parser.add_argument("--groups", nargs="+", default=["main", "scale"], help="which probes to run")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def say(line: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)

    from rvsim.sim.sionna_import import import_sionna_rt

    import_sionna_rt()  # before TensorFlow: Dr.Jit crashes when imported after it
    pool, eval_dir = Path(cfg["data"]["pool"]["out"]), Path(cfg["data"]["eval"]["out"])
    for key, folder in (("pool", pool), ("eval", eval_dir)):
        _generate(cfg["data"][key], folder)
    _train(cfg, pool, out, say)
    if args.only_train:
        return 0
    runs = _runs(cfg, out)
    p = cfg["probe"]
    tasks = args.tasks or p["tasks"]
    docs: dict[str, dict[str, Any]] = {}
    if "main" in args.groups:
        for task in tasks:
            docs[task] = _probe(eval_dir, runs[p["main"]], task, out / f"probe-{task}", p["protocol"],
                                p["test_fraction"], say)
    scale: dict[str, dict[str, dict[str, Any]]] = {}
    if "scale" in args.groups:
        s = cfg["scale"]
        for task in s["tasks"]:
            for group in s["runs"]:
                protocol = {**p["protocol"], **s["protocol"]}
                scale.setdefault(task, {})[group] = _probe(eval_dir, runs[group], task, out / f"scale-{task}-{group}",
                                                           protocol, p["test_fraction"], say)
    from experiments.paper.report import write_results

    write_results(cfg, docs, scale, out, command="python experiments/paper/run.py " + shlex.join(sys.argv[1:]))
    say(f"wrote {out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main())
