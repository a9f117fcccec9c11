"""Nothing in rvsim ever unpickles: a static check of the package's source for the calls that could.

``np.load`` must pass ``allow_pickle=False``; ``keras.models.load_model`` / ``keras.saving.load_model`` must not
pass ``safe_mode=False``; ``pickle``, ``cloudpickle``, ``dill``, ``joblib`` and ``torch`` loaders,
``yaml.load``/``yaml.unsafe_load``, ``pandas.read_pickle`` and ``eval``/``exec`` are not used at all. (Dask moves
task arguments and results between its own processes with pickle; that is its wire protocol between
trusted processes, never a file read by rvsim.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "rvsim"

_FORBIDDEN_CALLS = {
    ("pickle", "load"), ("pickle", "loads"), ("cloudpickle", "load"), ("cloudpickle", "loads"), ("dill", "load"),
    ("dill", "loads"), ("joblib", "load"), ("torch", "load"), ("yaml", "load"), ("yaml", "unsafe_load"),
    ("yaml", "full_load"), ("pd", "read_pickle"), ("pandas", "read_pickle"), ("marshal", "loads"),
    ("shelve", "open"),
}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            if any(n and n.split(".")[0] in ("pickle", "cloudpickle", "dill", "shelve", "marshal") for n in names):
                out.append(f"{where}: imports a pickle module")
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        parts = tuple(name.split("."))
        if parts[-2:] in _FORBIDDEN_CALLS or name in ("eval", "exec"):
            out.append(f"{where}: calls {name}")
        if parts[-1:] == ("load",) and parts[:-1] in (("np",), ("numpy",)):
            flag = _keyword(node, "allow_pickle")
            if not (isinstance(flag, ast.Constant) and flag.value is False):
                out.append(f"{where}: np.load without allow_pickle=False")
        if parts[-1:] == ("load_model",):
            flag = _keyword(node, "safe_mode")
            if flag is not None and not (isinstance(flag, ast.Constant) and flag.value is True):
                out.append(f"{where}: load_model without safe_mode=True")
    return out


def test_no_source_file_can_unpickle() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20
    problems = [p for f in files for p in _problems(f)]
    assert problems == []


@pytest.mark.parametrize("source, found", [
    ("import numpy as np\nnp.load('x.npy')", "allow_pickle=False"),
    ("import numpy as np\nnp.load('x.npy', allow_pickle=True)", "allow_pickle=False"),
    ("import pickle\n", "imports a pickle module"),
    ("import keras\nkeras.models.load_model('m.keras', safe_mode=False)", "safe_mode=True"),
    ("import yaml\nyaml.load(open('f'))", "calls yaml.load"),
])
def test_the_check_catches_each_pattern(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str,
                                        found: str) -> None:
    bad = PACKAGE / "_unpickling_probe_does_not_exist.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    assert any(found in p for p in _problems(bad))
