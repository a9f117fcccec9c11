"""``rvsim real``: linear probes of a radio encoder on real DeepSense 6G captures (sim-to-real)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rvsim.errors import InputError

__all__ = ["register", "run"]

_TASKS = ("bearing", "range", "blockage")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``real`` subcommand."""
    p = subparsers.add_parser(
        "real",
        help="probe a radio encoder on real DeepSense 6G captures (bearing, range, blockage)",
        description="Linear probes at label fractions of the real training split: ssl (frozen encoder), raw "
        "(normalised dB beam powers), random (untrained encoder of the same architecture), supervised (trained "
        "from scratch on the real labels) and zero-shot (probe trained on simulated labels, needs --sim-data). "
        "Writes OUT/real_report.json (probe.json schema), real_report.md, beam_statistics.json/png and "
        "accuracy_vs_fraction.png. See docs/real_data.md.",
    )
    p.add_argument("--data", required=True, metavar="DIR", help="DeepSense 6G folder (with scenarios/, blockage_s17/, codebook/)")
    p.add_argument("--scenario", type=int, default=None, metavar="N", help="drive-by scenario number (bearing, range)")
    p.add_argument("--encoder", default=None, metavar="ENC",
                   help="run folder, .keras file, or 'street-pretrained' (the encoder shipped with rvsim)")
    p.add_argument("--task", required=True, choices=_TASKS, help="real task")
    p.add_argument("--out", required=True, metavar="OUT", help="output folder")
    p.add_argument("--fractions", type=float, nargs="+", default=[0.01, 0.1, 1.0], metavar="F",
                   help="label fractions of the real training split (default 0.01 0.1 1.0)")
    p.add_argument("--seeds", type=int, default=3, metavar="K", help="seeds 0..K-1 (default 3)")
    p.add_argument("--sim-data", default=None, metavar="DIR",
                   help="simulated street dataset for the zero-shot methods and the real-vs-sim statistics")
    p.add_argument("--methods", nargs="+", default=None, metavar="M",
                   help="subset of: ssl supervised random raw zero-shot zero-shot-raw (default: all)")
    p.add_argument("--test-fraction", type=float, default=0.2, help="held-out fraction of sequences / time blocks (default 0.2)")
    p.add_argument("--split-seed", type=int, default=0, help="seed of the train/test split (default 0)")
    p.add_argument("--supervised-steps", type=int, default=300, help="gradient steps of the supervised baseline (default 300)")
    p.add_argument("--force", action="store_true", help="overwrite an existing OUT/real_report.json")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate everything, then evaluate and write the report. Returns the exit code."""
    from rvsim.real.real_report import REPORT_NAME, beam_statistics, write_real_report
    from rvsim.real.sim_to_real import (
        METHODS,
        RealEvalConfig,
        evaluate_real,
        load_real_encoder,
        load_sim_data,
        methods_needing,
        prepare_real_data,
    )

    data_dir = Path(args.data)
    if not data_dir.is_dir():
        raise InputError(f"--data must be a DeepSense folder. Received: --data {args.data}")
    if args.task != "blockage" and args.scenario is None:
        raise InputError(f"--task {args.task} needs --scenario N. Received: no --scenario")
    if args.scenario is not None and args.scenario < 0:
        raise InputError(f"--scenario must be a non-negative integer. Received: --scenario {args.scenario}")
    config = RealEvalConfig(
        task=args.task,
        fractions=tuple(args.fractions),
        seeds=args.seeds,
        methods=tuple(args.methods) if args.methods else METHODS,
        test_fraction=args.test_fraction,
        split_seed=args.split_seed,
        supervised_steps=args.supervised_steps,
    )
    needs = methods_needing(config.methods)
    if needs["encoder"] and args.encoder is None:
        wanted = [m for m in config.methods if m in ("ssl", "supervised", "random", "zero-shot")]
        raise InputError(f"Methods {wanted} need --encoder (or choose --methods raw zero-shot-raw). Received: no --encoder")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out must be a folder. Received: --out {args.out} (a file)")
    if (out / REPORT_NAME).exists() and not args.force:
        raise InputError(f"{out / REPORT_NAME} exists; pass --force to overwrite it. Received: --out {args.out}")

    data = prepare_real_data(data_dir, config, scenario=args.scenario)
    encoder = load_real_encoder(args.encoder) if args.encoder is not None else None
    sim = load_sim_data(args.sim_data, config) if args.sim_data is not None else None

    doc = evaluate_real(data, config, encoder=encoder, sim=sim, encoder_name=args.encoder or "")
    real_stats = beam_statistics(data.x)
    sim_stats = beam_statistics(sim.x) if sim is not None else None
    paths = write_real_report(doc, out, real_stats=real_stats, sim_stats=sim_stats)
    print(f"wrote {paths['report']}")
    skipped = doc["config"]["skipped"]
    for method, why in skipped.items():
        print(f"skipped {method}: {why}")
    return 0
