"""``rvsim probe``: linear probes of a self-supervised radio encoder against supervised, random and raw baselines."""

from __future__ import annotations

import argparse

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``probe`` subcommand."""
    p = subparsers.add_parser(
        "probe",
        help="linear-probe a self-supervised radio encoder on a task, with supervised/random/raw baselines",
        description="For each label fraction of the run's training split and each seed, score on the run's test "
        "split: a linear probe on the frozen SSL radio encoder (ssl), the same encoder trained end to end on the "
        "same labels (supervised), a linear probe on a random encoder (random) and on the raw radio input (raw). "
        "Writes OUT/probe.json (docs/probe_results.md), probe.md, probe_accuracy.png, embedding_map.png and, "
        "when the run has a vision encoder, retrievals.png.",
    )
    p.add_argument("--data", required=True, metavar="DIR", help="dataset folder the run was trained on")
    p.add_argument("--encoder", required=True, metavar="RUN", help="self-supervised run folder (rvsim train)")
    p.add_argument("--task", required=True, metavar="T", help="task name (count_person, dominant_class, occupancy, num_objects)")
    p.add_argument("--out", required=True, metavar="OUT", help="output folder (new, empty, or a previous probe output)")
    p.add_argument("--fractions", type=float, nargs="+", default=[0.01, 0.1, 1.0], metavar="F",
                   help="label fractions of the training split, each in (0, 1] (default 0.01 0.1 1.0)")
    p.add_argument("--seeds", type=int, default=3, metavar="N", help="number of seeds, 0..N-1 (default 3)")
    p.add_argument("--methods", nargs="+", default=None, metavar="M",
                   help="methods among ssl ssl_knn supervised random raw (default: ssl supervised random raw)")
    p.add_argument("--supervised-epochs", type=int, default=None, metavar="E",
                   help="epochs of the supervised baseline (default: the run's)")
    p.add_argument("--supervised-min-steps", type=int, default=200, metavar="S",
                   help="least optimiser steps of the supervised baseline (default 200)")
    p.add_argument("--no-plots", action="store_true", help="skip embedding_map.png and retrievals.png")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate the arguments, run the comparison, print where the report is."""
    import math

    from rvsim.errors import InputError

    bad = [f for f in args.fractions if not (math.isfinite(f) and 0.0 < f <= 1.0)]
    if bad:
        raise InputError(f"--fractions must be in (0, 1]. Received: {' '.join(f'{f:g}' for f in args.fractions)}")
    if args.seeds < 1:
        raise InputError(f"--seeds must be >= 1. Received: {args.seeds}")
    if args.supervised_epochs is not None and args.supervised_epochs < 1:
        raise InputError(f"--supervised-epochs must be >= 1. Received: {args.supervised_epochs}")
    if args.supervised_min_steps < 0:
        raise InputError(f"--supervised-min-steps must be >= 0. Received: {args.supervised_min_steps}")

    from rvsim.eval.probe_runner import ProbeConfig, check_probe_output_dir, run_probe
    from rvsim.tasks import get_task

    get_task(args.task)
    check_probe_output_dir(args.out)
    kwargs = {} if args.methods is None else {"methods": tuple(args.methods)}
    config = ProbeConfig(
        fractions=tuple(args.fractions),
        seeds=args.seeds,
        supervised_epochs=args.supervised_epochs,
        supervised_min_steps=args.supervised_min_steps,
        plots=not args.no_plots,
        **kwargs,
    )
    say = None if args.quiet else print
    doc = run_probe(args.data, args.encoder, args.task, args.out, config, progress=say)
    from rvsim.eval.probe_results import summarize_results

    print(f"{doc['task']}: chance {doc['chance']:.3f} (majority class); test accuracy mean over seeds:")
    for s in summarize_results(doc):
        print(f"  {s.method:<10} {100 * s.label_fraction:>6.3g}% labels  {s.accuracy_mean:.3f} ± {s.accuracy_std:.3f}")
    if doc.get("retrieval"):
        r = doc["retrieval"]
        print(f"  retrieval radio->image top-1 {r['top1']:.3f} (chance {r['chance_top1']:.3f}), "
              f"top-5 {r['top5']:.3f} (chance {r['chance_top5']:.3f})")
    print(f"report: {args.out}/probe.md")
    return 0
