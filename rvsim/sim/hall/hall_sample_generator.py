"""Paired CFR, range–angle map and camera samples of a hall family, reproducible from (spec, seed, sample index).

:class:`HallSampleGenerator` owns the hall's :class:`~rvsim.sim.hall.radio_engine.RadioEngine`, a
:class:`~rvsim.sim.camera_renderer.CameraRenderer` built on the room's meshes and a
:class:`~rvsim.sim.range_angle_map.RangeAngleMap`, and turns sample indices into the arrays of the dataset
schema (docs/dataset_schema.md). Sample ``i`` is drawn with the seed
:func:`~rvsim.sim.scene_state.sample_seed` ``(dataset_seed, i)`` and ray-traced by the deterministic path
solver, so it never depends on which other samples are generated with it, in which process, or in what order.

A family with a ``sequence`` section generates frames of sequences instead (:mod:`rvsim.sim.motion`): sample
``i`` is frame ``i % num_frames`` of sequence ``i // num_frames``, whose states follow from the sequence's seed
alone; the render seed of each frame is still ``sample_seed(dataset_seed, i)``. Such samples also carry
``labels/obj_velocity``, ``meta/sequence`` and ``meta/frame``, and with ``sequence.doppler`` the frame's
range–Doppler map ``radio/range_doppler`` (the objects' velocities give the paths their Doppler shifts; the
CFR is the same paths' still response).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rvsim.config import SceneSpec
from rvsim.sim.camera_renderer import CameraRenderer
from rvsim.sim.hall.hall_layout import room_meshes
from rvsim.sim.hall.hall_sampler import HallSampler
from rvsim.sim.hall.radio_engine import RadioEngine
from rvsim.sim.motion import SequenceCache, SequenceFrames, hall_sequence
from rvsim.sim.range_angle_map import RangeAngleMap
from rvsim.sim.range_doppler_map import RangeDopplerMap, moving_paths, slow_time_from_paths
from rvsim.sim.sample_labels import camera_and_object_attrs, object_velocities, scene_labels, sequence_attrs
from rvsim.sim.scene_state import SceneState, draw_states, sample_seed

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
        seq = spec.sequence
        self.range_doppler = None if seq is None or seq.doppler is None else RangeDopplerMap(
            spec.radio, seq.doppler.num_time_steps, seq.doppler.sampling_frequency_hz)
        self._sequences = SequenceCache(spec, self.seed, lambda rng, n, rate: hall_sequence(self.sampler, spec, rng,
                                                                                            n, rate))

    def sequence(self, s: int) -> SequenceFrames:
        """The frames of sequence ``s`` (sequence families; the latest few are kept)."""
        return self._sequences(s)

    def states(self, indices: list[int] | np.ndarray) -> tuple[list[SceneState], list[int]]:
        """Scene states and per-sample seeds of the given sample indices."""
        if self.spec.sequence is None:
            return draw_states(self.sampler, self.seed, indices)
        frames = self.spec.sequence.num_frames
        states = [self.sequence(int(i) // frames).states[int(i) % frames] for i in indices]
        return states, [sample_seed(self.seed, int(i)) for i in indices]

    def velocities(self, indices: list[int] | np.ndarray) -> list[np.ndarray]:
        """Per sample, each object's velocity [m/s], shape ``(num_objects, 3)`` (sequence families)."""
        frames = self.spec.sequence.num_frames if self.spec.sequence else 0
        return [self.sequence(int(i) // frames).velocities[int(i) % frames] for i in indices]

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
        seq = self.spec.sequence
        velocities = self.velocities(idx) if seq is not None else None
        rd = None
        if self.range_doppler is not None and velocities is not None and len(idx):
            n_t, fs = seq.doppler.num_time_steps, seq.doppler.sampling_frequency_hz
            paths = [moving_paths(self.radio, st, v) for st, v in zip(states, velocities)]
            cfr = np.stack([p.cfr(self.radio.frequencies) for p in paths])
            slow = np.stack([slow_time_from_paths(p, self.radio.frequencies, n_t, fs) for p in paths])
            rd = self.range_doppler(slow - background[:, None, :][None])
        elif len(idx):
            cfr = np.stack([self.radio.cfr(st) for st in states])
        else:
            cfr = np.zeros((0, self.radio.num_rx_antennas, self.spec.radio.num_subcarriers), np.complex64)
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
        if seq is not None:
            arrays["labels/obj_velocity"] = object_velocities(self.spec, velocities or [])
            arrays["meta/sequence"] = idx // seq.num_frames
            arrays["meta/frame"] = idx % seq.num_frames
            if self.range_doppler is not None:
                arrays["radio/range_doppler"] = (rd if rd is not None else np.zeros(
                    (0, self.range_doppler.range_bins_m.size, seq.doppler.num_time_steps))).astype(np.float32)
        return arrays

    def field_attrs(self) -> dict[str, dict[str, Any]]:
        """Units and axis values of each array (the ``attrs`` of the schema), JSON-able."""
        out = {
            "radio/cfr": {"frequencies_hz": self.radio.frequencies.tolist(), "units": "linear complex gain",
                          "axes": ["sample", "rx_antenna", "subcarrier"]},
            "radio/range_angle": {"range_bins_m": self.range_angle.range_bins_m.tolist(),
                                  "angle_bins_deg": self.range_angle.angle_bins_deg.tolist(), "units": "dB",
                                  "background_subtracted": True, "axes": ["sample", "range", "angle"]},
            **camera_and_object_attrs(self.spec),
        }
        out.update(sequence_attrs(self.spec))
        seq = self.spec.sequence
        if self.range_doppler is not None:
            out["radio/range_doppler"] = {
                "range_bins_m": self.range_doppler.range_bins_m.tolist(),
                "velocity_bins_mps": self.range_doppler.velocity_bins_mps.tolist(), "units": "dB",
                "background_subtracted": True, "num_time_steps": seq.doppler.num_time_steps,
                "sampling_frequency_hz": seq.doppler.sampling_frequency_hz,
                "axes": ["sample", "range", "radial_velocity"]}
        return out
