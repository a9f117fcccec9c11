"""Shared pieces of the scale and fault tests: the tiny hall as YAML, an uninterrupted reference dataset, the
command line as a subprocess, and an array-by-array comparison of two datasets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

#: Samples, shard size and seed of the reference dataset (every test generates a prefix of it or all of it).
NUM_SAMPLES = 12
SHARD_SIZE = 2
SEED = 7

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def scene_yaml(tmp_path_factory: pytest.TempPathFactory, tiny_spec: Any) -> str:
    """The tiny hall (``tests/conftest.py``) written as YAML, resolved; key order kept: it defines the class ids."""
    path = tmp_path_factory.mktemp("scene") / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_spec.to_dict(), sort_keys=False))
    return str(path)


def generate_args(scene: str, out: Path | str, num_samples: int = NUM_SAMPLES, *extra: str) -> list[str]:
    """``rvsim generate`` arguments for the tiny hall with the reference seed and shard size."""
    return ["generate", "--scene", scene, "--num-samples", str(num_samples), "--out", str(out), "--seed", str(SEED),
            "--shard-size", str(SHARD_SIZE), "--quiet", *extra]


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory, scene_yaml: str) -> Path:
    """An uninterrupted run of ``rvsim generate`` (in this process): the dataset every other run must equal."""
    from rvsim.cli import main

    out = tmp_path_factory.mktemp("reference") / "ds"
    assert main(generate_args(scene_yaml, out)) == 0
    return out


def assert_same_dataset(path: Path | str, reference: Path | str, *, prefix: bool = False) -> None:
    """Assert that a dataset holds exactly the reference's arrays (every field, every sample) and verifies.

    Args:
        path: The dataset to check.
        reference: The uninterrupted run.
        prefix: Allow ``path`` to hold fewer samples than the reference (its first ``len`` samples), since sample
            ``i`` depends only on (scene, seed, i).
    """
    from rvsim.data import Dataset

    with Dataset(path) as ds, Dataset(reference) as ref:
        assert ds.complete and ds.verify() == []
        n = len(ds)
        assert n == len(ref) or (prefix and n < len(ref))
        assert ds.fields == ref.fields and ds.class_names == ref.class_names and ds.seed == ref.seed
        assert ds.manifest["scene"] == ref.manifest["scene"] and ds.manifest["attrs"] == ref.manifest["attrs"]
        idx = np.arange(n)
        for field in ref.fields:
            np.testing.assert_array_equal(ds.read(field, idx), ref.read(field, idx), err_msg=field)
    leftovers = sorted(p.name for p in Path(path).iterdir() if p.name.endswith(".tmp"))
    assert leftovers == [], leftovers


def cli_command(args: Sequence[str]) -> list[str]:
    """The command line that runs ``rvsim`` with this interpreter."""
    return [sys.executable, "-m", "rvsim.cli", *args]


def start_cli(args: Sequence[str]) -> subprocess.Popen[bytes]:
    """Start ``python -m rvsim.cli ARGS`` in its own process group (so it can be killed with its workers)."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.Popen(cli_command(args), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def kill_group(proc: subprocess.Popen[Any]) -> None:
    """SIGKILL the process group of ``proc`` (the command and any Dask workers it started) and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _group_alive(proc.pid):
        time.sleep(0.1)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_cli(args: Sequence[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``python -m rvsim.cli ARGS`` to the end."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run(cli_command(args), cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def recorded_shards(out: Path) -> int:
    """Shards recorded in ``out/manifest.json`` and its shard journal (0 if there is no readable manifest yet)."""
    from rvsim.data.manifest import Manifest
    from rvsim.errors import DatasetError

    try:
        return len(Manifest.read(out).shards)
    except DatasetError:
        return 0


def folder_bytes(path: Path) -> dict[str, bytes]:
    """Every file of a folder and its bytes (to show that nothing was changed)."""
    return {p.name: p.read_bytes() for p in sorted(Path(path).iterdir()) if p.is_file()}
