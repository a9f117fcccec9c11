"""Every public module, class and function of rvsim has a docstring (the API reference is built from them)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import rvsim

PACKAGE = Path(rvsim.__file__).resolve().parent

#: Framework hooks whose meaning Keras and Python document (a docstring is welcome, not required).
FRAMEWORK_METHODS = frozenset({
    "call", "build", "get_config", "from_config", "compute_output_shape", "get_build_config", "build_from_config",
    "compute_loss", "metrics", "on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
    "on_train_batch_end", "update_state", "result", "reset_state",
})

def module_names() -> list[str]:
    """Every module of the package, found on disk (command-line subcommand modules included)."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def _missing(module_name: str) -> list[str]:
    mod = importlib.import_module(module_name)
    out = [] if (mod.__doc__ or "").strip() else [f"{module_name} (module docstring)"]
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)) or obj.__module__ != module_name:
            continue  # constants, and names re-exported from the module that defines them
        qual = f"{module_name}.{name}"
        if not (obj.__doc__ or "").strip():
            out.append(qual)
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if attr.startswith("_") or attr in FRAMEWORK_METHODS:
                    continue
                func = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
                if (inspect.isfunction(func) or isinstance(value, property)) and not (func.__doc__ or "").strip():
                    out.append(f"{qual}.{attr}")
    return out


def test_every_module_is_found() -> None:
    names = module_names()
    assert "rvsim.config" in names and "rvsim.sim.hall.radio_engine" in names and "rvsim.cli" in names
    assert len(names) > 50


@pytest.mark.parametrize("module_name", module_names())
def test_public_names_have_docstrings(module_name: str) -> None:
    missing = _missing(module_name)
    assert not missing, f"public names without a docstring: {missing}"


def test_all_names_exist() -> None:
    for module_name in module_names():
        mod = importlib.import_module(module_name)
        for name in getattr(mod, "__all__", []):
            assert hasattr(mod, name), f"{module_name}.__all__ lists {name!r}, which it does not define"
