"""Scene-family specifications: frozen dataclasses, read from YAML, validated with clear errors.

A scene family (``scenes/factory.yaml``, ``scenes/street.yaml``) describes everything a user would change: the
radio (frequency, bandwidth, subcarriers, arrays or beam codebook), the path solver, the camera, the static
geometry (a hall's room, or a street), the materials, the object classes with their size ranges, materials and
count ranges, and where objects may be placed. :func:`load_scene_spec` reads a YAML file (or the name of a
built-in family), fills in defaults, and checks every key and type: an unknown key, a wrong type or an
impossible value raises :class:`~rvsim.errors.ConfigError` whose message names the key and ends with what was
received.

Two layouts exist (``layout``): ``"hall"`` (the default; a monostatic base station in a room) and
``"street"`` (a DeepSense-6G-like street; a car or a fixed transmitter sends to the base station, whose
64-beam codebook turns the ray-traced paths into a beam-power vector). Each layout has its own keys (see
:data:`LAYOUT_ONLY_KEYS`); giving a key of the other layout is an error, and :meth:`SceneSpec.to_dict` leaves
them out, so a hall's resolved spec is the same as before the street layout existed.
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

from rvsim.errors import ConfigError, InputError

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
    "CodebookSpec",
    "ReceiverSpec",
    "BuildingRowSpec",
    "StreetTxSpec",
    "StreetSpec",
    "SceneSpec",
    "load_scene_spec",
    "scene_spec_from_dict",
    "builtin_scene_names",
    "SHAPES",
    "LAYOUTS",
    "STREET_ZONES",
    "LAYOUT_ONLY_KEYS",
    "check_materials_at_frequency",
    "placement_area",
    "MAX_PACKING_DENSITY",
]

#: Procedural object shapes rvsim can build (see :mod:`rvsim.sim.object_meshes`).
SHAPES: tuple[str, ...] = ("person", "robot", "forklift", "pallet_stack", "box", "car", "truck", "pole", "tree")

#: Scene layouts: the static geometry and the radio link they imply.
LAYOUTS: tuple[str, ...] = ("hall", "street")

#: Where an object class of the street layout stands: on a lane (vehicles), anywhere on a sidewalk
#: (pedestrians), or on the curb line of a sidewalk (poles, trees).
STREET_ZONES: tuple[str, ...] = ("lane", "sidewalk", "curb")

#: Keys (dotted paths) that only one layout uses: rejected when given for the other layout and left out of
#: :meth:`SceneSpec.to_dict`.
LAYOUT_ONLY_KEYS: dict[str, tuple[str, ...]] = {
    "hall": ("room", "placement", "radio.rx_array", "radio.range_angle", "radio.bandwidth_hz",
             "radio.num_subcarriers"),
    "street": ("street", "radio.codebook", "radio.receiver"),
}

#: Keys left out of a hall's :meth:`SceneSpec.to_dict` (they hold the hall's defaults), so that a hall's
#: resolved spec is the same as before layouts existed.
_HALL_IMPLIED_KEYS: tuple[str, ...] = ("layout", "radio.mode")

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
class CodebookSpec:
    """The base station's receive beam codebook (street layout; DeepSense's has 64 beams).

    Attributes:
        kind: ``"dft"`` (an ideal steered codebook of a uniform linear array, self-contained) or
            ``"measured"`` (beam patterns from an ``.npz`` file, e.g. DeepSense testbed 1's).
        path: The measured patterns file (``kind: measured``): absolute, or relative to the YAML file it is
            written in; the resolved spec holds the absolute path.
        num_elements: Array elements of the DFT codebook.
        num_beams: Beams of the DFT codebook.
        fov_deg: Span of the DFT codebook's steering bearings [deg].
    """

    kind: str = "dft"
    path: str | None = None
    num_elements: int = 16
    num_beams: int = 64
    fov_deg: float = 90.0


@dataclass(frozen=True)
class ReceiverSpec:
    """The receiver's measurement model (street layout), as :mod:`rvsim.real.receiver` describes it.

    Attributes:
        noise_floor_db: Range ``[min, max]`` of the mean noise power per beam [dB relative to a unit path gain
            through a unit beam gain]; drawn uniformly per sample. A line-of-sight path at 20 m and 60 GHz has
            a path gain of about -94 dB.
        noise_cv: Coefficient of variation of the noise power per beam and sample, in ``(0, 1]``.
        floor_db: Clipping floor of the normalised beam power [dB relative to the sample's peak], negative.
    """

    noise_floor_db: tuple[float, float] = (-104.0, -100.0)
    noise_cv: float = 0.05
    floor_db: float = -30.0


@dataclass(frozen=True)
class RadioSpec:
    """The base station's radio: a monostatic OFDM sensing link (hall) or an uplink into a beam codebook (street).

    Attributes:
        frequency_hz: Carrier frequency [Hz].
        bandwidth_hz: OFDM bandwidth [Hz]; the range resolution is ``c / (2 * bandwidth_hz)`` (hall).
        num_subcarriers: Subcarriers spread evenly over the bandwidth (hall).
        tx_array: Transmit array (co-located with the receiver in the hall; the car's quasi-omni antenna or
            the fixed transmitter in the street).
        rx_array: Receive array; its columns form the ULA used for angle (hall).
        range_angle: Axes of the range–angle map (hall).
        mode: ``"monostatic"`` (hall) or ``"uplink"`` (street); None takes the layout's mode.
        codebook: The receive beam codebook (street).
        receiver: Noise floor and normalisation of the beam powers (street).
    """

    frequency_hz: float = 28.0e9
    bandwidth_hz: float = 800.0e6
    num_subcarriers: int = 256
    tx_array: ArraySpec = field(default_factory=ArraySpec)
    rx_array: ArraySpec = field(default_factory=lambda: ArraySpec(num_rows=1, num_cols=16))
    range_angle: RangeAngleSpec = field(default_factory=RangeAngleSpec)
    mode: str | None = None
    codebook: CodebookSpec = field(default_factory=CodebookSpec)
    receiver: ReceiverSpec = field(default_factory=ReceiverSpec)

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
class BuildingRowSpec:
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
    setback_m: float = 6.0
    depth_m: float = 15.0
    length_m: tuple[float, float] = (15.0, 35.0)
    gap_m: tuple[float, float] = (3.0, 12.0)
    height_m: tuple[float, float] = (6.0, 15.0)
    material: str = "building"


@dataclass(frozen=True)
class StreetTxSpec:
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

    placement: str = "car"
    car_class: str = "car"
    lanes: tuple[int, ...] = ()
    bearing_deg: tuple[float, float] = (-50.0, 50.0)
    antenna_offset_m: float = 0.25
    position_m: tuple[float, float, float] = (29.0, 0.0, 1.2)


@dataclass(frozen=True)
class StreetSpec:
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

    length_m: float = 200.0
    lanes_x_m: tuple[float, ...] = (15.5, 18.6, 21.7, 24.8)
    lane_width_m: float = 3.1
    sidewalk_width_m: float = 4.0
    curb_offset_m: float = 0.6
    road_material: str = "road"
    ground_material: str = "ground"
    near_buildings: BuildingRowSpec = field(default_factory=BuildingRowSpec)
    far_buildings: BuildingRowSpec = field(default_factory=BuildingRowSpec)
    building_seed: int = 0
    zones: Mapping[str, str] = field(default_factory=dict)
    object_y_range_m: tuple[float, float] = (-60.0, 60.0)
    min_gap_m: float = 1.0
    lane_jitter_m: float = 0.3
    max_attempts: int = 100
    tx: StreetTxSpec = field(default_factory=StreetTxSpec)

    @property
    def road_x_m(self) -> tuple[float, float]:
        """x of the road's near and far edges [m]."""
        return (self.lanes_x_m[0] - self.lane_width_m / 2, self.lanes_x_m[-1] + self.lane_width_m / 2)

    def tx_lanes(self) -> tuple[int, ...]:
        """Lane indices the transmitting car may use (all lanes when ``tx.lanes`` is empty)."""
        return tuple(self.tx.lanes) if self.tx.lanes else tuple(range(len(self.lanes_x_m)))


@dataclass(frozen=True)
class SceneSpec:
    """A scene family: everything needed to sample, ray-trace and render its random instances.

    Attributes:
        name: Family name.
        description: Free text.
        layout: ``"hall"`` or ``"street"``.
        radio: Radio settings.
        solver: Path-solver settings.
        base_station: Base-station pose.
        camera: Camera settings.
        room: Room geometry (hall).
        materials: Named radio materials.
        classes: Object classes by name (the order defines class ids).
        placement: Placement rules (hall).
        street: Street geometry, object zones and the transmitter (street).
    """

    name: str = "factory"
    description: str = ""
    layout: str = "hall"
    radio: RadioSpec = field(default_factory=RadioSpec)
    solver: SolverSpec = field(default_factory=SolverSpec)
    base_station: BaseStationSpec = field(default_factory=BaseStationSpec)
    camera: CameraSpec = field(default_factory=CameraSpec)
    room: RoomSpec = field(default_factory=RoomSpec)
    materials: Mapping[str, MaterialSpec] = field(default_factory=dict)
    classes: Mapping[str, ObjectClassSpec] = field(default_factory=dict)
    placement: PlacementSpec = field(default_factory=PlacementSpec)
    street: StreetSpec = field(default_factory=StreetSpec)

    @property
    def class_names(self) -> list[str]:
        """Class names; class id ``k`` is ``class_names[k]``."""
        return list(self.classes)

    @property
    def max_objects(self) -> int:
        """Largest possible number of objects in one scene."""
        return sum(c.count[1] for c in self.classes.values())

    def to_dict(self) -> dict[str, Any]:
        """The resolved spec as plain JSON/YAML-able data (tuples become lists).

        Keys that belong to the other layout (:data:`LAYOUT_ONLY_KEYS`) are left out.
        """
        out = _to_plain(self)
        omit = [k for other, keys in LAYOUT_ONLY_KEYS.items() if other != self.layout for k in keys]
        if self.layout == "hall":
            omit += _HALL_IMPLIED_KEYS
        for key in omit:
            *parents, last = key.split(".")
            node = out
            for part in parents:
                node = node[part]
            node.pop(last, None)
        return out

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
    if os.path.isfile(text_path):
        base_dir = os.path.dirname(os.path.abspath(text_path))
    else:
        base_dir = str(resources.files("rvsim") / "scenes")
    return scene_spec_from_dict(data, source=source, base_dir=base_dir)


def scene_spec_from_dict(data: Mapping[str, Any], source: str = "scene spec",
                         base_dir: str | os.PathLike[str] | None = None) -> SceneSpec:
    """Build and validate a :class:`SceneSpec` from plain data (as read from YAML).

    Args:
        data: Nested mappings; missing keys take their defaults.
        source: Where the data came from, for error messages.
        base_dir: Folder that relative file paths in the data (``radio.codebook.path``) are relative to
            (the YAML file's folder); None: the current directory. The returned spec holds absolute paths.

    Raises:
        ConfigError: naming the key, the problem and what was received.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: the file must be a mapping. Received: {data!r}")
    layout = data.get("layout", "hall")
    if layout not in LAYOUTS:
        raise ConfigError(f"{source}: layout must be one of {', '.join(LAYOUTS)}. Received: layout={layout!r}")
    for other, keys in LAYOUT_ONLY_KEYS.items():
        if other == layout:
            continue
        for key in keys:
            node: Any = data
            for part in key.split("."):
                node = node.get(part, _MISSING) if isinstance(node, Mapping) else _MISSING
            if node is not _MISSING:
                raise ConfigError(f"{source}: {key} applies only to layout {other} (this scene's layout is "
                                  f"{layout}). Received: {key}={node!r}")
    spec = _build(SceneSpec, data, prefix="", source=source)
    spec = _resolve(spec, base_dir)
    try:
        _validate_spec(spec)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return spec


_MISSING = object()


def _resolve(spec: SceneSpec, base_dir: str | os.PathLike[str] | None) -> SceneSpec:
    """Fill in layout-dependent defaults and make file paths absolute."""
    radio = spec.radio
    if radio.mode is None:
        radio = dataclasses.replace(radio, mode="monostatic" if spec.layout == "hall" else "uplink")
    path = radio.codebook.path
    if path is not None and not os.path.isabs(os.path.expanduser(path)):
        root = os.fspath(base_dir) if base_dir is not None else os.getcwd()
        path = os.path.normpath(os.path.join(root, os.path.expanduser(path)))
        radio = dataclasses.replace(radio, codebook=dataclasses.replace(radio.codebook, path=path))
    elif path is not None:
        radio = dataclasses.replace(radio, codebook=dataclasses.replace(radio.codebook,
                                                                        path=os.path.expanduser(path)))
    return dataclasses.replace(spec, radio=radio) if radio is not spec.radio else spec


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
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{source}: {key} must be a list. Received: {key}={value!r}")
        return tuple(_convert(args[0], v, f"{key}[{i}]", source) for i, v in enumerate(value))
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
    _require(spec.layout in LAYOUTS, f"layout must be one of {', '.join(LAYOUTS)}. Received: {spec.layout!r}")
    hall = spec.layout == "hall"
    r = spec.radio
    _require(r.frequency_hz > 0, f"radio.frequency_hz must be positive. Received: {r.frequency_hz}")
    if hall:
        _require(0 < r.bandwidth_hz < r.frequency_hz,
                 f"radio.bandwidth_hz must be positive and below the carrier. Received: {r.bandwidth_hz}")
        _require(r.num_subcarriers >= 8,
                 f"radio.num_subcarriers must be at least 8. Received: {r.num_subcarriers}")
    arrays = (("tx_array", r.tx_array), ("rx_array", r.rx_array)) if hall else (("tx_array", r.tx_array),)
    for name, arr in arrays:
        _require(arr.num_rows >= 1 and arr.num_cols >= 1,
                 f"radio.{name} must have at least one row and column. "
                 f"Received: num_rows={arr.num_rows}, num_cols={arr.num_cols}")
        _require(arr.spacing_wavelengths > 0,
                 f"radio.{name}.spacing_wavelengths must be positive. Received: {arr.spacing_wavelengths}")
        _require(arr.pattern in ("iso", "dipole", "hw_dipole", "tr38901"),
                 f"radio.{name}.pattern must be one of iso, dipole, hw_dipole, tr38901. Received: {arr.pattern!r}")
        _require(arr.polarization in ("V", "H", "VH", "cross"),
                 f"radio.{name}.polarization must be one of V, H, VH, cross. Received: {arr.polarization!r}")
    if hall:
        _validate_hall_radio(r)
    mode = r.mode if r.mode is not None else ("monostatic" if hall else "uplink")
    _require(mode == ("monostatic" if hall else "uplink"),
             f"radio.mode must be {'monostatic' if hall else 'uplink'} for layout {spec.layout} (the only mode "
             f"it supports). Received: {r.mode!r}")
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
    if hall:
        _validate_hall_room(spec)
    _validate_materials_and_classes(spec)
    if hall:
        _validate_hall_placement(spec)
    else:
        _validate_street(spec)


def _validate_hall_radio(r: RadioSpec) -> None:
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


def _validate_hall_room(spec: SceneSpec) -> None:
    room = spec.room
    _require(room.length_m > 1 and room.width_m > 1 and room.wall_height_m > 0.5,
             f"room is too small. Received: length_m={room.length_m}, width_m={room.width_m}, "
             f"wall_height_m={room.wall_height_m}")
    bs = spec.base_station
    _require(0 < bs.position_m[0] < room.length_m and abs(bs.position_m[1]) < room.width_m / 2
             and 0 < bs.position_m[2] < room.wall_height_m,
             f"base_station.position_m must lie inside the room. Received: {list(bs.position_m)}")


def _validate_materials_and_classes(spec: SceneSpec) -> None:
    room = spec.room
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
    if spec.layout == "hall":
        static = (("room.floor_material", room.floor_material), ("room.wall_material", room.wall_material),
                  ("room.racks.material", room.racks.material))
    else:
        st = spec.street
        static = (("street.road_material", st.road_material), ("street.ground_material", st.ground_material),
                  ("street.near_buildings.material", st.near_buildings.material),
                  ("street.far_buildings.material", st.far_buildings.material))
    for where, mname in static:
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


def _validate_hall_placement(spec: SceneSpec) -> None:
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

#: Largest fraction of the lanes' (or curb lines') length that vehicles (or poles and trees) may cover.
MAX_LINE_DENSITY = 0.5


def _range_ok(pair: tuple[float, float], low: float = 0.0, strict: bool = True) -> bool:
    return (pair[0] > low if strict else pair[0] >= low) and pair[0] <= pair[1]


def _validate_street(spec: SceneSpec) -> None:
    r, st, bs = spec.radio, spec.street, spec.base_station
    _require(r.tx_array.num_rows == 1 and r.tx_array.num_cols == 1 and r.tx_array.polarization in ("V", "H"),
             f"radio.tx_array must be a single antenna (num_rows = num_cols = 1) with polarization V or H in a "
             f"street (the transmitter's quasi-omni antenna). Received: num_rows={r.tx_array.num_rows}, "
             f"num_cols={r.tx_array.num_cols}, polarization={r.tx_array.polarization!r}")
    cb = r.codebook
    _require(cb.kind in ("dft", "measured"),
             f"radio.codebook.kind must be dft or measured. Received: {cb.kind!r}")
    if cb.kind == "dft":
        _require(cb.num_elements >= 1 and cb.num_beams >= 1,
                 f"radio.codebook needs num_elements >= 1 and num_beams >= 1. "
                 f"Received: num_elements={cb.num_elements}, num_beams={cb.num_beams}")
        _require(0 < cb.fov_deg < 180, f"radio.codebook.fov_deg must be in (0, 180). Received: {cb.fov_deg}")
    else:
        _require(cb.path is not None, "radio.codebook.path must name the measured patterns file (.npz) when "
                                      "kind is measured. Received: path=None")
        _require(os.path.isfile(str(cb.path)),
                 f"radio.codebook.path: file not found. Received: {cb.path!r}")
        from rvsim.real.codebook import load_codebook

        try:
            load_codebook(str(cb.path))
        except InputError as exc:
            raise ConfigError(f"radio.codebook.path is not a beam-pattern file ({str(exc).split('. Received')[0]})."
                              f" Received: {cb.path!r}") from None
    rc = r.receiver
    _require(rc.noise_floor_db[0] <= rc.noise_floor_db[1],
             f"radio.receiver.noise_floor_db must be [min, max] with min <= max. Received: {list(rc.noise_floor_db)}")
    _require(0 < rc.noise_cv <= 1, f"radio.receiver.noise_cv must be in (0, 1]. Received: {rc.noise_cv}")
    _require(rc.floor_db < 0, f"radio.receiver.floor_db must be negative. Received: {rc.floor_db}")
    _require(st.length_m >= 20, f"street.length_m must be at least 20. Received: {st.length_m}")
    lanes = st.lanes_x_m
    _require(len(lanes) >= 1, "street.lanes_x_m must list at least one lane. Received: []")
    _require(st.lane_width_m >= 1.5, f"street.lane_width_m must be at least 1.5. Received: {st.lane_width_m}")
    _require(all(b - a >= st.lane_width_m - 1e-9 for a, b in zip(lanes, lanes[1:])),
             f"street.lanes_x_m must increase by at least lane_width_m ({st.lane_width_m}) from lane to lane. "
             f"Received: {list(lanes)}")
    _require(st.sidewalk_width_m >= 1, f"street.sidewalk_width_m must be at least 1. Received: {st.sidewalk_width_m}")
    _require(0 < st.curb_offset_m < st.sidewalk_width_m,
             f"street.curb_offset_m must be in (0, sidewalk_width_m). Received: {st.curb_offset_m}")
    road0, road1 = st.road_x_m
    half = st.length_m / 2
    _require(road0 - st.sidewalk_width_m > bs.position_m[0] and abs(bs.position_m[1]) < half
             and bs.position_m[2] > 0,
             f"base_station.position_m must stand on the near side, before the near sidewalk (x < "
             f"{road0 - st.sidewalk_width_m:g}), within the street's length and above the ground. "
             f"Received: {list(bs.position_m)}")
    _require(abs(bs.yaw_deg) < 90,
             f"base_station.yaw_deg must be in (-90, 90) (the array faces the street, +x). Received: {bs.yaw_deg}")
    for side, row in (("near_buildings", st.near_buildings), ("far_buildings", st.far_buildings)):
        _require(row.setback_m >= 0 and row.depth_m > 0,
                 f"street.{side} needs setback_m >= 0 and depth_m > 0. "
                 f"Received: setback_m={row.setback_m}, depth_m={row.depth_m}")
        for key in ("length_m", "height_m"):
            _require(_range_ok(getattr(row, key)), f"street.{side}.{key} must be [min, max] with 0 < min <= max. "
                                                   f"Received: {list(getattr(row, key))}")
        _require(_range_ok(row.gap_m, strict=False),
                 f"street.{side}.gap_m must be [min, max] with 0 <= min <= max. Received: {list(row.gap_m)}")
    missing = [c for c in spec.classes if c not in st.zones]
    _require(not missing, f"street.zones must give every class a zone ({', '.join(STREET_ZONES)}). "
                          f"Received: no zone for {missing[0] if missing else ''!r}")
    for cname, zone in st.zones.items():
        _require(cname in spec.classes, f"street.zones names an undefined class (defined: "
                                        f"{', '.join(spec.classes)}). Received: {cname!r}")
        _require(zone in STREET_ZONES, f"street.zones.{cname} must be one of {', '.join(STREET_ZONES)}. "
                                       f"Received: {zone!r}")
    y0, y1 = st.object_y_range_m
    _require(-half < y0 < y1 < half,
             f"street.object_y_range_m must be [min, max] inside the street (-{half:g}, {half:g}). "
             f"Received: {[y0, y1]}")
    _require(st.min_gap_m >= 0, f"street.min_gap_m must be >= 0. Received: {st.min_gap_m}")
    _require(st.lane_jitter_m >= 0, f"street.lane_jitter_m must be >= 0. Received: {st.lane_jitter_m}")
    _require(st.max_attempts >= 1, f"street.max_attempts must be positive. Received: {st.max_attempts}")
    # capacity: vehicles along the lanes, poles and trees along the two curb lines, pedestrians on sidewalks
    by_zone: dict[str, list[ObjectClassSpec]] = {z: [] for z in STREET_ZONES}
    for cname, cls in spec.classes.items():
        by_zone[st.zones[cname]].append(cls)
    for cname, cls in spec.classes.items():
        if st.zones[cname] == "lane":
            _require(cls.size_m.width[1] + 2 * st.lane_jitter_m <= st.lane_width_m,
                     f"classes.{cname} is wider (plus twice street.lane_jitter_m) than a lane "
                     f"({st.lane_width_m:g} m). Received: size_m.width={list(cls.size_m.width)}")
    span = y1 - y0
    need = sum(c.count[1] * (c.size_m.length[1] + st.min_gap_m) for c in by_zone["lane"])
    _require(need <= MAX_LINE_DENSITY * span * len(lanes),
             f"more vehicles than fit on the lanes: at their largest they need {need:.1f} m of lane but "
             f"{len(lanes)} lane(s) of {span:g} m allow {MAX_LINE_DENSITY * span * len(lanes):.1f} m. Received: counts "
             + ", ".join(f"{n}={list(c.count)}" for n, c in spec.classes.items() if st.zones[n] == "lane"))
    need = sum(c.count[1] * (max(c.size_m.length[1], c.size_m.width[1]) + st.min_gap_m) for c in by_zone["curb"])
    _require(need <= MAX_LINE_DENSITY * 2 * span,
             f"more curb objects than fit on the two curb lines: they need {need:.1f} m of {2 * span:g} m. "
             "Received: counts "
             + ", ".join(f"{n}={list(c.count)}" for n, c in spec.classes.items() if st.zones[n] == "curb"))
    need = sum(c.count[1] * math.pi * (0.5 * math.hypot(c.size_m.length[1], c.size_m.width[1]) + st.min_gap_m / 2) ** 2
               for c in by_zone["sidewalk"])
    area = 2 * st.sidewalk_width_m * span
    _require(need <= MAX_PACKING_DENSITY * area,
             f"more pedestrians than fit on the sidewalks: they need {need:.1f} m^2 of {area:.1f} m^2 (at most "
             f"{MAX_PACKING_DENSITY:.0%}). Received: counts "
             + ", ".join(f"{n}={list(c.count)}" for n, c in spec.classes.items() if st.zones[n] == "sidewalk"))
    tx = st.tx
    _require(tx.placement in ("car", "fixed"), f"street.tx.placement must be car or fixed. Received: {tx.placement!r}")
    if tx.placement == "car":
        _require(tx.car_class in spec.classes, f"street.tx.car_class names an undefined class (defined: "
                                               f"{', '.join(spec.classes)}). Received: {tx.car_class!r}")
        car = spec.classes[tx.car_class]
        _require(st.zones[tx.car_class] == "lane" and car.count[0] >= 1,
                 f"street.tx.car_class must be a lane class with count min >= 1 (one of them carries the "
                 f"transmitter). Received: {tx.car_class!r} zone={st.zones[tx.car_class]!r} count={list(car.count)}")
        _require(all(0 <= k < len(lanes) for k in tx.lanes),
                 f"street.tx.lanes must be indices into street.lanes_x_m (0..{len(lanes) - 1}). "
                 f"Received: {list(tx.lanes)}")
        b0, b1 = tx.bearing_deg
        _require(b0 < b1 and -85 < b0 + bs.yaw_deg and b1 + bs.yaw_deg < 85,
                 f"street.tx.bearing_deg must be [min, max] with min < max and within +-85 deg of the street's "
                 f"normal (base_station.yaw_deg + bearing). Received: {[b0, b1]}")
        _require(tx.antenna_offset_m > 0,
                 f"street.tx.antenna_offset_m must be positive. Received: {tx.antenna_offset_m}")
        ymax = max(abs(bs.position_m[1] + (lanes[k] - bs.position_m[0]) * math.tan(math.radians(b + bs.yaw_deg)))
                   for k in st.tx_lanes() for b in (b0, b1))
        _require(ymax + car.size_m.length[1] / 2 <= half,
                 f"street.tx.bearing_deg reaches y = {ymax:.1f} m on the far lane, beyond the street "
                 f"(length_m / 2 = {half:g}). Received: {[b0, b1]}")
    else:
        x, y, z = tx.position_m
        far_front = road1 + st.sidewalk_width_m + st.far_buildings.setback_m
        _require(bs.position_m[0] < x < far_front and abs(y) < half and z > 0,
                 f"street.tx.position_m must lie between the base station and the far buildings (x in "
                 f"({bs.position_m[0]:g}, {far_front:g})), within the street and above the ground. "
                 f"Received: {list(tx.position_m)}")
        _require(not (road0 < x < road1), f"street.tx.position_m must not stand on the road (x in "
                                          f"({road0:g}, {road1:g})). Received: {list(tx.position_m)}")


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
