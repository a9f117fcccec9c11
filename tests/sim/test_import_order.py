"""Importing Sionna RT after TensorFlow ends in a clear error, not a segmentation fault."""

from __future__ import annotations

import subprocess
import sys


def test_sionna_after_tensorflow_is_refused_clearly() -> None:
    code = ("import tensorflow\n"
            "from rvsim.sim.sionna_import import import_sionna_rt\n"
            "try:\n"
            "    import_sionna_rt()\n"
            "except RuntimeError as exc:\n"
            "    print('refused:', exc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "refused: Sionna RT (Dr.Jit) must be imported before TensorFlow" in proc.stdout
