"""Street scenes over time: vehicles along their lanes, pedestrians along the sidewalks (see :func:`street_sequence`)."""

from __future__ import annotations

import numpy as np

from rvsim.config import SceneSpec
from rvsim.sim.scene_state import SceneState
from rvsim.sim.street.street_sampler import StreetState

__all__ = ["street_sequence"]


def street_sequence(sampler, spec: SceneSpec, rng: np.random.Generator, num_frames: int,  # noqa: ANN001
                    frame_rate_hz: float) -> tuple[list, list[np.ndarray]]:
    """Frames of one street sequence.

    The first frame is drawn like a still street (:class:`~rvsim.sim.street.street_sampler.StreetSampler`);
    each object then draws a speed from its class's ``motion`` (turn rates do not apply in the street).
    Vehicles drive along their lane in its direction (the transmitting car too, carrying its antenna); a
    vehicle that would come closer than ``street.min_gap_m`` to the vehicle ahead on its lane waits that frame.
    Pedestrians walk along their sidewalk, in a direction drawn once; one that would come closer than
    ``min_gap_m`` to another pedestrian, pole, tree or a fixed transmitter turns around and waits that frame.
    Poles and trees stand still. Objects drive and walk out of (and into) the camera's view as they go.

    Args:
        sampler: The family's :class:`~rvsim.sim.street.street_sampler.StreetSampler`.
        spec: The scene family.
        rng: The sequence's random generator (seeded with :func:`~rvsim.sim.motion.sequence_seed`).
        num_frames: Frames (>= 1).
        frame_rate_hz: Frames per second (> 0).

    Returns:
        ``(states, velocities)``: one :class:`~rvsim.sim.street.street_sampler.StreetState` per frame, and per
        frame each object's velocity [m/s], shape ``(num_objects, 3)``.
    """
    first = sampler.sample(rng)
    objs = first.objects
    n = objs.num_objects
    classes = list(spec.classes.values())
    names = spec.class_names
    zones = [spec.street.zones[names[int(c)]] for c in objs.class_ids]
    speeds = np.array([rng.uniform(*classes[int(c)].motion.speed_mps) for c in objs.class_ids], dtype=np.float64)
    walk_sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    layout, gap = sampler.layout, float(spec.street.min_gap_m)
    lane_of = np.array([int(np.argmin(np.abs(layout.lanes_x - p[0]))) for p in objs.positions], dtype=np.int64)
    lane_dir = np.array([np.sin(layout.lane_heading(int(k))) for k in lane_of])  # +1 towards +y, -1 towards -y
    radius = 0.5 * np.hypot(objs.sizes[:, 0], objs.sizes[:, 1]) if n else np.zeros(0)
    fixed_tx = first.tx_object < 0
    dt = 1.0 / float(frame_rate_hz)
    pos = np.asarray(objs.positions, dtype=np.float64).copy()
    yaw = np.asarray(objs.yaws, dtype=np.float64).copy()
    states: list[StreetState] = []
    velocities: list[np.ndarray] = []
    for _frame in range(int(num_frames)):
        tx = first.tx_position.copy()
        if not fixed_tx:
            tx[:2] = pos[first.tx_object, :2]
        states.append(StreetState(SceneState(objs.class_ids, pos.copy(), yaw.copy(), objs.sizes), tx, first.tx_object))
        vel = np.zeros((n, 3))
        for k in range(n):
            if speeds[k] <= 0 or zones[k] == "curb":
                continue
            if zones[k] == "lane":
                step = lane_dir[k] * speeds[k] * dt
                y_new = pos[k, 1] + step
                lo, hi = y_new - objs.sizes[k, 0] / 2, y_new + objs.sizes[k, 0] / 2
                ok = True
                for j in range(n):
                    if j == k or zones[j] != "lane" or lane_of[j] != lane_of[k]:
                        continue
                    a, b = pos[j, 1] - objs.sizes[j, 0] / 2, pos[j, 1] + objs.sizes[j, 0] / 2
                    ahead = (pos[j, 1] - pos[k, 1]) * lane_dir[k] > 0
                    if ahead and lo < b + gap and a < hi + gap:
                        ok = False
                        break
                if ok:
                    vel[k, 1] = step / dt
                    pos[k, 1] = y_new
            else:  # sidewalk
                step = walk_sign[k] * speeds[k] * dt
                xy = pos[k, :2] + np.array([0.0, step])
                clear = all(np.hypot(*(pos[j, :2] - xy)) >= radius[k] + radius[j] + gap
                            for j in range(n) if j != k and zones[j] != "lane")
                if fixed_tx:
                    clear = clear and np.hypot(*(first.tx_position[:2] - xy)) >= radius[k] + 0.1 + gap
                if clear:
                    vel[k, 1] = step / dt
                    pos[k, :2] = xy
                    yaw[k] = np.pi / 2 if step > 0 else -np.pi / 2
                else:
                    walk_sign[k] = -walk_sign[k]
        velocities.append(vel)
    return states, velocities
