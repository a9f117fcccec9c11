"""``rvsim inspect DIR``: summarise a dataset, optionally drawing a PNG grid of its first samples."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rvsim.errors import InputError

if TYPE_CHECKING:
    from rvsim.data.dataset import Dataset

__all__ = ["register", "run", "summary_lines"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``inspect`` subcommand."""
    p = subparsers.add_parser(
        "inspect",
        help="summarise a dataset (fields, counts, versions); --png draws a sample grid",
        description="Print a dataset's summary: samples, shards, seed, scene family, fields, object counts per "
        "class, versions. With --png, draw the first K samples (RGB | depth | segmentation | radio).",
    )
    p.add_argument("dir", metavar="DIR", help="dataset folder")
    p.add_argument("--png", metavar="FILE", default=None, help="write a grid of the first samples to this PNG")
    p.add_argument("--num", metavar="K", type=int, default=4, help="samples in the PNG grid (default 4)")
    p.add_argument("--filmstrip", metavar="FILE", default=None,
                   help="(datasets of sequences) draw one sequence as a filmstrip PNG: frames across, RGB over radio "
                        "over range-Doppler")
    p.add_argument("--sequence", metavar="S", type=int, default=0, help="sequence of the filmstrip (default 0)")
    p.set_defaults(func=run)


def _class_totals(ds: Dataset) -> dict[str, int] | None:
    """Objects per class over the whole dataset, from labels/class_counts (or labels/obj_class)."""
    names = ds.class_names
    if "labels/class_counts" in ds.fields:
        totals = np.zeros(ds.fields["labels/class_counts"].shape[0], dtype=np.int64)
        for batch in ds.iter_batches(4096, fields=["labels/class_counts"]):
            totals += batch["labels/class_counts"].sum(axis=0, dtype=np.int64)
    elif "labels/obj_class" in ds.fields:
        totals = np.zeros(len(names), dtype=np.int64)
        for batch in ds.iter_batches(4096, fields=["labels/obj_class"]):
            ids = batch["labels/obj_class"].reshape(-1)
            ids = ids[(ids >= 0) & (ids < len(names))]
            totals += np.bincount(ids, minlength=len(names))[: len(names)]
    else:
        return None
    return {(names[k] if k < len(names) else str(k)): int(c) for k, c in enumerate(totals)}


def summary_lines(ds: Dataset) -> list[str]:
    """The lines ``rvsim inspect`` prints for a dataset."""
    m = ds.manifest
    scene = m["scene"].get("name") if isinstance(m["scene"], dict) else None
    lines = [
        f"dataset:  {ds.path}",
        f"samples:  {len(ds)} in {len(ds.shards)} shards of up to {m['shard_size']}"
        + ("" if m["complete"] else " (INCOMPLETE)"),
        f"seed:     {ds.seed}",
        f"scene:    {scene if scene is not None else '(unnamed)'}",
        f"created:  {m.get('created') or '?'}",
    ]
    seq = m["scene"].get("sequence") if isinstance(m["scene"], dict) else None
    if isinstance(seq, dict):
        lines.append(f"sequences: {len(ds) // int(seq['num_frames'])} of {seq['num_frames']} frames at "
                     f"{seq['frame_rate_hz']:g} Hz (schema version {m['schema_version']})")
    lines.append("fields:")
    width = max((len(k) for k in ds.fields), default=0)
    for name, spec in sorted(ds.fields.items()):
        lines.append(f"  {name:<{width}}  {spec.dtype:<9}  {tuple(spec.shape)}")
    totals = _class_totals(ds)
    if totals is None:
        lines.append("objects per class: (no labels)")
    else:
        lines.append("objects per class (all samples):")
        cw = max((len(k) for k in totals), default=0)
        lines.extend(f"  {name:<{cw}}  {count}" for name, count in totals.items())
    versions = ", ".join(f"{k} {v if v is not None else '-'}" for k, v in m["versions"].items())
    lines.append(f"versions: {versions}")
    return lines


def run(args: argparse.Namespace) -> int:
    """Print the summary; draw the PNG grid when asked. Bad input raises InputError (exit 2)."""
    from rvsim.data.dataset import Dataset

    if args.num < 1:
        raise InputError(f"--num must be >= 1. Received: --num {args.num}")
    png = Path(args.png) if args.png is not None else None
    if png is not None and not png.parent.is_dir():
        raise InputError(f"the folder of the --png file does not exist. Received: --png {png}")
    strip = Path(args.filmstrip) if args.filmstrip is not None else None
    if strip is not None and not strip.parent.is_dir():
        raise InputError(f"the folder of the --filmstrip file does not exist. Received: --filmstrip {strip}")
    with Dataset(args.dir) as ds:
        if strip is not None and "meta/sequence" not in ds.fields:
            raise InputError(f"--filmstrip needs a dataset of sequences (a family with a sequence section). "
                             f"Received: {args.dir}")
        for line in summary_lines(ds):
            print(line)
        if png is not None:
            from rvsim.data.sample_grid import plot_sample_grid

            k = min(args.num, len(ds))
            plot_sample_grid(ds, np.arange(k), png)
            print(f"wrote {png} ({k} samples)")
        if strip is not None:
            from rvsim.data.sample_grid import plot_filmstrip

            plot_filmstrip(ds, args.sequence, strip)
            print(f"wrote {strip} (sequence {args.sequence})")
    return 0
