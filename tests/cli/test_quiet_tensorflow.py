"""The command line keeps TensorFlow's C++ start-up lines off stderr; nothing else is hidden."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import rvsim
from rvsim.cli.quiet_tensorflow import filter_startup_lines

STARTUP = (b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
           b"I0000 00:00:1796199767.989347   19800 port.cc:153] oneDNN custom operations are on. You may see "
           b"slightly different numerical results.\n"
           b"W0000 00:00:1796199767.989347   19800 cpu_feature_guard.cc:12] some hint\n")


def test_filter_drops_absl_info_and_warnings_only() -> None:
    kept = b"E0000 00:00:1796199767.9 19800 op.cc:1] a real error\nTraceback (most recent call last):\n"
    assert filter_startup_lines(STARTUP + kept + STARTUP) == kept
    assert filter_startup_lines(b"progress 10%\r") == b"progress 10%\r"


def _write_dataset(path: Path) -> Path:
    """The synthetic training dataset of tests/train (loaded by path: test folders are not a package tree)."""
    spec = importlib.util.spec_from_file_location("_rvsim_train_fixtures",
                                                  Path(__file__).resolve().parents[1] / "train" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write_dataset(path, num_samples=32, shard_size=16)


def test_train_command_prints_no_tensorflow_startup_lines(tmp_path: Path) -> None:
    """``rvsim train`` in a fresh process (TensorFlow imported by library code) writes nothing on stderr."""
    shared_dataset = _write_dataset(tmp_path / "data")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = str(Path(rvsim.__file__).resolve().parents[1])
    proc = subprocess.run([sys.executable, "-m", "rvsim.cli", "train", "--data", str(shared_dataset), "--out",
                           str(tmp_path / "run"), "--epochs", "0", "--quiet"], capture_output=True, timeout=600,
                          env=env)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert proc.stderr == b"", proc.stderr.decode()[-2000:]
    assert b"trained 0 epoch(s)" in proc.stdout
