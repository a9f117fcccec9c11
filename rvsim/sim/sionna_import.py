"""Import Sionna RT lazily, after making sure Dr.Jit finds a usable libLLVM."""

from __future__ import annotations

import types

from rvsim.llvm import ensure_libllvm

__all__ = ["import_sionna_rt"]


def import_sionna_rt(num_threads: int | None = None) -> types.ModuleType:
    """Return the ``sionna.rt`` module, importing it on first use.

    Args:
        num_threads: If given, the number of Dr.Jit worker threads (1 for one process per core).

    Raises:
        InputError: if no libLLVM >= 16 is installed.
    """
    ensure_libllvm()
    import sionna.rt as rt  # noqa: PLC0415  (lazy on purpose: it selects a Mitsuba variant)

    if num_threads is not None:
        import drjit as dr

        dr.set_thread_count(int(num_threads))
    return rt
