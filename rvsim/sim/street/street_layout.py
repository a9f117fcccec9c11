"""The static street: ground, road, sidewalks and two rows of box buildings, built from the spec alone.

Frame (layout ``street``): the street runs along ``y`` (``|y| <= length_m / 2``), the base station stands on
the near side at small ``x`` and looks across the street (``+x``); the ground's top face is ``z = 0``. Along
``x`` come, in order: the near building row (behind the base station), the plaza or sidewalk the base station
stands on, the near sidewalk, the road (its lanes at ``lanes_x_m``), the far sidewalk and the far building row.
Building lengths, gaps and heights are drawn by a generator seeded with ``street.building_seed``, so every
sample of a family sees the same street.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh

from rvsim.config import BuildingRowSpec, SceneSpec
from rvsim.sim.object_meshes import box_mesh

__all__ = ["Building", "StreetLayout"]

_GROUND_THICKNESS_M = 0.2
_GROUND_MARGIN_M = 5.0


@dataclass(frozen=True)
class Building:
    """A box building.

    Attributes:
        x0: Smallest x [m].
        x1: Largest x [m].
        y0: Smallest y [m].
        y1: Largest y [m].
        height: Height [m].
        material: Material name.
    """

    x0: float
    x1: float
    y0: float
    y1: float
    height: float
    material: str


class StreetLayout:
    """Static geometry and placement zones of a street family (pure geometry, no Sionna).

    Args:
        spec: A scene family with ``layout: street``.
    """

    def __init__(self, spec: SceneSpec) -> None:
        self.spec = spec
        st = spec.street
        self.half_length = st.length_m / 2
        self.road_x = st.road_x_m
        road0, road1 = self.road_x
        self.near_sidewalk_x = (road0 - st.sidewalk_width_m, road0)
        self.far_sidewalk_x = (road1, road1 + st.sidewalk_width_m)
        self.curb_x = (road0 - st.curb_offset_m, road1 + st.curb_offset_m)
        self.lanes_x = np.asarray(st.lanes_x_m, dtype=np.float64)
        bs_x = float(spec.base_station.position_m[0])
        near_front = bs_x - st.near_buildings.setback_m
        far_front = road1 + st.sidewalk_width_m + st.far_buildings.setback_m
        self.buildings: list[Building] = []
        if st.near_buildings.enabled:
            self.buildings += self._row(st.near_buildings, near_front - st.near_buildings.depth_m, near_front, 0)
        if st.far_buildings.enabled:
            self.buildings += self._row(st.far_buildings, far_front, far_front + st.far_buildings.depth_m, 1)
        self.ground_x = (min(near_front - st.near_buildings.depth_m, bs_x) - _GROUND_MARGIN_M,
                         max(far_front + st.far_buildings.depth_m, road1 + st.sidewalk_width_m) + _GROUND_MARGIN_M)

    def _row(self, row: BuildingRowSpec, x0: float, x1: float, side: int) -> list[Building]:
        rng = np.random.default_rng([int(self.spec.street.building_seed), side])
        out = []
        y = -self.half_length + float(rng.uniform(*row.gap_m))
        while y < self.half_length:
            length = float(rng.uniform(*row.length_m))
            height = float(rng.uniform(*row.height_m))
            y_end = min(y + length, self.half_length)
            out.append(Building(x0, x1, y, y_end, height, row.material))
            y = y_end + float(rng.uniform(*row.gap_m))
        return out

    def lane_heading(self, lane: int) -> float:
        """Driving direction of a lane [rad]: ``-pi/2`` (towards ``-y``) below the road's middle, else ``+pi/2``.

        Right-hand traffic seen from the base station: near lanes carry traffic to its right.
        """
        middle = 0.5 * (self.road_x[0] + self.road_x[1])
        return -np.pi / 2 if self.lanes_x[lane] < middle else np.pi / 2

    def sidewalk_x(self, side: int) -> tuple[float, float]:
        """x range of the near (``side=0``) or far (``side=1``) sidewalk [m]."""
        return self.near_sidewalk_x if side == 0 else self.far_sidewalk_x

    def meshes(self) -> dict[str, trimesh.Trimesh]:
        """Static geometry, one merged triangle mesh per material name.

        The ground is three slabs side by side (near ground, road, far ground) with their top faces at
        ``z = 0``; buildings are boxes standing on it.
        """
        st = self.spec.street
        g0, g1 = self.ground_x
        r0, r1 = self.road_x
        h, t = self.half_length, _GROUND_THICKNESS_M
        parts: dict[str, list[trimesh.Trimesh]] = {}
        parts.setdefault(st.ground_material, []).extend([
            box_mesh((g0, -h, -t), (r0, h, 0.0)),
            box_mesh((r1, -h, -t), (g1, h, 0.0)),
        ])
        parts.setdefault(st.road_material, []).append(box_mesh((r0, -h, -t), (r1, h, 0.0)))
        for b in self.buildings:
            parts.setdefault(b.material, []).append(box_mesh((b.x0, b.y0, 0.0), (b.x1, b.y1, b.height)))
        return {name: trimesh.util.concatenate(meshes) for name, meshes in parts.items()}
