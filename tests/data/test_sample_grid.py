from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rvsim.data import Dataset, DatasetWriter, write_shard_file
from rvsim.data.sample_grid import instance_colours, plot_sample_grid
from rvsim.errors import InputError

from .conftest import CLASS_NAMES, SCENE


def read_png(path: Path) -> np.ndarray:
    import matplotlib.image

    return matplotlib.image.imread(path)


def test_grid_of_full_dataset(dataset_dir: Path, tmp_path: Path) -> None:
    with Dataset(dataset_dir) as ds:
        out = plot_sample_grid(ds, [0, 1, 2], tmp_path / "grid.png")
    img = read_png(out)
    assert img.ndim == 3 and img.shape[0] > img.shape[1] * 0.5  # three rows
    assert img[..., :3].std() > 0.05


def test_grid_tolerates_missing_fields_and_beam_power(tmp_path: Path) -> None:
    w = DatasetWriter(tmp_path / "street", scene={**SCENE, "name": "street"}, seed=0, num_samples=3, shard_size=3,
                      class_names=CLASS_NAMES)
    rng = np.random.default_rng(0)
    arrays = {
        "radio/beam_power": rng.uniform(0, 1, (3, 64)).astype(np.float32),
        "labels/class_counts": np.array([[1, 0, 0], [0, 0, 0], [2, 1, 0]], np.int32),
    }
    w.record(write_shard_file(w.shard_path(0), arrays, {"radio/beam_power": {"codebook": "dft64"}}, 0))
    w.finalize()
    with Dataset(tmp_path / "street") as ds:
        out = plot_sample_grid(ds, np.arange(3), tmp_path / "street.png")
        assert read_png(out)[..., :3].std() > 0.05
        with pytest.raises(InputError, match="at least one"):
            plot_sample_grid(ds, [], tmp_path / "x.png")
        with pytest.raises(InputError, match="folder of the PNG"):
            plot_sample_grid(ds, [0], tmp_path / "nope" / "x.png")


def test_instance_colours() -> None:
    seg = np.array([[0, 1], [2, 21]])
    rgb = instance_colours(seg)
    assert rgb.shape == (2, 2, 3)
    assert np.allclose(rgb[0, 0], 0.15)
    assert not np.allclose(rgb[0, 1], rgb[1, 0])
    assert np.allclose(rgb[0, 1], rgb[1, 1])  # tab20 wraps after 20 instances
