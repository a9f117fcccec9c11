"""``rvsim verify DIR``: re-hash every shard and check it against the manifest.

Exit codes: 0 sound, 1 problems found (each bad shard on its own line), 2 DIR is not a dataset.
"""

from __future__ import annotations

import argparse

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``verify`` subcommand."""
    p = subparsers.add_parser(
        "verify",
        help="check every shard's sha256 and schema against the manifest",
        description="Re-hash every shard and check its fields, dtypes, shapes, counts and attributes against "
        "manifest.json. Exit 0 if sound, 1 if problems were found, 2 if DIR is not a dataset.",
    )
    p.add_argument("dir", metavar="DIR", help="dataset folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Verify the dataset; print OK or one line per problem."""
    from rvsim.data.dataset import Dataset

    with Dataset(args.dir, allow_incomplete=True, check_structure=False) as ds:
        problems = ds.verify()
        if not problems:
            print(f"OK: {len(ds)} samples in {len(ds.shards)} shards (sha256 and schema checked)")
            return 0
        for line in problems:
            print(line)
        print(f"FAILED: {len(problems)} problem(s) in {ds.path}")
        return 1
