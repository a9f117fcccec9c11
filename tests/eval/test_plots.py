"""The t-SNE embedding map and the retrieval grid are written as PNG files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.eval import plot_embedding_map, plot_retrievals, tsne_map

PNG = b"\x89PNG\r\n\x1a\n"


def test_tsne_map_separates_clusters(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 30)
    x = rng.normal(size=(60, 8)) + 8.0 * y[:, None]
    xy = tsne_map(x, seed=0)
    assert xy.shape == (60, 2)
    centroid_gap = np.linalg.norm(xy[y == 0].mean(0) - xy[y == 1].mean(0))
    spread = max(xy[y == 0].std(0).max(), xy[y == 1].std(0).max())
    assert centroid_gap > 2 * spread
    path = plot_embedding_map(x, y, tmp_path / "map.png", class_names=["a", "b"], max_points=40, seed=1)
    assert path.read_bytes()[:8] == PNG
    with pytest.raises(InputError, match="at least 3"):
        tsne_map(x[:2])


def test_retrieval_grid(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    maps = rng.normal(-40, 5, (3, 12, 8))
    images = rng.integers(0, 256, (10, 12, 12, 3), dtype=np.uint8)
    topk = np.array([[0, 1, 2], [3, 1, 4], [5, 6, 7]])
    path = plot_retrievals(maps, images, topk, np.array([0, 1, -1]), tmp_path / "grid.png",
                           range_bins_m=np.linspace(0.5, 10, 12), angle_bins_deg=np.linspace(-60, 60, 8))
    assert path.read_bytes()[:8] == PNG
    beams = plot_retrievals(rng.random((2, 64)), images / 255.0, topk[:2], np.array([0, 1]), tmp_path / "b.png")
    assert beams.read_bytes()[:8] == PNG
    with pytest.raises(InputError):
        plot_retrievals(maps, images, topk[:2], np.array([0, 1]), tmp_path / "bad.png")
