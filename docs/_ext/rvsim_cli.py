"""Sphinx extension: the ``rvsim-cli`` directive renders the command line's help, generated from its parser.

``.. rvsim-cli::`` (or, in MyST, a fenced ``{rvsim-cli}`` block) builds :func:`rvsim.cli.build_parser`, and
writes one section per subcommand, in the order of :data:`rvsim.cli.SUBCOMMANDS`, holding that subcommand's
``format_help()`` as a literal block, after the top-level ``rvsim --help``. Nothing is hand-written, so the
page always matches the installed parser.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

#: Width the help text is wrapped to [characters].
HELP_WIDTH = 100


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # noqa: SLF001  (argparse keeps subparsers only here)
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return dict(action.choices)
    return {}


def _help(parser: argparse.ArgumentParser) -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(HELP_WIDTH)
    try:
        return parser.format_help()
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


class RvsimCliDirective(SphinxDirective):
    """Insert ``rvsim --help`` and one section per subcommand with its ``--help``."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from rvsim.cli import SUBCOMMANDS, build_parser

        parser = build_parser()
        subs = _subparsers(parser)
        out: list[nodes.Node] = [nodes.literal_block(text=_help(parser), language="text")]
        for name in SUBCOMMANDS:
            if name not in subs:
                continue
            sub = subs[name]
            section = nodes.section(ids=[f"rvsim-{name}"], names=[f"rvsim {name}"])
            section += nodes.title(text=f"rvsim {name}")
            if sub.description:
                section += nodes.paragraph(text=" ".join(sub.description.split()))
            section += nodes.literal_block(text=_help(sub), language="text")
            out.append(section)
            self.env.note_dependency(__file__)
        return out


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("rvsim-cli", RvsimCliDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
