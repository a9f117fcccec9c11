"""Labels and field attributes every scene family shares: object tables, class counts, visibility, camera units.

:func:`scene_labels` computes the ``labels/`` arrays of the schema from scene states and the segmentation
images (docs/dataset_schema.md); :func:`camera_and_object_attrs` describes the ``image/`` arrays and the
per-object tables. A family adds its own (the street's transmitter labels, for one).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rvsim.config import SceneSpec
from rvsim.radio.angles import wrap_deg
from rvsim.sim.scene_state import SceneState

__all__ = ["scene_labels", "camera_and_object_attrs", "object_velocities", "sequence_attrs"]


def scene_labels(spec: SceneSpec, states: list[SceneState], segmentation: np.ndarray) -> dict[str, np.ndarray]:
    """Ground-truth labels of scene states (the ``labels/`` group of the schema).

    Args:
        spec: The scene family.
        states: One scene state per sample.
        segmentation: Instance ids, shape ``(n, H, W)`` (``k + 1`` for object ``k``), for visibility.

    Returns:
        Arrays keyed ``labels/<name>``, each with the sample axis first; per-object tables padded to
        ``spec.max_objects`` with class ``-1``.
    """
    n, m, c = len(states), spec.max_objects, len(spec.classes)
    bs = np.asarray(spec.base_station.position_m, dtype=np.float64)
    bs_yaw = np.deg2rad(spec.base_station.yaw_deg)
    out = {
        "labels/num_objects": np.zeros(n, np.int32),
        "labels/class_counts": np.zeros((n, c), np.int32),
        "labels/obj_class": np.full((n, m), -1, np.int32),
        "labels/obj_position": np.zeros((n, m, 3), np.float32),
        "labels/obj_yaw": np.zeros((n, m), np.float32),
        "labels/obj_size": np.zeros((n, m, 3), np.float32),
        "labels/obj_range": np.zeros((n, m), np.float32),
        "labels/obj_bearing": np.zeros((n, m), np.float32),
        "labels/obj_visible": np.zeros((n, m), np.uint8),
    }
    for i, st in enumerate(states):
        k = st.num_objects
        out["labels/num_objects"][i] = k
        out["labels/class_counts"][i] = np.bincount(st.class_ids, minlength=c)[:c]
        if k == 0:
            continue
        d = st.positions[:, :2] - bs[None, :2]
        bearing = np.rad2deg(np.arctan2(d[:, 1], d[:, 0]) - bs_yaw)
        out["labels/obj_class"][i, :k] = st.class_ids
        out["labels/obj_position"][i, :k] = st.positions
        out["labels/obj_yaw"][i, :k] = st.yaws
        out["labels/obj_size"][i, :k] = st.sizes
        out["labels/obj_range"][i, :k] = np.hypot(d[:, 0], d[:, 1])
        out["labels/obj_bearing"][i, :k] = wrap_deg(bearing)
        present = np.bincount(segmentation[i].ravel(), minlength=k + 1)
        out["labels/obj_visible"][i, :k] = present[1:k + 1] > 0
    return out


def object_velocities(spec: SceneSpec, velocities: list[np.ndarray]) -> np.ndarray:
    """``labels/obj_velocity``: per sample, each object's velocity [m/s] in the order of the labels tables,
    padded with zeros to ``spec.max_objects``; float32 ``(n, max_objects, 3)``."""
    out = np.zeros((len(velocities), spec.max_objects, 3), np.float32)
    for i, v in enumerate(velocities):
        out[i, : len(v)] = v
    return out


def sequence_attrs(spec: SceneSpec) -> dict[str, dict[str, Any]]:
    """Units and meaning of the sequence fields (``labels/obj_velocity``, ``meta/sequence``, ``meta/frame``) of a
    family with a ``sequence`` section (none otherwise), JSON-able."""
    seq = spec.sequence
    if seq is None:
        return {}
    return {
        "labels/obj_velocity": {"units": "m/s", "frame": "world",
                                "meaning": "velocity from this frame to the next (0 for a step not taken)"},
        "meta/sequence": {"meaning": "sequence id: sample index // num_frames", "num_frames": seq.num_frames,
                          "frame_rate_hz": seq.frame_rate_hz},
        "meta/frame": {"meaning": "frame index within the sequence", "frame_rate_hz": seq.frame_rate_hz},
    }


def camera_and_object_attrs(spec: SceneSpec) -> dict[str, dict[str, Any]]:
    """Units and meaning of the ``image/`` arrays and the per-object ``labels/`` tables (any layout), JSON-able."""
    return {
        "image/rgb": {"units": "sRGB uint8", "axes": ["sample", "row", "column", "channel"],
                      "fov_deg": spec.camera.fov_deg},
        "image/depth": {"units": "m", "meaning": "distance along the camera ray; 0 where nothing is hit"},
        "image/segmentation": {"meaning": "0 static scene or sky; k+1 = object k of the labels tables"},
        "labels/obj_class": {"class_names": spec.class_names, "padding": -1},
        "labels/class_counts": {"class_names": spec.class_names},
        "labels/obj_position": {"units": "m", "frame": "world; base station at base_station.position_m"},
        "labels/obj_yaw": {"units": "rad"},
        "labels/obj_size": {"units": "m", "axes": ["length", "width", "height"]},
        "labels/obj_range": {"units": "m", "meaning": "horizontal distance from the base station"},
        "labels/obj_bearing": {"units": "deg", "meaning": "azimuth from the array broadside, positive to the left"},
    }
