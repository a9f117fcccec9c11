"""The supervised baseline: one trainer (fit_supervised) behind train_supervised, the protocol and rvsim real."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from rvsim.data import Dataset
from rvsim.errors import ConfigError, InputError
from rvsim.models import build_radio_encoder
from rvsim.tasks import get_task, task_metrics
from rvsim.train import TrainConfig, evaluate_classifier, load_encoder, radio_input, train_supervised
from rvsim.train.supervised_trainer import SupervisedConfig, fit_supervised

FAST = SupervisedConfig(max_epochs=4, patience=2, default_epochs=2, grid=((3e-3, 1e-4), (1e-3, 1e-2)))


def test_train_supervised(shared_dataset: Path, tmp_path: Path) -> None:
    config = TrainConfig(epochs=2, batch_size=16, radio_width=4, embedding_dim=16, seed=0, lr=3e-3,
                         radio_normalization="dataset")
    train_idx, val_idx = np.arange(0, 80), np.arange(80, 96)
    with Dataset(shared_dataset) as ds:
        fit = train_supervised(ds, "num_objects", train_idx, config=config, supervised=FAST, out_dir=tmp_path / "run",
                               test_indices=[0, 1])
        x = radio_input(ds, val_idx)
        logits = fit.model.predict(x, verbose=0)
        assert logits.shape == (16, 4)
        assert fit.model.get_layer("radio_encoder") is fit.model.encoder
        assert fit.model.encoder.output_shape == (None, 16)
        scores = evaluate_classifier(fit, ds, get_task("num_objects"), val_idx)
        labels = get_task("num_objects").labels(ds, val_idx)
        assert scores["num_samples"] == 16 and scores["accuracy"] == pytest.approx(np.mean(logits.argmax(1) == labels))
    budget = fit.budget
    assert budget["num_validation"] >= 10 and len(budget["tried"]) == 2  # selection on the labelled samples only
    assert budget["chosen"]["epochs"] == min(t["best_epoch"] for t in budget["tried"]
                                             if t["best_val_loss"] == min(u["best_val_loss"] for u in budget["tried"]))
    assert budget["final_fit_on"] == "all labelled samples"
    run = tmp_path / "run"
    doc = json.loads((run / "config.json").read_text())
    assert doc["kind"] == "supervised" and doc["task"] == "num_objects" and doc["budget"] == budget
    assert doc["data"]["radio_normalization"]["mode"] == "dataset"
    split = json.loads((run / "split.json").read_text())
    assert split["train"] == list(range(80)) and split["test"] == [0, 1]
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == list(range(1, budget["chosen"]["epochs"] + 1))  # the final fit's epochs
    encoder = load_encoder(run)
    np.testing.assert_allclose(encoder.predict(x, verbose=0), fit.model.encoder.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    classifier = keras.models.load_model(run / "classifier.keras", safe_mode=True)
    np.testing.assert_allclose(classifier.predict(x, verbose=0), logits, rtol=1e-5, atol=1e-5)


def test_fit_supervised_learns_every_kind_and_is_seeded() -> None:
    rng = np.random.default_rng(0)
    n = 240
    y = rng.integers(0, 3, n)
    x = rng.normal(size=(n, 64)).astype(np.float32) - 30
    x[np.arange(n), 8 + 20 * y] += 10

    def factory(seed: int) -> keras.Model:
        return build_radio_encoder((64,), width=4, embedding_dim=8, seed=seed)

    a = fit_supervised(x, y, kind="multiclass", num_outputs=3, encoder_factory=factory, seed=1, config=FAST)
    b = fit_supervised(x, y, kind="multiclass", num_outputs=3, encoder_factory=factory, seed=1, config=FAST)
    np.testing.assert_allclose(a.predict(x), b.predict(x), rtol=1e-5, atol=1e-6)
    assert a.budget["chosen"] == b.budget["chosen"]
    assert task_metrics("multiclass", y, a.predict(x))["accuracy"] > 0.9
    target = (8 + 20 * y).astype(np.float64)
    reg = fit_supervised(x, target, kind="regression", num_outputs=1, encoder_factory=factory, seed=0, config=FAST)
    assert reg.predict(x).shape == (n,) and task_metrics("regression", target, reg.predict(x))["mae"] < target.std()
    windows = np.stack([x, x[::-1]], axis=1)  # (n, 2 sweeps, 64): a per-sweep encoder and a linear head
    win = fit_supervised(windows, y, kind="multiclass", num_outputs=3, encoder_factory=factory, seed=0, config=FAST)
    assert win.predict(windows).shape == (n, 3)
    tiny = fit_supervised(x[:8], y[:8], kind="multiclass", num_outputs=3, encoder_factory=factory, seed=0, config=FAST)
    assert tiny.budget["selection"].startswith("defaults") and tiny.budget["chosen"]["epochs"] == FAST.default_epochs


def test_train_supervised_bad_input(shared_dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="task='speed'"):
        train_supervised(shared_dataset, "speed", [0, 1])
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(InputError, match="not an rvsim run"):
        train_supervised(shared_dataset, "num_objects", [0, 1], out_dir=tmp_path)
    with pytest.raises(InputError, match="at least one sample"):
        train_supervised(shared_dataset, "num_objects", [])
    with pytest.raises(ConfigError, match="grid"):
        SupervisedConfig(grid=[])
    with pytest.raises(InputError, match="encoder inputs"):
        fit_supervised(np.zeros((4, 10), np.float32), np.zeros(4, int), kind="multiclass", num_outputs=2,
                       encoder_factory=lambda s: build_radio_encoder((64,), width=2, embedding_dim=4, seed=s))
