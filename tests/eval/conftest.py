"""Tiny paired radio–camera datasets and run folders for the evaluation tests.

Each scene holds 0–2 people at a random range and bearing; the range–angle map [dB] has a blob at each
person's (range, angle) bin and the image a coloured square at the matching column, so labels
(``count_person``) are learnable from radio and radio and images share a latent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rvsim.data import DatasetWriter, split_indices, write_shard_file

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

CLASS_NAMES = ["person", "crate"]
MAX_OBJECTS = 2
RADIO_SHAPE = (12, 8)
IMAGE_SIZE = (12, 12)


def make_arrays(indices: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Arrays ``(len(indices), ...)`` of the given samples; sample i depends only on (seed, i)."""
    h, w = IMAGE_SIZE
    ranges = np.linspace(0.5, 10.0, RADIO_SHAPE[0])[:, None]
    angles = np.linspace(-60.0, 60.0, RADIO_SHAPE[1])[None, :]
    out: dict[str, list[Any]] = {}
    for i in indices:
        rng = np.random.default_rng([seed, int(i)])
        k = int(rng.integers(0, MAX_OBJECTS + 1))
        cls = np.full(MAX_OBJECTS, -1, np.int32)
        cls[:k] = 0
        rng_m = np.zeros(MAX_OBJECTS, np.float32)
        bearing = np.zeros(MAX_OBJECTS, np.float32)
        rng_m[:k] = rng.uniform(1.0, 9.0, k)
        bearing[:k] = rng.uniform(-55.0, 55.0, k)
        power = np.full(RADIO_SHAPE, 1e-4)
        image = np.full((h, w, 3), 90.0) + rng.normal(0, 4, (h, w, 3))
        for j in range(k):
            power = power + np.exp(-(((ranges - rng_m[j]) / 0.8) ** 2) - (((angles - bearing[j]) / 12.0) ** 2))
            col = int(round((0.5 - bearing[j] / 120.0) * (w - 1)))
            image[:, max(0, col - 1) : col + 2] = (230, 60, 40)
        power = power * rng.uniform(0.9, 1.1, power.shape)
        values = {
            "radio/range_angle": (10 * np.log10(power)).astype(np.float32),
            "image/rgb": np.clip(image, 0, 255).astype(np.uint8),
            "labels/num_objects": np.int32(k),
            "labels/class_counts": np.bincount(cls[:k], minlength=len(CLASS_NAMES)).astype(np.int32),
            "labels/obj_class": cls,
            "labels/obj_range": rng_m,
            "labels/obj_bearing": bearing,
            "meta/index": np.int64(i),
        }
        for name, value in values.items():
            out.setdefault(name, []).append(value)
    return {name: np.stack(values) for name, values in out.items()}


def write_dataset(path: Path, num_samples: int = 120, shard_size: int = 64, seed: int = 0) -> Path:
    """Write a complete synthetic dataset folder at ``path``; return it."""
    writer = DatasetWriter(
        path, scene={"name": "synthetic"}, seed=seed, num_samples=num_samples, shard_size=shard_size,
        class_names=CLASS_NAMES,
    )
    attrs = {
        "radio/range_angle": {
            "units": "dB",
            "range_bins_m": np.linspace(0.5, 10.0, RADIO_SHAPE[0]),
            "angle_bins_deg": np.linspace(-60.0, 60.0, RADIO_SHAPE[1]),
        }
    }
    for k, first, count in writer.shard_ranges():
        arrays = make_arrays(np.arange(first, first + count), seed)
        writer.record(write_shard_file(writer.shard_path(k), arrays, attrs, first))
    writer.finalize()
    return path


def write_run(run_dir: Path, data_dir: Path, *, vision: bool = True, seed: int = 0) -> Path:
    """A run folder as ``rvsim.train`` writes it, with tiny untrained encoders (no training: fast)."""
    import keras

    from rvsim.data import Dataset
    from rvsim.models import build_radio_encoder, build_vision_encoder
    from rvsim.train import TrainConfig

    config = TrainConfig(epochs=1, batch_size=16, radio_width=4, vision_width=4, embedding_dim=16, seed=seed)
    with Dataset(data_dir) as ds:
        num_samples, ds_seed = len(ds), ds.seed
    split = split_indices(num_samples, config.split_fractions, config.split_seed)
    run_dir.mkdir(parents=True)
    doc = {
        "format": "rvsim-run",
        "kind": "ssl",
        "config": config.to_dict(),
        "data": {
            "path": str(data_dir),
            "num_samples": num_samples,
            "seed": ds_seed,
            "radio_field": "radio/range_angle",
            "radio_shape": list(RADIO_SHAPE),
            "radio_linear": False,
            "image_fields": ["image/rgb"],
            "image_size": list(IMAGE_SIZE),
            "image_shape": [*IMAGE_SIZE, 3],
        },
    }
    (run_dir / "config.json").write_text(json.dumps(doc))
    (run_dir / "split.json").write_text(json.dumps({**{k: v.tolist() for k, v in split.items()}, "seed": 0}))
    radio = build_radio_encoder(RADIO_SHAPE, width=4, embedding_dim=16, seed=seed)
    radio.save(run_dir / "radio_encoder.keras")
    if vision:
        build_vision_encoder((*IMAGE_SIZE, 3), width=4, embedding_dim=16, seed=seed + 1).save(run_dir / "vision_encoder.keras")
    keras.backend.clear_session()
    return run_dir


@pytest.fixture(scope="session")
def probe_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 120-sample dataset shared read-only by the tests of a session."""
    return write_dataset(tmp_path_factory.mktemp("probe") / "data")


@pytest.fixture(scope="session")
def probe_run(tmp_path_factory: pytest.TempPathFactory, probe_data: Path) -> Path:
    """A run folder on :func:`probe_data` with tiny untrained radio and vision encoders."""
    return write_run(tmp_path_factory.mktemp("run") / "run", probe_data)


@pytest.fixture
def make_dataset(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str = "data", **kwargs: Any) -> Path:
        return write_dataset(tmp_path / name, **kwargs)

    return make
