"""TensorFlow's C++ start-up lines, kept off the command line's stderr.

Importing TensorFlow 2.21 writes, twice (once per copy of absl in its shared libraries)::

    WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
    I0000 00:00:... port.cc:153] oneDNN custom operations are on. You may see slightly different ...

They come before absl's logging is initialised, so ``TF_CPP_MIN_LOG_LEVEL`` does not hide them (it still
governs what TensorFlow logs later). :func:`install` makes the first ``import tensorflow`` of the process,
whichever library module does it and whenever, run with file descriptor 2 captured; afterwards the captured
text is written back to stderr without absl's notice and without INFO or WARNING lines of absl's format
(``I0000 ...``, ``W0000 ...``), which is what ``TF_CPP_MIN_LOG_LEVEL=2`` means. Errors, and everything if the
import fails, still reach stderr. Only the command line installs it; library code never touches logging.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from types import ModuleType
from typing import Any

__all__ = ["install", "filter_startup_lines"]

#: Lines of absl's format below ERROR (``I0000 00:00:...`` / ``W1231 ...``) and absl's pre-initialisation notice.
_NOISE = re.compile(rb"^(?:[IW]\d{4} [\d:.]+ +\d+ [^\]]*\] .*"
                    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR)$")


def filter_startup_lines(text: bytes) -> bytes:
    """``text`` without absl's pre-initialisation notice and absl-format INFO and WARNING lines."""
    lines = text.splitlines(keepends=True)
    return b"".join(line for line in lines if not _NOISE.match(line.rstrip(b"\r\n")))


class _QuietLoader(importlib.abc.Loader):
    """Runs the real loader of ``tensorflow`` with file descriptor 2 captured, then writes back what is not noise."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def __getattr__(self, name: str) -> Any:  # is_package, get_resource_reader, ...: the real loader's
        return getattr(self._loader, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        sys.stderr.flush()
        saved = os.dup(2)
        failed = True
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                self._loader.exec_module(module)
                failed = False
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
                os.close(saved)
                captured.seek(0)
                text = captured.read()
                os.write(2, text if failed else filter_startup_lines(text))


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` with the other finders and wraps its loader (once)."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != "tensorflow":
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _QuietLoader(spec.loader)
                return spec
        return None


def install() -> None:
    """Make this process's first ``import tensorflow`` quiet (a no-op if TensorFlow is already imported)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # what TensorFlow logs once absl is initialised
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietTensorFlowFinder())
