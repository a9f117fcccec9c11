"""Procedural object meshes (trimesh), built in a unit footprint and placed by size, yaw and position.

Every template fills the unit box ``x, y in [-0.5, 0.5]`` (x is the object's heading), ``z in [0, 1]``.
:func:`place_vertices` scales it to ``(length, width, height)`` [m], rotates it by ``yaw`` [rad] about the
vertical axis and moves its footprint centre to ``position`` [m]. The mesh topology of a class never changes,
so a simulator can move and resize an object by rewriting its vertex buffer alone.
"""

from __future__ import annotations

import numpy as np
import trimesh

from rvsim.errors import ConfigError

__all__ = ["object_template", "place_vertices", "box_mesh"]


def box_mesh(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> trimesh.Trimesh:
    """An axis-aligned box between corners ``lo`` and ``hi`` [m] (12 triangles)."""
    lo_a = np.asarray(lo, dtype=np.float64)
    hi_a = np.asarray(hi, dtype=np.float64)
    box = trimesh.creation.box(extents=hi_a - lo_a)
    box.apply_translation((lo_a + hi_a) / 2)
    return box


def _cylinder(x: float, y: float, z0: float, z1: float, radius_x: float, radius_y: float,
              sections: int = 10) -> trimesh.Trimesh:
    cyl = trimesh.creation.cylinder(radius=1.0, height=1.0, sections=sections)
    cyl.apply_scale((radius_x, radius_y, z1 - z0))
    cyl.apply_translation((x, y, (z0 + z1) / 2))
    return cyl


def _ellipsoid(x: float, y: float, z: float, rx: float, ry: float, rz: float) -> trimesh.Trimesh:
    sph = trimesh.creation.icosphere(subdivisions=1, radius=1.0)
    sph.apply_scale((rx, ry, rz))
    sph.apply_translation((x, y, z))
    return sph


def _person() -> list[trimesh.Trimesh]:
    return [
        _cylinder(0.0, -0.2, 0.0, 0.47, 0.45, 0.14, sections=8),    # left leg
        _cylinder(0.0, 0.2, 0.0, 0.47, 0.45, 0.14, sections=8),     # right leg
        _cylinder(0.0, 0.0, 0.45, 0.82, 0.5, 0.36),                 # torso
        _cylinder(0.0, -0.43, 0.5, 0.8, 0.3, 0.07, sections=6),     # left arm
        _cylinder(0.0, 0.43, 0.5, 0.8, 0.3, 0.07, sections=6),      # right arm
        _ellipsoid(0.0, 0.0, 0.91, 0.4, 0.17, 0.09),                # head
    ]


def _robot() -> list[trimesh.Trimesh]:
    return [
        box_mesh((-0.5, -0.5, 0.05), (0.5, 0.5, 0.55)),              # chassis
        box_mesh((-0.4, -0.4, 0.55), (0.4, 0.4, 0.8)),               # payload deck
        _cylinder(0.3, 0.0, 0.8, 1.0, 0.08, 0.08, sections=8),      # lidar
        box_mesh((-0.45, -0.5, 0.0), (-0.3, 0.5, 0.05)),             # wheels (as two strips)
        box_mesh((0.3, -0.5, 0.0), (0.45, 0.5, 0.05)),
    ]


def _forklift() -> list[trimesh.Trimesh]:
    parts = [
        box_mesh((-0.5, -0.5, 0.05), (0.15, 0.5, 0.45)),             # body
        box_mesh((-0.5, -0.45, 0.45), (-0.3, 0.45, 0.6)),            # counterweight
        box_mesh((-0.35, -0.5, 0.85), (0.12, 0.5, 0.88)),            # overhead guard roof
        box_mesh((0.18, -0.35, 0.0), (0.24, -0.2, 1.0)),             # mast rails
        box_mesh((0.18, 0.2, 0.0), (0.24, 0.35, 1.0)),
        box_mesh((0.18, -0.35, 0.55), (0.24, 0.35, 0.6)),            # mast cross bar
        box_mesh((0.24, -0.3, 0.0), (0.5, -0.18, 0.03)),             # forks
        box_mesh((0.24, 0.18, 0.0), (0.5, 0.3, 0.03)),
        box_mesh((-0.45, -0.5, 0.0), (-0.25, 0.5, 0.05)),            # wheels
        box_mesh((-0.05, -0.5, 0.0), (0.12, 0.5, 0.05)),
    ]
    for px in (-0.33, 0.08):                                         # guard posts
        for py in (-0.48, 0.44):
            parts.append(box_mesh((px, py, 0.45), (px + 0.04, py + 0.04, 0.85)))
    return parts


def _pallet_stack() -> list[trimesh.Trimesh]:
    return [
        box_mesh((-0.5, -0.5, 0.0), (0.5, 0.5, 0.12)),               # pallet
        box_mesh((-0.47, -0.47, 0.12), (0.0, 0.47, 0.55)),           # cartons
        box_mesh((0.0, -0.47, 0.12), (0.47, 0.0, 0.55)),
        box_mesh((0.0, 0.0, 0.12), (0.47, 0.47, 0.55)),
        box_mesh((-0.45, -0.45, 0.55), (0.45, 0.45, 1.0)),
    ]


def _box() -> list[trimesh.Trimesh]:
    return [box_mesh((-0.5, -0.5, 0.0), (0.5, 0.5, 1.0))]


def _frustum(x_bottom: tuple[float, float], x_top: tuple[float, float], half_width: float,
             z0: float, z1: float) -> trimesh.Trimesh:
    """A convex block whose length along x shrinks from ``x_bottom`` at ``z0`` to ``x_top`` at ``z1``."""
    pts = [(x, sy * half_width, z) for (xs, z) in ((x_bottom, z0), (x_top, z1)) for x in xs for sy in (-1, 1)]
    return trimesh.convex.convex_hull(np.asarray(pts, dtype=np.float64))


def _wheels(xs: tuple[float, ...], half_len: float = 0.08, z1: float = 0.22) -> list[trimesh.Trimesh]:
    """A pair of wheels (boxes at both sides) at each axle position ``x``."""
    return [box_mesh((x - half_len, y0, 0.0), (x + half_len, y0 + 0.1, z1)) for x in xs for y0 in (-0.5, 0.4)]


def _car() -> list[trimesh.Trimesh]:
    return [
        box_mesh((-0.5, -0.5, 0.18), (0.5, 0.5, 0.6)),                  # body
        _frustum((-0.36, 0.3), (-0.28, 0.1), 0.44, 0.6, 1.0),           # cabin, sloped windscreens
        *_wheels((-0.32, 0.32)),
    ]


def _truck() -> list[trimesh.Trimesh]:
    return [
        box_mesh((-0.5, -0.42, 0.08), (0.5, 0.42, 0.14)),               # chassis
        box_mesh((-0.5, -0.5, 0.14), (0.22, 0.5, 1.0)),                 # cargo box
        _frustum((0.26, 0.5), (0.26, 0.44), 0.48, 0.12, 0.75),          # cab
        *_wheels((-0.38, -0.25, 0.36), half_len=0.05, z1=0.14),
    ]


def _pole() -> list[trimesh.Trimesh]:
    return [_cylinder(0.0, 0.0, 0.0, 1.0, 0.5, 0.5, sections=8)]


def _tree() -> list[trimesh.Trimesh]:
    return [
        _cylinder(0.0, 0.0, 0.0, 0.42, 0.08, 0.08, sections=6),       # trunk
        _ellipsoid(0.0, 0.0, 0.68, 0.5, 0.5, 0.32),                    # crown
    ]


_BUILDERS = {
    "person": _person,
    "robot": _robot,
    "forklift": _forklift,
    "pallet_stack": _pallet_stack,
    "box": _box,
    "car": _car,
    "truck": _truck,
    "pole": _pole,
    "tree": _tree,
}


def object_template(shape: str) -> trimesh.Trimesh:
    """The unit-footprint template mesh of a procedural shape.

    Args:
        shape: One of :data:`rvsim.config.SHAPES`.

    Returns:
        A triangle mesh inside ``[-0.5, 0.5] x [-0.5, 0.5] x [0, 1]``.

    Raises:
        ConfigError: for an unknown shape.
    """
    if shape not in _BUILDERS:
        raise ConfigError(f"unknown object shape (known: {', '.join(_BUILDERS)}). Received: {shape!r}")
    mesh = trimesh.util.concatenate(_BUILDERS[shape]())
    return trimesh.Trimesh(vertices=np.asarray(mesh.vertices, dtype=np.float64),
                           faces=np.asarray(mesh.faces, dtype=np.int64), process=False)


def place_vertices(template_vertices: np.ndarray, size: np.ndarray, yaw: float,
                   position: np.ndarray) -> np.ndarray:
    """Scale, rotate and translate template vertices.

    Args:
        template_vertices: Unit-footprint vertices, shape ``(num_vertices, 3)``.
        size: ``(length, width, height)`` [m].
        yaw: Rotation about +z, counter-clockwise seen from above [rad].
        position: Footprint centre ``(x, y, z)`` [m] (z is the floor height).

    Returns:
        World vertices, shape ``(num_vertices, 3)``, float64.
    """
    v = template_vertices * np.asarray(size, dtype=np.float64)[None, :]
    c, s = np.cos(yaw), np.sin(yaw)
    x = c * v[:, 0] - s * v[:, 1]
    y = s * v[:, 0] + c * v[:, 1]
    out = np.stack([x, y, v[:, 2]], axis=1)
    return out + np.asarray(position, dtype=np.float64)[None, :]
