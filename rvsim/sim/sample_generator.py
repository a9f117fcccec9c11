"""Paired radio–camera samples of a scene family, reproducible from (spec, dataset seed, sample index).

:class:`SampleGenerator` owns one :class:`~rvsim.sim.radio_engine.RadioEngine` and one
:class:`~rvsim.sim.camera_renderer.CameraRenderer` and turns a list of sample indices into the arrays of the
dataset schema (docs/dataset_schema.md). A ``layout: street`` family is handed to
:class:`~rvsim.sim.street_sample_generator.StreetSampleGenerator` (beam powers instead of CFR and range–angle
maps, plus the street's per-scene labels). Sample ``i`` is drawn with the seed
:func:`~rvsim.sim.scene_sampler.sample_seed` ``(dataset_seed, i)`` and ray-traced by the deterministic path
solver, so it never depends on which other samples are generated with it, in which process, or in what order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rvsim.config import SceneSpec
from rvsim.sim.camera_renderer import CameraRenderer
from rvsim.sim.radio_engine import RadioEngine
from rvsim.sim.range_angle_map import RangeAngleMap
from rvsim.sim.scene_sampler import SceneSampler, SceneState, sample_seed

__all__ = ["SampleGenerator", "scene_labels", "camera_and_object_attrs"]


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
        out["labels/obj_bearing"][i, :k] = (bearing + 180.0) % 360.0 - 180.0
        present = np.bincount(segmentation[i].ravel(), minlength=k + 1)
        out["labels/obj_visible"][i, :k] = present[1:k + 1] > 0
    return out


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


class SampleGenerator:
    """Generates dataset samples of one scene family and dataset seed.

    Args:
        spec: The scene family.
        seed: Dataset seed.
        num_threads: Dr.Jit threads for ray tracing (1 per worker process when several share the cores).
    """

    def __init__(self, spec: SceneSpec, seed: int, num_threads: int | None = None) -> None:
        self.spec = spec
        self.seed = int(seed)
        self._family: Any = None
        if spec.layout == "street":
            from rvsim.sim.street_sample_generator import StreetSampleGenerator

            self._family = StreetSampleGenerator(spec, seed, num_threads=num_threads)
            self.sampler = self._family.sampler
            self.radio = self._family.radio
            self.camera = self._family.camera
            return
        self.sampler = SceneSampler(spec)
        self.radio = RadioEngine(spec, num_threads=num_threads)
        self.camera = CameraRenderer(spec)
        self.range_angle = RangeAngleMap(spec.radio)

    def states(self, indices: list[int] | np.ndarray) -> tuple[list[Any], list[int]]:
        """Scene states (street states for a street family) and per-sample seeds of the given sample indices."""
        if self._family is not None:
            return self._family.states(indices)
        seeds = [sample_seed(self.seed, int(i)) for i in indices]
        return [self.sampler.sample(np.random.default_rng(s)) for s in seeds], seeds

    def generate(self, indices: list[int] | np.ndarray) -> dict[str, np.ndarray]:
        """Generate samples.

        Args:
            indices: Sample indices.

        Returns:
            Arrays keyed ``"group/name"`` as in the dataset schema, sample axis first.
        """
        if self._family is not None:
            return self._family.generate(indices)
        idx = np.asarray(indices, dtype=np.int64)
        states, seeds = self.states(idx)
        background = self.radio.background_cfr
        cfr = np.stack([self.radio.cfr(st) for st in states]) if len(idx) else \
            np.zeros((0, self.radio.num_rx_antennas, self.spec.radio.num_subcarriers), np.complex64)
        ra = self.range_angle(cfr - background[None]) if len(idx) else np.zeros(
            (0, self.range_angle.range_bins_m.size, self.range_angle.angle_bins_deg.size), np.float32)
        images = self.camera.render(states, seeds)
        arrays: dict[str, np.ndarray] = {
            "radio/cfr": cfr.astype(np.complex64),
            "radio/range_angle": ra.astype(np.float32),
            "image/rgb": images["rgb"],
            "image/depth": images["depth"],
            "image/segmentation": images["segmentation"],
        }
        arrays.update(scene_labels(self.spec, states, images["segmentation"]))
        arrays["meta/index"] = idx
        arrays["meta/seed"] = np.asarray(seeds, dtype=np.uint64)
        return arrays

    def field_attrs(self) -> dict[str, dict[str, Any]]:
        """Units and axis values of each array (the ``attrs`` of the schema), JSON-able."""
        if self._family is not None:
            return self._family.field_attrs()
        return {
            "radio/cfr": {"frequencies_hz": self.radio.frequencies.tolist(), "units": "linear complex gain",
                          "axes": ["sample", "rx_antenna", "subcarrier"]},
            "radio/range_angle": {"range_bins_m": self.range_angle.range_bins_m.tolist(),
                                  "angle_bins_deg": self.range_angle.angle_bins_deg.tolist(), "units": "dB",
                                  "background_subtracted": True, "axes": ["sample", "range", "angle"]},
            **camera_and_object_attrs(self.spec),
        }
