"""The supervised baseline: same radio encoder + linear head, trained end to end on a task's labels."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from rvsim.data import Dataset
from rvsim.errors import InputError
from rvsim.tasks import get_task
from rvsim.train import TrainConfig, evaluate_classifier, load_encoder, radio_input, train_supervised


def test_train_supervised(shared_dataset: Path, tmp_path: Path) -> None:
    config = TrainConfig(epochs=2, batch_size=16, radio_width=4, embedding_dim=16, seed=0, lr=3e-3,
                         radio_normalization="dataset")
    train_idx, val_idx = np.arange(0, 80), np.arange(80, 96)
    with Dataset(shared_dataset) as ds:
        model = train_supervised(ds, "num_objects", train_idx, config=config, val_indices=val_idx,
                                 out_dir=tmp_path / "run", test_indices=[0, 1], min_steps=20)
        x = radio_input(ds, val_idx)
        logits = model.predict(x, verbose=0)
        assert logits.shape == (16, 4)
        assert model.get_layer("radio_encoder") is model.encoder
        assert model.encoder.output_shape == (None, 16)
        scores = evaluate_classifier(model, ds, get_task("num_objects"), val_idx)
        assert scores["num_samples"] == 16 and 0 <= scores["accuracy"] <= 1
        np.testing.assert_allclose(scores["accuracy"], np.mean(logits.argmax(1) == get_task("num_objects").labels(ds, val_idx)))
    run = tmp_path / "run"
    doc = json.loads((run / "config.json").read_text())
    assert doc["kind"] == "supervised" and doc["task"] == "num_objects" and doc["epochs_run"] == 2
    assert doc["passes_per_epoch"] == 2  # 5 batches per pass; 20 steps over 2 epochs
    assert doc["data"]["radio_normalization"]["mode"] == "dataset"
    assert sum(doc["train_class_counts"]) == 80
    split = json.loads((run / "split.json").read_text())
    assert split["train"] == list(range(80)) and split["test"] == [0, 1]
    assert [r["epoch"] for r in map(json.loads, (run / "metrics.jsonl").read_text().splitlines())] == [1, 2]
    encoder = load_encoder(run)
    np.testing.assert_allclose(encoder.predict(x, verbose=0), model.encoder.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    classifier = keras.models.load_model(run / "classifier.keras", safe_mode=True)
    np.testing.assert_allclose(classifier.predict(x, verbose=0), logits, rtol=1e-5, atol=1e-5)


def test_train_supervised_bad_input(shared_dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="task='speed'"):
        train_supervised(shared_dataset, "speed", [0, 1])
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(InputError, match="not an rvsim run"):
        train_supervised(shared_dataset, "num_objects", [0, 1], out_dir=tmp_path)
    with pytest.raises(InputError, match="at least one sample"):
        train_supervised(shared_dataset, "num_objects", [])
