"""A PNG grid of dataset samples for a quick look: one row per sample, one column per modality.

Columns (each present only if the dataset has the field): RGB | depth [m] | segmentation (one colour per
object instance, static scene dark grey) | radio: the range–angle map [dB] (x: angle [deg], y: range [m]) with
every object's true (bearing, range) circled in white, or the 64-beam power bar chart, or ``|CFR|`` [dB] as a
last resort. Row titles give the per-class object counts.

:func:`plot_filmstrip` draws one sequence of a dataset of sequences (schema version 2) as a filmstrip: frames
across, the camera image over the radio view (range–angle map or beam powers) over the range–Doppler map
when the dataset has one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rvsim.data.dataset import Dataset
from rvsim.errors import InputError

__all__ = ["plot_sample_grid", "plot_filmstrip", "instance_colours"]

_STATIC_COLOUR = (0.15, 0.15, 0.15)


def instance_colours(segmentation: np.ndarray) -> np.ndarray:
    """RGB image of an instance-id map: id 0 (static scene) dark grey, id k >= 1 the (k-1)-th tab20 colour.

    Args:
        segmentation: Instance ids, shape ``(H, W)``.

    Returns:
        float array ``(H, W, 3)`` in [0, 1].
    """
    from matplotlib import colormaps

    seg = np.asarray(segmentation).astype(np.int64)
    top = max(int(seg.max(initial=0)), 0)
    tab = np.asarray(colormaps["tab20"].colors, dtype=np.float64)
    palette = np.empty((top + 1, 3))
    palette[0] = _STATIC_COLOUR
    if top:
        palette[1:] = tab[np.arange(top) % len(tab)]
    return palette[np.clip(seg, 0, top)]


def _count_title(index: int, sample: dict[str, np.ndarray], class_names: list[str]) -> str:
    counts = sample.get("labels/class_counts")
    if counts is not None:
        parts = [
            f"{class_names[k] if k < len(class_names) else k}×{int(c)}" for k, c in enumerate(counts) if c > 0
        ]
        return f"#{index}: " + (", ".join(parts) if parts else "no objects")
    num = sample.get("labels/num_objects")
    if num is not None:
        return f"#{index}: {int(num)} objects"
    return f"#{index}"


def _axis_bins(attrs: dict[str, Any], key: str, n: int) -> np.ndarray | None:
    bins = attrs.get(key)
    if bins is None:
        return None
    arr = np.asarray(bins, dtype=np.float64).reshape(-1)
    return arr if arr.size == n else None


def plot_sample_grid(ds: Dataset, indices: Sequence[int] | np.ndarray, path: str | os.PathLike[str]) -> Path:
    """Draw samples of ``ds`` as a PNG grid, one row per sample.

    Args:
        ds: The dataset.
        indices: Sample indices, shape ``(n,)``, ``n >= 1``.
        path: Output PNG file; its folder must exist.

    Returns:
        The written path.

    Raises:
        InputError: If ``indices`` is empty or out of range, or the folder of ``path`` does not exist.
    """
    from matplotlib.figure import Figure

    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    if idx.size == 0:
        raise InputError("plot_sample_grid needs at least one sample index. Received: indices=[]")
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"the folder of the PNG file does not exist. Received: {path}")

    fields = ds.fields
    columns = [c for c in ("image/rgb", "image/depth", "image/segmentation") if c in fields]
    radio = next((f for f in ("radio/range_angle", "radio/beam_power", "radio/cfr") if f in fields), None)
    if radio is not None:
        columns.append(radio)
    label_fields = (
        "labels/class_counts",
        "labels/num_objects",
        "labels/obj_class",
        "labels/obj_range",
        "labels/obj_bearing",
    )
    wanted = set(columns) | {f for f in label_fields if f in fields}
    batch = ds.batch(idx, fields=sorted(wanted))
    class_names = ds.class_names
    ra_attrs = ds.attrs(radio) if radio is not None else {}

    ncols = max(len(columns), 1)
    fig = Figure(figsize=(3.2 * ncols, 2.8 * idx.size), dpi=80, layout="constrained")
    axes = np.asarray(fig.subplots(idx.size, ncols, squeeze=False))
    for row, i in enumerate(idx):
        sample = {k: v[row] for k, v in batch.items()}
        title = _count_title(int(i), sample, class_names)
        if not columns:
            axes[row, 0].text(0.5, 0.5, "no image or radio fields", ha="center", va="center")
            axes[row, 0].set_axis_off()
            axes[row, 0].set_title(title, fontsize=9)
            continue
        for col, name in enumerate(columns):
            ax = axes[row, col]
            _draw_panel(fig, ax, name, sample, ra_attrs)
            if col == 0:
                ax.set_title(title, fontsize=9)
            elif row == 0:
                ax.set_title(name, fontsize=9)
    fig.savefig(path, format="png")
    return path


def plot_filmstrip(ds: Dataset, sequence: int, path: str | os.PathLike[str], *, max_frames: int = 8) -> Path:
    """Draw one sequence of a dataset of sequences as a PNG filmstrip: frames across (evenly spaced when the
    sequence has more than ``max_frames``); rows RGB, radio (range–angle map with the objects circled, or beam
    powers, with ``los_blocked`` in the title), and range–Doppler (x: radial velocity, y: range) if present.

    Args:
        ds: A dataset of sequences (``meta/sequence`` and ``meta/frame``).
        sequence: Sequence id.
        path: Output PNG file; its folder must exist.
        max_frames: Most frames drawn (>= 1).

    Returns:
        The written path.

    Raises:
        InputError: For a dataset without sequences, an unknown sequence id, ``max_frames < 1`` or a missing folder.
    """
    from matplotlib.figure import Figure

    fields = ds.fields
    if "meta/sequence" not in fields or "meta/frame" not in fields:
        raise InputError(f"a filmstrip needs a dataset of sequences (meta/sequence, meta/frame). Received: {ds.path}")
    if isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 1:
        raise InputError(f"max_frames must be an integer >= 1. Received: max_frames={max_frames!r}")
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"the folder of the PNG file does not exist. Received: {path}")
    frames = int(ds.manifest["scene"]["sequence"]["num_frames"])
    num_sequences = len(ds) // frames
    if isinstance(sequence, bool) or not isinstance(sequence, (int, np.integer)) or not 0 <= sequence < num_sequences:
        raise InputError(f"sequence must be an id in [0, {num_sequences}). Received: sequence={sequence!r}")
    picks = np.unique(np.linspace(0, frames - 1, min(frames, max_frames)).round().astype(np.int64))
    idx = int(sequence) * frames + picks
    radio = next((f for f in ("radio/range_angle", "radio/beam_power") if f in fields), None)
    rows = [r for r in ("image/rgb", radio, "radio/range_doppler") if r is not None and r in fields]
    extra = [f for f in ("labels/obj_class", "labels/obj_range", "labels/obj_bearing", "labels/los_blocked")
             if f in fields]
    batch = ds.batch(idx, fields=sorted(set(rows) | set(extra)))
    rate = float(ds.manifest["scene"]["sequence"]["frame_rate_hz"])
    fig = Figure(figsize=(2.6 * idx.size, 2.4 * max(len(rows), 1)), dpi=80, layout="constrained")
    axes = np.asarray(fig.subplots(max(len(rows), 1), idx.size, squeeze=False))
    for col, (i, f) in enumerate(zip(idx, picks)):
        sample = {k: v[col] for k, v in batch.items()}
        title = f"frame {int(f)} (t = {f / rate:.1f} s)"
        if "labels/los_blocked" in sample:
            title += ", blocked" if int(sample["labels/los_blocked"]) else ", clear"
        for row, name in enumerate(rows):
            ax = axes[row, col]
            _draw_panel(fig, ax, name, sample, ds.attrs(name))
            if row == 0:
                ax.set_title(title, fontsize=9)
    fig.suptitle(f"{ds.manifest['scene'].get('name', '')}: sequence {int(sequence)} ({frames} frames at {rate:g} Hz)",
                 fontsize=10)
    fig.savefig(path, format="png")
    return path


def _map_panel(fig: Any, ax: Any, value: np.ndarray, attrs: dict[str, Any], x_axis: tuple[str, str, str],
               span_db: float | None) -> tuple[np.ndarray | None, np.ndarray | None]:
    """A range (rows) × ``x_axis`` (columns) power map with its colour bar; ``span_db`` limits the colour range
    below the maximum. Returns the x and range bins (``None`` where the attributes do not give them)."""
    num_r, num_x = value.shape
    r_bins = _axis_bins(attrs, "range_bins_m", num_r)
    x_bins = _axis_bins(attrs, x_axis[0], num_x)
    x = x_bins if x_bins is not None else np.arange(num_x, dtype=np.float64)
    y = r_bins if r_bins is not None else np.arange(num_r, dtype=np.float64)
    top = float(np.max(value))
    limits = {} if span_db is None else {"vmin": top - span_db, "vmax": top}
    im = ax.pcolormesh(x, y, value, shading="nearest", cmap="magma", **limits)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02, label=str(attrs.get("units", "")))
    ax.set_xlabel(x_axis[1] if x_bins is not None else x_axis[2])
    ax.set_ylabel("range [m]" if r_bins is not None else "range bin")
    return x_bins, r_bins


def _draw_panel(fig: Any, ax: Any, name: str, sample: dict[str, np.ndarray], attrs: dict[str, Any]) -> None:
    value = sample[name]
    if name == "image/rgb":
        ax.imshow(value)
        ax.set_axis_off()
    elif name == "image/depth":
        depth = np.ma.masked_invalid(value.astype(np.float64))
        im = ax.imshow(depth, cmap="viridis")
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02, label="depth [m]")
        ax.set_axis_off()
    elif name == "image/segmentation":
        ax.imshow(instance_colours(value), interpolation="nearest")
        ax.set_axis_off()
    elif name == "radio/range_angle":
        a_bins, r_bins = _map_panel(fig, ax, value, attrs, ("angle_bins_deg", "angle [deg]", "angle bin"), None)
        has_objects = "labels/obj_bearing" in sample and "labels/obj_range" in sample
        if a_bins is not None and r_bins is not None and has_objects:
            xlim, ylim = ax.get_xlim(), ax.get_ylim()  # the map's cell edges
            valid = np.ones(sample["labels/obj_range"].shape, dtype=bool)
            if "labels/obj_class" in sample:
                valid &= sample["labels/obj_class"] >= 0
            ax.scatter(
                sample["labels/obj_bearing"][valid],
                sample["labels/obj_range"][valid],
                s=70,
                facecolors="none",
                edgecolors="white",
                linewidths=1.5,
            )
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
    elif name == "radio/range_doppler":
        _map_panel(fig, ax, value, attrs, ("velocity_bins_mps", "radial velocity [m/s]", "velocity bin"), 50.0)
    elif name == "radio/beam_power":
        power = np.asarray(value, dtype=np.float64).reshape(-1)
        ax.bar(np.arange(power.size), power, width=1.0, color="tab:blue")
        ax.set_xlabel("beam")
        ax.set_ylabel("power")
    elif name == "radio/cfr":
        mag = 20.0 * np.log10(np.abs(value.reshape(value.shape[0], -1)) + 1e-12)
        im = ax.imshow(mag, aspect="auto", cmap="magma")
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02, label="|CFR| [dB]")
        ax.set_xlabel("subcarrier")
        ax.set_ylabel("rx antenna")
