"""Random scene states of a hall family: which objects, where on the floor, how large, facing where."""

from __future__ import annotations

import numpy as np

from rvsim.config import SceneSpec
from rvsim.sim.hall.hall_layout import rack_footprints
from rvsim.sim.scene_state import SceneState

__all__ = ["HallSampler"]


class HallSampler:
    """Draws random scene states of a hall family.

    Counts per class are uniform in the class's ``count`` range; each object's footprint centre is drawn
    uniformly in area inside the placement annulus sector in front of the base station, with a uniform yaw
    and uniform sizes; an object whose footprint circle would overlap another object, a wall or a rack is
    redrawn, up to ``placement.max_attempts`` times, then dropped.

    Args:
        spec: A scene family with ``layout: hall``.
    """

    def __init__(self, spec: SceneSpec) -> None:
        self.spec = spec
        self._racks = rack_footprints(spec)

    def sample(self, rng: np.random.Generator) -> SceneState:
        """Draw one scene state.

        Args:
            rng: The random generator (seeded per sample).
        """
        spec, p = self.spec, self.spec.placement
        bs = np.asarray(spec.base_station.position_m, dtype=np.float64)
        bs_yaw = np.deg2rad(spec.base_station.yaw_deg)
        half_span = np.deg2rad(p.bearing_span_deg) / 2
        class_ids: list[int] = []
        positions: list[np.ndarray] = []
        yaws: list[float] = []
        sizes: list[np.ndarray] = []
        radii: list[float] = []
        counts = [int(rng.integers(c.count[0], c.count[1] + 1)) for c in spec.classes.values()]
        for cid, (cls, n) in enumerate(zip(spec.classes.values(), counts)):
            for _ in range(n):
                size = np.array([rng.uniform(*cls.size_m.length), rng.uniform(*cls.size_m.width),
                                 rng.uniform(*cls.size_m.height)])
                yaw = float(rng.uniform(-np.pi, np.pi))
                radius = 0.5 * float(np.hypot(size[0], size[1]))
                for _attempt in range(p.max_attempts):
                    r = float(np.sqrt(rng.uniform(p.min_range_m ** 2, p.max_range_m ** 2)))
                    b = float(rng.uniform(-half_span, half_span)) + bs_yaw
                    xy = bs[:2] + r * np.array([np.cos(b), np.sin(b)])
                    if self.fits(xy, radius, positions, radii):
                        class_ids.append(cid)
                        positions.append(np.array([xy[0], xy[1], 0.0]))
                        yaws.append(yaw)
                        sizes.append(size)
                        radii.append(radius)
                        break
        if not class_ids:
            return SceneState.empty()
        return SceneState(np.asarray(class_ids, np.int32), np.stack(positions), np.asarray(yaws),
                          np.stack(sizes))

    def fits(self, xy: np.ndarray, radius: float, positions: list[np.ndarray], radii: list[float]) -> bool:
        """Whether a footprint circle at ``xy`` keeps clear of the walls, the racks and the other objects."""
        p, room = self.spec.placement, self.spec.room
        margin = radius + p.wall_clearance_m
        if not (margin <= xy[0] <= room.length_m - margin and abs(xy[1]) <= room.width_m / 2 - margin):
            return False
        for x0, x1, y0, y1 in self._racks:
            dx = max(x0 - xy[0], 0.0, xy[0] - x1)
            dy = max(y0 - xy[1], 0.0, xy[1] - y1)
            if np.hypot(dx, dy) < margin:
                return False
        for other, r_other in zip(positions, radii):
            if np.hypot(*(other[:2] - xy)) < radius + r_other + p.min_gap_m:
                return False
        return True
