"""Self-supervised training: the loss learns a toy pairing; run folders; resume continues exactly; bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

from rvsim.data import Dataset, split_indices
from rvsim.errors import ConfigError, DatasetError, InputError
from rvsim.train import (
    TrainConfig,
    build_ssl_model,
    load_encoder,
    load_run_config,
    load_split,
    radio_input,
    retrieval_top1,
    train_ssl,
)

from .conftest import SMALL, make_arrays, write_dataset


def _toy_pairs(n: int, seed: int) -> dict[str, np.ndarray]:
    """Radio maps and images generated from the same latent (objects' ranges and bearings)."""
    arrays = make_arrays(np.arange(n), seed, radio_shape=(8, 4), image_size=(8, 8))
    return {"radio": arrays["radio/range_angle"], "vision": arrays["image/rgb"].astype(np.float32) / 255.0}


@pytest.mark.parametrize("objective", ["infonce", "vicreg", "barlow"])
def test_a_few_steps_lower_the_loss_on_a_learnable_pairing(objective: str) -> None:
    x = _toy_pairs(32, seed=1)
    config = TrainConfig(objective=objective, seed=0, **SMALL)
    model = build_ssl_model(config, (8, 4), (8, 8, 3))
    model.compile(optimizer=keras.optimizers.Adam(3e-3), run_eagerly=True)  # eager: no tracing in a unit test
    history = model.fit(x, epochs=3, batch_size=16, verbose=0, shuffle=False).history["loss"]
    assert history[-1] < 0.8 * history[0]
    if objective == "infonce":  # the pairing is learnt: radio retrieves its own image far above chance (1/32)
        z_radio, z_vision = model(x, training=True)
        assert retrieval_top1(np.asarray(z_radio), np.asarray(z_vision)) > 0.25


class _Capture(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.epochs: list[int] = []
        self.begin: dict[str, Any] = {}
        self.end: dict[str, Any] = {}

    def _state(self) -> dict[str, Any]:
        opt = self.model.optimizer
        return {
            "iterations": int(opt.iterations.numpy()),
            "optimizer": [np.array(v.numpy()) for v in opt.variables],
            "weights": [np.array(w) for w in self.model.get_weights()],
        }

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.begin = self._state()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epochs.append(epoch)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self.end = self._state()


@pytest.fixture(scope="module")
def resumed_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One epoch, then ``resume`` to two epochs, capturing the training state at the hand-over."""
    root = tmp_path_factory.mktemp("ssl")
    data = write_dataset(root / "data", num_samples=50, shard_size=16)  # 40 / 5 / 5: one batch shape
    config = TrainConfig(epochs=1, seed=0, **SMALL)
    first, second = _Capture(), _Capture()
    result1 = train_ssl(data, root / "run", config, verbose=0, callbacks=[first])
    metrics_after_first = (root / "run" / "metrics.jsonl").read_text()
    result2 = train_ssl(data, root / "run", config.replace(epochs=2), resume=True, verbose=0, callbacks=[second])
    return {"data": data, "run": root / "run", "config": config, "first": first, "second": second,
            "result1": result1, "result2": result2, "metrics_after_first": metrics_after_first}


def test_run_folder(resumed_run: dict[str, Any]) -> None:
    run, data = resumed_run["run"], resumed_run["data"]
    names = {p.name for p in run.iterdir()}
    assert {"config.json", "split.json", "radio_encoder.keras", "vision_encoder.keras", "radio_head.keras",
            "vision_head.keras", "checkpoint", "metrics.jsonl", "metrics.csv", "tensorboard",
            "selected_epoch.json"} <= names
    doc = load_run_config(run)
    assert doc["format"] == "rvsim-run" and doc["kind"] == "ssl"
    assert TrainConfig.from_dict(doc["config"]) == resumed_run["config"].replace(epochs=2)
    assert doc["git_commit"] is None or len(doc["git_commit"]) == 40
    assert doc["versions"]["keras"] == keras.__version__ and doc["versions"]["numpy"] == np.__version__
    assert doc["data"]["radio_field"] == "radio/range_angle" and doc["data"]["num_samples"] == 50
    assert doc["data"]["radio_normalization"]["mode"] == "per_sample"
    assert doc["resumed_at_epochs"] == [1]
    split = load_split(run)
    want = split_indices(50, (0.8, 0.1, 0.1), seed=0)
    for key in ("train", "val", "test"):
        np.testing.assert_array_equal(split[key], want[key])
    assert json.loads((run / "split.json").read_text())["seed"] == 0
    rows = resumed_run["result2"].history
    assert [r["epoch"] for r in rows] == [1, 2]
    for r in rows:
        assert np.isfinite(r["loss"]) and np.isfinite(r["val_loss"]) and 0 <= r["val_retrieval_top1"] <= 1
        assert r["val_retrieval_chance"] == pytest.approx(1 / want["val"].size)
        assert r["temperature"] > 0
    # keep="best": the encoders come from the epoch with the lowest validation loss, across the resume
    selected = json.loads((run / "selected_epoch.json").read_text())
    best = min(rows, key=lambda r: r["val_loss"])
    assert selected["keep"] == "best" and selected["epoch"] == best["epoch"]
    assert selected["val_loss"] == pytest.approx(best["val_loss"])
    csv_lines = (run / "metrics.csv").read_text().splitlines()
    assert csv_lines[0].split(",")[0] == "epoch" and len(csv_lines) == 3
    assert any((run / "tensorboard").rglob("events.out.tfevents.*"))
    with Dataset(data) as ds:
        x = radio_input(ds, want["test"], run_dir=run)
    radio = load_encoder(run)
    vision = load_encoder(run / "vision_encoder.keras", modality="vision")
    assert radio(x).shape == (want["test"].size, 16) and vision.output_shape == (None, 16)
    head = keras.models.load_model(run / "radio_head.keras", safe_mode=True)
    assert head(radio(x)).shape == (want["test"].size, 16)


def test_resume_continues_at_the_right_epoch_with_the_same_optimizer_state(resumed_run: dict[str, Any]) -> None:
    first, second = resumed_run["first"], resumed_run["second"]
    assert first.epochs == [0] and second.epochs == [1]
    steps = first.end["iterations"]
    assert steps == 5  # 40 training samples, batches of 8
    assert second.begin["iterations"] == steps and second.end["iterations"] == 2 * steps
    assert len(second.begin["optimizer"]) == len(first.end["optimizer"]) > 2
    for a, b in zip(first.end["optimizer"], second.begin["optimizer"]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(first.end["weights"], second.begin["weights"]):
        np.testing.assert_array_equal(a, b)
    assert resumed_run["result1"].epochs_completed == 1 and resumed_run["result2"].epochs_completed == 2
    # the first epoch's metrics row is kept as it was
    assert (resumed_run["run"] / "metrics.jsonl").read_text().startswith(resumed_run["metrics_after_first"])


class _EncoderPerEpoch(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.weights: list[list[np.ndarray]] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.weights.append([np.array(w) for w in self.model.radio_encoder.get_weights()])


@pytest.mark.parametrize("keep", ["best", "last"])
def test_the_run_keeps_the_encoders_of_the_selected_epoch(resumed_run: dict[str, Any], tmp_path: Path,
                                                           keep: str) -> None:
    per_epoch = _EncoderPerEpoch()
    config = TrainConfig(epochs=4, seed=1, keep=keep, **{**SMALL, "lr": 3e-2})
    result = train_ssl(resumed_run["data"], tmp_path / "run", config, verbose=0, callbacks=[per_epoch])
    val = [r["val_loss"] for r in result.history]
    epoch = int(np.argmin(val)) + 1 if keep == "best" else 4
    selected = json.loads((tmp_path / "run" / "selected_epoch.json").read_text())
    assert selected["epoch"] == epoch and selected["keep"] == keep
    saved = load_encoder(tmp_path / "run").get_weights()
    assert len(saved) == len(per_epoch.weights[epoch - 1])
    for a, b in zip(saved, per_epoch.weights[epoch - 1]):
        np.testing.assert_array_equal(a, b)
    if keep == "best" and epoch != 4:  # then the last epoch's encoder differs from the kept one
        assert any(not np.array_equal(a, b) for a, b in zip(saved, per_epoch.weights[-1]))


def test_keep_must_be_best_or_last() -> None:
    with pytest.raises(ConfigError, match="keep must be one of"):
        TrainConfig(keep="median")


@pytest.mark.slow
def test_resumed_run_equals_uninterrupted_run(resumed_run: dict[str, Any], tmp_path: Path) -> None:
    straight = _Capture()
    train_ssl(resumed_run["data"], tmp_path / "run", resumed_run["config"].replace(epochs=2), verbose=0,
              callbacks=[straight])
    for a, b in zip(straight.end["weights"], resumed_run["second"].end["weights"]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_bad_input_writes_nothing(resumed_run: dict[str, Any], tmp_path: Path) -> None:
    data, run = resumed_run["data"], resumed_run["run"]
    config = TrainConfig(epochs=1, **SMALL)
    with pytest.raises(DatasetError, match="does not exist"):
        train_ssl(tmp_path / "missing", tmp_path / "out1", config)
    assert not (tmp_path / "out1").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not an rvsim run"):
        train_ssl(data, other, config)
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    with pytest.raises(InputError, match="needs an existing run folder"):
        train_ssl(data, tmp_path / "out2", config, resume=True)
    assert not (tmp_path / "out2").exists()
    with pytest.raises(InputError, match="already holds a run"):
        train_ssl(data, run, config)
    before = {p.name: p.stat().st_mtime_ns for p in run.iterdir()}
    with pytest.raises(ConfigError, match="lr 0.003 in the run vs 0.1 requested"):
        train_ssl(data, run, resumed_run["config"].replace(lr=0.1), resume=True)
    assert {p.name: p.stat().st_mtime_ns for p in run.iterdir()} == before
    incomplete = tmp_path / "incomplete"
    incomplete.mkdir()
    (incomplete / "config.json").write_text(json.dumps({"format": "rvsim-run", "kind": "ssl"}))
    with pytest.raises(InputError, match="no checkpoint"):
        train_ssl(data, incomplete, config, resume=True)
    asymmetric = write_dataset(tmp_path / "asym", num_samples=8, shard_size=8, angle_span=(-40.0, 60.0))
    with pytest.raises(ConfigError, match="flip_probability > 0 needs angle bins symmetric"):
        train_ssl(asymmetric, tmp_path / "flip", config.replace(augmentation={"flip_probability": 0.5}))
    assert not (tmp_path / "flip").exists()
