"""tf.distribute strategies give the default strategy's results on one device; SIGTERM checkpoints mid-epoch and
a resume continues exactly; several replicas and several workers (slow, in subprocesses)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

from rvsim.train import TrainConfig, TrainingInterrupted, checkpoint_state, load_run_config, train_ssl
from rvsim.train.metrics_logger import read_metrics

from .conftest import SMALL, write_dataset

REPO = Path(__file__).resolve().parents[2]


class _Final(keras.callbacks.Callback):
    """The weights and optimizer state at the end of training, and the steps each fit call ran."""

    def __init__(self) -> None:
        super().__init__()
        self.weights: list[np.ndarray] = []
        self.optimizer: list[np.ndarray] = []
        self.steps: list[int] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.steps.append(0)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.steps[-1] += 1

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self.weights = [np.array(w) for w in self.model.get_weights()]
        self.optimizer = [np.array(v.numpy()) for v in self.model.optimizer.variables]


class _SigtermAt(keras.callbacks.Callback):
    """Send this process SIGTERM after the ``at``-th batch; record the checkpoint record seen before each batch."""

    def __init__(self, run_dir: Path, at: int) -> None:
        super().__init__()
        self.run_dir = run_dir
        self.at = at
        self.seen = 0
        self.records: list[tuple[int, int, str] | None] = []

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        state = checkpoint_state(self.run_dir)
        self.records.append(None if state is None else (state.epoch, state.step, state.reason))

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.seen += 1
        if self.seen == self.at:
            os.kill(os.getpid(), signal.SIGTERM)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One epoch (5 steps of 8 samples): uninterrupted with the default strategy; and with ``mirrored``, stopped by
    SIGTERM after step 3, then resumed with the default strategy (the strategy is not part of the config)."""
    root = tmp_path_factory.mktemp("dist")
    data = write_dataset(root / "data", num_samples=50, shard_size=16)
    config = TrainConfig(epochs=1, seed=0, **SMALL)
    out: dict[str, Any] = {"root": root, "data": data, "config": config}
    out["default"] = _Final()
    train_ssl(data, root / "default", config, verbose=0, callbacks=[out["default"]])
    killer = _SigtermAt(root / "stopped", at=3)
    with pytest.raises(TrainingInterrupted) as info:
        train_ssl(data, root / "stopped", config, verbose=0, strategy="mirrored", checkpoint_every=2,
                  callbacks=[killer])
    out["interrupted"] = info.value
    out["killer"] = killer
    out["state_at_stop"] = checkpoint_state(root / "stopped")
    out["metrics_at_stop"] = read_metrics(root / "stopped")
    resumed = _Final()
    out["resumed_result"] = train_ssl(data, root / "stopped", config, resume=True, verbose=0, callbacks=[resumed])
    out["resumed"] = resumed
    return out


def _max_diff(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    assert len(a) == len(b) and all(x.shape == y.shape for x, y in zip(a, b))
    return max(float(np.max(np.abs(x - y))) for x, y in zip(a, b))


def test_sigterm_checkpoints_mid_epoch_and_writes_no_partial_metrics(runs: dict[str, Any]) -> None:
    stop: TrainingInterrupted = runs["interrupted"]
    assert (stop.epoch, stop.step, stop.steps_per_epoch, stop.signum) == (0, 3, 5, signal.SIGTERM)
    assert "continue with --resume" in str(stop)
    # every 2 steps: the step-2 checkpoint was there before batch 3; SIGTERM after batch 3 wrote step 3
    assert runs["killer"].records == [None, None, (0, 2, "steps")]
    state = runs["state_at_stop"]
    assert (state.epoch, state.step, state.iterations, state.reason) == (0, 3, 3, "signal")
    assert set(state.metrics) == {"0:loss", "1:temperature"} and state.metrics["0:loss"][1] == 24.0  # 3 x 8 samples
    assert runs["metrics_at_stop"] == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is gone after training


def test_mirrored_then_resumed_mid_epoch_equals_the_uninterrupted_default_run(runs: dict[str, Any]) -> None:
    # measured on this machine (one CPU device): identical to the bit; the tolerance allows for other kernels
    resumed, straight = runs["resumed"], runs["default"]
    assert resumed.steps == [2]  # the 3 steps already trained are skipped, not repeated
    assert _max_diff(straight.weights, resumed.weights) <= 1e-5
    assert _max_diff(straight.optimizer, resumed.optimizer) <= 1e-5
    rows = read_metrics(runs["root"] / "stopped")
    want = read_metrics(runs["root"] / "default")
    assert [r["epoch"] for r in rows] == [1]
    for key in ("loss", "val_loss", "temperature", "val_retrieval_top1"):  # the loss counts the steps before the stop
        assert rows[0][key] == pytest.approx(want[0][key], rel=1e-5, abs=1e-6)
    assert runs["resumed_result"].epochs_completed == 1
    doc = load_run_config(runs["root"] / "stopped")
    assert "strategy" not in doc["config"]
    assert [(s["strategy"], s["replicas"], s["device"]) for s in doc["sessions"]] == [
        ("mirrored", 1, "cpu"), ("default", 1, "cpu")]
    assert [s["start"] for s in doc["sessions"]] == [{"epoch": 0, "step": 0}, {"epoch": 0, "step": 3}]
    assert [s["checkpoint_every"] for s in doc["sessions"]] == [2, None]
    final = checkpoint_state(runs["root"] / "stopped")
    assert final is not None and (final.epoch, final.step, final.iterations) == (1, 0, 5)
    assert sorted(p.name for p in (runs["root"] / "stopped" / "checkpoint").iterdir()) == [
        "checkpoint.json", "ckpt-000000005.weights.h5"]


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["mirrored", "multiworker"])
def test_uninterrupted_strategy_run_equals_the_default_strategy(runs: dict[str, Any], tmp_path: Path,
                                                               strategy: str) -> None:
    final = _Final()
    train_ssl(runs["data"], tmp_path / "run", runs["config"], verbose=0, strategy=strategy, callbacks=[final])
    assert _max_diff(runs["default"].weights, final.weights) <= 1e-5
    assert _max_diff(runs["default"].optimizer, final.optimizer) <= 1e-5
    got, want = read_metrics(tmp_path / "run")[0], read_metrics(runs["root"] / "default")[0]
    for key in ("loss", "val_loss", "temperature", "val_retrieval_top1"):
        assert got[key] == pytest.approx(want[key], rel=1e-5, abs=1e-6)
    assert load_run_config(tmp_path / "run")["sessions"][0]["strategy"] == strategy


def test_bad_runtime_arguments_write_nothing(runs: dict[str, Any], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from rvsim.errors import InputError

    config = runs["config"]
    for kwargs, message in (
        ({"strategy": "tpu"}, "strategy must be one of"),
        ({"device": "npu"}, "device must be one of"),
        ({"checkpoint_every": 0}, "checkpoint_every must be"),
    ):
        with pytest.raises(InputError, match=message):
            train_ssl(runs["data"], tmp_path / "run", config, **kwargs)
    # a corrupt checkpoint is refused before anything in the run folder changes
    broken = tmp_path / "broken"
    shutil.copytree(runs["root"] / "stopped", broken)
    state = checkpoint_state(broken)
    assert state is not None
    (broken / "checkpoint" / state.weights).write_bytes(b"not the weights")
    before = {p: p.stat().st_mtime_ns for p in broken.rglob("*")}
    with pytest.raises(InputError, match="does not match its recorded sha256"):
        train_ssl(runs["data"], broken, config.replace(epochs=2), resume=True)
    assert {p: p.stat().st_mtime_ns for p in broken.rglob("*")} == before
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["a:1"]}, "task": {"type": "ps", "index": 0}}')
    with pytest.raises(InputError, match="task.type must be 'chief' or 'worker'"):
        train_ssl(runs["data"], tmp_path / "run", config, strategy="multiworker")
    assert not (tmp_path / "run").exists()


# ----------------------------------------------------------------------------- slow: several replicas / workers

_TWO_REPLICAS = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras, numpy as np
from rvsim.train import TrainConfig, build_ssl_model, make_strategy, train_ssl
from rvsim.train.replica_input import distribute_batches

out = {}
strategy = make_strategy("mirrored", "cpu")
out["replicas"] = strategy.num_replicas_in_sync
data = distribute_batches(strategy, lambda: tf.data.Dataset.range(20).batch(10).map(lambda x: {"x": x}))
out["slices"] = [[r.numpy().tolist() for r in strategy.experimental_local_results(b["x"])] for b in data]

config = TrainConfig(**json.loads(sys.argv[3]))
rng = np.random.default_rng(0)
x = {"radio": rng.normal(-40, 5, (8, 16, 8)).astype("float32"), "vision": rng.uniform(0, 1, (8, 16, 16, 3)).astype("float32")}
with strategy.scope():
    model = build_ssl_model(config, (16, 8), (16, 16, 3))
    model.compile(optimizer=keras.optimizers.SGD(0.0), jit_compile=False)
reference = build_ssl_model(config, (16, 8), (16, 16, 3))
reference.set_weights(model.get_weights())
per_replica = []
for half in (slice(0, 4), slice(4, 8)):
    z_r, z_v = reference({k: v[half] for k, v in x.items()}, training=True)
    per_replica.append(float(reference.objective(z_r, z_v)))
batch = distribute_batches(strategy, lambda: tf.data.Dataset.from_tensors(x).repeat())
out["logged_loss"] = model.fit(batch, steps_per_epoch=1, epochs=1, verbose=0).history["loss"][0]
out["mean_replica_loss"] = float(np.mean(per_replica))

result = train_ssl(sys.argv[1], sys.argv[2], config.replace(epochs=1), verbose=0, strategy="mirrored")
out["rows"] = result.history
out["sessions"] = json.load(open(os.path.join(sys.argv[2], "config.json")))["sessions"]
print("RESULT" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def two_replicas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("two")
    data = write_dataset(root / "data", num_samples=50, shard_size=16)
    script = root / "two_replicas.py"
    script.write_text(_TWO_REPLICAS)
    proc = subprocess.run(
        [sys.executable, str(script), str(data), str(root / "run"), json.dumps({**SMALL, "seed": 0})],
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(s for s in proc.stdout.splitlines() if s.startswith("RESULT"))
    return json.loads(line[len("RESULT"):])


@pytest.mark.slow
def test_two_replicas_share_each_batch_and_train(two_replicas: dict[str, Any]) -> None:
    assert two_replicas["replicas"] == 2
    assert two_replicas["slices"] == [[[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]], [[10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]]
    assert [r["epoch"] for r in two_replicas["rows"]] == [1] and np.isfinite(two_replicas["rows"][0]["loss"])
    assert two_replicas["sessions"][0]["replicas"] == 2


@pytest.mark.slow
def test_two_replicas_log_the_mean_of_the_replica_losses(two_replicas: dict[str, Any]) -> None:
    assert two_replicas["logged_loss"] == pytest.approx(two_replicas["mean_replica_loss"], rel=1e-4)


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


@pytest.mark.slow
def test_two_workers_stop_together_when_one_gets_sigterm(tmp_path: Path) -> None:
    """Two MultiWorkerMirroredStrategy workers on localhost; SIGTERM to the non-chief stops both at one step."""
    data = write_dataset(tmp_path / "data", num_samples=50, shard_size=16)
    (tmp_path / "small.yaml").write_text("\n".join(f"{k}: {v}" for k, v in {**SMALL, "batch_size": 4}.items()))
    hosts = [f"localhost:{p}" for p in _free_ports(2)]
    run = tmp_path / "run"
    procs = []
    for index in range(2):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2",
               "TF_CONFIG": json.dumps({"cluster": {"worker": hosts}, "task": {"type": "worker", "index": index}})}
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "rvsim.cli", "train", "--data", str(data), "--out", str(run), "--config",
             str(tmp_path / "small.yaml"), "--epochs", "4", "--strategy", "multiworker", "--checkpoint-every", "2",
             "--quiet"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    try:
        deadline = time.monotonic() + 400
        while not (run / "checkpoint" / "checkpoint.json").is_file():
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), procs[0].stderr.read()[-3000:]
            time.sleep(0.05)
        procs[1].send_signal(signal.SIGTERM)
        codes = [p.wait(timeout=300) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    errors = [p.stderr.read() for p in procs]
    assert codes == [143, 143], errors
    assert all("stopped on request" in e for e in errors)
    state = checkpoint_state(run)
    assert state is not None and state.reason in ("signal", "epoch") and (state.epoch, state.step) < (4, 0)
    assert [r["epoch"] for r in read_metrics(run)] == list(range(1, state.epoch + 1))
    assert load_run_config(run)["sessions"][0]["workers"] == 2
