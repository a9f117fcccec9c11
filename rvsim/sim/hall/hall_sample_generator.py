"""Paired CFR, range–angle map and camera samples of a hall family, reproducible from (spec, seed, sample index).

:class:`HallSampleGenerator` owns the hall's :class:`~rvsim.sim.hall.radio_engine.RadioEngine`, a
:class:`~rvsim.sim.camera_renderer.CameraRenderer` built on the room's meshes and a
:class:`~rvsim.sim.range_angle_map.RangeAngleMap`, and turns sample indices into the arrays of the dataset
schema (docs/dataset_schema.md). Sample ``i`` is drawn with the seed
:func:`~rvsim.sim.scene_state.sample_seed` ``(dataset_seed, i)`` and ray-traced by the deterministic path
solver, so it never depends on which other samples are generated with it, in which process, or in what order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rvsim.config import SceneSpec
from rvsim.sim.camera_renderer import CameraRenderer
from rvsim.sim.hall.hall_layout import room_meshes
from rvsim.sim.hall.hall_sampler import HallSampler
from rvsim.sim.hall.radio_engine import RadioEngine
from rvsim.sim.range_angle_map import RangeAngleMap
from rvsim.sim.sample_labels import camera_and_object_attrs, scene_labels
from rvsim.sim.scene_state import SceneState, draw_states

__all__ = ["HallSampleGenerator"]


class HallSampleGenerator:
    """Generates dataset samples of one hall family and dataset seed.

    Args:
        spec: A scene family with ``layout: hall``.
        seed: Dataset seed.
        num_threads: Dr.Jit threads for ray tracing (1 per worker process when several share the cores).
    """

    def __init__(self, spec: SceneSpec, seed: int, num_threads: int | None = None) -> None:
        self.spec = spec
        self.seed = int(seed)
        self.sampler = HallSampler(spec)
        self.radio = RadioEngine(spec, num_threads=num_threads)
        self.camera = CameraRenderer(spec, room_meshes(spec))
        self.range_angle = RangeAngleMap(spec.radio)

    def states(self, indices: list[int] | np.ndarray) -> tuple[list[SceneState], list[int]]:
        """Scene states and per-sample seeds of the given sample indices."""
        return draw_states(self.sampler, self.seed, indices)

    def generate(self, indices: list[int] | np.ndarray) -> dict[str, np.ndarray]:
        """Generate samples.

        Args:
            indices: Sample indices.

        Returns:
            Arrays keyed ``"group/name"`` as in the dataset schema, sample axis first.
        """
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
        return {
            "radio/cfr": {"frequencies_hz": self.radio.frequencies.tolist(), "units": "linear complex gain",
                          "axes": ["sample", "rx_antenna", "subcarrier"]},
            "radio/range_angle": {"range_bins_m": self.range_angle.range_bins_m.tolist(),
                                  "angle_bins_deg": self.range_angle.angle_bins_deg.tolist(), "units": "dB",
                                  "background_subtracted": True, "axes": ["sample", "range", "angle"]},
            **camera_and_object_attrs(self.spec),
        }
