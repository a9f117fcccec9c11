"""``rvsim probe``: the evaluation protocol on a simulated dataset: self-supervised encoder(s) against
supervised, random, raw-input and vision baselines."""

from __future__ import annotations

import argparse

__all__ = ["register", "run", "add_protocol_arguments", "protocol_config"]


def add_protocol_arguments(p: argparse.ArgumentParser, methods_help: str) -> None:
    """The protocol's options, shared by ``rvsim probe`` and ``rvsim real``."""
    p.add_argument("--fractions", type=float, nargs="+", default=[0.01, 0.1, 1.0], metavar="F",
                   help="label fractions of the training split, each in (0, 1] (default 0.01 0.1 1.0)")
    p.add_argument("--subset-seeds", "--seeds", dest="subset_seeds", type=int, default=3, metavar="N",
                   help="label-subset seeds 0..N-1 (default 3)")
    p.add_argument("--model-seeds", type=int, default=1, metavar="M",
                   help="supervised / random-encoder seeds per subset seed (default 1: paired with the subset)")
    p.add_argument("--methods", nargs="+", default=None, metavar="M", help=methods_help)
    p.add_argument("--protocol", default=None, metavar="YAML",
                   help="YAML file of protocol settings (keys of rvsim.eval.ProtocolConfig, e.g. probe:, supervised:, "
                        "bootstrap:); command-line options override it")
    p.add_argument("--quiet", action="store_true", help="no progress lines")


def protocol_config(args: argparse.Namespace, default_methods: tuple[str, ...]) -> object:
    """The :class:`~rvsim.eval.ProtocolConfig` of the parsed options (bad values: one-line errors)."""
    import math
    from pathlib import Path

    import yaml

    from rvsim.errors import ConfigError, InputError, check_settings
    from rvsim.eval.protocol import ProtocolConfig

    bad = [f for f in args.fractions if not (math.isfinite(f) and 0.0 < f <= 1.0)]
    if bad:
        raise InputError(f"--fractions must be in (0, 1]. Received: {' '.join(f'{f:g}' for f in args.fractions)}")
    if args.subset_seeds < 1:
        raise InputError(f"--subset-seeds must be >= 1. Received: {args.subset_seeds}")
    if args.model_seeds < 1:
        raise InputError(f"--model-seeds must be >= 1. Received: {args.model_seeds}")
    base: dict[str, object] = {}
    if args.protocol is not None:
        path = Path(args.protocol)
        try:
            base = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(f"--protocol must be a readable YAML file ({type(exc).__name__}). Received: {path}") from None
        base = check_settings(base, ProtocolConfig.__dataclass_fields__, f"protocol settings in {path}")
    base.update(fractions=tuple(args.fractions), subset_seeds=args.subset_seeds, model_seeds=args.model_seeds)
    if args.methods is not None:
        base["methods"] = tuple(args.methods)
    base.setdefault("methods", default_methods)
    try:
        config = ProtocolConfig(**base)  # type: ignore[arg-type]
        if "supervised" in config.methods:
            config.supervised_config()  # validate now, before any work
    except TypeError as exc:
        raise ConfigError(f"bad protocol settings ({exc}). Received: {sorted(base)}") from None
    return config


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``probe`` subcommand."""
    p = subparsers.add_parser(
        "probe",
        help="evaluate self-supervised radio encoder(s) on a task against supervised/random/raw/vision baselines",
        description="The evaluation protocol (docs/probe_results.md) on a simulated dataset: for each label fraction "
        "of the runs' training split and each subset seed, score on the test split a linear probe on each frozen SSL "
        "radio encoder (ssl, one per run), the same architecture trained end to end (supervised), a probe on a random "
        "encoder (random), on the normalised radio input (raw) and on the vision teacher's embedding (vision); paired "
        "differences with bootstrap intervals. Writes OUT/probe.json, probe.md, probe_accuracy.png, embedding_map.png "
        "and, with a vision encoder, retrievals.png.",
    )
    p.add_argument("--data", required=True, metavar="DIR", help="dataset folder the runs were trained on")
    p.add_argument("--encoder", required=True, nargs="+", metavar="RUN",
                   help="self-supervised run folder(s) (rvsim train), one per training seed, sharing one split")
    p.add_argument("--task", required=True, metavar="T",
                   help="task name (count_person, num_objects, count_objects, dominant_class, occupancy, occupancy_grid, "
                        "class_presence, nearest_bearing, nearest_range; on datasets of sequences also radial_velocity, "
                        "enter_sector, future_blockage)")
    p.add_argument("--out", required=True, metavar="OUT", help="output folder (new, empty, or a previous probe output)")
    add_protocol_arguments(p, "methods among ssl supervised random raw vision (default: ssl supervised random raw vision)")
    p.add_argument("--test-fraction", type=float, default=None, metavar="F",
                   help="--data is a dataset the runs never saw (e.g. another seed of the family): split it by sample, "
                        "F of it to test (default: --data is the runs' dataset and their split is used)")
    p.add_argument("--split-seed", type=int, default=0, metavar="S", help="seed of that split (default 0)")
    p.add_argument("--no-plots", action="store_true", help="skip embedding_map.png and retrievals.png")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate the arguments, run the protocol, print the headline and where the report is."""
    import shlex
    import sys

    from rvsim.eval.probe_runner import check_probe_output_dir, run_probe
    from rvsim.eval.protocol import PROTOCOL_METHODS
    from rvsim.tasks import get_task

    config = protocol_config(args, PROTOCOL_METHODS)
    get_task(args.task)
    check_probe_output_dir(args.out)
    say = None if args.quiet else print
    doc = run_probe(args.data, args.encoder, args.task, args.out, config, plots=not args.no_plots,
                    test_fraction=args.test_fraction, split_seed=args.split_seed,
                    command="rvsim " + shlex.join(sys.argv[1:]), progress=say)
    print_summary(doc)
    for run, r in (doc.get("retrieval") or {}).items():
        print(f"  retrieval radio->image ({run}): top-1 {r['top1']:.3f} (chance {r['chance_top1']:.3f}), "
              f"top-5 {r['top5']:.3f} (chance {r['chance_top5']:.3f})")
    print(f"report: {args.out}/probe.md")
    return 0


def print_summary(doc: dict) -> None:  # type: ignore[type-arg]
    """Print the headline table of a probe document."""
    from rvsim.eval.probe_report import format_difference
    from rvsim.eval.probe_results import comparison_table, headline_name, summarize_results

    print(f"{doc['task']['name']}: chance {doc['chance']['score']:.3f}; test {headline_name(doc)}, mean ± std:")
    for s in summarize_results(doc):
        print(f"  {s.method:<18} {'no label' if s.label_fraction == 0 else f'{100 * s.label_fraction:g}% labels':>12}  "
              f"{s.score_mean:.3f} ± {s.score_std:.3f}  ({s.num_results} results)")
    for (baseline, fraction), c in comparison_table(doc).items():
        print(f"  ssl - {baseline:<12} {100 * fraction:>6g}%  {format_difference(doc, c)}")
