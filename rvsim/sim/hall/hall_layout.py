"""The static hall of a hall family: floor, four walls (no ceiling) and storage racks, one mesh per material."""

from __future__ import annotations

import numpy as np
import trimesh

from rvsim.config import SceneSpec
from rvsim.sim.object_meshes import box_mesh

__all__ = ["rack_footprints", "room_meshes"]

_WALL_THICKNESS_M = 0.2


def rack_footprints(spec: SceneSpec) -> list[tuple[float, float, float, float]]:
    """Footprints of the racks as ``(x_min, x_max, y_min, y_max)`` [m], evenly spaced along the side walls."""
    room, racks = spec.room, spec.room.racks
    if racks.count_per_side == 0:
        return []
    usable_start, usable_end = 0.15 * room.length_m, 0.95 * room.length_m
    centres = np.linspace(usable_start + racks.length_m / 2, usable_end - racks.length_m / 2, racks.count_per_side)
    half_w = room.width_m / 2
    out = []
    for cx in centres:
        for side in (-1.0, 1.0):
            y_outer = side * half_w
            y_inner = side * (half_w - racks.depth_m)
            out.append((float(cx - racks.length_m / 2), float(cx + racks.length_m / 2),
                        float(min(y_outer, y_inner)), float(max(y_outer, y_inner))))
    return out


def room_meshes(spec: SceneSpec) -> dict[str, trimesh.Trimesh]:
    """Static geometry of the hall, one merged triangle mesh per material name.

    The back wall's inner face is the plane ``x = 0``; the floor's top face is ``z = 0``; the room spans
    ``x in [0, length_m]`` and ``y in [-width_m/2, width_m/2]``.
    """
    room = spec.room
    L, W, H, t = room.length_m, room.width_m, room.wall_height_m, _WALL_THICKNESS_M
    parts: dict[str, list[trimesh.Trimesh]] = {}
    parts.setdefault(room.floor_material, []).append(
        box_mesh((-t, -W / 2 - t, -t), (L + t, W / 2 + t, 0.0)))
    walls = [
        box_mesh((-t, -W / 2 - t, 0.0), (0.0, W / 2 + t, H)),      # back wall (base station side)
        box_mesh((L, -W / 2 - t, 0.0), (L + t, W / 2 + t, H)),     # far wall
        box_mesh((0.0, -W / 2 - t, 0.0), (L, -W / 2, H)),          # right wall (y < 0)
        box_mesh((0.0, W / 2, 0.0), (L, W / 2 + t, H)),            # left wall (y > 0)
    ]
    parts.setdefault(room.wall_material, []).extend(walls)
    for x0, x1, y0, y1 in rack_footprints(spec):
        h = room.racks.height_m
        rack = [box_mesh((x0, y0, 0.0), (x0 + 0.1, y1, h)), box_mesh((x1 - 0.1, y0, 0.0), (x1, y1, h))]
        for z in np.linspace(0.15, h - 0.05, 4):
            rack.append(box_mesh((x0, y0, z - 0.05), (x1, y1, z)))
        parts.setdefault(room.racks.material, []).extend(rack)
    return {name: trimesh.util.concatenate(meshes) for name, meshes in parts.items()}
