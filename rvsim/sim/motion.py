"""Scene states over time: a sequence of frames from a first still state and the object classes' motion.

:func:`sequence_seed` derives a sequence's seed from (dataset seed, sequence index) alone; :func:`hall_sequence`
draws the first frame like a still scene, then each object's speed and turn rate (its class's
:class:`~rvsim.config.MotionSpec`), and steps every object forward along its heading frame by frame. A step
that would leave the room, enter a rack or come closer to another object than the placement's minimum gap is
not taken: the object stands still for that frame and turns around, so objects never overlap, and moving ones
enter and leave the base station's field of view as they cross the hall. Frame ``f`` therefore depends only on
(spec, dataset seed, sequence index, ``f``).

Velocities are per frame: the velocity an object moves with from frame ``f`` to frame ``f + 1`` (zero for a
step not taken), the one that gives the frame's paths their Doppler shifts.

:func:`rvsim.sim.street.street_motion.street_sequence` does the same for street families: vehicles drive along
their lanes, pedestrians walk along the sidewalks, a transmitting car carries its antenna (see there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rvsim.config import SceneSpec
from rvsim.sim.scene_state import SceneState, derived_seed

__all__ = ["SequenceFrames", "SequenceCache", "sequence_seed", "hall_sequence"]


def sequence_seed(dataset_seed: int, sequence: int) -> int:
    """The seed of sequence ``sequence`` of a dataset, a 63-bit integer (distinct from every per-sample seed)."""
    return derived_seed(dataset_seed, sequence, 1)


class SequenceCache:
    """The frames of the latest few sequences of a family, drawn on demand from their seeds.

    Args:
        spec: The scene family (with a ``sequence`` section).
        dataset_seed: Dataset seed.
        draw: ``(rng, num_frames, frame_rate_hz) -> frames`` of one sequence (e.g. :func:`hall_sequence` bound to
            the family's sampler).
        size: Sequences kept (a shard holds whole sequences, so a few suffice).
    """

    def __init__(self, spec: SceneSpec, dataset_seed: int, draw, size: int = 8) -> None:  # noqa: ANN001
        self.spec, self.dataset_seed, self._draw, self._size = spec, int(dataset_seed), draw, int(size)
        self._frames: dict[int, object] = {}

    def __call__(self, s: int):  # noqa: ANN204
        """The frames of sequence ``s``."""
        seq = self.spec.sequence
        if seq is None:
            raise ValueError("this family has no sequence section")
        if s not in self._frames:
            if len(self._frames) >= self._size:
                self._frames.pop(next(iter(self._frames)))
            rng = np.random.default_rng(sequence_seed(self.dataset_seed, s))
            self._frames[s] = self._draw(rng, seq.num_frames, seq.frame_rate_hz)
        return self._frames[s]


@dataclass(frozen=True)
class SequenceFrames:
    """The frames of one sequence.

    Attributes:
        states: One scene state per frame (the same objects, in the same order, in every frame).
        velocities: Per frame, each object's velocity in the world frame [m/s], shape ``(num_objects, 3)``.
        speeds: Each object's speed [m/s], shape ``(num_objects,)``.
        turn_rates: Each object's turn rate [rad/s], shape ``(num_objects,)`` (positive: counter-clockwise).
    """

    states: list[SceneState]
    velocities: list[np.ndarray]
    speeds: np.ndarray
    turn_rates: np.ndarray


def hall_sequence(sampler, spec: SceneSpec, rng: np.random.Generator, num_frames: int,  # noqa: ANN001
                  frame_rate_hz: float) -> SequenceFrames:
    """Frames of one hall sequence.

    Args:
        sampler: The family's :class:`~rvsim.sim.hall.hall_sampler.HallSampler` (first frame and collision rules).
        spec: The scene family.
        rng: The sequence's random generator (seeded with :func:`sequence_seed`).
        num_frames: Frames (>= 1).
        frame_rate_hz: Frames per second (> 0).

    Returns:
        The :class:`SequenceFrames`.
    """
    first = sampler.sample(rng)
    n = first.num_objects
    classes = list(spec.classes.values())
    motion = [classes[int(c)].motion for c in first.class_ids]
    speeds = np.array([rng.uniform(*m.speed_mps) for m in motion], dtype=np.float64)
    turns = np.array([np.deg2rad(rng.uniform(*m.turn_rate_deg_s)) * (1.0 if rng.random() < 0.5 else -1.0)
                      for m in motion], dtype=np.float64)
    dt = 1.0 / float(frame_rate_hz)
    pos = np.asarray(first.positions, dtype=np.float64).copy()
    yaw = np.asarray(first.yaws, dtype=np.float64).copy()
    radii = 0.5 * np.hypot(first.sizes[:, 0], first.sizes[:, 1]) if n else np.zeros(0)
    states: list[SceneState] = []
    velocities: list[np.ndarray] = []
    for _frame in range(int(num_frames)):
        states.append(SceneState(first.class_ids, pos.copy(), yaw.copy(), first.sizes))
        vel = np.zeros((n, 3))
        for k in range(n):
            if speeds[k] > 0:
                heading = np.array([np.cos(yaw[k]), np.sin(yaw[k])])
                step = pos[k, :2] + speeds[k] * dt * heading
                others = [pos[j] for j in range(n) if j != k]
                other_radii = [float(radii[j]) for j in range(n) if j != k]
                if sampler.fits(step, float(radii[k]), others, other_radii):
                    vel[k, :2] = speeds[k] * heading
                    pos[k, :2] = step
                    yaw[k] += turns[k] * dt
                else:
                    yaw[k] += np.pi  # blocked: stand still this frame, turn around
            else:
                yaw[k] += turns[k] * dt  # turning on the spot keeps the footprint circle
        yaw = np.angle(np.exp(1j * yaw))  # wrapped to (-pi, pi]
        velocities.append(vel)
    return SequenceFrames(states=states, velocities=velocities, speeds=speeds, turn_rates=turns)

