"""``rvsim demo``: generate a small factory dataset, learn a radio encoder from vision, probe it, report."""

from __future__ import annotations

import argparse

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``demo`` subcommand."""
    from rvsim.demo import DemoConfig

    d = DemoConfig()
    p = subparsers.add_parser(
        "demo",
        help="the whole pipeline on a small factory dataset, with a report (under 20 min on an idle 2-core machine)",
        description="Generate a small dataset, train the self-supervised radio encoder, compare it with the "
        "supervised, random, raw and vision baselines under the evaluation protocol at 1%% and 10%% of the labels "
        "(--fractions), and write OUT/report.md.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (new or empty)")
    p.add_argument("--scene", default=d.scene, help=f"scene family (default {d.scene})")
    p.add_argument("--num-samples", type=int, default=d.num_samples, help=f"default {d.num_samples}")
    p.add_argument("--workers", type=int, default=d.workers, help=f"generation workers (default {d.workers})")
    p.add_argument("--epochs", type=int, default=d.epochs, help=f"SSL epochs (default {d.epochs})")
    p.add_argument("--radio-width", type=int, default=d.radio_width,
                   help=f"channels of the radio encoder's first stage (default {d.radio_width})")
    p.add_argument("--task", default=d.task, help=f"probe task (default {d.task})")
    p.add_argument("--seeds", type=int, default=d.seeds, help=f"probe seeds (default {d.seeds})")
    p.add_argument("--fractions", type=float, nargs="+", default=list(d.fractions), metavar="F",
                   help="label fractions, each in (0, 1] (default " + " ".join(f"{f:g}" for f in d.fractions) + ")")
    p.add_argument("--seed", type=int, default=d.seed, help=f"seed of everything (default {d.seed})")
    p.add_argument("--quiet", action="store_true", help="no Keras progress bars")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo."""
    from rvsim.demo import DemoConfig, run_demo
    from rvsim.errors import InputError

    for name in ("num_samples", "workers", "epochs", "seeds", "radio_width"):
        if getattr(args, name) < 1:
            raise InputError(f"--{name.replace('_', '-')} must be positive. Received: {getattr(args, name)}")
    if args.seed < 0:
        raise InputError(f"--seed must be >= 0. Received: {args.seed}")
    if not all(0 < f <= 1 for f in args.fractions):
        raise InputError(f"--fractions must each be in (0, 1]. Received: {args.fractions}")
    config = DemoConfig(scene=args.scene, num_samples=args.num_samples, workers=args.workers, epochs=args.epochs,
                        radio_width=args.radio_width, task=args.task, seeds=args.seeds, seed=args.seed,
                        fractions=tuple(args.fractions))
    run_demo(args.out, config, verbose=0 if args.quiet else 2)
    return 0
