"""Paired beam-power–camera samples of a street family, reproducible from (spec, dataset seed, sample index).

:class:`~rvsim.sim.sample_generator.SampleGenerator` hands a ``layout: street`` family to
:class:`StreetSampleGenerator`, which owns the street's :class:`~rvsim.sim.street.link_engine.LinkEngine`,
:class:`~rvsim.sim.street.street_receiver.StreetReceiver` and a :class:`~rvsim.sim.camera_renderer.CameraRenderer`
built on the street's static meshes. Sample ``i`` draws its scene from ``sample_seed(dataset_seed, i)`` and its
receiver noise from an independent stream of the same seed; the path solver is deterministic.

A family with a ``sequence`` section generates frames of sequences (:func:`rvsim.sim.street.street_motion.street_sequence`):
sample ``i`` is frame ``i % num_frames`` of sequence ``i // num_frames``; its render seed and receiver noise
still come from ``sample_seed(dataset_seed, i)``. Frames add ``labels/obj_velocity``, ``meta/sequence`` and
``meta/frame``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rvsim.config import SceneSpec
from rvsim.radio.angles import wrap_deg
from rvsim.sim.camera_renderer import CameraRenderer
from rvsim.sim.motion import SequenceCache
from rvsim.sim.street.street_motion import street_sequence
from rvsim.sim.sample_labels import camera_and_object_attrs, object_velocities, scene_labels, sequence_attrs
from rvsim.sim.scene_state import draw_states, sample_seed
from rvsim.sim.street.link_engine import LinkEngine
from rvsim.sim.street.street_layout import StreetLayout
from rvsim.sim.street.street_receiver import StreetReceiver
from rvsim.sim.street.street_sampler import StreetSampler, StreetState

__all__ = ["StreetSampleGenerator", "street_labels", "noise_rng"]


def noise_rng(per_sample_seed: int) -> np.random.Generator:
    """The receiver-noise generator of one sample: a stream independent of the scene's."""
    return np.random.default_rng(np.random.SeedSequence(entropy=int(per_sample_seed), spawn_key=(1,)))


def street_labels(spec: SceneSpec, states: list[StreetState]) -> dict[str, np.ndarray]:
    """Per-scene labels of the street layout (``los_blocked`` is added by the generator).

    Returns:
        ``labels/tx_position`` float32 ``(n, 3)`` [m], ``labels/tx_range`` float32 ``(n,)`` horizontal
        distance from the base station [m], ``labels/tx_bearing`` float32 ``(n,)`` azimuth from the array
        broadside, positive to the left [deg], ``labels/tx_object`` int32 ``(n,)`` row of the transmitting car
        in the object tables (``-1``: fixed transmitter).
    """
    bs = np.asarray(spec.base_station.position_m, dtype=np.float64)
    tx = np.stack([s.tx_position for s in states]) if states else np.zeros((0, 3))
    d = tx[:, :2] - bs[None, :2]
    bearing = wrap_deg(np.rad2deg(np.arctan2(d[:, 1], d[:, 0])) - spec.base_station.yaw_deg)
    return {
        "labels/tx_position": tx.astype(np.float32),
        "labels/tx_range": np.hypot(d[:, 0], d[:, 1]).astype(np.float32),
        "labels/tx_bearing": bearing.astype(np.float32),
        "labels/tx_object": np.asarray([s.tx_object for s in states], dtype=np.int32),
    }


class StreetSampleGenerator:
    """Generates dataset samples of one street family and dataset seed.

    Args:
        spec: A scene family with ``layout: street``.
        seed: Dataset seed.
        num_threads: Dr.Jit threads for ray tracing (1 per worker process when several share the cores).
    """

    def __init__(self, spec: SceneSpec, seed: int, num_threads: int | None = None) -> None:
        self.spec = spec
        self.seed = int(seed)
        self.layout = StreetLayout(spec)
        self.sampler = StreetSampler(spec, self.layout)
        self.receiver = StreetReceiver(spec)
        self.radio = LinkEngine(spec, num_threads=num_threads, layout=self.layout)
        self.camera = CameraRenderer(spec, self.layout.meshes())
        self._sequences = SequenceCache(spec, self.seed, lambda rng, n, rate: street_sequence(self.sampler, spec, rng,
                                                                                              n, rate))

    def sequence(self, s: int) -> tuple[list[StreetState], list[np.ndarray]]:
        """The frames (states, velocities) of sequence ``s`` (sequence families; the latest few are kept)."""
        return self._sequences(s)

    def states(self, indices: list[int] | np.ndarray) -> tuple[list[StreetState], list[int]]:
        """Street states and per-sample seeds of the given sample indices."""
        if self.spec.sequence is None:
            return draw_states(self.sampler, self.seed, indices)
        frames = self.spec.sequence.num_frames
        states = [self.sequence(int(i) // frames)[0][int(i) % frames] for i in indices]
        return states, [sample_seed(self.seed, int(i)) for i in indices]

    def beam_power_linear(self, state: StreetState) -> np.ndarray:
        """Noise-free beam powers of one state, float64 ``(num_beams,)``."""
        paths = self.radio.paths(state.objects, state.tx_position)
        return self.receiver.linear(paths.a[0], self.radio.arrival_bearing_deg(paths))

    def generate(self, indices: list[int] | np.ndarray) -> dict[str, np.ndarray]:
        """Generate samples.

        Args:
            indices: Sample indices.

        Returns:
            Arrays keyed ``"group/name"`` as in the dataset schema (street family), sample axis first.
        """
        idx = np.asarray(indices, dtype=np.int64)
        states, seeds = self.states(idx)
        n, b = len(states), self.receiver.num_beams
        linear = np.zeros((n, b))
        blocked = np.zeros(n, np.uint8)
        beam = np.zeros((n, b), np.float32)
        snr = np.zeros(n, np.float32)
        for i, st in enumerate(states):
            linear[i] = self.beam_power_linear(st)
            blocked[i] = self.radio.los_blocked(st.objects, st.tx_position)
            m = self.receiver.measure(linear[i:i + 1], noise_rng(seeds[i]))
            beam[i], snr[i] = m["beam_power"][0], m["snr_db"][0]
        images = self.camera.render([st.objects for st in states], seeds)
        arrays: dict[str, np.ndarray] = {
            "radio/beam_power": beam,
            "radio/beam_power_linear": linear.astype(np.float32),
            "image/rgb": images["rgb"],
            "image/depth": images["depth"],
            "image/segmentation": images["segmentation"],
        }
        arrays.update(scene_labels(self.spec, [st.objects for st in states], images["segmentation"]))
        arrays.update(street_labels(self.spec, states))
        arrays["labels/los_blocked"] = blocked
        arrays["labels/snr_db"] = snr
        arrays["meta/index"] = idx
        arrays["meta/seed"] = np.asarray(seeds, dtype=np.uint64)
        seq = self.spec.sequence
        if seq is not None:
            frames = seq.num_frames
            arrays["labels/obj_velocity"] = object_velocities(
                self.spec, [self.sequence(int(i) // frames)[1][int(i) % frames] for i in idx])
            arrays["meta/sequence"] = idx // frames
            arrays["meta/frame"] = idx % frames
        return arrays

    def field_attrs(self) -> dict[str, dict[str, Any]]:
        """Units and axis values of each array (the ``attrs`` of the schema), JSON-able."""
        rx = self.receiver.attrs()
        out = {
            "radio/beam_power": {**rx, "units": "dB", "axes": ["sample", "beam"],
                                 "meaning": "received power per beam with receiver noise, 10*log10(p / max p) "
                                            "clipped at floor_db (rvsim.real.receiver.normalise_beam_power)"},
            "radio/beam_power_linear": {"codebook": rx["codebook"], "units": "linear path gain x beam power gain",
                                        "axes": ["sample", "beam"],
                                        "meaning": "noise-free sum over paths of |a|^2 g_b(bearing)^2"},
            **camera_and_object_attrs(self.spec),
            "labels/tx_position": {"units": "m", "meaning": "transmit antenna position, world frame"},
            "labels/tx_range": {"units": "m",
                                "meaning": "horizontal distance from the base station to the transmitter"},
            "labels/tx_bearing": {"units": "deg", "meaning": "azimuth of the transmitter from the array broadside, "
                                                             "positive to the left"},
            "labels/tx_object": {"meaning": "row of the transmitting car in the object tables; -1 fixed transmitter"},
            "labels/los_blocked": {"meaning": "1 if the straight segment transmitter -> base station hits any mesh"},
            "labels/snr_db": {"units": "dB", "meaning": "noise-free peak beam power over the sample's noise floor"},
        }
        out.update(sequence_attrs(self.spec))
        return out
