"""The ``rvsim`` command line: thin subcommands that parse arguments, call the library and set exit codes.

Each subcommand lives in its own module of this package with two functions: ``register(subparsers)``
adds its parser, and ``run(args) -> int`` does the work. Bad input (an :class:`~rvsim.errors.InputError`)
ends in one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rvsim import __version__
from rvsim.cli import quiet_tensorflow
from rvsim.errors import InputError

__all__ = ["main", "build_parser", "SUBCOMMANDS"]

#: Subcommand modules, in the order they appear in ``rvsim --help``.
SUBCOMMANDS: tuple[str, ...] = ("generate", "inspect", "verify", "train", "probe", "real", "demo")


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """Return the ``rvsim`` parser with every available subcommand registered."""
    parser = _Parser(prog="rvsim", description="Radio-visual simulation and self-supervised learning for 6G sensing.")
    parser.add_argument("--version", action="version", version=f"rvsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"rvsim.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"rvsim.cli.{name}":
                continue  # subcommand not built yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 failure, 2 bad input)."""
    # TensorFlow's C++ start-up chatter (absl's notice, oneDNN lines) would bury the progress output
    quiet_tensorflow.install()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        sys.stderr.write(f"rvsim {args.command}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
