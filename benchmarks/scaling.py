"""Scaling of ``rvsim generate``: samples per second at 1 and 2 workers in one run, and the numbers of a cost model.

Measured on this machine, in this order:

1. ``rvsim generate --workers 1`` and ``--workers 2`` as subprocesses (exactly as a user runs them), and with
   ``--scheduler`` on a local cluster of one single-threaded worker process started here, each on a new folder,
   interleaved and repeated (medians reported). The manifest is polled to time every recorded shard,
   which separates the start-up (interpreter, Sionna RT import, cluster, scene build: until the first shard is
   recorded) from the steady rate (samples per second over the last two thirds of the shards). ``--workers 1``
   runs in the command's own process with Dr.Jit's default threads (all cores); ``--workers 2`` runs two worker
   processes with one Dr.Jit thread each, so the ratio to the one-worker cluster is the scaling of the unit the
   model counts. Printed: the rates and their ratios.
2. The Dask scheduler's overhead per task: a local cluster like rvsim's (2 single-threaded worker processes) runs
   many trivial tasks; overhead = wall / tasks (throughput) and the round trip of one task (latency).
3. The client's serial cost of recording one shard: re-hashing the file, reading its header and rewriting the
   manifest, and how the manifest rewrite grows with the number of shards.

``docs/scaling.md`` turns these into a model of the time on N machines.

Usage::

    python benchmarks/scaling.py [--scene factory] [--samples 96] [--shard-size 8] [--tasks 2000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _recorded(out: Path) -> int:
    from rvsim.data.manifest import Manifest
    from rvsim.errors import DatasetError

    try:
        return len(Manifest.read(out).shards)  # manifest.json and the shard journal
    except DatasetError:
        return 0


def run_generate(scene: str, samples: int, shard_size: int, workers: int, out: Path,
                 scheduler: str | None = None) -> dict[str, float]:
    """Run ``rvsim generate`` in a subprocess and time it, polling the manifest every 20 ms.

    ``scheduler`` (an address) runs it on that Dask cluster instead of ``--workers``.

    Returns:
        ``wall`` [s] (start to exit), ``startup`` [s] (start to the first recorded shard), ``steady`` [samples/s]
        (samples of the shards recorded from a third of the way on, at least ``workers`` records in, over the
        time they took), ``overall`` [samples/s] (all samples over ``wall``), ``shards``.
    """
    cmd = [sys.executable, "-m", "rvsim.cli", "generate", "--scene", scene, "--num-samples", str(samples),
           "--out", str(out), "--workers", str(workers), "--shard-size", str(shard_size), "--quiet"]
    if scheduler is not None:
        cmd += ["--scheduler", scheduler]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stamps: list[float] = []
    seen = 0
    while proc.poll() is None:
        n = _recorded(out)
        stamps += [time.perf_counter() - t0] * (n - seen)
        seen = max(seen, n)
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"rvsim generate failed ({proc.returncode}): {err.strip()[-2000:]}")
    n = _recorded(out)
    stamps += [wall] * (n - seen)
    shards = len(stamps)
    # Workers start at different times and each one's first shard includes its start-up: the steady rate is taken
    # over the records from a third of the way on (at least `workers` records in), when every worker is busy.
    # The last shard may be smaller: count samples, not shards.
    first = max(workers, shards // 3)
    steady = (samples - first * shard_size) / (stamps[-1] - stamps[first - 1]) if shards > first else float("nan")
    return {"wall": wall, "startup": stamps[0], "steady": steady, "overall": samples / wall, "shards": shards}


def _trivial(i: int) -> int:
    return i


def scheduler_overhead(num_tasks: int, workers: int = 2) -> dict[str, float]:
    """Per-task overhead of a local Dask cluster like rvsim's, measured with trivial tasks.

    Returns:
        ``start`` [s] cluster start; ``per_task`` [s] wall of ``num_tasks`` independent tasks over their number
        (submitted at once, results gathered as they complete, as rvsim does); ``round_trip`` [s] median of one
        task submitted and awaited alone.
    """
    import dask
    from dask.distributed import Client, LocalCluster, as_completed

    with dask.config.set({"distributed.worker.daemon": False, "logging.distributed": "critical"}):
        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=50,
                               scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
        client = Client(cluster, set_as_default=False)
        client.wait_for_workers(workers)
        start = time.perf_counter() - t0
        try:
            client.gather(client.map(_trivial, range(50), pure=False))  # warm-up
            t0 = time.perf_counter()
            futures = [client.submit(_trivial, i, pure=False, retries=2) for i in range(num_tasks)]
            for fut in as_completed(futures, loop=client.loop):
                fut.result()
            per_task = (time.perf_counter() - t0) / num_tasks
            trips = []
            for i in range(min(200, num_tasks)):
                t0 = time.perf_counter()
                client.submit(_trivial, i, pure=False).result()
                trips.append(time.perf_counter() - t0)
        finally:
            client.close()
            cluster.close()
    return {"start": start, "per_task": per_task, "round_trip": statistics.median(trips)}


def record_cost(dataset: Path, reps: int = 5) -> dict[str, float]:
    """The client's serial cost per shard: ``DatasetWriter.record`` of the shards of ``dataset`` into a copy, and
    ``Manifest.write`` at 10, 1000 and 10000 shards.

    Returns:
        ``record`` [s] median per shard (hash + header + manifest rewrite at this dataset's size), ``shard_mb``
        [MB] size of one shard, ``hash_mb_s`` [MB/s] sha256 throughput, ``manifest_<n>`` [s] one manifest
        rewrite with ``n`` shards listed.
    """
    import copy

    from rvsim.data import DatasetWriter
    from rvsim.data.manifest import Manifest, ShardInfo, sha256_file

    m = Manifest.read(dataset)
    shards = list(m.shards)
    times = []
    hashes = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(reps):
            out = Path(tmp) / f"copy{r}"
            writer = DatasetWriter(out, scene=m.scene, seed=m.seed, num_samples=m.num_samples,
                                   shard_size=m.shard_size, class_names=m.class_names)
            for s in shards:
                shutil.copy(dataset / s.file, out / s.file)
                t0 = time.perf_counter()
                writer.record(s)
                times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                sha256_file(out / s.file)
                hashes.append(time.perf_counter() - t0)
        shard_mb = (dataset / shards[0].file).stat().st_size / 1e6
        result = {"record": statistics.median(times), "shard_mb": shard_mb,
                  "hash_mb_s": shard_mb / statistics.median(hashes)}
        for n in (10, 1000, 10000):
            big = copy.deepcopy(m)
            big.num_samples = n * m.shard_size
            big.shards = [ShardInfo(f"shard-{k:05d}.h5", k * m.shard_size, m.shard_size, shards[0].sha256)
                          for k in range(n)]
            big.complete = False
            path = Path(tmp) / f"manifest{n}"
            path.mkdir()
            ts = []
            for _ in range(reps):
                t0 = time.perf_counter()
                big.write(path)
                ts.append(time.perf_counter() - t0)
            result[f"manifest_{n}"] = statistics.median(ts)
            result[f"manifest_{n}_kb"] = (path / "manifest.json").stat().st_size / 1e3
    return result


_LABELS = {"cli-1": "--workers 1", "dask-1": "1 Dask worker x 1 thread (--scheduler)", "cli-2": "--workers 2"}


@contextlib.contextmanager
def _single_worker_cluster() -> Iterator[str]:
    """A local Dask cluster of one single-threaded worker process; yields its scheduler address."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"distributed.worker.daemon": False, "logging.distributed": "critical"}):
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=50,
                               scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                               env={"OMP_NUM_THREADS": "1"})
        try:
            yield cluster.scheduler_address
        finally:
            cluster.close()


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene", default="factory", help="built-in scene name or YAML file (default factory)")
    parser.add_argument("--samples", type=int, default=96, help="samples per generate run (default 96)")
    parser.add_argument("--shard-size", type=int, default=8, help="samples per shard (default 8)")
    parser.add_argument("--tasks", type=int, default=2000, help="trivial tasks for the scheduler overhead")
    parser.add_argument("--repeats", type=int, default=2, help="runs per worker count, interleaved (default 2)")
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
          f"{platform.python_version()}; load average before: {_load()}")
    print(f"scene {args.scene}; {args.samples} samples per run in shards of {args.shard_size}")
    # "cli-1": --workers 1 (this command's process, Dr.Jit on all cores); "dask-1": one Dask worker process with
    # one thread (a cluster started here, used through --scheduler): the unit the --workers 2 run has two of.
    configs = ("cli-1", "dask-1", "cli-2")
    runs: dict[str, list[dict[str, float]]] = {c: [] for c in configs}
    with tempfile.TemporaryDirectory() as tmp, _single_worker_cluster() as address:
        for rep in range(args.repeats):  # interleaved, so that a change of the machine's load hits all alike
            for config in configs:
                out = Path(tmp) / f"{config}-{rep}"
                workers = 2 if config == "cli-2" else 1
                r = run_generate(args.scene, args.samples, args.shard_size, workers, out,
                                 address if config == "dask-1" else None)
                runs[config].append(r)
                print(f"  run {rep + 1} {_LABELS[config]}: steady {r['steady']:.2f} samples/s; start-up "
                      f"{r['startup']:.1f} s; whole run {r['wall']:.1f} s = {r['overall']:.2f} samples/s "
                      f"({r['shards']:.0f} shards); load average after: {_load()}")
        med = {c: {k: statistics.median(r[k] for r in runs[c]) for k in runs[c][0]} for c in configs}
        for c in configs:
            print(f"{_LABELS[c]} (median of {args.repeats}): steady {med[c]['steady']:.2f} samples/s, whole run "
                  f"{med[c]['overall']:.2f} samples/s, start-up {med[c]['startup']:.1f} s")
        two = med["cli-2"]
        print(f"ratio --workers 2 / --workers 1: steady {two['steady'] / med['cli-1']['steady']:.2f}x, "
              f"whole run {two['overall'] / med['cli-1']['overall']:.2f}x")
        print(f"ratio --workers 2 / one single-threaded worker process: steady "
              f"{two['steady'] / med['dask-1']['steady']:.2f}x")
        per_shard = args.shard_size / med["dask-1"]["steady"]
        print(f"per-shard compute cost c (one single-threaded worker process): {per_shard:.2f} s for "
              f"{args.shard_size} samples ({per_shard / args.shard_size:.3f} s/sample)")
        rec = record_cost(Path(tmp) / "cli-1-0")
        num_shards = runs["cli-1"][0]["shards"]
    over = scheduler_overhead(args.tasks)
    print(f"Dask local cluster (2 processes x 1 thread): start {over['start']:.2f} s; "
          f"{over['per_task'] * 1e3:.2f} ms/task over {args.tasks} trivial tasks; "
          f"round trip of one task {over['round_trip'] * 1e3:.2f} ms")
    print(f"client record per shard ({rec['shard_mb']:.2f} MB, manifest of {num_shards:.0f} shards): "
          f"{rec['record'] * 1e3:.2f} ms; sha256 {rec['hash_mb_s']:.0f} MB/s")
    sizes = (10, 1000, 10000)
    print("manifest rewrite: " + "; ".join(
        f"{n} shards {rec[f'manifest_{n}'] * 1e3:.2f} ms ({rec[f'manifest_{n}_kb']:.0f} kB)" for n in sizes))
    serial = over["per_task"] + rec["record"]
    print(f"model: saturation at about c / (o + r) = {per_shard:.2f} / ({over['per_task'] * 1e3:.2f} ms + "
          f"{rec['record'] * 1e3:.2f} ms) = {per_shard / serial:.0f} busy workers (small manifests)")
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
