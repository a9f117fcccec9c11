"""Find a libLLVM that Dr.Jit's CPU backend can use, before ``sionna.rt`` is imported.

Dr.Jit's LLVM backend needs LLVM >= 16; with Debian 12's default LLVM 14/15 the first path solve aborts
(``LLVM ERROR: Cannot select: ... fmaximum``). :func:`ensure_libllvm` sets ``DRJIT_LIBLLVM_PATH`` to a usable
library, or raises :class:`~rvsim.errors.InputError` saying what to install.
"""

from __future__ import annotations

import glob
import os
import re

from rvsim.errors import InputError

__all__ = ["MIN_LLVM_VERSION", "find_libllvm", "ensure_libllvm"]

MIN_LLVM_VERSION = 16

_SEARCH_DIRS = (
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/lib",
    "/opt/homebrew/opt/llvm/lib",
    "/usr/local/opt/llvm/lib",
)


def _version_of(path: str) -> int | None:
    name = os.path.basename(path)
    m = re.match(r"libLLVM-(\d+)", name) or re.match(r"libLLVM\.so\.(\d+)", name)
    if m is None:
        m = re.search(r"llvm-(\d+)/lib/libLLVM", path)
    return int(m.group(1)) if m else None


def find_libllvm(search_dirs: tuple[str, ...] = _SEARCH_DIRS) -> str | None:
    """Return the path of the newest libLLVM >= 16 in the standard library folders, or None.

    Args:
        search_dirs: Folders to look in (``/usr/lib/llvm-N/lib`` is searched too).

    Returns:
        The absolute path of the shared library, or None if none of a usable version is installed.
    """
    candidates: list[tuple[int, str]] = []
    patterns = []
    for d in search_dirs:
        patterns += [os.path.join(d, "libLLVM-*.so*"), os.path.join(d, "libLLVM.so.*"),
                     os.path.join(d, "libLLVM.dylib")]
    patterns.append("/usr/lib/llvm-*/lib/libLLVM*.so*")
    for pattern in patterns:
        for path in glob.glob(pattern):
            version = _version_of(path)
            if version is not None and version >= MIN_LLVM_VERSION and os.path.isfile(path):
                candidates.append((version, path))
    if not candidates:
        return None
    candidates.sort(key=lambda vp: (vp[0], -len(vp[1])))
    return candidates[-1][1]


def ensure_libllvm() -> str:
    """Make sure ``DRJIT_LIBLLVM_PATH`` points at a usable libLLVM; return that path.

    An existing ``DRJIT_LIBLLVM_PATH`` is respected if the file exists.

    Raises:
        InputError: if no libLLVM >= 16 is found, with what to install.
    """
    current = os.environ.get("DRJIT_LIBLLVM_PATH")
    if current:
        if not os.path.isfile(current):
            raise InputError(
                f"DRJIT_LIBLLVM_PATH does not point to a file. Received: DRJIT_LIBLLVM_PATH={current!r}")
        return current
    path = find_libllvm()
    if path is None:
        raise InputError(
            "no libLLVM >= 16 found for Dr.Jit's CPU backend: install it (Debian: apt-get install libllvm19) "
            "or set DRJIT_LIBLLVM_PATH. Received: none in " + ", ".join(_SEARCH_DIRS))
    os.environ["DRJIT_LIBLLVM_PATH"] = path
    return path
