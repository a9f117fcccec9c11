"""The street family's part of a scene spec (layout ``street``): the street, its buildings, the transmitter, its rules.

:func:`check_street_scene` holds the street's cross-field rules: a single-antenna transmitter, a codebook and
receiver model that make sense, a base station on the near side facing the street, zones for every class,
objects that fit on the lanes, curbs and sidewalks, and a transmitter the base station can see.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from rvsim.config.spec_model import IntList, Number, NumberList, Pair, SpecModel, Triple, require

if TYPE_CHECKING:
    from rvsim.config.scene_spec import ObjectClassSpec, SceneSpec

__all__ = ["BuildingRowSpec", "StreetTxSpec", "StreetSpec", "StreetZone", "STREET_ZONES", "check_street_scene",
           "MAX_LINE_DENSITY"]

#: Where an object class of the street layout stands: on a lane (vehicles), anywhere on a sidewalk
#: (pedestrians), or on the curb line of a sidewalk (poles, trees).
StreetZone = Literal["lane", "sidewalk", "curb"]
STREET_ZONES: tuple[str, ...] = ("lane", "sidewalk", "curb")

#: Largest fraction of the lanes' (or curb lines') length that vehicles (or poles and trees) may cover.
MAX_LINE_DENSITY = 0.5

#: Largest fraction of the sidewalks' area that pedestrians' footprint discs may cover.
_MAX_PACKING_DENSITY = 0.3


class BuildingRowSpec(SpecModel):
    """A row of box buildings along one side of the street (static; the same for every sample).

    Lengths, gaps and heights are drawn from their ranges by a generator seeded with
    :attr:`StreetSpec.building_seed`, so the row depends on the spec alone.

    Attributes:
        enabled: Build the row.
        setback_m: Distance of the facades from the base station (near row, behind it) or from the far
            sidewalk's outer edge (far row) [m].
        depth_m: Building depth, away from the street [m].
        length_m: Range ``[min, max]`` of a building's length along the street [m].
        gap_m: Range ``[min, max]`` of the gap between neighbouring buildings [m].
        height_m: Range ``[min, max]`` of building heights [m].
        material: Name of a material in :attr:`SceneSpec.materials`.
    """

    enabled: bool = True
    setback_m: Number = 6.0
    depth_m: Number = 15.0
    length_m: Pair = (15.0, 35.0)
    gap_m: Pair = (3.0, 12.0)
    height_m: Pair = (6.0, 15.0)
    material: str = "building"


class StreetTxSpec(SpecModel):
    """The transmitter of the street layout.

    Attributes:
        placement: ``"car"``: the first object of ``car_class`` carries the transmitter on its roof and is
            placed in one of ``lanes`` at a bearing drawn uniformly (in position along the lane) from
            ``bearing_deg``; ``"fixed"``: the transmitter stands at ``position_m`` (a blockage link).
        car_class: The class whose first instance carries the transmitter (placement ``car``).
        lanes: Indices into :attr:`StreetSpec.lanes_x_m` the transmitting car may use; empty: all lanes.
        bearing_deg: Range ``[min, max]`` of the transmitting car's bearing from the array broadside,
            positive to the left [deg]; its position along the lane is uniform within it.
        antenna_offset_m: Height of the antenna above the car's roof [m].
        position_m: The fixed transmitter's position ``(x, y, z)`` [m] (placement ``fixed``).
    """

    placement: Literal["car", "fixed"] = "car"
    car_class: str = "car"
    lanes: IntList = ()
    bearing_deg: Pair = (-50.0, 50.0)
    antenna_offset_m: Number = 0.25
    position_m: Triple = (29.0, 0.0, 1.2)


class StreetSpec(SpecModel):
    """A straight street along the y axis in front of the base station (layout ``street``).

    The base station stands on the near side (``x`` below the road); the road's lanes run along ``y`` at
    the ``x`` offsets of ``lanes_x_m``; a sidewalk of ``sidewalk_width_m`` lies on both sides of the road;
    rows of box buildings stand behind the base station and beyond the far sidewalk. Everything static is
    built from the spec alone.

    Attributes:
        length_m: Extent of the street along y, centred on ``y = 0`` [m].
        lanes_x_m: Lane centre lines' x [m], increasing; lanes below the road's middle carry traffic towards
            ``-y`` (to the right, seen from the base station), the others towards ``+y``.
        lane_width_m: Lane width [m]; the road spans the lanes.
        sidewalk_width_m: Width of the sidewalk on each side of the road [m].
        curb_offset_m: Distance of the curb line (poles, trees) from the road's edge into the sidewalk [m].
        road_material: Material of the road surface.
        ground_material: Material of the ground outside the road (sidewalks, plaza).
        near_buildings: The building row behind the base station.
        far_buildings: The building row beyond the far sidewalk.
        building_seed: Seed of the building rows' lengths, gaps and heights.
        zones: Where each object class stands: ``lane``, ``sidewalk`` or ``curb`` (every class needs one).
        object_y_range_m: Range ``[min, max]`` of y where objects other than the transmitting car stand [m].
        min_gap_m: Smallest gap between two objects (bumper to bumper on a lane, footprint circles
            elsewhere) [m].
        lane_jitter_m: Largest sideways offset of a vehicle from its lane's centre line [m].
        max_attempts: Random draws per object before it is dropped.
        tx: The transmitter.
    """

    length_m: Number = Field(default=200.0, ge=20)
    lanes_x_m: NumberList = (15.5, 18.6, 21.7, 24.8)
    lane_width_m: Number = Field(default=3.1, ge=1.5)
    sidewalk_width_m: Number = Field(default=4.0, ge=1)
    curb_offset_m: Number = 0.6
    road_material: str = "road"
    ground_material: str = "ground"
    near_buildings: BuildingRowSpec = Field(default_factory=BuildingRowSpec)
    far_buildings: BuildingRowSpec = Field(default_factory=BuildingRowSpec)
    building_seed: int = 0
    zones: dict[str, StreetZone] = Field(default_factory=dict)
    object_y_range_m: Pair = (-60.0, 60.0)
    min_gap_m: Number = Field(default=1.0, ge=0)
    lane_jitter_m: Number = Field(default=0.3, ge=0)
    max_attempts: int = Field(default=100, ge=1)
    tx: StreetTxSpec = Field(default_factory=StreetTxSpec)

    @property
    def road_x_m(self) -> tuple[float, float]:
        """x of the road's near and far edges [m]."""
        return (self.lanes_x_m[0] - self.lane_width_m / 2, self.lanes_x_m[-1] + self.lane_width_m / 2)

    def tx_lanes(self) -> tuple[int, ...]:
        """Lane indices the transmitting car may use (all lanes when ``tx.lanes`` is empty)."""
        return tuple(self.tx.lanes) if self.tx.lanes else tuple(range(len(self.lanes_x_m)))


def _range_ok(pair: tuple[float, float], low: float = 0.0, strict: bool = True) -> bool:
    return (pair[0] > low if strict else pair[0] >= low) and pair[0] <= pair[1]


def check_street_scene(spec: SceneSpec) -> None:
    """The street's cross-field rules (called by :class:`~rvsim.config.scene_spec.SceneSpec`'s validator).

    Raises:
        pydantic_core.PydanticCustomError: naming the first rule broken (rvsim reports it as a ConfigError).
    """
    r, st, bs = spec.radio, spec.street, spec.base_station
    require(r.tx_array.num_rows == 1 and r.tx_array.num_cols == 1 and r.tx_array.polarization in ("V", "H"),
            f"radio.tx_array must be a single antenna (num_rows = num_cols = 1) with polarization V or H in a "
            f"street (the transmitter's quasi-omni antenna). Received: num_rows={r.tx_array.num_rows}, "
            f"num_cols={r.tx_array.num_cols}, polarization={r.tx_array.polarization!r}")
    cb = r.codebook
    if cb.kind == "measured":
        require(cb.path is not None, "radio.codebook.path must name the measured patterns file (.npz) when "
                                     "kind is measured. Received: path=None")
        require(os.path.isfile(str(cb.path)), f"radio.codebook.path: file not found. Received: {cb.path!r}")
    rc = r.receiver
    require(rc.noise_floor_db[0] <= rc.noise_floor_db[1],
            f"radio.receiver.noise_floor_db must be [min, max] with min <= max. Received: {list(rc.noise_floor_db)}")
    mats = spec.materials
    for where, mname in (("street.road_material", st.road_material), ("street.ground_material", st.ground_material),
                         ("street.near_buildings.material", st.near_buildings.material),
                         ("street.far_buildings.material", st.far_buildings.material)):
        require(mname in mats, f"{where} names an undefined material (defined: {', '.join(mats)}). "
                               f"Received: {mname!r}")
    lanes = st.lanes_x_m
    require(len(lanes) >= 1, "street.lanes_x_m must list at least one lane. Received: []")
    require(all(b - a >= st.lane_width_m - 1e-9 for a, b in zip(lanes, lanes[1:])),
            f"street.lanes_x_m must increase by at least lane_width_m ({st.lane_width_m}) from lane to lane. "
            f"Received: {list(lanes)}")
    require(0 < st.curb_offset_m < st.sidewalk_width_m,
            f"street.curb_offset_m must be in (0, sidewalk_width_m). Received: {st.curb_offset_m}")
    road0, road1 = st.road_x_m
    half = st.length_m / 2
    require(road0 - st.sidewalk_width_m > bs.position_m[0] and abs(bs.position_m[1]) < half and bs.position_m[2] > 0,
            f"base_station.position_m must stand on the near side, before the near sidewalk (x < "
            f"{road0 - st.sidewalk_width_m:g}), within the street's length and above the ground. "
            f"Received: {list(bs.position_m)}")
    require(abs(bs.yaw_deg) < 90,
            f"base_station.yaw_deg must be in (-90, 90) (the array faces the street, +x). Received: {bs.yaw_deg}")
    for side, row in (("near_buildings", st.near_buildings), ("far_buildings", st.far_buildings)):
        require(row.setback_m >= 0 and row.depth_m > 0,
                f"street.{side} needs setback_m >= 0 and depth_m > 0. "
                f"Received: setback_m={row.setback_m}, depth_m={row.depth_m}")
        for key in ("length_m", "height_m"):
            require(_range_ok(getattr(row, key)), f"street.{side}.{key} must be [min, max] with 0 < min <= max. "
                                                  f"Received: {list(getattr(row, key))}")
        require(_range_ok(row.gap_m, strict=False),
                f"street.{side}.gap_m must be [min, max] with 0 <= min <= max. Received: {list(row.gap_m)}")
    missing = [c for c in spec.classes if c not in st.zones]
    require(not missing, f"street.zones must give every class a zone ({', '.join(STREET_ZONES)}). "
                         f"Received: no zone for {missing[0] if missing else ''!r}")
    for cname in st.zones:
        require(cname in spec.classes, f"street.zones names an undefined class (defined: "
                                       f"{', '.join(spec.classes)}). Received: {cname!r}")
    y0, y1 = st.object_y_range_m
    require(-half < y0 < y1 < half,
            f"street.object_y_range_m must be [min, max] inside the street (-{half:g}, {half:g}). Received: {[y0, y1]}")
    _check_capacity(spec)
    _check_transmitter(spec)


def _check_capacity(spec: SceneSpec) -> None:
    """Vehicles along the lanes, poles and trees along the two curb lines, pedestrians on the sidewalks."""
    st = spec.street
    by_zone: dict[str, list[ObjectClassSpec]] = {z: [] for z in STREET_ZONES}
    for cname, cls in spec.classes.items():
        by_zone[st.zones[cname]].append(cls)
    for cname, cls in spec.classes.items():
        if st.zones[cname] == "lane":
            require(cls.size_m.width[1] + 2 * st.lane_jitter_m <= st.lane_width_m,
                    f"classes.{cname} is wider (plus twice street.lane_jitter_m) than a lane "
                    f"({st.lane_width_m:g} m). Received: size_m.width={list(cls.size_m.width)}")

    def counts(zone: str) -> str:
        return ", ".join(f"{n}={list(c.count)}" for n, c in spec.classes.items() if st.zones[n] == zone)

    lanes = st.lanes_x_m
    span = st.object_y_range_m[1] - st.object_y_range_m[0]
    need = sum(c.count[1] * (c.size_m.length[1] + st.min_gap_m) for c in by_zone["lane"])
    require(need <= MAX_LINE_DENSITY * span * len(lanes),
            f"more vehicles than fit on the lanes: at their largest they need {need:.1f} m of lane but "
            f"{len(lanes)} lane(s) of {span:g} m allow {MAX_LINE_DENSITY * span * len(lanes):.1f} m. "
            f"Received: counts {counts('lane')}")
    need = sum(c.count[1] * (max(c.size_m.length[1], c.size_m.width[1]) + st.min_gap_m) for c in by_zone["curb"])
    require(need <= MAX_LINE_DENSITY * 2 * span,
            f"more curb objects than fit on the two curb lines: they need {need:.1f} m of {2 * span:g} m. "
            f"Received: counts {counts('curb')}")
    need = sum(c.count[1] * math.pi * (0.5 * math.hypot(c.size_m.length[1], c.size_m.width[1]) + st.min_gap_m / 2) ** 2
               for c in by_zone["sidewalk"])
    area = 2 * st.sidewalk_width_m * span
    require(need <= _MAX_PACKING_DENSITY * area,
            f"more pedestrians than fit on the sidewalks: they need {need:.1f} m^2 of {area:.1f} m^2 (at most "
            f"{_MAX_PACKING_DENSITY:.0%}). Received: counts {counts('sidewalk')}")


def _check_transmitter(spec: SceneSpec) -> None:
    """A transmitting car on a lane within the base station's view, or a fixed transmitter off the road."""
    st, bs = spec.street, spec.base_station
    tx, lanes = st.tx, st.lanes_x_m
    road0, road1 = st.road_x_m
    half = st.length_m / 2
    if tx.placement == "car":
        require(tx.car_class in spec.classes, f"street.tx.car_class names an undefined class (defined: "
                                              f"{', '.join(spec.classes)}). Received: {tx.car_class!r}")
        car = spec.classes[tx.car_class]
        require(st.zones[tx.car_class] == "lane" and car.count[0] >= 1,
                f"street.tx.car_class must be a lane class with count min >= 1 (one of them carries the "
                f"transmitter). Received: {tx.car_class!r} zone={st.zones[tx.car_class]!r} count={list(car.count)}")
        require(all(0 <= k < len(lanes) for k in tx.lanes),
                f"street.tx.lanes must be indices into street.lanes_x_m (0..{len(lanes) - 1}). "
                f"Received: {list(tx.lanes)}")
        b0, b1 = tx.bearing_deg
        require(b0 < b1 and -85 < b0 + bs.yaw_deg and b1 + bs.yaw_deg < 85,
                f"street.tx.bearing_deg must be [min, max] with min < max and within +-85 deg of the street's "
                f"normal (base_station.yaw_deg + bearing). Received: {[b0, b1]}")
        require(tx.antenna_offset_m > 0,
                f"street.tx.antenna_offset_m must be positive. Received: {tx.antenna_offset_m}")
        ymax = max(abs(bs.position_m[1] + (lanes[k] - bs.position_m[0]) * math.tan(math.radians(b + bs.yaw_deg)))
                   for k in st.tx_lanes() for b in (b0, b1))
        require(ymax + car.size_m.length[1] / 2 <= half,
                f"street.tx.bearing_deg reaches y = {ymax:.1f} m on the far lane, beyond the street "
                f"(length_m / 2 = {half:g}). Received: {[b0, b1]}")
    else:
        x, y, z = tx.position_m
        far_front = road1 + st.sidewalk_width_m + st.far_buildings.setback_m
        require(bs.position_m[0] < x < far_front and abs(y) < half and z > 0,
                f"street.tx.position_m must lie between the base station and the far buildings (x in "
                f"({bs.position_m[0]:g}, {far_front:g})), within the street and above the ground. "
                f"Received: {list(tx.position_m)}")
        require(not (road0 < x < road1), f"street.tx.position_m must not stand on the road (x in "
                                         f"({road0:g}, {road1:g})). Received: {list(tx.position_m)}")
