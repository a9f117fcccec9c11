"""A 2-D map of embeddings (t-SNE) coloured by class."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rvsim.errors import InputError
from rvsim.eval.knn_probe import check_labels
from rvsim.eval.linear_probe import check_features

__all__ = ["tsne_map", "plot_embedding_map"]


def tsne_map(embeddings: np.ndarray, *, seed: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """2-D t-SNE coordinates of embeddings (standardised first; perplexity capped below ``n / 3``).

    Args:
        embeddings: ``(n, d)`` with ``n >= 3``.
        seed: Seed of t-SNE's initialisation and optimisation.
        perplexity: Requested perplexity.

    Returns:
        ``(n, 2)`` float64 coordinates (arbitrary units).
    """
    from sklearn.manifold import TSNE

    x = check_features(embeddings, "embeddings")
    n = x.shape[0]
    if n < 3:
        raise InputError(f"a t-SNE map needs at least 3 points. Received: {n}")
    std = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)
    perp = float(min(perplexity, max(1.0, (n - 1) / 3.0)))
    return TSNE(n_components=2, perplexity=perp, init="pca", random_state=int(seed)).fit_transform(x)


def plot_embedding_map(
    embeddings: np.ndarray,
    labels: np.ndarray,
    path: str | os.PathLike[str],
    *,
    class_names: Sequence[str] | None = None,
    title: str = "SSL radio embeddings (t-SNE)",
    max_points: int = 2000,
    seed: int = 0,
) -> Path:
    """Scatter a t-SNE map of ``embeddings`` coloured by ``labels`` into an image file.

    Args:
        embeddings: ``(n, d)``.
        labels: Class ids ``(n,)``.
        path: Output image file (PNG).
        class_names: Name of class id ``k`` (legend); default the ids.
        title: Plot title.
        max_points: At most this many points (a seeded random subset) are mapped.
        seed: Seed of the subset and of t-SNE.

    Returns:
        ``path``.
    """
    import matplotlib
    from matplotlib.figure import Figure

    x = check_features(embeddings, "embeddings")
    y = check_labels(labels, x.shape[0])
    if x.shape[0] > max_points:
        keep = np.sort(np.random.default_rng(seed).choice(x.shape[0], size=max_points, replace=False))
        x, y = x[keep], y[keep]
    xy = tsne_map(x, seed=seed)
    fig = Figure(figsize=(6.0, 5.0), dpi=120)
    ax = fig.subplots()
    classes = np.unique(y)
    cmap = matplotlib.colormaps["tab10" if classes.size <= 10 else "tab20"]
    for j, c in enumerate(classes):
        sel = y == c
        name = class_names[int(c)] if class_names is not None and 0 <= int(c) < len(class_names) else str(int(c))
        ax.scatter(xy[sel, 0], xy[sel, 1], s=8, color=cmap(j % cmap.N), label=f"{name} ({int(sel.sum())})", alpha=0.8)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, markerscale=2, loc="best")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    return path
