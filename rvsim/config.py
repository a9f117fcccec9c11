"""Scene-family specifications: frozen dataclasses, read from YAML, validated with clear errors.

A scene family (``scenes/factory.yaml``) describes everything a user would change: the radio (frequency,
bandwidth, subcarriers, arrays), the path solver, the camera, the room, the materials, the object classes
with their size ranges, materials and count ranges, and where objects may be placed. :func:`load_scene_spec`
reads a YAML file (or the name of a built-in family), fills in defaults, and checks every key and type:
an unknown key, a wrong type or an impossible value raises :class:`~rvsim.errors.ConfigError` whose message
names the key and ends with what was received.
"""

from __future__ import annotations

import dataclasses
import math
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from rvsim.errors import ConfigError

__all__ = [
    "ArraySpec",
    "RangeAngleSpec",
    "RadioSpec",
    "SolverSpec",
    "BaseStationSpec",
    "CameraSpec",
    "RacksSpec",
    "RoomSpec",
    "MaterialSpec",
    "SizeRange",
    "ObjectClassSpec",
    "PlacementSpec",
    "SceneSpec",
    "load_scene_spec",
    "scene_spec_from_dict",
    "builtin_scene_names",
    "SHAPES",
    "check_materials_at_frequency",
    "placement_area",
    "MAX_PACKING_DENSITY",
]

#: Procedural object shapes rvsim can build (see :mod:`rvsim.sim.object_meshes`).
SHAPES: tuple[str, ...] = ("person", "robot", "forklift", "pallet_stack", "box")

_SPEED_OF_LIGHT = 299_792_458.0


@dataclass(frozen=True)
class ArraySpec:
    """An antenna array (Sionna RT ``PlanarArray``).

    Attributes:
        num_rows: Rows of antennas (vertical).
        num_cols: Columns of antennas (horizontal; a 1×16 ULA has ``num_cols=16``).
        spacing_wavelengths: Element spacing [wavelengths].
        pattern: Antenna pattern name (``"iso"``, ``"dipole"``, ``"hw_dipole"``, ``"tr38901"``).
        polarization: ``"V"``, ``"H"``, ``"VH"`` or ``"cross"``.
    """

    num_rows: int = 1
    num_cols: int = 1
    spacing_wavelengths: float = 0.5
    pattern: str = "iso"
    polarization: str = "V"

    @property
    def num_antennas(self) -> int:
        """Number of antenna elements (single polarisation)."""
        return self.num_rows * self.num_cols


@dataclass(frozen=True)
class RangeAngleSpec:
    """Axes of the range–angle map.

    Attributes:
        num_range_bins: Range bins, from 0 to ``max_range_m``.
        max_range_m: Largest range on the map [m].
        num_angle_bins: Angle bins across ``angle_span_deg``.
        angle_span_deg: Full azimuth span centred on the array broadside [deg].
    """

    num_range_bins: int = 64
    max_range_m: float = 24.0
    num_angle_bins: int = 32
    angle_span_deg: float = 90.0


@dataclass(frozen=True)
class RadioSpec:
    """The base station's radio: a monostatic OFDM sensing link.

    Attributes:
        frequency_hz: Carrier frequency [Hz].
        bandwidth_hz: OFDM bandwidth [Hz]; the range resolution is ``c / (2 * bandwidth_hz)``.
        num_subcarriers: Subcarriers spread evenly over the bandwidth.
        tx_array: Transmit array (co-located with the receiver).
        rx_array: Receive array; its columns form the ULA used for angle.
        range_angle: Axes of the range–angle map.
    """

    frequency_hz: float = 28.0e9
    bandwidth_hz: float = 800.0e6
    num_subcarriers: int = 256
    tx_array: ArraySpec = field(default_factory=ArraySpec)
    rx_array: ArraySpec = field(default_factory=lambda: ArraySpec(num_rows=1, num_cols=16))
    range_angle: RangeAngleSpec = field(default_factory=RangeAngleSpec)

    @property
    def wavelength_m(self) -> float:
        """Carrier wavelength [m]."""
        return _SPEED_OF_LIGHT / self.frequency_hz

    @property
    def range_resolution_m(self) -> float:
        """Range resolution ``c / (2 B)`` [m]."""
        return _SPEED_OF_LIGHT / (2.0 * self.bandwidth_hz)

    def subcarrier_frequencies(self) -> Any:
        """Absolute subcarrier frequencies [Hz], shape ``(num_subcarriers,)``, centred on the carrier."""
        import numpy as np

        spacing = self.bandwidth_hz / self.num_subcarriers
        k = np.arange(self.num_subcarriers) - self.num_subcarriers // 2
        return self.frequency_hz + k * spacing


@dataclass(frozen=True)
class SolverSpec:
    """Settings of Sionna RT's ``PathSolver`` (deterministic mode).

    Attributes:
        max_depth: Maximum number of interactions per path.
        samples_per_src: Rays shot per source.
        max_num_paths_per_src: Upper bound on paths per source.
        specular_reflection: Enable specular reflection.
        diffuse_reflection: Enable diffuse reflection (what makes objects visible to a monostatic radar).
        refraction: Enable refraction.
        diffraction: Enable diffraction.
        seed: Solver seed, the same for every sample: it steers diffuse-scattering directions, and the empty
            hall's response only cancels from a sample's when both are traced with the same seed.
    """

    max_depth: int = 2
    samples_per_src: int = 20000
    max_num_paths_per_src: int = 200000
    specular_reflection: bool = True
    diffuse_reflection: bool = True
    refraction: bool = False
    diffraction: bool = False
    seed: int = 0


@dataclass(frozen=True)
class BaseStationSpec:
    """Pose of the base station (radio and camera are co-located).

    Attributes:
        position_m: Position ``(x, y, z)`` [m]. The room's back wall is at ``x = 0``.
        yaw_deg: Azimuth of the array broadside and of the camera axis [deg]; 0 looks along +x.
    """

    position_m: tuple[float, float, float] = (0.3, 0.0, 3.0)
    yaw_deg: float = 0.0


@dataclass(frozen=True)
class CameraSpec:
    """The base-station camera.

    Attributes:
        width: Image width [px].
        height: Image height [px].
        fov_deg: Horizontal field of view [deg].
        pitch_deg: Elevation of the optical axis [deg]; negative looks down.
        spp: Samples per pixel of the RGB render.
    """

    width: int = 64
    height: int = 64
    fov_deg: float = 90.0
    pitch_deg: float = -20.0
    spp: int = 4


@dataclass(frozen=True)
class RacksSpec:
    """Static storage racks along the two side walls.

    Attributes:
        count_per_side: Racks along each side wall.
        length_m: Rack length along the wall [m].
        depth_m: Rack depth [m].
        height_m: Rack height [m].
        material: Name of a material in :attr:`SceneSpec.materials`.
    """

    count_per_side: int = 2
    length_m: float = 4.0
    depth_m: float = 1.0
    height_m: float = 3.0
    material: str = "rack"


@dataclass(frozen=True)
class RoomSpec:
    """The hall: a floor and four walls (no ceiling), the base station on the wall at ``x = 0``.

    Attributes:
        length_m: Extent along x, away from the base station [m].
        width_m: Extent along y, centred on ``y = 0`` [m].
        wall_height_m: Wall height [m].
        floor_material: Material name of the floor.
        wall_material: Material name of the walls.
        racks: Static racks.
    """

    length_m: float = 24.0
    width_m: float = 18.0
    wall_height_m: float = 6.0
    floor_material: str = "floor"
    wall_material: str = "wall"
    racks: RacksSpec = field(default_factory=RacksSpec)


@dataclass(frozen=True)
class MaterialSpec:
    """A radio material, either an ITU material or given by its electromagnetic properties.

    Attributes:
        itu_type: ITU-R P.2040 material name (``"concrete"``, ``"metal"``, ``"wood"``, ...), or None.
        relative_permittivity: Used when ``itu_type`` is None.
        conductivity: Conductivity [S/m], used when ``itu_type`` is None.
        thickness_m: Thickness [m].
        scattering_coefficient: Fraction of energy scattered diffusely, in [0, 1].
        color: Display colour ``(r, g, b)`` in [0, 1] for the camera.
    """

    itu_type: str | None = None
    relative_permittivity: float = 1.0
    conductivity: float = 0.0
    thickness_m: float = 0.1
    scattering_coefficient: float = 0.3
    color: tuple[float, float, float] = (0.6, 0.6, 0.6)


@dataclass(frozen=True)
class SizeRange:
    """Uniform size ranges of an object class ``[min, max]`` [m]."""

    length: tuple[float, float] = (1.0, 1.0)
    width: tuple[float, float] = (1.0, 1.0)
    height: tuple[float, float] = (1.0, 1.0)


@dataclass(frozen=True)
class ObjectClassSpec:
    """An object class.

    Attributes:
        shape: Procedural shape, one of :data:`SHAPES`.
        size_m: Size ranges (length along the object's heading, width, height) [m].
        material: Name of a material in :attr:`SceneSpec.materials`.
        count: Inclusive range ``[min, max]`` of instances per scene.
    """

    shape: str = "box"
    size_m: SizeRange = field(default_factory=SizeRange)
    material: str = "metal"
    count: tuple[int, int] = (0, 1)


@dataclass(frozen=True)
class PlacementSpec:
    """Where objects may stand: inside the field of view, apart from each other.

    Attributes:
        min_range_m: Smallest horizontal distance from the base station [m].
        max_range_m: Largest horizontal distance from the base station [m].
        bearing_span_deg: Full span of bearings around the broadside [deg].
        min_gap_m: Smallest gap between the footprint circles of two objects [m].
        wall_clearance_m: Smallest distance between an object's footprint circle and a wall or rack [m].
        max_attempts: Random draws per object before it is dropped.
    """

    min_range_m: float = 3.0
    max_range_m: float = 18.0
    bearing_span_deg: float = 80.0
    min_gap_m: float = 0.3
    wall_clearance_m: float = 0.3
    max_attempts: int = 200


@dataclass(frozen=True)
class SceneSpec:
    """A scene family: everything needed to sample, ray-trace and render its random instances.

    Attributes:
        name: Family name.
        description: Free text.
        radio: Radio settings.
        solver: Path-solver settings.
        base_station: Base-station pose.
        camera: Camera settings.
        room: Room geometry.
        materials: Named radio materials.
        classes: Object classes by name (the order defines class ids).
        placement: Placement rules.
    """

    name: str = "factory"
    description: str = ""
    radio: RadioSpec = field(default_factory=RadioSpec)
    solver: SolverSpec = field(default_factory=SolverSpec)
    base_station: BaseStationSpec = field(default_factory=BaseStationSpec)
    camera: CameraSpec = field(default_factory=CameraSpec)
    room: RoomSpec = field(default_factory=RoomSpec)
    materials: Mapping[str, MaterialSpec] = field(default_factory=dict)
    classes: Mapping[str, ObjectClassSpec] = field(default_factory=dict)
    placement: PlacementSpec = field(default_factory=PlacementSpec)

    @property
    def class_names(self) -> list[str]:
        """Class names; class id ``k`` is ``class_names[k]``."""
        return list(self.classes)

    @property
    def max_objects(self) -> int:
        """Largest possible number of objects in one scene."""
        return sum(c.count[1] for c in self.classes.values())

    def to_dict(self) -> dict[str, Any]:
        """The resolved spec as plain JSON/YAML-able data (tuples become lists)."""
        return _to_plain(self)

    def validate(self) -> SceneSpec:
        """Check cross-field constraints; return self.

        Raises:
            ConfigError: naming the first problem found.
        """
        _validate_spec(self)
        return self


# ----------------------------------------------------------------------------------------------------------
# Loading


def builtin_scene_names() -> list[str]:
    """Names of the scene families shipped with rvsim (``rvsim/scenes/*.yaml``)."""
    folder = resources.files("rvsim") / "scenes"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_scene_spec(path_or_name: str | os.PathLike[str]) -> SceneSpec:
    """Read a scene family from a YAML file, or a built-in family by name (``"factory"``).

    Args:
        path_or_name: Path of a YAML file, or the name of a built-in family.

    Returns:
        The validated, resolved :class:`SceneSpec`.

    Raises:
        ConfigError: if the file is missing, is not YAML, or any key, type or value is invalid.
    """
    text_path = os.fspath(path_or_name)
    if os.path.isfile(text_path):
        source = text_path
        with open(text_path, encoding="utf-8") as fh:
            text = fh.read()
    elif os.sep not in text_path and not text_path.endswith((".yaml", ".yml")) \
            and text_path in builtin_scene_names():
        source = f"built-in scene {text_path!r}"
        text = (resources.files("rvsim") / "scenes" / f"{text_path}.yaml").read_text(encoding="utf-8")
    else:
        raise ConfigError(
            f"scene file not found (and not a built-in scene: {', '.join(builtin_scene_names())}). "
            f"Received: {text_path!r}")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{source} is not valid YAML ({first}). Received: {text_path!r}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source} must hold a mapping of settings. Received: {type(data).__name__}")
    return scene_spec_from_dict(data, source=source)


def scene_spec_from_dict(data: Mapping[str, Any], source: str = "scene spec") -> SceneSpec:
    """Build and validate a :class:`SceneSpec` from plain data (as read from YAML).

    Args:
        data: Nested mappings; missing keys take their defaults.
        source: Where the data came from, for error messages.

    Raises:
        ConfigError: naming the key, the problem and what was received.
    """
    spec = _build(SceneSpec, data, prefix="", source=source)
    try:
        _validate_spec(spec)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return spec


def _build(cls: type, data: Any, prefix: str, source: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: {prefix.rstrip('.') or 'the file'} must be a mapping. "
                          f"Received: {data!r}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = [k for k in data if k not in names]
    if unknown:
        raise ConfigError(f"{source}: unknown key {prefix}{unknown[0]!r} (allowed: {', '.join(names)}). "
                          f"Received: {prefix}{unknown[0]}={data[unknown[0]]!r}")
    kwargs = {}
    for name in names:
        if name in data:
            kwargs[name] = _convert(hints[name], data[name], f"{prefix}{name}", source)
    return cls(**kwargs)


def _convert(tp: Any, value: Any, key: str, source: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        non_none = [a for a in args if a is not type(None)]
        return _convert(non_none[0], value, key, source)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, key + ".", source)
    if origin in (Mapping, dict, typing.Mapping) or tp is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{source}: {key} must be a mapping. Received: {key}={value!r}")
        _, vt = args
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ConfigError(f"{source}: keys of {key} must be strings. Received: {k!r}")
            out[k] = _convert(vt, v, f"{key}.{k}", source)
        return types.MappingProxyType(out)
    if origin is tuple:
        if not isinstance(value, (list, tuple)) or len(value) != len(args):
            raise ConfigError(f"{source}: {key} must be a list of {len(args)} values. Received: {key}={value!r}")
        return tuple(_convert(a, v, f"{key}[{i}]", source) for i, (a, v) in enumerate(zip(args, value)))
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{source}: {key} must be true or false. Received: {key}={value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{source}: {key} must be an integer. Received: {key}={value!r}")
        return value
    if tp is float:
        if isinstance(value, str):
            try:  # YAML 1.1 reads "28e9" as a string
                value = float(value)
            except ValueError:
                raise ConfigError(f"{source}: {key} must be a number. Received: {key}={value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{source}: {key} must be a number. Received: {key}={value!r}")
        if not math.isfinite(float(value)):
            raise ConfigError(f"{source}: {key} must be finite. Received: {key}={value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{source}: {key} must be a string. Received: {key}={value!r}")
        return value
    raise TypeError(f"unsupported spec type {tp!r} for {key}")  # programming error


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise ConfigError(message)


def _validate_spec(spec: SceneSpec) -> None:
    r = spec.radio
    _require(r.frequency_hz > 0, f"radio.frequency_hz must be positive. Received: {r.frequency_hz}")
    _require(0 < r.bandwidth_hz < r.frequency_hz,
             f"radio.bandwidth_hz must be positive and below the carrier. Received: {r.bandwidth_hz}")
    _require(r.num_subcarriers >= 8, f"radio.num_subcarriers must be at least 8. Received: {r.num_subcarriers}")
    for name, arr in (("tx_array", r.tx_array), ("rx_array", r.rx_array)):
        _require(arr.num_rows >= 1 and arr.num_cols >= 1,
                 f"radio.{name} must have at least one row and column. "
                 f"Received: num_rows={arr.num_rows}, num_cols={arr.num_cols}")
        _require(arr.spacing_wavelengths > 0,
                 f"radio.{name}.spacing_wavelengths must be positive. Received: {arr.spacing_wavelengths}")
        _require(arr.pattern in ("iso", "dipole", "hw_dipole", "tr38901"),
                 f"radio.{name}.pattern must be one of iso, dipole, hw_dipole, tr38901. Received: {arr.pattern!r}")
        _require(arr.polarization in ("V", "H", "VH", "cross"),
                 f"radio.{name}.polarization must be one of V, H, VH, cross. Received: {arr.polarization!r}")
    _require(r.rx_array.num_rows == 1,
             f"radio.rx_array.num_rows must be 1 (a horizontal ULA). Received: {r.rx_array.num_rows}")
    ra = r.range_angle
    _require(ra.num_range_bins >= 4 and ra.num_angle_bins >= 4,
             f"radio.range_angle needs at least 4 range and angle bins. "
             f"Received: num_range_bins={ra.num_range_bins}, num_angle_bins={ra.num_angle_bins}")
    _require(ra.max_range_m > 0, f"radio.range_angle.max_range_m must be positive. Received: {ra.max_range_m}")
    max_unambiguous = _SPEED_OF_LIGHT * r.num_subcarriers / (2 * r.bandwidth_hz)
    _require(ra.max_range_m <= max_unambiguous,
             f"radio.range_angle.max_range_m exceeds the unambiguous range c*N/(2B) = {max_unambiguous:.1f} m. "
             f"Received: {ra.max_range_m}")
    _require(0 < ra.angle_span_deg < 180,
             f"radio.range_angle.angle_span_deg must be in (0, 180). Received: {ra.angle_span_deg}")
    s = spec.solver
    _require(0 <= s.max_depth <= 10, f"solver.max_depth must be in [0, 10]. Received: {s.max_depth}")
    _require(s.samples_per_src >= 1, f"solver.samples_per_src must be positive. Received: {s.samples_per_src}")
    _require(s.seed >= 0, f"solver.seed must be >= 0. Received: {s.seed}")
    _require(s.max_num_paths_per_src >= 1,
             f"solver.max_num_paths_per_src must be positive. Received: {s.max_num_paths_per_src}")
    c = spec.camera
    _require(8 <= c.width <= 4096 and 8 <= c.height <= 4096,
             f"camera width and height must be in [8, 4096] px. Received: {c.width}x{c.height}")
    _require(0 < c.fov_deg < 170, f"camera.fov_deg must be in (0, 170). Received: {c.fov_deg}")
    _require(-89 < c.pitch_deg < 89, f"camera.pitch_deg must be in (-89, 89). Received: {c.pitch_deg}")
    _require(c.spp >= 1, f"camera.spp must be positive. Received: {c.spp}")
    room = spec.room
    _require(room.length_m > 1 and room.width_m > 1 and room.wall_height_m > 0.5,
             f"room is too small. Received: length_m={room.length_m}, width_m={room.width_m}, "
             f"wall_height_m={room.wall_height_m}")
    bs = spec.base_station
    _require(0 < bs.position_m[0] < room.length_m and abs(bs.position_m[1]) < room.width_m / 2
             and 0 < bs.position_m[2] < room.wall_height_m,
             f"base_station.position_m must lie inside the room. Received: {list(bs.position_m)}")
    mats = spec.materials
    _require(len(mats) > 0, "materials must define at least one material. Received: none")
    for mname, m in mats.items():
        _require(0 <= m.scattering_coefficient <= 1,
                 f"materials.{mname}.scattering_coefficient must be in [0, 1]. Received: {m.scattering_coefficient}")
        _require(m.thickness_m > 0, f"materials.{mname}.thickness_m must be positive. Received: {m.thickness_m}")
        _require(all(0 <= v <= 1 for v in m.color),
                 f"materials.{mname}.color must have values in [0, 1]. Received: {list(m.color)}")
        if m.itu_type is None:
            _require(m.relative_permittivity >= 1,
                     f"materials.{mname}.relative_permittivity must be >= 1. Received: {m.relative_permittivity}")
            _require(m.conductivity >= 0,
                     f"materials.{mname}.conductivity must be >= 0. Received: {m.conductivity}")
    for where, mname in (("room.floor_material", room.floor_material), ("room.wall_material", room.wall_material),
                         ("room.racks.material", room.racks.material)):
        _require(mname in mats, f"{where} names an undefined material (defined: {', '.join(mats)}). "
                                f"Received: {mname!r}")
    _require(len(spec.classes) > 0, "classes must define at least one object class. Received: none")
    for cname, cls in spec.classes.items():
        _require(cls.shape in SHAPES, f"classes.{cname}.shape must be one of {', '.join(SHAPES)}. "
                                      f"Received: {cls.shape!r}")
        _require(cls.material in mats, f"classes.{cname}.material names an undefined material "
                                       f"(defined: {', '.join(mats)}). Received: {cls.material!r}")
        lo, hi = cls.count
        _require(0 <= lo <= hi <= 32, f"classes.{cname}.count must be [min, max] with 0 <= min <= max <= 32. "
                                      f"Received: {list(cls.count)}")
        for axis in ("length", "width", "height"):
            a, b = getattr(cls.size_m, axis)
            _require(0 < a <= b, f"classes.{cname}.size_m.{axis} must be [min, max] with 0 < min <= max. "
                                 f"Received: {[a, b]}")
    _require(spec.max_objects >= 1, f"the classes' count ranges allow no object at all. "
                                    f"Received: max objects = {spec.max_objects}")
    p = spec.placement
    _require(0 < p.min_range_m < p.max_range_m,
             f"placement needs 0 < min_range_m < max_range_m. Received: {p.min_range_m}, {p.max_range_m}")
    _require(0 < p.bearing_span_deg < 180,
             f"placement.bearing_span_deg must be in (0, 180). Received: {p.bearing_span_deg}")
    _require(p.max_attempts >= 1, f"placement.max_attempts must be positive. Received: {p.max_attempts}")
    # Objects must fit: their footprint discs (largest sizes, plus the gap) may cover at most
    # MAX_PACKING_DENSITY of the placement sector that lies inside the room.
    need = sum(c.count[1] * math.pi * (0.5 * math.hypot(c.size_m.length[1], c.size_m.width[1]) + p.min_gap_m / 2) ** 2
               for c in spec.classes.values())
    area = placement_area(spec)
    _require(need <= MAX_PACKING_DENSITY * area,
             f"more objects than fit on the floor: at their largest, {spec.max_objects} objects need "
             f"{need:.1f} m^2 but the placement area inside the room is {area:.1f} m^2 (at most "
             f"{MAX_PACKING_DENSITY:.0%} of it can be covered). Received: counts "
             + ", ".join(f"{n}={list(c.count)}" for n, c in spec.classes.items()))


#: Largest fraction of the placement area that the objects' footprint discs may cover.
MAX_PACKING_DENSITY = 0.3


def placement_area(spec: SceneSpec, grid: int = 200) -> float:
    """Area [m^2] of the placement sector (ranges and bearings of ``spec.placement``) that lies in the room."""
    import numpy as np

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


def check_materials_at_frequency(spec: SceneSpec) -> None:
    """Check that every ITU material is defined at the carrier frequency (imports Sionna RT's ITU table).

    Raises:
        ConfigError: naming the material, its ITU type and the frequency.
    """
    from rvsim.sim.sionna_import import import_sionna_rt

    import_sionna_rt()
    from sionna.rt.radio_materials.itu import ITU_MATERIALS_PROPERTIES

    f_ghz = spec.radio.frequency_hz / 1e9
    for mname, m in spec.materials.items():
        if m.itu_type is None:
            continue
        if m.itu_type not in ITU_MATERIALS_PROPERTIES:
            raise ConfigError(f"materials.{mname}.itu_type is not an ITU material "
                              f"({', '.join(sorted(ITU_MATERIALS_PROPERTIES))}). Received: {m.itu_type!r}")
        ranges = list(ITU_MATERIALS_PROPERTIES[m.itu_type])
        if not any(lo <= f_ghz <= hi for lo, hi in ranges):
            spans = ", ".join(f"{lo:g}-{hi:g} GHz" for lo, hi in ranges)
            raise ConfigError(f"material {mname!r} (ITU {m.itu_type!r}) is not defined at {f_ghz:g} GHz "
                              f"(defined for {spans}). Received: radio.frequency_hz={spec.radio.frequency_hz:g}")


def _to_plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {k: _to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_plain(v) for v in obj]
    return obj
