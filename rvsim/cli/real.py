"""``rvsim real``: the evaluation protocol on real DeepSense 6G captures (sim-to-real)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rvsim.errors import InputError

__all__ = ["register", "run"]

_TASKS = ("bearing", "range", "blockage", "blockage-future")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``real`` subcommand."""
    from rvsim.cli.probe import add_protocol_arguments

    p = subparsers.add_parser(
        "real",
        help="evaluate radio encoder(s) on real DeepSense 6G captures (bearing, range, blockage, blockage-future)",
        description="The evaluation protocol (docs/probe_results.md) on real captures: per split seed the rows are "
        "split by drive-by sequence (scenarios) or contiguous time blocks (scenario 17), then calibration and bins are "
        "fitted on the training rows only. Methods: ssl (probe on each frozen encoder), supervised, random, raw, and "
        "with --sim-data the label-free zero-shot probes trained on simulated labels. Writes OUT/probe.json, "
        "probe.md, probe_accuracy.png, beam_statistics.json/png. See docs/real_data.md.",
    )
    p.add_argument("--data", required=True, metavar="DIR", help="DeepSense 6G folder (with scenarios/, blockage_s17/, codebook/)")
    p.add_argument("--scenario", type=int, default=None, metavar="N", help="drive-by scenario number (bearing, range)")
    p.add_argument("--encoder", nargs="+", default=None, metavar="ENC",
                   help="run folder(s), .keras file(s), or 'street-pretrained' (the encoders shipped with rvsim)")
    p.add_argument("--task", required=True, choices=_TASKS, help="real task")
    p.add_argument("--horizon", type=int, default=None, metavar="K",
                   help="blockage-future: sweeps ahead, 1, 5 or 10 (DeepSense's official series)")
    p.add_argument("--series-split", choices=("official", "blocks"), default="official",
                   help="blockage-future: DeepSense's official parts (they overlap in time) or contiguous blocks of "
                        "time (default official)")
    p.add_argument("--out", required=True, metavar="OUT", help="output folder")
    add_protocol_arguments(p, "subset of: ssl supervised random raw zero-shot zero-shot-raw zero-shot-realbins "
                              "(default: all)")
    p.add_argument("--sim-data", default=None, metavar="DIR",
                   help="simulated street dataset for the zero-shot methods and the real-vs-sim statistics")
    p.add_argument("--split-seeds", type=int, nargs="+", default=[0, 1], metavar="S",
                   help="seeds of the train/test splits (default 0 1)")
    p.add_argument("--test-fraction", type=float, default=0.2, help="held-out fraction of sequences / time blocks (default 0.2)")
    p.add_argument("--force", action="store_true", help="overwrite an existing OUT/probe.json")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate everything, then evaluate and write the report. Returns the exit code."""
    import shlex
    import sys

    from rvsim.cli.probe import print_summary, protocol_config
    from rvsim.eval.real_probe import (
        REAL_PROTOCOL_METHODS,
        ZERO_SHOT_METHODS,
        RealEvalConfig,
        check_real_output_dir,
        resolve_encoders,
        run_real,
    )

    data_dir = Path(args.data)
    if not data_dir.is_dir():
        raise InputError(f"--data must be a DeepSense folder. Received: --data {args.data}")
    if args.task in ("bearing", "range") and args.scenario is None:
        raise InputError(f"--task {args.task} needs --scenario N. Received: no --scenario")
    if args.scenario is not None and args.scenario < 0:
        raise InputError(f"--scenario must be a non-negative integer. Received: --scenario {args.scenario}")
    methods = list(args.methods) if args.methods else [*REAL_PROTOCOL_METHODS, *ZERO_SHOT_METHODS]
    unknown = [m for m in methods if m not in (*REAL_PROTOCOL_METHODS, *ZERO_SHOT_METHODS)]
    if unknown:
        raise InputError(f"--methods must be among {[*REAL_PROTOCOL_METHODS, *ZERO_SHOT_METHODS]}. Received: {unknown}")
    args.methods = [m for m in methods if m in REAL_PROTOCOL_METHODS]
    protocol = protocol_config(args, REAL_PROTOCOL_METHODS)
    zero_shot = tuple(m for m in methods if m in ZERO_SHOT_METHODS)
    needs_encoder = [m for m in methods if m in ("ssl", "zero-shot", "zero-shot-realbins")]
    if needs_encoder and not args.encoder:
        raise InputError(f"Methods {needs_encoder} need --encoder (or choose --methods raw supervised zero-shot-raw). "
                         "Received: no --encoder")
    config = RealEvalConfig(task=args.task, protocol=protocol, zero_shot=zero_shot,  # type: ignore[arg-type]
                            split_seeds=tuple(args.split_seeds), test_fraction=args.test_fraction,
                            horizon=args.horizon, series_split=args.series_split)
    check_real_output_dir(args.out, args.force)
    resolve_encoders(args.encoder or [])  # bad encoder names fail before any work
    if args.sim_data is not None and not Path(args.sim_data).is_dir():
        raise InputError(f"--sim-data must be a dataset folder. Received: --sim-data {args.sim_data}")
    doc = run_real(data_dir, config, scenario=args.scenario, encoders=args.encoder or [], sim_dir=args.sim_data,
                   out_dir=args.out, command="rvsim " + shlex.join(sys.argv[1:]),
                   progress=None if args.quiet else print)
    print_summary(doc)
    print(f"report: {Path(args.out) / 'probe.md'}")
    for method, why in doc.get("skipped", {}).items():
        print(f"skipped {method}: {why}")
    return 0
