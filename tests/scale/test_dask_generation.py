"""Generation on Dask: a local cluster of worker processes (``--workers``), an existing cluster
(``--scheduler``), and workers that die mid-shard. Every result must equal the uninterrupted in-process run."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import dask
import distributed  # noqa: F401  (its config defaults must exist before dask.config.set adds keys under them)
import pytest

from rvsim.cli import main

from .conftest import assert_same_dataset, folder_bytes, generate_args, recorded_shards, run_cli, start_cli

pytestmark = pytest.mark.rt

PRELOAD = str(Path(__file__).with_name("dask_fault_preload.py"))


def test_worker_dying_mid_shard_is_retried_and_the_result_is_identical(
        tmp_path: Path, scene_yaml: str, reference: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "died"
    monkeypatch.setenv("RVSIM_TEST_FAULT", f"exit-once:{marker}")
    out = tmp_path / "ds"
    with dask.config.set({"distributed.worker.preload": [PRELOAD]}):
        rc = main(generate_args(scene_yaml, out, 6, "--workers", "2"))
    assert rc == 0, capsys.readouterr().err
    pid, shard = marker.read_text().split()  # a worker really died while writing this shard
    assert shard.startswith("shard-") and int(pid) != os.getpid()
    assert_same_dataset(out, reference, prefix=True)  # complete, verified, no temporary file left


def test_worker_dying_on_every_try_fails_clearly_and_keeps_the_other_shards(
        tmp_path: Path, scene_yaml: str, reference: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RVSIM_TEST_FAULT", "exit-always:shard-00001.h5")
    out = tmp_path / "ds"
    with dask.config.set({"distributed.worker.preload": [PRELOAD], "distributed.scheduler.allowed-failures": 0}):
        rc = main(generate_args(scene_yaml, out, 6, "--workers", "2"))
    err = capsys.readouterr().err.strip()
    assert rc == 1 and len(err.splitlines()) == 1, err
    assert "shard-00001.h5 (samples 2..3) failed" in err and "KilledWorker" in err and "--resume" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert not manifest["complete"] and "shard-00001.h5" not in {s["file"] for s in manifest["shards"]}
    kept = {s["file"]: (out / s["file"]).read_bytes() for s in manifest["shards"]}
    monkeypatch.delenv("RVSIM_TEST_FAULT")
    assert main(generate_args(scene_yaml, out, 6, "--resume")) == 0  # in this process: no fault
    assert_same_dataset(out, reference, prefix=True)
    assert {name: (out / name).read_bytes() for name in kept} == kept  # what was recorded stayed as it was


def test_existing_cluster_via_scheduler(tmp_path: Path, scene_yaml: str, reference: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from dask.distributed import LocalCluster

    # two threads: the worker may start two shards at once; they share its scene, so they run one at a time
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, host="127.0.0.1", dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster:
        addr = cluster.scheduler_address
        assert addr.startswith("tcp://127.0.0.1:")
        bad = tmp_path / "gpu"  # this cluster's worker has no GPU: refused before anything is written
        assert main(generate_args(scene_yaml, bad, 4, "--scheduler", addr, "--device", "gpu")) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "needs an NVIDIA GPU on every worker" in err, err
        assert not bad.exists()
        out = tmp_path / "ds"
        assert main(generate_args(scene_yaml, out, 4, "--scheduler", addr)) == 0
    assert_same_dataset(out, reference, prefix=True)


@pytest.mark.parametrize("address, needle", [("nonsense", "missing port"), ("tcp://127.0.0.1:1", "refused")])
def test_unreachable_scheduler_writes_nothing(tmp_path: Path, scene_yaml: str, capsys: pytest.CaptureFixture[str],
                                              address: str, needle: str) -> None:
    out = tmp_path / "ds"
    t0 = time.monotonic()
    assert main(generate_args(scene_yaml, out, 4, "--scheduler", address)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cannot reach the Dask scheduler" in err and needle in err, err
    assert err.endswith(f"Received: --scheduler {address}")
    assert not out.exists() and time.monotonic() - t0 < 15


def _worker_pids(parent: int) -> list[int]:
    """Dask worker processes (multiprocessing spawn children) of ``parent``."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in cmdline:
            pids.append(int(entry))
    return pids


@pytest.mark.slow
def test_sigkill_of_a_worker_process_mid_run(tmp_path: Path, scene_yaml: str, reference: Path) -> None:
    out = tmp_path / "ds"
    proc = start_cli(generate_args(scene_yaml, out, 12, "--workers", "2"))
    deadline = time.monotonic() + 180
    while recorded_shards(out) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = _worker_pids(proc.pid)
    assert proc.poll() is None and len(workers) == 2, workers
    os.kill(workers[0], signal.SIGKILL)  # it is ray-tracing or writing a shard; Dask reruns that shard
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert_same_dataset(out, reference)
    done = run_cli(["verify", str(out)])
    assert done.returncode == 0 and done.stdout.startswith("OK"), done.stdout


def test_finished_dataset_resume_is_a_no_op(tmp_path: Path, scene_yaml: str, reference: Path) -> None:
    import shutil

    out = tmp_path / "ds"
    shutil.copytree(reference, out)
    before = folder_bytes(out)
    assert main(generate_args(scene_yaml, out, 12, "--resume", "--workers", "2")) == 0  # no cluster is started
    assert folder_bytes(out) == before


def test_shard_written_where_this_machine_cannot_see_it(tmp_path: Path) -> None:
    """On a cluster whose workers write elsewhere, the first recorded shard ends in one clear InputError."""
    from rvsim.data import DatasetWriter, ShardInfo
    from rvsim.errors import InputError
    from rvsim.sim.dataset_generation import _record

    writer = DatasetWriter(tmp_path / "ds", scene={"name": "x"}, seed=0, num_samples=4, shard_size=2,
                           class_names=["a"])

    class Done:  # a finished Dask future whose worker wrote shard 0 on its own disk
        def result(self) -> ShardInfo:
            return ShardInfo("shard-00000.h5", 0, 2, "0" * 64)

    with pytest.raises(InputError, match="the Dask workers must write to storage this machine sees"):
        _record(writer, Done(), (0, 0, 2), False, None)


def test_sequence_dataset_on_dask_with_a_dying_worker_equals_the_in_process_run(
        tmp_path: Path, scene_yaml: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Frames of sequences keep the guarantees on a local Dask cluster: a worker dies mid-shard, Dask reruns it,
    and the dataset equals the in-process one (whole sequences per shard, the range-Doppler field)."""
    import yaml

    spec = yaml.safe_load(Path(scene_yaml).read_text())
    spec["sequence"] = {"num_frames": 2, "frame_rate_hz": 10.0,
                        "doppler": {"num_time_steps": 8, "sampling_frequency_hz": 2000.0}}
    spec["classes"]["crate"]["motion"] = {"speed_mps": [1.0, 2.0]}
    scene = tmp_path / "moving.yaml"
    scene.write_text(yaml.safe_dump(spec, sort_keys=False))
    ref = tmp_path / "reference"
    assert main(generate_args(str(scene), ref, 6)) == 0
    marker = tmp_path / "died"
    monkeypatch.setenv("RVSIM_TEST_FAULT", f"exit-once:{marker}")
    out = tmp_path / "ds"
    with dask.config.set({"distributed.worker.preload": [PRELOAD]}):
        rc = main(generate_args(str(scene), out, 6, "--workers", "2"))
    assert rc == 0, capsys.readouterr().err
    assert marker.read_text().split()[1].startswith("shard-")  # a worker really died
    assert_same_dataset(out, ref)
