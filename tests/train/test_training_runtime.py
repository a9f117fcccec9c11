"""Runtime pieces of training: SIGTERM flag, checkpoint records, TF_CONFIG roles, devices, strategies, replica input."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from rvsim.errors import InputError
from rvsim.train import (
    CheckpointState,
    TerminationSignal,
    WorkerRole,
    make_strategy,
    read_checkpoint,
    select_training_device,
    worker_role,
)
from rvsim.train.checkpoint_state import file_sha256, write_checkpoint_record
from rvsim.train.replica_input import batch_stream, distribute_batches


def test_sigterm_sets_the_flag_and_the_previous_handler_comes_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with TerminationSignal() as stop:
        assert stop.installed and not stop.requested
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.requested and stop.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before
    with TerminationSignal(signals=()) as inert:
        inert.request()
        assert inert.requested and inert.signum is None


def _state(name: str, **kw: object) -> CheckpointState:
    values: dict = dict(epoch=1, step=3, steps_per_epoch=5, iterations=8, weights=name, metrics={"0:loss": [1.5, 3.0]},
                        reason="steps")
    values.update(kw)
    return CheckpointState(**values)


def test_checkpoint_record_round_trip_and_stale_files(tmp_path: Path) -> None:
    assert read_checkpoint(tmp_path / "none") is None
    (tmp_path / "ckpt-000000004.weights.h5").write_bytes(b"old")
    (tmp_path / "ckpt-000000008.weights.h5").write_bytes(b"new weights")
    state = _state("ckpt-000000008.weights.h5", sha256=file_sha256(tmp_path / "ckpt-000000008.weights.h5"))
    write_checkpoint_record(tmp_path, state)
    assert read_checkpoint(tmp_path, verify=True) == state and state.mid_epoch
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.json", "ckpt-000000008.weights.h5"]
    (tmp_path / "ckpt-000000008.weights.h5").write_bytes(b"corrupted")
    assert read_checkpoint(tmp_path) == state  # the digest is only checked when asked
    with pytest.raises(InputError, match="does not match its recorded sha256"):
        read_checkpoint(tmp_path, verify=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": "../escape.weights.h5"}, "no valid weights file"),
        ({"weights": "missing.weights.h5"}, "weights file is missing"),
        ({"step": -1}, "no valid 'step'"),
        ({"step": 5}, "steps_per_epoch is invalid"),
        ({"format": "other"}, "format is not 'rvsim-checkpoint'"),
    ],
)
def test_broken_checkpoint_records_are_input_errors(tmp_path: Path, change: dict, message: str) -> None:
    (tmp_path / "w.weights.h5").write_bytes(b"x")
    doc = {**_state("w.weights.h5").to_dict(), **change}
    (tmp_path / "checkpoint.json").write_text(json.dumps(doc))
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        read_checkpoint(tmp_path)


def test_backup_and_restore_checkpoints_read_as_epoch_boundaries(tmp_path: Path) -> None:
    (tmp_path / "latest.weights.h5").write_bytes(b"x")
    (tmp_path / "training_metadata.json").write_text(json.dumps({"epoch": 3, "batch": 0}))
    state = read_checkpoint(tmp_path)
    assert state is not None and (state.epoch, state.step, state.weights) == (3, 0, "latest.weights.h5")


def _tf_config(cluster: dict, task_type: str, index: int) -> dict[str, str]:
    return {"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": task_type, "index": index}})}


def test_worker_role_from_tf_config() -> None:
    assert worker_role({}) == WorkerRole()
    workers = {"worker": ["a:1", "b:1", "c:1"]}
    assert worker_role(_tf_config(workers, "worker", 0)) == WorkerRole("worker", 0, 3, True)
    assert worker_role(_tf_config(workers, "worker", 2)) == WorkerRole("worker", 2, 3, False)
    with_chief = {"chief": ["a:1"], "worker": ["b:1"]}
    assert worker_role(_tf_config(with_chief, "chief", 0)) == WorkerRole("chief", 0, 2, True)
    assert worker_role(_tf_config(with_chief, "worker", 0)) == WorkerRole("worker", 0, 2, False)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TF_CONFIG": "{not json"}, "TF_CONFIG is not valid JSON"),
        ({"TF_CONFIG": json.dumps({"cluster": {"worker": ["a:1"]}})}, "needs 'cluster' and 'task'"),
        (_tf_config({"worker": ["a:1"], "ps": ["b:1"]}, "worker", 0), "only have 'chief' and 'worker'"),
        (_tf_config({"worker": ["a:1"]}, "evaluator", 0), "task.type must be"),
        (_tf_config({"worker": ["a:1"]}, "worker", 1), "task.index must index"),
        (_tf_config({"worker": "a:1"}, "worker", 0), "must be a list"),
    ],
)
def test_bad_tf_config_is_an_input_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        worker_role(env)


@pytest.mark.skipif(bool(tf.config.list_physical_devices("GPU")), reason="this machine has a GPU")
def test_device_selection_without_a_gpu() -> None:
    assert select_training_device("auto") == "cpu"
    assert select_training_device("cpu") == "cpu"
    with pytest.raises(InputError, match=r"--device gpu: TensorFlow sees no GPU.*Received: device='gpu'") as info:
        select_training_device("gpu")
    assert "\n" not in str(info.value)
    with pytest.raises(InputError, match="device must be one of"):
        select_training_device("tpu")


def test_strategies() -> None:
    assert make_strategy("default", "cpu") is tf.distribute.get_strategy()
    mirrored = make_strategy("mirrored", "cpu")
    assert isinstance(mirrored, tf.distribute.MirroredStrategy) and mirrored.num_replicas_in_sync == 1
    with pytest.raises(InputError, match="strategy must be one of"):
        make_strategy("parameter_server", "cpu")


def test_the_batch_stream_continues_across_epochs_and_skips_trained_steps(shared_dataset: Path) -> None:
    from rvsim.data import Dataset
    from rvsim.data.pipeline import Pipeline

    with Dataset(shared_dataset) as ds:
        pipe = Pipeline(ds, np.arange(20), fields=["radio/range_angle"], batch_size=4, seed=3, shuffle_buffer=8,
                        block_size=4)
        expected = [b["index"] for e in (1, 2) for b in pipe.batches(e)]
        stream = batch_stream(pipe, start_epoch=1, start_step=2)()
        got = [next(stream)["index"] for _ in range(len(expected) - 2)]
        for a, b in zip(got, expected[2:]):
            np.testing.assert_array_equal(a, b)
        again = batch_stream(pipe, start_epoch=1, start_step=2)()  # a pure function of (epoch, step)
        np.testing.assert_array_equal(next(again)["index"], expected[2])


def test_one_replica_gets_the_whole_batch() -> None:
    strategy = make_strategy("mirrored", "cpu")
    data = distribute_batches(strategy, lambda: tf.data.Dataset.range(10).batch(5).map(lambda x: {"x": x}))
    batches = [strategy.experimental_local_results(b["x"])[0].numpy() for b in data]
    np.testing.assert_array_equal(np.concatenate(batches), np.arange(10))
