"""Tiny fake datasets shaped like schema v1, written through the real writer into tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rvsim.data import DatasetWriter, write_shard_file

CLASS_NAMES = ["person", "chair", "table"]
SCENE = {"name": "room", "room": {"size_m": [6.0, 5.0, 3.0]}, "max_objects": 3}
MAX_OBJECTS = 3
ATTRS: dict[str, dict[str, Any]] = {
    "radio/cfr": {"frequencies_hz": np.linspace(27.9e9, 28.1e9, 8)},
    "radio/range_angle": {
        "range_bins_m": np.linspace(0.25, 4.0, 8),
        "angle_bins_deg": np.linspace(-60.0, 60.0, 6),
        "units": "dB",
    },
    "image/depth": {"units": "m"},
    "labels/obj_bearing": {"units": "deg"},
}


def make_sample(index: int, seed: int) -> dict[str, np.ndarray]:
    """One sample's arrays (no sample axis); depends only on (seed, index)."""
    rng = np.random.default_rng([seed, index])
    n_obj = int(rng.integers(0, MAX_OBJECTS + 1))
    obj_class = np.full(MAX_OBJECTS, -1, np.int32)
    obj_class[:n_obj] = rng.integers(0, len(CLASS_NAMES), n_obj)
    counts = np.bincount(obj_class[:n_obj], minlength=len(CLASS_NAMES)).astype(np.int32)
    depth = rng.uniform(0.5, 6.0, (8, 8)).astype(np.float32)
    depth[0, : index % 3] = np.inf
    seg = rng.integers(0, n_obj + 1, (8, 8)).astype(np.int32)
    cfr = (rng.normal(size=(4, 8)) + 1j * rng.normal(size=(4, 8))).astype(np.complex64)
    return {
        "radio/cfr": cfr,
        "radio/range_angle": rng.normal(-40.0, 5.0, (8, 6)).astype(np.float32),
        # 32*48*3 = 4608 bytes per sample: exercises the chunked + LZF layout
        "image/rgb": rng.integers(0, 256, (32, 48, 3), dtype=np.uint8),
        "image/depth": depth,
        "image/segmentation": seg,
        "labels/num_objects": np.int32(n_obj),
        "labels/class_counts": counts,
        "labels/obj_class": obj_class,
        "labels/obj_range": rng.uniform(0.5, 4.0, MAX_OBJECTS).astype(np.float32),
        "labels/obj_bearing": rng.uniform(-50.0, 50.0, MAX_OBJECTS).astype(np.float32),
        "labels/obj_visible": (obj_class >= 0).astype(np.uint8),
        "meta/index": np.int64(index),
        "meta/seed": np.uint64(rng.integers(0, 2**63)),
    }


def make_arrays(indices: np.ndarray, seed: int = 0) -> dict[str, np.ndarray]:
    """Stacked arrays ``(len(indices), ...)`` of the given samples."""
    samples = [make_sample(int(i), seed) for i in indices]
    return {k: np.stack([np.asarray(s[k]) for s in samples]) for k in samples[0]}


def build_dataset(
    out: Path,
    *,
    num_samples: int = 10,
    shard_size: int = 4,
    seed: int = 0,
    skip: tuple[int, ...] = (),
    finalize: bool = True,
    resume: bool = False,
) -> DatasetWriter:
    """Write a dataset through DatasetWriter + write_shard_file (shards in ``skip`` left unwritten)."""
    writer = DatasetWriter(
        out,
        scene=SCENE,
        seed=seed,
        num_samples=num_samples,
        shard_size=shard_size,
        class_names=CLASS_NAMES,
        resume=resume,
    )
    for k, first, count in writer.pending_shards():
        if k in skip:
            continue
        arrays = make_arrays(np.arange(first, first + count), seed)
        writer.record(write_shard_file(writer.shard_path(k), arrays, ATTRS, first))
    if finalize and not skip:
        writer.finalize()
    return writer


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    """A complete 10-sample dataset in 3 shards (4, 4, 2)."""
    out = tmp_path / "ds"
    build_dataset(out)
    return out


@pytest.fixture
def builder() -> Callable[..., DatasetWriter]:
    return build_dataset


@pytest.fixture
def arrays_of() -> Callable[..., dict[str, np.ndarray]]:
    return make_arrays
