"""The ``rt`` marker really isolates Sionna RT: a ``-m "not rt"`` run never imports Dr.Jit, nor does importing rvsim.

(Within such a run, ``tests/conftest.py`` also fails any test that imports Dr.Jit without the ``rt`` marker.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)


def test_a_not_rt_run_imports_no_dr_jit() -> None:
    proc = _run("import sys, pytest\n"
                "code = pytest.main(['-q', '-p', 'no:cacheprovider', '-m', 'not rt', 'tests/config', 'tests/radio'])\n"
                "print('exit', int(code), 'drjit' in sys.modules)\n")
    assert proc.stdout.strip().splitlines()[-1] == "exit 0 False", proc.stdout[-3000:] + proc.stderr[-2000:]


def test_importing_the_library_imports_no_sionna() -> None:
    proc = _run("import sys\n"
                "import rvsim, rvsim.config, rvsim.radio, rvsim.sim, rvsim.data, rvsim.real, rvsim.tasks\n"
                "import rvsim.sim.sample_generator, rvsim.sim.scene_families\n"
                "print(sorted(m for m in ('drjit', 'mitsuba', 'sionna', 'tensorflow') if m in sys.modules))\n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[]", proc.stdout
