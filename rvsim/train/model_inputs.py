"""What the encoders are fed: radio power in dB and images as floats, read from a dataset.

Training, linear probes, kNN, retrieval and the real-data evaluation all go through these functions, so the
encoders always see identical inputs. Radio normalisation (floor and standardisation) is *not* done here:
it is the first layer of the radio encoder (:class:`rvsim.models.RadioNormalization`), so it travels with the
saved encoder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import tensorflow as tf

from rvsim.errors import ConfigError, InputError

if TYPE_CHECKING:  # pragma: no cover
    from rvsim.data import Dataset

__all__ = [
    "RADIO_FIELDS",
    "IMAGE_FIELDS",
    "default_radio_field",
    "check_radio_field",
    "radio_is_linear",
    "radio_to_db",
    "images_to_float",
    "radio_input",
    "vision_input",
    "fit_radio_normalization",
]

#: Radio fields the encoders accept, in order of preference.
RADIO_FIELDS: tuple[str, ...] = ("radio/range_angle", "radio/beam_power")

#: Image fields the vision encoder accepts (``image/rgb`` must come first).
IMAGE_FIELDS: tuple[str, ...] = ("image/rgb", "image/depth")


def default_radio_field(ds: Dataset) -> str:
    """``"radio/range_angle"`` if the dataset has it, else ``"radio/beam_power"``.

    Raises:
        InputError: If it has neither.
    """
    for name in RADIO_FIELDS:
        if name in ds.fields:
            return name
    raise InputError(f"the dataset has no radio input field {list(RADIO_FIELDS)}. Received fields: {sorted(ds.fields)}")


def check_radio_field(ds: Dataset, field: str) -> tuple[int, ...]:
    """Check that ``field`` is a real-valued 1-D or 2-D per-sample radio array; return its per-sample shape."""
    spec = ds.fields.get(field)
    if spec is None:
        raise ConfigError(f"radio_field is not a field of the dataset {sorted(ds.fields)}. Received: radio_field={field!r}")
    if np.dtype(spec.dtype).kind != "f" or len(spec.shape) not in (1, 2):
        raise ConfigError(
            "radio_field must be a real (float) array of per-sample shape (R, A) or (num_beams,). "
            f"Received: radio_field={field!r} ({spec.dtype} {tuple(spec.shape)})"
        )
    return tuple(spec.shape)


def radio_is_linear(ds: Dataset, field: str) -> bool:
    """Whether the field holds linear power (its ``units`` attribute is not ``"dB"``), e.g. ``beam_power``."""
    return str(ds.attrs(field).get("units", "")).strip() != "dB"


def radio_to_db(x: Any, *, linear: bool) -> tf.Tensor:
    """Radio power in dB: ``10 log10(max(x, 1e-30))`` for linear power, else ``x`` unchanged (float32).

    Args:
        x: ``(batch_size, *radio_shape)``, linear power or dB.
        linear: Whether ``x`` is linear power.
    """
    x = tf.cast(x, tf.float32)
    if not linear:
        return x
    return 10.0 * tf.math.log(tf.maximum(x, 1e-30)) / tf.math.log(10.0)


def images_to_float(rgb: Any, depth: Any | None = None, size: Sequence[int] | None = None) -> tf.Tensor:
    """Images for the vision encoder: RGB in [0, 1], optionally an inverse-depth channel ``1 / (1 + d)``.

    Args:
        rgb: ``(batch_size, H, W, 3)`` uint8.
        depth: ``(batch_size, H, W)`` distance [m], or ``None``. Pixels where the camera ray hits nothing (stored
            as depth 0 by the generators, see ``docs/dataset_schema.md``; ``inf``, NaN or any value <= 0) get
            channel value 0, the farthest possible, not 1.
        size: Output ``(height, width)`` (bilinear resize), or ``None`` to keep ``(H, W)``.

    Returns:
        ``(batch_size, height, width, 3 or 4)`` float32.
    """
    x = tf.cast(rgb, tf.float32) / 255.0
    if depth is not None:
        d = tf.cast(depth, tf.float32)
        hit = tf.math.is_finite(d) & (d > 0.0)
        inv = tf.where(hit, 1.0 / (1.0 + tf.where(hit, d, 0.0)), tf.zeros_like(d))
        x = tf.concat([x, inv[..., None]], axis=-1)
    if size is not None and tuple(size) != tuple(x.shape[1:3]):
        x = tf.image.resize(x, tuple(size), method="bilinear")
    return x


def _indices(ds: Dataset, indices: Sequence[int] | np.ndarray | None) -> np.ndarray:
    from rvsim.data.split import sample_indices

    return sample_indices(len(ds), indices)


def _run_data(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    path = Path(run_dir) / "config.json"
    try:
        doc = json.loads(path.read_text())
        return dict(doc["data"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"not a readable rvsim run folder (config.json). Received: {run_dir}") from exc


def radio_input(
    ds: Dataset,
    indices: Sequence[int] | np.ndarray | None = None,
    *,
    field: str | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    batch_size: int = 1024,
) -> np.ndarray:
    """The radio input the encoders consume for samples ``indices`` of ``ds`` (no augmentation).

    Args:
        ds: The dataset.
        indices: Dataset indices, ``(n,)``; default: every sample.
        field: Radio field; default: the field of ``run_dir``'s run if given, else
            :func:`default_radio_field` (the training default).
        run_dir: A run folder whose radio field to use.
        batch_size: Samples read at once.

    Returns:
        ``(n, *radio_shape)`` float32 power [dB] (linear fields such as ``beam_power`` converted).
    """
    if field is None:
        field = _run_data(run_dir)["radio_field"] if run_dir is not None else default_radio_field(ds)
    shape = check_radio_field(ds, field)
    linear = radio_is_linear(ds, field)
    idx = _indices(ds, indices)
    out = np.empty((idx.size, *shape), dtype=np.float32)
    for start in range(0, idx.size, batch_size):
        chunk = idx[start : start + batch_size]
        out[start : start + chunk.size] = radio_to_db(ds.read(field, chunk), linear=linear).numpy()
    return out


def vision_input(
    ds: Dataset,
    indices: Sequence[int] | np.ndarray | None = None,
    *,
    fields: Sequence[str] | None = None,
    image_size: Sequence[int] | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    batch_size: int = 256,
) -> np.ndarray:
    """The image input the vision encoder consumes for samples ``indices`` of ``ds`` (no augmentation).

    Args:
        ds: The dataset.
        indices: Dataset indices, ``(n,)``; default: every sample.
        fields: ``("image/rgb",)`` or ``("image/rgb", "image/depth")``; default: ``run_dir``'s, else RGB only.
        image_size: Output ``(height, width)``; default: ``run_dir``'s, else the stored size.
        run_dir: A run folder whose image settings to use.
        batch_size: Samples read at once.

    Returns:
        ``(n, height, width, 3 or 4)`` float32 (see :func:`images_to_float`).
    """
    if run_dir is not None:
        data = _run_data(run_dir)
        fields = data["image_fields"] if fields is None else fields
        image_size = data.get("image_size") if image_size is None else image_size
    fields = tuple(fields or ("image/rgb",))
    if fields not in (IMAGE_FIELDS[:1], IMAGE_FIELDS) or any(f not in ds.fields for f in fields):
        raise ConfigError(
            f"image fields must be {list(IMAGE_FIELDS[:1])} or {list(IMAGE_FIELDS)} and exist in the dataset. "
            f"Received: {list(fields)}"
        )
    idx = _indices(ds, indices)
    parts: list[np.ndarray] = []
    for start in range(0, max(idx.size, 1), batch_size):
        chunk = idx[start : start + batch_size]
        depth = ds.read("image/depth", chunk) if len(fields) == 2 else None
        parts.append(images_to_float(ds.read("image/rgb", chunk), depth, image_size).numpy())
    return np.concatenate(parts, axis=0)


def fit_radio_normalization(
    ds: Dataset,
    indices: Sequence[int] | np.ndarray,
    *,
    field: str,
    mode: str = "per_sample",
    dynamic_range_db: float = 60.0,
    max_samples: int = 2048,
) -> Any:
    """The radio encoder's input normalisation layer, with statistics from samples ``indices`` if needed.

    For ``mode="dataset"`` the mean and standard deviation [dB] of the floored radio inputs (see
    :class:`rvsim.models.RadioNormalization`) are computed over at most ``max_samples`` of ``indices``
    (evenly spaced), e.g. the training split.

    Returns:
        A :class:`rvsim.models.RadioNormalization` named ``"radio_normalization"``.
    """
    from rvsim.models.radio_normalization import RadioNormalization

    layer = RadioNormalization(mode=mode, dynamic_range_db=dynamic_range_db, name="radio_normalization")
    if mode != "dataset":
        return layer
    idx = np.asarray(indices, dtype=np.int64)
    if idx.size > max_samples:
        idx = idx[np.linspace(0, idx.size - 1, max_samples).round().astype(np.int64)]
    total = total_sq = 0.0
    count = 0
    for start in range(0, idx.size, 512):
        x = np.asarray(layer.floor(radio_input(ds, idx[start : start + 512], field=field)), dtype=np.float64)
        total += float(x.sum())
        total_sq += float(np.square(x).sum())
        count += x.size
    mean = total / max(count, 1)
    std = float(np.sqrt(max(total_sq / max(count, 1) - mean * mean, 0.0)))
    return RadioNormalization(
        mode="dataset", mean=mean, std=max(std, 1e-6), dynamic_range_db=dynamic_range_db, name="radio_normalization"
    )
