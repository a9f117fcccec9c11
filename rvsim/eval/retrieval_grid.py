"""A picture of radio → image retrievals: each query's radio map next to its top-k retrieved camera images."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rvsim.errors import InputError

__all__ = ["plot_retrievals"]


def plot_retrievals(
    query_radio: np.ndarray,
    gallery_images: np.ndarray,
    topk: np.ndarray,
    own_index: np.ndarray,
    path: str | os.PathLike[str],
    *,
    range_bins_m: Sequence[float] | None = None,
    angle_bins_deg: Sequence[float] | None = None,
    title: str = "radio → image retrieval",
) -> Path:
    """Draw a grid: one row per query, its radio input then its top-k retrieved images, the correct one outlined.

    Args:
        query_radio: Radio inputs of the queries, ``(q, num_range_bins, num_angle_bins)`` range–angle maps
            [dB] or ``(q, num_beams)`` beam-power vectors.
        gallery_images: Gallery RGB images ``(n, H, W, 3)``, uint8 or float in [0, 1].
        topk: Retrieved gallery indices per query, most similar first, ``(q, k)``.
        own_index: Gallery index of each query's own (paired) image ``(q,)``; retrieved images equal to it are
            outlined in green, others in grey.
        path: Output image file (PNG).
        range_bins_m: Range axis of the maps [m] (axis labels), ``(num_range_bins,)``.
        angle_bins_deg: Angle axis of the maps [deg], ``(num_angle_bins,)``.
        title: Figure title.

    Returns:
        ``path``.
    """
    from matplotlib.figure import Figure

    radio = np.asarray(query_radio, dtype=np.float64)
    images = np.asarray(gallery_images)
    idx = np.asarray(topk)
    own = np.asarray(own_index)
    if radio.ndim not in (2, 3) or idx.ndim != 2 or idx.shape[0] != radio.shape[0] or own.shape != (radio.shape[0],):
        raise InputError(
            "plot_retrievals needs query_radio (q, R, A) or (q, B), topk (q, k) and own_index (q,). Received: "
            f"{radio.shape}, {idx.shape}, {own.shape}"
        )
    if images.ndim != 4 or images.shape[-1] not in (3, 4):
        raise InputError(f"gallery_images must be (n, H, W, 3). Received: shape={images.shape}")
    q, k = idx.shape
    fig = Figure(figsize=(1.9 * (k + 1.3), 1.7 * q + 0.6), dpi=100)
    axes = np.asarray(fig.subplots(q, k + 1, squeeze=False, gridspec_kw={"width_ratios": [1.3] + [1.0] * k}))
    for row in range(q):
        ax = axes[row, 0]
        if radio.ndim == 3:
            extent = None
            if range_bins_m is not None and angle_bins_deg is not None:
                a, r = np.asarray(angle_bins_deg, float), np.asarray(range_bins_m, float)
                extent = (float(a[0]), float(a[-1]), float(r[0]), float(r[-1]))
            ax.imshow(radio[row], origin="lower", aspect="auto", cmap="viridis", extent=extent)
            if extent is not None and row == q - 1:
                ax.set_xlabel("angle [deg]", fontsize=7)
            if extent is not None:
                ax.set_ylabel("range [m]", fontsize=7)
            ax.tick_params(labelsize=6)
        else:
            ax.plot(radio[row], linewidth=1)
            ax.set_xticks([])
            ax.tick_params(labelsize=6)
        ax.set_title(f"query {int(own[row])}", fontsize=7)
        for col in range(k):
            ax = axes[row, col + 1]
            g = int(idx[row, col])
            img = images[g]
            ax.imshow(img[..., :3] if img.dtype == np.uint8 else np.clip(img[..., :3], 0.0, 1.0))
            ax.set_xticks([])
            ax.set_yticks([])
            correct = g == int(own[row])
            for spine in ax.spines.values():
                spine.set_visible(True)
                spine.set_edgecolor("limegreen" if correct else "lightgray")
                spine.set_linewidth(4.0 if correct else 1.0)
            if row == 0:
                ax.set_title(f"top-{col + 1}", fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    return path
