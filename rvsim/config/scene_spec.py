"""A scene family's spec: the parts every layout shares, and :class:`SceneSpec`, which holds them all.

A scene family (``scenes/factory.yaml``, ``scenes/street.yaml``) describes everything a user would change: the
radio, the path solver, the camera, the static geometry (a hall's room, or a street), the materials, the object
classes with their size ranges, materials and count ranges, and where objects may be placed.

Two layouts exist (``layout``): ``"hall"`` (the default; a monostatic base station in a room,
:mod:`rvsim.config.hall_spec`) and ``"street"`` (a DeepSense-6G-like street; a car or a fixed transmitter sends
to the base station, whose 64-beam codebook turns the ray-traced paths into a beam-power vector,
:mod:`rvsim.config.street_spec`). Each layout has its own keys (:data:`LAYOUT_ONLY_KEYS`); giving a key of the
other layout is an error, and :meth:`SceneSpec.to_dict` leaves them out, so a hall's resolved spec is the same
as before the street layout existed.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from rvsim.config.hall_spec import PlacementSpec, RoomSpec, check_hall_scene
from rvsim.config.radio_spec import RadioSpec
from rvsim.config.sequence_spec import MotionSpec, SequenceSpec
from rvsim.config.spec_model import IntPair, Number, Pair, SpecModel, Triple, field_rule, require, spec_rule
from rvsim.config.street_spec import StreetSpec, check_street_scene

__all__ = [
    "SolverSpec",
    "BaseStationSpec",
    "CameraSpec",
    "MaterialSpec",
    "SizeRange",
    "ObjectClassSpec",
    "SceneSpec",
    "SHAPES",
    "LAYOUTS",
    "LAYOUT_ONLY_KEYS",
    "MAX_OBJECTS_PER_CLASS",
]

Shape = Literal["person", "robot", "forklift", "pallet_stack", "box", "car", "truck", "pole", "tree"]
Layout = Literal["hall", "street"]

#: Procedural object shapes rvsim can build (see :mod:`rvsim.sim.object_meshes`).
SHAPES: tuple[str, ...] = typing.get_args(Shape)

#: Scene layouts: the static geometry and the radio link they imply.
LAYOUTS: tuple[str, ...] = typing.get_args(Layout)

#: Keys (dotted paths) that only one layout uses: rejected when given for the other layout and left out of
#: :meth:`SceneSpec.to_dict`.
LAYOUT_ONLY_KEYS: dict[str, tuple[str, ...]] = {
    "hall": ("room", "placement", "radio.rx_array", "radio.range_angle", "radio.bandwidth_hz",
             "radio.num_subcarriers"),
    "street": ("street", "radio.codebook", "radio.receiver"),
}

#: The radio mode of each layout (the only one it supports).
LAYOUT_MODES: dict[str, str] = {"hall": "monostatic", "street": "uplink"}

#: Keys left out of a hall's :meth:`SceneSpec.to_dict` (they hold the hall's defaults), so that a hall's
#: resolved spec is the same as before layouts existed.
_HALL_IMPLIED_KEYS: tuple[str, ...] = ("layout", "radio.mode")

#: Most instances of one class in a scene (each has a mesh slot in the persistent scenes).
MAX_OBJECTS_PER_CLASS = 32

#: Cross-field rules of each layout, run after the shared ones.
_LAYOUT_CHECKS: dict[str, Callable[[SceneSpec], None]] = {"hall": check_hall_scene, "street": check_street_scene}


def _size_range(value: tuple[float, float]) -> tuple[float, float]:
    if not 0 < value[0] <= value[1]:
        raise field_rule("must be [min, max] with 0 < min <= max", value)
    return value


def _count_range(value: tuple[int, int]) -> tuple[int, int]:
    if not 0 <= value[0] <= value[1] <= MAX_OBJECTS_PER_CLASS:
        raise field_rule(f"must be [min, max] with 0 <= min <= max <= {MAX_OBJECTS_PER_CLASS}", value)
    return value


def _unit_colour(value: tuple[float, float, float]) -> tuple[float, float, float]:
    if not all(0 <= v <= 1 for v in value):
        raise field_rule("must have values in [0, 1]", value)
    return value


SizeInterval = Annotated[Pair, AfterValidator(_size_range)]
CountRange = Annotated[IntPair, AfterValidator(_count_range)]
Colour = Annotated[Triple, AfterValidator(_unit_colour)]


class SolverSpec(SpecModel):
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

    max_depth: int = Field(default=2, ge=0, le=10)
    samples_per_src: int = Field(default=20000, ge=1)
    max_num_paths_per_src: int = Field(default=200000, ge=1)
    specular_reflection: bool = True
    diffuse_reflection: bool = True
    refraction: bool = False
    diffraction: bool = False
    seed: int = Field(default=0, ge=0)


class BaseStationSpec(SpecModel):
    """Pose of the base station (radio and camera are co-located).

    Attributes:
        position_m: Position ``(x, y, z)`` [m]. The room's back wall is at ``x = 0``.
        yaw_deg: Azimuth of the array broadside and of the camera axis [deg]; 0 looks along +x.
    """

    position_m: Triple = (0.3, 0.0, 3.0)
    yaw_deg: Number = 0.0


class CameraSpec(SpecModel):
    """The base-station camera.

    Attributes:
        width: Image width [px], in [8, 4096].
        height: Image height [px], in [8, 4096].
        fov_deg: Horizontal field of view [deg].
        pitch_deg: Elevation of the optical axis [deg]; negative looks down.
        spp: Samples per pixel of the RGB render.
    """

    width: int = 64
    height: int = 64
    fov_deg: Number = Field(default=90.0, gt=0, lt=170)
    pitch_deg: Number = Field(default=-20.0, gt=-89, lt=89)
    spp: int = Field(default=4, ge=1)

    @model_validator(mode="after")
    def _image_size(self) -> CameraSpec:
        require(8 <= self.width <= 4096 and 8 <= self.height <= 4096,
                f"camera width and height must be in [8, 4096] px. Received: {self.width}x{self.height}")
        return self


class MaterialSpec(SpecModel):
    """A radio material, either an ITU material or given by its electromagnetic properties.

    Attributes:
        itu_type: ITU-R P.2040 material name (``"concrete"``, ``"metal"``, ``"wood"``, ...), or None.
        relative_permittivity: Used when ``itu_type`` is None (>= 1).
        conductivity: Conductivity [S/m], used when ``itu_type`` is None (>= 0).
        thickness_m: Thickness [m].
        scattering_coefficient: Fraction of energy scattered diffusely, in [0, 1].
        color: Display colour ``(r, g, b)`` in [0, 1] for the camera.
    """

    itu_type: str | None = None
    relative_permittivity: Number = 1.0
    conductivity: Number = 0.0
    thickness_m: Number = Field(default=0.1, gt=0)
    scattering_coefficient: Number = Field(default=0.3, ge=0, le=1)
    color: Colour = (0.6, 0.6, 0.6)

    @model_validator(mode="after")
    def _own_properties(self) -> MaterialSpec:
        if self.itu_type is None:
            if self.relative_permittivity < 1:
                raise field_rule("must be >= 1", self.relative_permittivity, key="relative_permittivity")
            if self.conductivity < 0:
                raise field_rule("must be >= 0", self.conductivity, key="conductivity")
        return self


class SizeRange(SpecModel):
    """Uniform size ranges of an object class ``[min, max]`` [m], each with ``0 < min <= max``."""

    length: SizeInterval = (1.0, 1.0)
    width: SizeInterval = (1.0, 1.0)
    height: SizeInterval = (1.0, 1.0)


class ObjectClassSpec(SpecModel):
    """An object class.

    Attributes:
        shape: Procedural shape, one of :data:`SHAPES`.
        size_m: Size ranges (length along the object's heading, width, height) [m].
        material: Name of a material in :attr:`SceneSpec.materials`.
        count: Inclusive range ``[min, max]`` of instances per scene.
        motion: How its objects move in a sequence (``SceneSpec.sequence``); still by default.
    """

    shape: Shape = "box"
    size_m: SizeRange = Field(default_factory=SizeRange)
    material: str = "metal"
    count: CountRange = (0, 1)
    motion: MotionSpec = Field(default_factory=MotionSpec)


class SceneSpec(SpecModel):
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
        sequence: Sampling into sequences of frames (:mod:`rvsim.config.sequence_spec`); ``None``: every
            sample is an independent still scene.
    """

    name: str = "factory"
    description: str = ""
    layout: Layout = "hall"
    radio: RadioSpec = Field(default_factory=RadioSpec)
    solver: SolverSpec = Field(default_factory=SolverSpec)
    base_station: BaseStationSpec = Field(default_factory=BaseStationSpec)
    camera: CameraSpec = Field(default_factory=CameraSpec)
    room: RoomSpec = Field(default_factory=RoomSpec)
    materials: dict[str, MaterialSpec] = Field(default_factory=dict)
    classes: dict[str, ObjectClassSpec] = Field(default_factory=dict)
    placement: PlacementSpec = Field(default_factory=PlacementSpec)
    street: StreetSpec = Field(default_factory=StreetSpec)
    sequence: SequenceSpec | None = None

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

        Keys that belong to the other layout (:data:`LAYOUT_ONLY_KEYS`) are left out, and so is
        ``radio.range_angle.range_oversampling`` at its default 1, ``sequence`` when there is none and a class's
        ``motion`` when it is still (specs written before those keys existed resolve to what they hold).
        """
        out = self.model_dump(mode="json")
        omit = [k for other, keys in LAYOUT_ONLY_KEYS.items() if other != self.layout for k in keys]
        if self.layout == "hall":
            omit += _HALL_IMPLIED_KEYS
        for key in omit:
            *parents, last = key.split(".")
            node = out
            for part in parents:
                node = node[part]
            node.pop(last, None)
        ra = out.get("radio", {}).get("range_angle")
        if isinstance(ra, dict) and ra.get("range_oversampling") == 1:
            ra.pop("range_oversampling")  # the default: a spec (and manifest) written before the key existed
        # still scenes resolve to what they held before sequences existed
        if out.get("sequence") is None:
            out.pop("sequence", None)
        still = MotionSpec().model_dump(mode="json")
        for cls in out.get("classes", {}).values():
            if cls.get("motion") == still:
                cls.pop("motion")
        return out

    @model_validator(mode="before")
    @classmethod
    def _layout_keys(cls, data: Any) -> Any:
        """Refuse the other layout's keys; fill in the layout's radio mode."""
        if not isinstance(data, Mapping):
            return data
        layout = data.get("layout", "hall")
        if layout not in LAYOUTS:
            raise spec_rule(f"layout must be one of {', '.join(LAYOUTS)}. Received: layout={layout!r}")
        for other, keys in LAYOUT_ONLY_KEYS.items():
            if other == layout:
                continue
            for key in keys:
                node: Any = data
                for part in key.split("."):
                    node = node.get(part, _MISSING) if isinstance(node, Mapping) else _MISSING
                if node is not _MISSING:
                    raise spec_rule(f"{key} applies only to layout {other} (this scene's layout is {layout}). "
                                    f"Received: {key}={node!r}")
        radio = data.get("radio", {})
        if isinstance(radio, Mapping) and radio.get("mode") is None:
            data = {**data, "radio": {**radio, "mode": LAYOUT_MODES[layout]}}
        elif isinstance(radio, RadioSpec) and radio.mode is None:
            data = {**data, "radio": radio.model_copy(update={"mode": LAYOUT_MODES[layout]})}
        return data

    @model_validator(mode="after")
    def _rules(self) -> SceneSpec:
        """The rules every layout shares, then the layout's own."""
        mode = LAYOUT_MODES[self.layout]
        require(self.radio.mode == mode, f"radio.mode must be {mode} for layout {self.layout} (the only mode it "
                                         f"supports). Received: {self.radio.mode!r}")
        mats = self.materials
        require(len(mats) > 0, "materials must define at least one material. Received: none")
        require(len(self.classes) > 0, "classes must define at least one object class. Received: none")
        for cname, c in self.classes.items():
            require(c.material in mats, f"classes.{cname}.material names an undefined material "
                                        f"(defined: {', '.join(mats)}). Received: {c.material!r}")
        require(self.max_objects >= 1, f"the classes' count ranges allow no object at all. "
                                       f"Received: max objects = {self.max_objects}")
        require(self.sequence is None or self.sequence.doppler is None or self.layout == "hall",
                f"sequence.doppler (the range-Doppler map) needs layout hall (the street measures beam powers). "
                f"Received: layout={self.layout!r} with sequence.doppler")
        _LAYOUT_CHECKS[self.layout](self)
        return self


_MISSING = object()
