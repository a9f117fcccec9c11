"""Importing rvsim is light, and the public names are there."""

from __future__ import annotations

import subprocess
import sys


def test_import_is_light_and_exports_the_public_api() -> None:
    code = ("import sys, rvsim\n"
            "heavy = [m for m in ('tensorflow', 'keras', 'sionna', 'mitsuba', 'drjit', 'sklearn', 'matplotlib',"
            " 'dask') if m in sys.modules]\n"
            "print(heavy)\n"
            "print(sorted(n for n in rvsim.__all__ if not hasattr(rvsim, n)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    heavy, missing = out.stdout.strip().splitlines()
    assert heavy == "[]" and missing == "[]"
