"""The hall family's part of a scene spec (layout ``hall``): the room, its racks, where objects stand, and its rules.

:func:`check_hall_scene` holds the hall's cross-field rules: a monostatic radio the engine can honour (one
single-polarised transmit antenna, a horizontal single-polarised receive ULA, a map range within the
unambiguous range), a base station inside the room, defined materials, and objects that fit on the floor.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from rvsim.config.radio_spec import SPEED_OF_LIGHT
from rvsim.config.spec_model import Number, SpecModel, require

if TYPE_CHECKING:
    from rvsim.config.scene_spec import SceneSpec

__all__ = ["RacksSpec", "RoomSpec", "PlacementSpec", "check_hall_scene", "placement_area", "MAX_PACKING_DENSITY"]

#: Largest fraction of the placement area that the objects' footprint discs may cover.
MAX_PACKING_DENSITY = 0.3


class RacksSpec(SpecModel):
    """Static storage racks along the two side walls.

    Attributes:
        count_per_side: Racks along each side wall.
        length_m: Rack length along the wall [m].
        depth_m: Rack depth [m].
        height_m: Rack height [m].
        material: Name of a material in :attr:`SceneSpec.materials`.
    """

    count_per_side: int = Field(default=2, ge=0)
    length_m: Number = Field(default=4.0, gt=0)
    depth_m: Number = Field(default=1.0, gt=0)
    height_m: Number = Field(default=3.0, gt=0)
    material: str = "rack"


class RoomSpec(SpecModel):
    """The hall: a floor and four walls (no ceiling), the base station on the wall at ``x = 0``.

    Attributes:
        length_m: Extent along x, away from the base station [m].
        width_m: Extent along y, centred on ``y = 0`` [m].
        wall_height_m: Wall height [m].
        floor_material: Material name of the floor.
        wall_material: Material name of the walls.
        racks: Static racks.
    """

    length_m: Number = Field(default=24.0, gt=1)
    width_m: Number = Field(default=18.0, gt=1)
    wall_height_m: Number = Field(default=6.0, gt=0.5)
    floor_material: str = "floor"
    wall_material: str = "wall"
    racks: RacksSpec = Field(default_factory=RacksSpec)


class PlacementSpec(SpecModel):
    """Where objects may stand: inside the field of view, apart from each other.

    Attributes:
        min_range_m: Smallest horizontal distance from the base station [m].
        max_range_m: Largest horizontal distance from the base station [m].
        bearing_span_deg: Full span of bearings around the broadside [deg].
        min_gap_m: Smallest gap between the footprint circles of two objects [m].
        wall_clearance_m: Smallest distance between an object's footprint circle and a wall or rack [m].
        max_attempts: Random draws per object before it is dropped.
    """

    min_range_m: Number = 3.0
    max_range_m: Number = 18.0
    bearing_span_deg: Number = Field(default=80.0, gt=0, lt=180)
    min_gap_m: Number = 0.3
    wall_clearance_m: Number = 0.3
    max_attempts: int = Field(default=200, ge=1)


def check_hall_scene(spec: SceneSpec) -> None:
    """The hall's cross-field rules (called by :class:`~rvsim.config.scene_spec.SceneSpec`'s validator).

    Raises:
        pydantic_core.PydanticCustomError: naming the first rule broken (rvsim reports it as a ConfigError).
    """
    r = spec.radio
    require(r.bandwidth_hz < r.frequency_hz,
            f"radio.bandwidth_hz must be positive and below the carrier. Received: {r.bandwidth_hz}")
    tx, rx = r.tx_array, r.rx_array
    require(tx.num_rows == 1 and tx.num_cols == 1 and tx.polarization in ("V", "H"),
            "radio.tx_array must be a single antenna (num_rows = num_cols = 1) with polarization V or H in a "
            "hall: the monostatic transmitter is one antenna, and a larger or dual-polarised array would be "
            f"summed into one fixed beam. Received: num_rows={tx.num_rows}, num_cols={tx.num_cols}, "
            f"polarization={tx.polarization!r}")
    require(rx.num_rows == 1, f"radio.rx_array.num_rows must be 1 (a horizontal ULA). Received: {rx.num_rows}")
    require(rx.polarization in ("V", "H"),
            "radio.rx_array.polarization must be V or H in a hall: the range-angle map beamforms one antenna "
            f"per element, and {rx.polarization} gives two. Received: {rx.polarization!r}")
    ra = r.range_angle
    max_unambiguous = SPEED_OF_LIGHT * r.num_subcarriers / (2 * r.bandwidth_hz)
    require(ra.max_range_m <= max_unambiguous,
            f"radio.range_angle.max_range_m exceeds the unambiguous range c*N/(2B) = {max_unambiguous:.1f} m. "
            f"Received: {ra.max_range_m}")
    room, bs = spec.room, spec.base_station
    require(0 < bs.position_m[0] < room.length_m and abs(bs.position_m[1]) < room.width_m / 2
            and 0 < bs.position_m[2] < room.wall_height_m,
            f"base_station.position_m must lie inside the room. Received: {list(bs.position_m)}")
    mats = spec.materials
    for where, mname in (("room.floor_material", room.floor_material), ("room.wall_material", room.wall_material),
                         ("room.racks.material", room.racks.material)):
        require(mname in mats, f"{where} names an undefined material (defined: {', '.join(mats)}). "
                               f"Received: {mname!r}")
    p = spec.placement
    require(0 < p.min_range_m < p.max_range_m,
            f"placement needs 0 < min_range_m < max_range_m. Received: {p.min_range_m}, {p.max_range_m}")
    # Objects must fit: their footprint discs (largest sizes, plus the gap) may cover at most
    # MAX_PACKING_DENSITY of the placement sector that lies inside the room.
    need = sum(c.count[1] * math.pi * (0.5 * math.hypot(c.size_m.length[1], c.size_m.width[1]) + p.min_gap_m / 2) ** 2
               for c in spec.classes.values())
    area = placement_area(spec)
    require(need <= MAX_PACKING_DENSITY * area,
            f"more objects than fit on the floor: at their largest, {spec.max_objects} objects need "
            f"{need:.1f} m^2 but the placement area inside the room is {area:.1f} m^2 (at most "
            f"{MAX_PACKING_DENSITY:.0%} of it can be covered). Received: counts "
            + ", ".join(f"{n}={list(c.count)}" for n, c in spec.classes.items()))


def placement_area(spec: SceneSpec, grid: int = 200) -> float:
    """Area [m^2] of the placement sector (ranges and bearings of ``spec.placement``) that lies in the room."""
    p, room = spec.placement, spec.room
    bs = spec.base_station.position_m
    half = math.radians(p.bearing_span_deg) / 2
    yaw = math.radians(spec.base_station.yaw_deg)
    r = np.sqrt(np.linspace(p.min_range_m ** 2, p.max_range_m ** 2, grid))
    b = np.linspace(-half, half, grid) + yaw
    rr, bb = np.meshgrid(r, b)
    x = bs[0] + rr * np.cos(bb)
    y = bs[1] + rr * np.sin(bb)
    inside = (x > 0) & (x < room.length_m) & (np.abs(y) < room.width_m / 2)
    sector = half * (p.max_range_m ** 2 - p.min_range_m ** 2)
    return float(sector * inside.mean())
