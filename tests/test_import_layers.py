"""Imports follow the data flow: every ``import`` of every rvsim module (function-level ones included) points
along the allowed arrows of ``docs/guides/architecture.md``, and no rvsim modules import each other in a cycle.

The imports are read with ``ast`` from the source files; nothing is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rvsim"

#: Which layers (sub-packages or top-level modules of rvsim) a layer may import, besides itself. ``rvsim``
#: itself is the package's ``__init__`` (its public names, ``__version__``). ``data`` is the dataset format, the contract
#: between the simulator that writes it and everything that reads it: it imports neither.
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "llvm": frozenset({"errors"}),
    "config": frozenset({"errors"}),
    "radio": frozenset({"errors", "config"}),
    "data": frozenset({"errors"}),
    "sim": frozenset({"errors", "llvm", "config", "radio", "data"}),
    "tasks": frozenset({"errors", "data"}),
    "real": frozenset({"errors", "radio", "data", "tasks"}),
    "models": frozenset({"errors"}),
    "objectives": frozenset({"errors"}),
    "train": frozenset({"rvsim", "errors", "config", "data", "models", "objectives", "tasks"}),
    "eval": frozenset({"rvsim", "errors", "config", "radio", "data", "tasks", "real", "models", "objectives",
                       "train"}),
    "demo": frozenset({"rvsim", "errors", "config", "radio", "sim", "data", "tasks", "real", "models", "objectives",
                       "train", "eval"}),
    "cli": frozenset({"rvsim", "errors", "llvm", "config", "radio", "sim", "data", "tasks", "real", "models",
                      "objectives", "train", "eval", "demo"}),
    "rvsim": frozenset({"errors", "config", "data"}),
}

#: Third-party packages a layer must not import (the simulator and real data know nothing of learning).
FORBIDDEN_THIRD_PARTY: dict[str, frozenset[str]] = {
    "config": frozenset({"tensorflow", "keras", "sionna", "mitsuba", "drjit"}),
    "radio": frozenset({"tensorflow", "keras", "sionna", "mitsuba", "drjit"}),
    "sim": frozenset({"tensorflow", "keras"}),
    "data": frozenset({"sionna", "mitsuba", "drjit"}),
    "real": frozenset({"tensorflow", "keras", "sionna", "mitsuba", "drjit"}),
}


def module_name(path: Path) -> str:
    """``rvsim/sim/hall/hall_sampler.py`` -> ``rvsim.sim.hall.hall_sampler`` (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """The import nodes inside ``if TYPE_CHECKING:`` blocks (type hints only, never run)."""
    out: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            out.update(n for stmt in node.body for n in ast.walk(stmt) if isinstance(n, (ast.Import, ast.ImportFrom)))
    return out


def imports(path: Path, *, type_checking: bool = True) -> Iterator[tuple[str, int]]:
    """Every absolute module name ``path`` imports (module level, in functions, and under ``TYPE_CHECKING``
    unless ``type_checking`` is False), with its line; ``from a import b`` yields ``a.b`` when ``a/b`` is a module
    of rvsim, else ``a``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set() if type_checking else _type_checking_only(tree)
    for node in ast.walk(tree):
        if node in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            assert node.module is not None
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                is_module = (PACKAGE.parent / Path(*full.split("."))).with_suffix(".py").is_file() or \
                    (PACKAGE.parent / Path(*full.split(".")) / "__init__.py").is_file()
                yield (full if full.startswith("rvsim.") and is_module else node.module), node.lineno


def layer(module: str) -> str:
    """``rvsim.sim.hall.radio_engine`` -> ``sim``; ``rvsim`` -> ``rvsim``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "rvsim"


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_layer_has_rules() -> None:
    layers = {layer(module_name(p)) for p in SOURCES}
    assert layers <= set(ALLOWED), sorted(layers - set(ALLOWED))


def _violations() -> list[str]:
    out = []
    for path in SOURCES:
        me = module_name(path)
        mine = layer(me)
        for target, line in imports(path):
            top = target.split(".")[0]
            if top == "rvsim":
                other = layer(target)
                if other != mine and other not in ALLOWED[mine]:
                    out.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {mine} must not import {target}")
            elif top in FORBIDDEN_THIRD_PARTY.get(mine, ()):
                out.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {mine} must not import {top}")
    return out


def test_imports_follow_the_allowed_arrows() -> None:
    assert _violations() == []


def test_scene_families_depend_on_the_shared_simulator_only() -> None:
    """A family's modules import shared ones; shared modules import no family (only the list of families
    does), and families do not import each other."""
    families = {p.parent.name for p in (PACKAGE / "sim").glob("*/__init__.py")}
    assert families >= {"hall", "street"}

    def family_of(module: str) -> str | None:
        parts = module.split(".")
        return parts[2] if len(parts) >= 3 and parts[2] in families else None

    problems = []
    for path in SOURCES:
        me = module_name(path)
        if not me.startswith("rvsim.sim."):
            continue
        for target, line in imports(path):
            family = family_of(target) if target.startswith("rvsim.sim.") else None
            if family is None:
                continue
            if family_of(me) is None and me != "rvsim.sim.scene_families":
                problems.append(f"{me}:{line}: a shared simulator module imports the family module {target}")
            elif family_of(me) not in (None, family):
                problems.append(f"{me}:{line}: family {family_of(me)} imports family {family} ({target})")
    assert problems == []


def _graph(prefixes: tuple[str, ...]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    names = {module_name(p) for p in SOURCES}
    for path in SOURCES:
        me = module_name(path)
        if not me.startswith(prefixes):
            continue
        graph[me] = set()
        for target, _ in imports(path, type_checking=False):
            # a module importing a package's name imports the package's __init__
            while target not in names and "." in target:
                target = target.rsplit(".", 1)[0]
            if target != me and target.startswith(prefixes) and not me.startswith(target + "."):
                graph[me].add(target)
    return graph


@pytest.mark.parametrize("prefixes", [("rvsim.config", "rvsim.radio", "rvsim.sim", "rvsim.data", "rvsim.real")],
                         ids=["config-radio-sim-data-real"])
def test_no_import_cycles(prefixes: tuple[str, ...]) -> None:
    """No module of these layers reaches itself through imports (lazy, function-level ones included; imports for
    type hints only, under ``TYPE_CHECKING``, are not run and do not count)."""
    graph = _graph(prefixes)
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []
