"""Tiny paired radio–camera datasets, written through the real DatasetWriter into tmp_path.

Each scene holds 0–3 objects at a random range and bearing; the radio map has a blob at the object's
(range, angle) bin and the image a coloured square at the matching column, so radio and image share a
latent and cross-modal learning has something to find.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rvsim.data import DatasetWriter, write_shard_file

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

CLASS_NAMES = ["person", "robot", "crate"]
MAX_OBJECTS = 3
#: TrainConfig settings of a tiny cross-modal model, shared by the training tests.
SMALL = dict(
    batch_size=8,
    radio_width=4,
    vision_width=4,
    embedding_dim=16,
    projection_hidden_dim=32,
    projection_dim=16,
    shuffle_buffer=16,
    block_size=8,
    lr=3e-3,
)
_COLORS = np.array([[230, 60, 40], [40, 200, 60], [50, 80, 230]], dtype=np.float64)


def make_arrays(
    indices: np.ndarray,
    seed: int,
    *,
    radio_shape: tuple[int, ...] = (16, 8),
    image_size: tuple[int, int] = (16, 16),
    depth: bool = False,
) -> dict[str, np.ndarray]:
    """Arrays ``(len(indices), ...)`` of the given samples; sample i depends only on (seed, i)."""
    h, w = image_size
    beams = len(radio_shape) == 1
    out: dict[str, list[Any]] = {}

    def put(name: str, value: Any) -> None:
        out.setdefault(name, []).append(value)

    for i in indices:
        rng = np.random.default_rng([seed, int(i)])
        k = int(rng.integers(0, MAX_OBJECTS + 1))
        cls = np.full(MAX_OBJECTS, -1, np.int32)
        cls[:k] = rng.integers(0, len(CLASS_NAMES), k)
        rng_m = np.zeros(MAX_OBJECTS, np.float32)
        bearing = np.zeros(MAX_OBJECTS, np.float32)
        rng_m[:k] = rng.uniform(1.0, 9.0, k)
        bearing[:k] = rng.uniform(-55.0, 55.0, k)
        image = np.full((h, w, 3), 90.0) + rng.normal(0, 4, (h, w, 3))
        dmap = np.full((h, w), np.inf, np.float32)
        if beams:
            angles = np.linspace(-60, 60, radio_shape[0])
            power = np.full(radio_shape, 1e-6)
        else:
            ranges = np.linspace(0.5, 10.0, radio_shape[0])[:, None]
            angles = np.linspace(-60, 60, radio_shape[1])[None, :]
            power = np.full(radio_shape, 1e-6)
        for j in range(k):
            gain = 1.0 + cls[j]
            if beams:
                power = power + gain * np.exp(-(((angles - bearing[j]) / 10.0) ** 2)) / rng_m[j] ** 2
            else:
                power = power + gain * np.exp(-(((ranges - rng_m[j]) / 0.7) ** 2) - (((angles - bearing[j]) / 10.0) ** 2))
            col = int(round((0.5 - bearing[j] / 120.0) * (w - 1)))
            half = max(1, int(round(w / 2 / rng_m[j])))
            row = int(round(h * (0.3 + 0.6 * (1 - rng_m[j] / 10.0))))
            r0, r1 = max(0, row - half), min(h, row + half)
            c0, c1 = max(0, col - half), min(w, col + half)
            image[r0:r1, c0:c1] = _COLORS[cls[j]]
            dmap[r0:r1, c0:c1] = rng_m[j]
        power = power * rng.uniform(0.9, 1.1, power.shape)
        if beams:
            put("radio/beam_power", (power / power.max()).astype(np.float32))
        else:
            put("radio/range_angle", (10 * np.log10(power)).astype(np.float32))
        put("image/rgb", np.clip(image, 0, 255).astype(np.uint8))
        if depth:
            put("image/depth", dmap)
        put("labels/num_objects", np.int32(k))
        put("labels/class_counts", np.bincount(cls[:k], minlength=len(CLASS_NAMES)).astype(np.int32))
        put("labels/obj_class", cls)
        put("labels/obj_range", rng_m)
        put("labels/obj_bearing", bearing)
        put("meta/index", np.int64(i))
    return {name: np.stack(values) for name, values in out.items()}


def write_dataset(
    path: Path,
    num_samples: int = 96,
    shard_size: int = 32,
    seed: int = 0,
    angle_span: tuple[float, float] = (-60.0, 60.0),
    **kwargs: Any,
) -> Path:
    """Write a complete synthetic dataset folder at ``path`` (``angle_span``: of the angle-bin attribute); return it."""
    radio_shape = kwargs.get("radio_shape", (16, 8))
    writer = DatasetWriter(
        path, scene={"name": "synthetic"}, seed=seed, num_samples=num_samples, shard_size=shard_size, class_names=CLASS_NAMES
    )
    if len(radio_shape) == 1:
        attrs = {"radio/beam_power": {"codebook": "synthetic"}}
    else:
        attrs = {
            "radio/range_angle": {
                "units": "dB",
                "range_bins_m": np.linspace(0.5, 10.0, radio_shape[0]),
                "angle_bins_deg": np.linspace(angle_span[0], angle_span[1], radio_shape[1]),
            }
        }
    for k, first, count in writer.shard_ranges():
        arrays = make_arrays(np.arange(first, first + count), seed, **kwargs)
        writer.record(write_shard_file(writer.shard_path(k), arrays, attrs, first))
    writer.finalize()
    return path


@pytest.fixture
def make_dataset(tmp_path: Path) -> Callable[..., Path]:
    """``make_dataset(name="data", num_samples=96, shard_size=32, seed=0, radio_shape=..., image_size=..., depth=...)``."""

    def make(name: str = "data", **kwargs: Any) -> Path:
        return write_dataset(tmp_path / name, **kwargs)

    return make


@pytest.fixture(scope="session")
def shared_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 96-sample dataset (3 shards) shared read-only by the tests of a session."""
    return write_dataset(tmp_path_factory.mktemp("shared") / "data", num_samples=96, shard_size=32)
