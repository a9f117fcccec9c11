"""Random states of a street family: vehicles on lanes, pedestrians on sidewalks, poles and trees on the curbs,
and the transmitter (on a car's roof, or fixed)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rvsim.config import SceneSpec
from rvsim.sim.scene_state import SceneState
from rvsim.sim.street.street_layout import StreetLayout

__all__ = ["StreetState", "StreetSampler"]

#: Largest deviation of a vehicle's heading from its lane's direction [rad].
_MAX_YAW_JITTER = np.deg2rad(3.0)


@dataclass(frozen=True)
class StreetState:
    """One street scene instance.

    Attributes:
        objects: The movable objects (class, footprint centre on the ground, yaw, size), in class order.
        tx_position: Transmitter position ``(x, y, z)`` [m].
        tx_object: Index in ``objects`` of the car carrying the transmitter; ``-1`` for a fixed transmitter.
    """

    objects: SceneState
    tx_position: np.ndarray
    tx_object: int

    @property
    def num_objects(self) -> int:
        """Number of objects."""
        return self.objects.num_objects


@dataclass
class _Placed:
    cid: int
    size: np.ndarray
    position: np.ndarray | None = None
    yaw: float = 0.0


class StreetSampler:
    """Draws random street states.

    Counts per class are uniform in the class's ``count`` range and sizes uniform in its size ranges. The
    transmitting car (the first object of ``street.tx.car_class``) is placed first: a lane drawn from
    ``street.tx.lanes``, a position along it uniform between the ``street.tx.bearing_deg`` limits. Every other
    object is then drawn in its class's zone within ``street.object_y_range_m``: vehicles on a random lane,
    heading in the lane's direction, not overlapping another vehicle on that lane (``min_gap_m`` bumper to
    bumper); pedestrians anywhere on either sidewalk and poles or trees on either curb line, their footprint
    circles apart from each other by ``min_gap_m`` and clear of a fixed transmitter. An object that finds no
    place in ``street.max_attempts`` draws is dropped.

    Args:
        spec: A scene family with ``layout: street``.
        layout: Its static street (built from ``spec`` when None).
    """

    def __init__(self, spec: SceneSpec, layout: StreetLayout | None = None) -> None:
        self.spec = spec
        self.layout = layout if layout is not None else StreetLayout(spec)
        self._zones = [spec.street.zones[name] for name in spec.class_names]

    def sample(self, rng: np.random.Generator) -> StreetState:
        """Draw one street state.

        Args:
            rng: The random generator (seeded per sample).
        """
        spec, st = self.spec, self.spec.street
        objs: list[_Placed] = []
        counts = [int(rng.integers(c.count[0], c.count[1] + 1)) for c in spec.classes.values()]
        for cid, (cls, n) in enumerate(zip(spec.classes.values(), counts)):
            for _ in range(n):
                objs.append(_Placed(cid, np.array([rng.uniform(*cls.size_m.length), rng.uniform(*cls.size_m.width),
                                                   rng.uniform(*cls.size_m.height)])))
        lanes: dict[int, list[tuple[float, float]]] = {}
        discs: list[tuple[np.ndarray, float]] = []
        tx_index = -1
        if st.tx.placement == "car":
            tx_index = next(i for i, o in enumerate(objs) if o.cid == spec.class_names.index(st.tx.car_class))
            self._place_tx_car(objs[tx_index], rng, lanes)
            tx_position = np.array([objs[tx_index].position[0], objs[tx_index].position[1],
                                    objs[tx_index].size[2] + st.tx.antenna_offset_m])
        else:
            tx_position = np.asarray(st.tx.position_m, dtype=np.float64)
            discs.append((tx_position[:2], 0.1))
        for i, obj in enumerate(objs):
            if i == tx_index:
                continue
            zone = self._zones[obj.cid]
            for _attempt in range(st.max_attempts):
                if zone == "lane" and self._try_lane(obj, rng, lanes):
                    break
                if zone != "lane" and self._try_disc(obj, rng, discs, zone):
                    break
        kept = [i for i, o in enumerate(objs) if o.position is not None]
        if not kept:
            return StreetState(SceneState.empty(), tx_position, -1)
        state = SceneState(np.asarray([objs[i].cid for i in kept], np.int32),
                           np.stack([objs[i].position for i in kept]),
                           np.asarray([objs[i].yaw for i in kept], np.float64),
                           np.stack([objs[i].size for i in kept]))
        return StreetState(state, tx_position, kept.index(tx_index) if tx_index >= 0 else -1)

    def _lane_pose(self, obj: _Placed, lane: int, y: float, rng: np.random.Generator) -> None:
        jitter = self.spec.street.lane_jitter_m
        x = float(self.layout.lanes_x[lane]) + (float(rng.uniform(-jitter, jitter)) if jitter > 0 else 0.0)
        obj.position = np.array([x, y, 0.0])
        obj.yaw = float(self.layout.lane_heading(lane) + rng.uniform(-_MAX_YAW_JITTER, _MAX_YAW_JITTER))

    def _place_tx_car(self, obj: _Placed, rng: np.random.Generator,
                      lanes: dict[int, list[tuple[float, float]]]) -> None:
        spec, st = self.spec, self.spec.street
        bs = np.asarray(spec.base_station.position_m, dtype=np.float64)
        lane = int(rng.choice(np.asarray(st.tx_lanes())))
        dx = float(self.layout.lanes_x[lane]) - bs[0]
        yaw = np.deg2rad(spec.base_station.yaw_deg)
        y_lo, y_hi = (bs[1] + dx * np.tan(yaw + np.deg2rad(b)) for b in st.tx.bearing_deg)
        y = float(rng.uniform(y_lo, y_hi))
        self._lane_pose(obj, lane, y, rng)
        lanes.setdefault(lane, []).append((y - obj.size[0] / 2, y + obj.size[0] / 2))

    def _try_lane(self, obj: _Placed, rng: np.random.Generator,
                  lanes: dict[int, list[tuple[float, float]]]) -> bool:
        st = self.spec.street
        lane = int(rng.integers(len(st.lanes_x_m)))
        y = float(rng.uniform(*st.object_y_range_m))
        lo, hi = y - obj.size[0] / 2, y + obj.size[0] / 2
        for a, b in lanes.get(lane, []):
            if lo < b + st.min_gap_m and a < hi + st.min_gap_m:
                return False
        self._lane_pose(obj, lane, y, rng)
        lanes.setdefault(lane, []).append((lo, hi))
        return True

    def _try_disc(self, obj: _Placed, rng: np.random.Generator, discs: list[tuple[np.ndarray, float]],
                  zone: str) -> bool:
        st = self.spec.street
        radius = 0.5 * float(np.hypot(obj.size[0], obj.size[1]))
        side = int(rng.integers(2))
        if zone == "curb":
            x = self.layout.curb_x[side]
        else:
            x0, x1 = self.layout.sidewalk_x(side)
            margin = min(radius, 0.5 * (x1 - x0))
            x = float(rng.uniform(x0 + margin, x1 - margin))
        xy = np.array([x, float(rng.uniform(*st.object_y_range_m))])
        yaw = float(rng.uniform(-np.pi, np.pi))
        for other, r_other in discs:
            if np.hypot(*(other - xy)) < radius + r_other + st.min_gap_m:
                return False
        obj.position = np.array([xy[0], xy[1], 0.0])
        obj.yaw = yaw
        discs.append((xy, radius))
        return True
