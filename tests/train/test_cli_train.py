"""``rvsim train``: exit codes, nothing written on bad input, run folders from the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tensorflow as tf

from rvsim.cli import main

SMALL_YAML = """
batch_size: 8
radio_width: 4
vision_width: 4
embedding_dim: 8
projection_hidden_dim: 16
projection_dim: 8
shuffle_buffer: 16
block_size: 8
"""


@pytest.fixture
def config_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_YAML)
    return path


def test_train_ssl_from_the_command_line(shared_dataset: Path, tmp_path: Path, config_yaml: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    code = main(["train", "--data", str(shared_dataset), "--out", str(out), "--config", str(config_yaml),
                 "--epochs", "0", "--objective", "vicreg", "--seed", "3", "--quiet"])
    assert code == 0
    assert "run folder" in capsys.readouterr().out
    doc = json.loads((out / "config.json").read_text())
    assert doc["config"]["objective"] == "vicreg" and doc["config"]["seed"] == 3 and doc["config"]["embedding_dim"] == 8
    assert (out / "radio_encoder.keras").is_file() and (out / "vision_encoder.keras").is_file()
    # no epoch was trained, so there is no checkpoint to resume from
    assert main(["train", "--data", str(shared_dataset), "--out", str(out), "--resume", "--quiet"]) == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--objective", "simclr"], "objective='simclr'"),
        (["--epochs", "-1"], "--epochs must be >= 0"),
        (["--batch-size", "0"], "batch_size=0"),
        (["--resume"], "--resume needs an existing run folder"),
        (["--supervised"], "--supervised needs --task"),
        (["--supervised", "--task", "num_objects", "--label-fraction", "0"], "--label-fraction must be in (0, 1]"),
        (["--supervised", "--task", "speed"], "task='speed'"),
        (["--task", "num_objects"], "--task is only for --supervised"),
        (["--config", "missing.yaml"], "--config file not found"),
        (["--checkpoint-every", "0"], "--checkpoint-every must be a number of steps >= 1"),
        (["--supervised", "--task", "num_objects", "--strategy", "mirrored"], "--strategy is only for self-supervised"),
        (["--supervised", "--task", "num_objects", "--checkpoint-every", "5"], "--checkpoint-every is only for"),
        pytest.param(["--device", "gpu"], "--device gpu: TensorFlow sees no GPU",
                     marks=pytest.mark.skipif(bool(tf.config.list_physical_devices("GPU")), reason="has a GPU")),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(shared_dataset: Path, tmp_path: Path, extra: list[str], message: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert main(["train", "--data", str(shared_dataset), "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_bad_folders_exit_2(shared_dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "run")]) == 2
    assert "--data is not a dataset folder" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
    not_a_dataset = tmp_path / "empty"
    not_a_dataset.mkdir()
    assert main(["train", "--data", str(not_a_dataset), "--out", str(tmp_path / "run")]) == 2
    assert not (tmp_path / "run").exists()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    assert main(["train", "--data", str(shared_dataset), "--out", str(busy)]) == 2
    assert "not an rvsim run" in capsys.readouterr().err
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]


def test_supervised_from_the_command_line(shared_dataset: Path, tmp_path: Path, config_yaml: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sup"
    code = main(["train", "--supervised", "--task", "count_person", "--label-fraction", "0.5", "--data",
                 str(shared_dataset), "--out", str(out), "--config", str(config_yaml), "--epochs", "1",
                 "--quiet"])
    assert code == 0
    assert "test accuracy" in capsys.readouterr().out
    scores = json.loads((out / "test_metrics.json").read_text())
    assert scores["task"] == "count_person" and scores["label_fraction"] == 0.5
    split = json.loads((out / "split.json").read_text())
    assert scores["num_train"] == len(split["train"]) < 77 and scores["num_samples"] == len(split["test"])
    assert (out / "classifier.keras").is_file() and (out / "radio_encoder.keras").is_file()


def test_bad_strategy_or_tf_config_exit_2(shared_dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as info:
        main(["train", "--data", str(shared_dataset), "--out", str(out), "--strategy", "horovod"])
    assert info.value.code == 2 and "invalid choice: 'horovod'" in capsys.readouterr().err
    monkeypatch.setenv("TF_CONFIG", "{oops")
    assert main(["train", "--data", str(shared_dataset), "--out", str(out), "--strategy", "multiworker"]) == 2
    err = capsys.readouterr().err
    assert "TF_CONFIG is not valid JSON" in err and err.count("\n") == 1
    assert not out.exists()


def test_sigterm_stops_with_exit_143_and_resume_completes(shared_dataset: Path, tmp_path: Path, config_yaml: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """``rvsim train`` in a subprocess, SIGTERM once the first checkpoint exists, then ``--resume`` to the end."""
    out = tmp_path / "run"
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "rvsim.cli", "train", "--data", str(shared_dataset), "--out", str(out), "--config",
         str(config_yaml), "--batch-size", "4", "--epochs", "2", "--checkpoint-every", "2", "--quiet"],
        cwd=repo, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (out / "checkpoint" / "checkpoint.json").is_file():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = proc.stderr.read() if proc.stderr else ""
    assert code == 143, err
    assert "stopped on request" in err and "--resume" in err
    from rvsim.train import checkpoint_state, read_checkpoint
    from rvsim.train.metrics_logger import read_metrics

    state = checkpoint_state(out)
    assert state is not None and state.epoch < 2
    assert read_checkpoint(out / "checkpoint", verify=True) == state  # complete and uncorrupted
    assert [r["epoch"] for r in read_metrics(out)] == list(range(1, state.epoch + 1))
    assert main(["train", "--data", str(shared_dataset), "--out", str(out), "--resume", "--quiet"]) == 0
    assert "trained 2 epoch(s)" in capsys.readouterr().out
    rows = read_metrics(out)
    assert [r["epoch"] for r in rows] == [1, 2]  # no duplicate or missing epoch rows
    assert len((out / "metrics.csv").read_text().splitlines()) == 3
    final = checkpoint_state(out)
    steps = state.steps_per_epoch
    assert final is not None and (final.epoch, final.step, final.iterations) == (2, 0, 2 * steps)
    sessions = json.loads((out / "config.json").read_text())["sessions"]
    assert [s["start"] for s in sessions] == [{"epoch": 0, "step": 0}, {"epoch": state.epoch, "step": state.step}]


@pytest.mark.parametrize("supervised", [False, True], ids=["ssl", "supervised"])
def test_swapped_shard_exits_2_before_anything_is_written(shared_dataset: Path, tmp_path: Path, supervised: bool,
                                                          swap_in_wrong_shapes, capsys: pytest.CaptureFixture[str]) -> None:
    """A shard swapped for an HDF5 file of the wrong shapes is refused when the dataset opens (one line, exit 2),
    not mid-epoch with a TensorFlow traceback and a run folder left behind."""
    data = swap_in_wrong_shapes(shared_dataset, tmp_path / "swapped")
    out = tmp_path / "run"
    extra = ["--supervised", "--task", "num_objects"] if supervised else []
    assert main(["train", "--data", str(data), "--out", str(out), "--epochs", "1", "--quiet", *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rvsim train: error: shard ")
    assert "does not hold what the manifest says" in err and "rvsim verify" in err
    assert not out.exists()
