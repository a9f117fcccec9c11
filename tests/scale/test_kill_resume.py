"""``kill -9`` of ``rvsim generate`` at random (seeded) moments, then ``--resume``: the dataset equals an
uninterrupted run, array by array, and ``rvsim verify`` passes.

Each run is a real subprocess (``python -m rvsim.cli generate``), killed with SIGKILL together with any Dask
workers it started. A kill lands either a random time after the start (start-up, ray tracing, a shard or the
manifest being written), a random fraction of a second after the run records its next shard, or (in the slow
variant) the moment a temporary shard file shows a shard write in progress.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from rvsim.cli import main
from rvsim.data.manifest import Manifest
from rvsim.errors import DatasetError

from .conftest import (NUM_SAMPLES, assert_same_dataset, generate_args, kill_group, recorded_shards, run_cli,
                       start_cli)

pytestmark = pytest.mark.rt


def _wait(proc: subprocess.Popen[bytes], seconds: float) -> bool:
    """Wait up to ``seconds`` for ``proc`` to end; True if it ended."""
    try:
        proc.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        return False


def _state(out: Path) -> str:
    try:
        m = Manifest.read(out)  # with the shard journal
        return f"{len(m.shards)} shards{' complete' if m.complete else ''}"
    except DatasetError:
        return "no manifest" + (f" ({sorted(p.name for p in out.iterdir())})" if out.is_dir() else " nor folder")


def _shard_temporaries(out: Path) -> set[str]:
    try:
        return {p.name for p in out.iterdir() if p.name.startswith("shard-") and p.name.endswith(".tmp")}
    except FileNotFoundError:
        return set()


def kill_and_resume(out: Path, scene: str, num_samples: int, plan: list[tuple[int, str]], seed: int) -> list[str]:
    """Start ``rvsim generate`` once per ``(workers, mode)`` of ``plan`` and SIGKILL it; return what each kill left.

    ``mode`` is ``"time"`` (kill a random time after the start), ``"shard"`` (kill a random fraction of a
    second after the run records one more shard) or ``"write"`` (kill as soon as a temporary shard file shows that
    a shard is being written). Every run after the first passes ``--resume``.
    """
    rng = np.random.default_rng(seed)
    left: list[str] = []
    for i, (workers, mode) in enumerate(plan):
        args = generate_args(scene, out, num_samples, "--workers", str(workers), *(["--resume"] if i else []))
        before, stale = recorded_shards(out), _shard_temporaries(out)  # a killed run's leftovers
        proc = start_cli(args)
        if mode == "time":
            ended = _wait(proc, float(rng.uniform(0.5, 6.0) if workers == 1 else rng.uniform(2.0, 10.0)))
        elif mode == "write":  # as soon as this run writes a shard (a new temporary shard file appears)
            deadline = time.monotonic() + 180
            ended = False
            seen: list[str] = []
            while not ended and time.monotonic() < deadline:
                seen = [name for name in _shard_temporaries(out) if name not in stale]
                if seen:
                    break
                ended = _wait(proc, 0.001)
            mode = f"write of {seen}" if seen else mode
        else:
            deadline = time.monotonic() + 180
            ended = False
            while not ended and recorded_shards(out) <= before and time.monotonic() < deadline:
                ended = _wait(proc, 0.02)
            ended = ended or _wait(proc, float(rng.uniform(0.0, 0.4)))
        if ended:
            _, err = proc.communicate()
            assert proc.returncode == 0, err.decode()[-2000:]
            left.append(f"run {i} finished: {_state(out)}")
        else:
            kill_group(proc)
            left.append(f"run {i} ({workers} worker(s), {mode}) killed: {_state(out)}")
    return left


def _finish_and_compare(out: Path, scene: str, num_samples: int, reference: Path, left: list[str]) -> None:
    print(*left, sep="\n")
    done = run_cli(generate_args(scene, out, num_samples, "--resume"))
    assert done.returncode == 0, (left, done.stderr[-2000:])
    assert_same_dataset(out, reference)
    assert main(["verify", str(out)]) == 0
    assert any("killed" in s and "complete" not in s for s in left), left  # resume really had work to do


def test_kill_9_twice_then_resume_equals_uninterrupted_run(tmp_path: Path, scene_yaml: str, reference: Path) -> None:
    out = tmp_path / "ds"
    # "shard" first: killed a fraction of a second after its first shard is recorded, the run is always left
    # incomplete however fast the machine (a kill at a fixed time can come after a fast run has finished);
    # then a resumed run killed as it writes its next shard
    left = kill_and_resume(out, scene_yaml, NUM_SAMPLES, [(1, "shard"), (1, "write")], seed=2024)
    _finish_and_compare(out, scene_yaml, NUM_SAMPLES, reference, left)


@pytest.mark.slow
def test_kill_9_many_times_with_workers_then_resume(tmp_path: Path, scene_yaml: str) -> None:
    num = 32
    ref = tmp_path / "reference"
    assert main(generate_args(scene_yaml, ref, num)) == 0
    out = tmp_path / "ds"
    plan = [(1, "time"), (2, "shard"), (1, "write"), (2, "time"), (1, "shard"), (2, "write"), (1, "write"),
            (2, "shard")]
    left = kill_and_resume(out, scene_yaml, num, plan, seed=7)
    _finish_and_compare(out, scene_yaml, num, ref, left)


def test_kill_9_of_a_sequence_dataset_then_resume_equals_uninterrupted_run(tmp_path: Path, scene_yaml: str) -> None:
    """The same guarantee for frames of sequences (shards of whole sequences, the range–Doppler field)."""
    import yaml

    spec = yaml.safe_load(Path(scene_yaml).read_text())
    spec["sequence"] = {"num_frames": 2, "frame_rate_hz": 10.0,
                        "doppler": {"num_time_steps": 8, "sampling_frequency_hz": 2000.0}}
    spec["classes"]["crate"]["motion"] = {"speed_mps": [1.0, 2.0], "turn_rate_deg_s": [0.0, 30.0]}
    scene = tmp_path / "moving.yaml"
    scene.write_text(yaml.safe_dump(spec, sort_keys=False))
    ref = tmp_path / "reference"
    assert main(generate_args(str(scene), ref)) == 0
    out = tmp_path / "ds"
    left = kill_and_resume(out, str(scene), NUM_SAMPLES, [(1, "shard"), (1, "write")], seed=11)
    _finish_and_compare(out, str(scene), NUM_SAMPLES, ref, left)
    assert Manifest.read(out).schema_version == 2
