"""What recording one more shard costs the ``rvsim generate`` process, as the dataset grows.

Before the shard journal, every finished shard was recorded by rewriting ``manifest.json`` in full (temporary
file, fsync, rename): a cost that grows with the shards already listed, so quadratically over a run. Now the
first shard rewrites the manifest and every later one appends one line to ``shards.jsonl`` (one write, fsync).
This script measures both side by side, in one run, with ``j`` shards already recorded (j = 10, 1 000, 10 000):

* ``rewrite``: ``Manifest.write`` of a manifest listing ``j + 1`` shards (the old per-shard cost);
* ``append``: ``append_journal`` of one line onto a journal of ``j`` lines (the new per-shard cost);
* ``read``: ``Manifest.read`` of the folder with the ``j``-line journal (what a reader or ``--resume`` pays once).

Rounds alternate the two writers; medians and the spread (min-max) over rounds are printed, with the ratio
rewrite / append. Usage::

    .venv/bin/python benchmarks/manifest_record.py [--rounds 7] [--scene factory]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds per size (default 7)")
    parser.add_argument("--scene", default="factory", help="scene whose resolved spec fills the manifest")
    args = parser.parse_args()

    from rvsim.config import load_scene_spec
    from rvsim.data.manifest import JOURNAL_NAME, Manifest, ShardInfo, append_journal

    spec = load_scene_spec(args.scene)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"scene {args.scene}; {args.rounds} alternating rounds per size")
    sha = "0" * 64
    shard_size = 256
    print("| shards recorded j | manifest size | rewrite [ms] | append [ms] | rewrite / append | read with journal [ms] |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for j in (10, 1000, 10000):
            shards = [ShardInfo(f"shard-{k:05d}.h5", k * shard_size, shard_size, sha) for k in range(j + 1)]
            full = Manifest(scene=spec.to_dict(), seed=0, num_samples=(j + 2) * shard_size, shard_size=shard_size,
                            class_names=list(spec.class_names), shards=shards)
            old_dir, new_dir = Path(tmp) / f"rewrite{j}", Path(tmp) / f"journal{j}"
            old_dir.mkdir()
            new_dir.mkdir()
            Manifest(scene=full.scene, seed=0, num_samples=full.num_samples, shard_size=shard_size,
                     class_names=full.class_names, shards=shards[:1]).write(new_dir)
            for s in shards[1:j]:
                append_journal(new_dir, s)
            journal = (new_dir / JOURNAL_NAME).read_bytes()
            rewrite, append, read = [], [], []
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                full.write(old_dir)
                rewrite.append(time.perf_counter() - t0)
                with open(new_dir / JOURNAL_NAME, "wb") as f:  # j lines again (on disk), then the (j + 1)-th
                    f.write(journal)
                    f.flush()
                    os.fsync(f.fileno())
                t0 = time.perf_counter()
                append_journal(new_dir, shards[j])
                append.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                got = Manifest.read(new_dir)
                read.append(time.perf_counter() - t0)
                assert len(got.shards) == j + 1
            kb = (old_dir / "manifest.json").stat().st_size / 1e3
            mr, ma = statistics.median(rewrite), statistics.median(append)
            print(f"| {j} | {kb:.0f} kB | {mr * 1e3:.2f} ({min(rewrite) * 1e3:.2f}-{max(rewrite) * 1e3:.2f}) | "
                  f"{ma * 1e3:.2f} ({min(append) * 1e3:.2f}-{max(append) * 1e3:.2f}) | {mr / ma:.1f}x | "
                  f"{statistics.median(read) * 1e3:.1f} |")


if __name__ == "__main__":
    main()
