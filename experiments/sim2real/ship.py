"""Ship the street encoders of a sim2real run as ``--encoder street-pretrained`` (``rvsim/assets/``).

Usage (from the repository root)::

    .venv/bin/python experiments/sim2real/ship.py [--out runs/sim2real] [--config experiments/sim2real/config.yaml]

Copies the kept radio encoder of every training seed (``OUT/ssl-seedS/radio_encoder.keras``) to
``rvsim/assets/street_encoder.keras`` (the first seed) and ``street_encoder_seedS.keras`` (the others), each with
a provenance file beside it (``.json``: dataset, training settings, the kept epoch and its validation metrics,
the commit and package versions of the training run, sha256 of the file), after removing the encoders shipped
before. The shipped files must stay under 5 MB in all.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import yaml

LIMIT_BYTES = 5 * 1024 * 1024


def main() -> int:
    here = Path(__file__).resolve().parent
    root = here.parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/sim2real")
    parser.add_argument("--config", default=str(here / "config.yaml"))
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    out = Path(args.out)
    seeds = cfg["train"].get("seeds", [cfg["train"].get("seed", 0)])
    runs = [out / f"ssl-seed{s}" for s in seeds]
    missing = [str(r) for r in runs if not (r / "radio_encoder.keras").is_file()]
    if missing:
        print(f"no trained encoder in {missing}; run experiments/sim2real/run.py first", file=sys.stderr)
        return 2
    total = sum((r / "radio_encoder.keras").stat().st_size for r in runs)
    if total > LIMIT_BYTES:
        print(f"the encoders take {total / 2**20:.1f} MB, more than the 5 MB shipped with rvsim", file=sys.stderr)
        return 2
    assets = root / "rvsim" / "assets"
    for old in list(assets.glob("street_encoder*.keras")) + list(assets.glob("street_encoder*.json")):
        old.unlink()
    d = cfg["dataset"]
    for k, (seed, run) in enumerate(zip(seeds, runs)):
        name = "street_encoder" if k == 0 else f"street_encoder_seed{seed}"
        target = assets / f"{name}.keras"
        shutil.copyfile(run / "radio_encoder.keras", target)
        run_cfg = json.loads((run / "config.json").read_text())
        selected = json.loads((run / "selected_epoch.json").read_text())
        metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip()]
        kept = next((m for m in metrics if m.get("epoch") == selected["epoch"]), metrics[-1])
        provenance = {
            "what": "radio encoder of rvsim's street-pretrained model: 64 beam powers [dB] -> 64-d embedding "
                    f"(training seed {seed}; `--encoder street-pretrained` uses every shipped seed)",
            "trained_by": "experiments/sim2real/run.py with experiments/sim2real/config.yaml",
            "dataset": {"scene": f"experiments/sim2real/{d['scene']} (street family, measured DeepSense testbed-1 "
                                 "beam patterns, a distinct transmitting car)",
                        "num_samples": int(run_cfg["data"]["num_samples"]), "seed": int(d["seed"]),
                        "shard_size": int(d["shard_size"])},
            "train_config": run_cfg["config"],
            "kept_epoch": selected,
            "kept_epoch_metrics": kept,
            "git_commit_of_training": run_cfg.get("git_commit"),
            "versions": run_cfg.get("versions"),
            "trained": run_cfg.get("created"),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
        }
        target.with_suffix(".json").write_text(json.dumps(provenance, indent=1) + "\n")
        print(f"shipped {target.relative_to(root)} ({target.stat().st_size / 1e6:.2f} MB, epoch {selected['epoch']}, "
              f"validation retrieval top-1 {kept.get('val_retrieval_top1')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
