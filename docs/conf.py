"""Sphinx configuration of the rvsim documentation.

Build with ``make docs`` (``sphinx-build -W --keep-going -b html docs docs/_build/html``): warnings are errors,
and every tutorial under ``tutorials/`` is executed during the build (MyST-NB, no cache), on tiny sizes.

The API reference is generated at build time: :func:`write_api_pages` writes one page per module of the
``rvsim`` package into ``api/`` (ignored by git), each an ``automodule`` of that module's public names
(its ``__all__``).
"""

from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(ROOT))

# Dr.Jit must be imported before TensorFlow in a process (see tests/conftest.py); autodoc imports modules that
# import TensorFlow, and no module imports Dr.Jit at import time, so nothing more is needed here. One thread each
# keeps the build predictable on a 2-core machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import rvsim  # noqa: E402


def pin_kernel() -> Path:
    """Make the tutorials' ``python3`` kernel this interpreter (the one with rvsim and the docs extra).

    Writes a kernelspec under ``_build/jupyter/kernels/python3`` and puts that folder first on
    ``JUPYTER_PATH``, ahead of any ``python3`` kernelspec of the user or the system (which may be another
    Python without rvsim).
    """
    folder = DOCS / "_build" / "jupyter"
    spec_dir = folder / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (rvsim docs)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    paths = [str(folder), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return spec_dir


pin_kernel()

project = "rvsim"
author = "rvsim developers"
copyright = "rvsim developers, Apache-2.0"  # noqa: A001
release = rvsim.__version__
version = rvsim.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "rvsim_cli",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "README.md", "**/.ipynb_checkpoints", "jupyter_execute"]
templates_path: list[str] = []

# ---- HTML
html_theme = "furo"
html_title = f"rvsim {release}"
html_static_path: list[str] = []

# ---- autodoc + napoleon (Google-style docstrings)
# scikit-learn adds metadata-routing methods (set_fit_request, ...) to estimators such as LinearProbe; their
# docstrings point into scikit-learn's own glossary, and they are not rvsim's API.
autodoc_default_options = {"members": True, "show-inheritance": True, "member-order": "bysource",
                           "exclude-members": "set_fit_request,set_score_request,set_predict_request,"
                                              "set_transform_request,set_partial_fit_request"}
autodoc_typehints = "signature"
autodoc_class_signature = "mixed"
autodoc_preserve_defaults = True
autodoc_mock_imports: list[str] = []
autodoc_inherit_docstrings = False  # document what rvsim writes, not Keras' inherited docstrings
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_attr_annotations = True
napoleon_custom_sections = [("Call arguments", "params_style"), ("Call returns", "returns_style")]
python_display_short_literal_types = True
add_module_names = False

# ---- MyST / MyST-NB: Markdown pages and executed tutorials (jupytext-style MyST notebooks)
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "force"          # every build runs every notebook: no cache, the tutorials really run
nb_execution_timeout = 900           # per cell [s]
nb_execution_raise_on_error = True   # a failing cell fails the build
nb_execution_show_tb = True
nb_merge_streams = True
nb_output_stderr = "remove"         # TensorFlow's C++ start-up logs; errors still fail the build

# ---- the generated API reference
#: Packages whose submodules are documented one page each (a package page holds only its docstring and the
#: names it defines itself); the command-line subcommand modules are documented by the CLI page instead.
SKIP_MODULES = ("rvsim.cli.",)


def public_modules() -> list[str]:
    """Dotted names of every module of the ``rvsim`` package (found on disk; nothing is imported)."""
    pkg = ROOT / "rvsim"
    names = []
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__main__" or any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if not name.startswith(SKIP_MODULES):
            names.append(name)
    return sorted(names)


def package_names(init_file: Path, package: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Split a package's ``__all__`` into names it defines itself and names it re-exports.

    Args:
        init_file: The package's ``__init__.py``.
        package: Its dotted name.

    Returns:
        ``(own, reexported)``: names defined in ``__init__.py``, and ``(name, "module.name")`` pairs of the
        re-exported ones with the dotted path where each is defined.
    """
    tree = ast.parse(init_file.read_text(encoding="utf-8"))
    exported: list[str] = []
    origin: dict[str, str] = {}
    own: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            exported = [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                origin[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            own.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            own.update(t.id for t in targets if isinstance(t, ast.Name))
    mine = [n for n in exported if n in own and not n.startswith("__")]
    again = [(n, origin[n]) for n in exported if n in origin and n not in own]
    return mine, again


def write_api_pages(app: object = None) -> None:
    """Write ``api/<module>.rst`` for every module, ``api/index.rst`` listing them, and ``api/reference_toc.inc``
    (the Reference toctree of the index: the fixed pages, then any other top-level page); only files that change.

    A module page is an ``automodule`` of its public names (``__all__``). A package page holds the package's
    docstring, the names the package defines itself, and links to the names it re-exports (documented on the
    page of the module that defines them).
    """
    out = DOCS / "api"
    out.mkdir(exist_ok=True)
    modules = public_modules()
    pages = {}
    for name in modules:
        title = f"``{name}``"
        text = f"{title}\n{'=' * len(title)}\n\n.. automodule:: {name}\n"
        init_file = ROOT / Path(*name.split(".")) / "__init__.py"
        if init_file.exists():
            own, again = package_names(init_file, name)
            text += f"   :members: {', '.join(own)}\n" if own else "   :no-members:\n"
            if again:
                text += "\nRe-exported here from the modules that define them:\n\n"
                text += "".join(f"- :py:obj:`{name}.{n} <{target}>`\n" for n, target in again)
        pages[f"{name}.rst"] = text
    toc = "\n".join(f"   {name}" for name in modules)
    pages["index.rst"] = (
        "API reference\n=============\n\n"
        "One page per module, generated from the docstrings (Google style: shapes are written out, units in "
        "brackets). Packages re-export the names of their modules; each name is documented where it is "
        "defined.\n\n"
        f".. toctree::\n   :maxdepth: 1\n\n{toc}\n")
    top = sorted(p.stem for p in DOCS.glob("*.md") if p.stem not in ("index", "README"))
    entries = [*REFERENCE_PAGES, *(p for p in top if p not in REFERENCE_PAGES)]
    pages["reference_toc.inc"] = ("```{toctree}\n:caption: Reference\n:maxdepth: 1\n\n"
                                  + "".join(f"{e}\n" for e in entries if e in top or "/" in e) + "```\n")
    for fname, text in pages.items():
        path = out / fname
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    for stale in out.glob("*.rst"):
        if stale.name not in pages:
            stale.unlink()


#: The Reference section's pages, in order; any other top-level ``*.md`` page (``scaling.md`` ...) follows them.
REFERENCE_PAGES: tuple[str, ...] = ("reference/cli", "api/index", "dataset_schema", "scene_families", "probe_results",
                                    "real_data", "benchmarks", "results")


def setup(app: object) -> None:
    """Generate the API pages before Sphinx reads the sources."""
    app.connect("builder-inited", write_api_pages)  # type: ignore[attr-defined]
