"""The whole protocol on ray-traced data: a tiny hall generated with Sionna RT, a self-supervised run on it, and
``rvsim probe`` with every method and its default selection rules (grouped CV, the supervised hold-out)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.rt


def test_protocol_on_a_tiny_ray_traced_dataset(tiny_spec, tmp_path: Path) -> None:
    from rvsim.cli import main
    from rvsim.sim.dataset_generation import generate_dataset
    from rvsim.train import TrainConfig, train_ssl

    data = tmp_path / "data"
    generate_dataset(tiny_spec, data, 72, seed=5, shard_size=36, workers=1)
    config = TrainConfig(epochs=1, batch_size=16, radio_width=4, vision_width=4, embedding_dim=16,
                         projection_hidden_dim=16, projection_dim=8, seed=0)
    train_ssl(data, tmp_path / "ssl", config, verbose=0)
    settings = tmp_path / "protocol.yaml"
    settings.write_text("supervised: {max_epochs: 2, patience: 1, default_epochs: 2}\nbootstrap: 100\n"
                        "probe: {min_cv_samples: 20, min_cv_groups: 10}\n")
    out = tmp_path / "probe"
    assert main(["probe", "--data", str(data), "--encoder", str(tmp_path / "ssl"), "--task", "num_objects",
                 "--out", str(out), "--fractions", "0.3", "1.0", "--subset-seeds", "2", "--protocol", str(settings),
                 "--quiet"]) == 0
    doc = json.loads((out / "probe.json").read_text())
    assert {r["method"] for r in doc["results"]} == {"ssl", "supervised", "random", "raw", "vision"}
    probes = [r["probe"] for r in doc["results"] if "probe" in r]
    assert any(p["cv_used"] for p in probes)  # the 57 training samples at 100 %: grouped CV chose C
    assert any(not p["cv_used"] for p in probes)  # 30 %: too few, the documented default
    budgets = [r["budget"] for r in doc["results"] if r["method"] == "supervised"]
    assert any(b["selection"].startswith("lowest validation loss") for b in budgets)
    assert all(b["total_steps"] > 0 for b in budgets)
    assert len(doc["comparisons"]) == 2 * 4 and all(c["ci_low"] <= c["ci_high"] for c in doc["comparisons"])
    raw = [r["score"] for r in doc["results"] if r["method"] == "raw"]
    assert np.all(np.isfinite(raw)) and doc["normalization"]["mode"] == "per_sample"
