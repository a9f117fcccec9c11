"""``rvsim generate``: ray-trace a scene family into a sharded HDF5 dataset."""

from __future__ import annotations

import argparse
import sys

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``generate`` subcommand."""
    p = subparsers.add_parser(
        "generate",
        help="ray-trace random instances of a scene family into a dataset folder",
        description="Sample random instances of a scene family, ray-trace the base station's radio view with "
        "Sionna RT, render its camera view, and write paired samples with labels as HDF5 shards plus "
        "manifest.json. Sample i depends only on (scene, seed, i).",
    )
    p.add_argument("--scene", required=True, help="scene family YAML file, or a built-in name (factory)")
    p.add_argument("--num-samples", type=int, required=True, metavar="N", help="samples in the dataset")
    p.add_argument("--out", required=True, metavar="DIR", help="dataset folder (new or empty)")
    p.add_argument("--seed", type=int, default=0, help="dataset seed (default 0)")
    p.add_argument("--workers", type=int, default=1, metavar="W",
                   help="worker processes, one Dr.Jit thread each (default 1; use the number of cores)")
    p.add_argument("--shard-size", type=int, default=256, metavar="K", help="samples per shard (default 256)")
    p.add_argument("--resume", action="store_true",
                   help="complete an interrupted dataset in DIR, keeping its verified shards")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the rvsim dataset in DIR (refused if DIR holds other files)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of an existing Dask scheduler (workers must see DIR)")
    p.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto",
                   help="ray-tracing device: auto (an NVIDIA GPU if one is usable, else the CPU; default), cpu, gpu")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate the arguments, generate, print the sample rate.

    Returns:
        0 when the dataset is complete; 1 when writing failed mid-run (disk full, a shard that fails on the
        cluster), with one line on stderr and the recorded shards kept for ``--resume``. Bad input raises
        :class:`~rvsim.errors.InputError` (exit 2, nothing written).
    """
    from rvsim.config import load_scene_spec
    from rvsim.errors import InputError

    if args.num_samples < 1:
        raise InputError(f"--num-samples must be positive. Received: {args.num_samples}")
    if args.workers < 1:
        raise InputError(f"--workers must be positive. Received: {args.workers}")
    if args.shard_size < 1:
        raise InputError(f"--shard-size must be positive. Received: {args.shard_size}")
    if args.seed < 0:
        raise InputError(f"--seed must be >= 0. Received: {args.seed}")
    spec = load_scene_spec(args.scene)

    from tqdm import tqdm

    from rvsim.sim.dataset_generation import GenerationError, generate_dataset

    bars: list[tqdm] = []

    def start(total: int, done: int) -> None:  # the bar appears only once the input is validated
        bars.append(tqdm(total=total, initial=done, unit="sample", disable=args.quiet, desc="generate"))

    try:
        report = generate_dataset(spec, args.out, args.num_samples, seed=args.seed, shard_size=args.shard_size,
                                  workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                                  overwrite=args.overwrite, device=args.device, on_start=start,
                                  progress=lambda n: bars[0].update(n))
    except (OSError, GenerationError) as exc:  # not bad input: the environment failed mid-run
        for bar in bars:
            bar.close()
        bars.clear()
        reason = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
        sys.stderr.write(f"rvsim generate: error: {reason}; any shards already recorded in {args.out} are kept: "
                         "fix the cause and rerun the same command with --resume\n")
        return 1
    finally:
        for bar in bars:
            bar.close()
    print(f"wrote {report.num_samples} samples to {report.out_dir} "
          f"({report.generated} generated in {report.seconds:.1f} s: {report.samples_per_second:.2f} samples/s)")
    return 0
