"""Scene-family specifications: validated pydantic models, read from YAML, with one-line errors.

This package holds specs only: it imports no other rvsim layer (not the simulator, not real data).
:func:`load_scene_spec` reads a YAML file (or the name of a built-in family), fills in defaults and checks
every key, type and value: an unknown key, a wrong type or an impossible value raises
:class:`~rvsim.errors.ConfigError` whose message names the key and ends with what was received. Checks that
need the simulator's knowledge (Sionna's ITU material table, a measured beam-pattern file) are the scene
families' own, in :func:`rvsim.sim.check_scene_spec`.

Modules: :mod:`~rvsim.config.scene_spec` (the shared parts and :class:`SceneSpec`),
:mod:`~rvsim.config.radio_spec`, :mod:`~rvsim.config.hall_spec` and :mod:`~rvsim.config.street_spec` (each
layout's part and rules), :mod:`~rvsim.config.scene_loading` (YAML in), :mod:`~rvsim.config.spec_model` and
:mod:`~rvsim.config.validation_message` (the base model and the one error formatter).
"""

from __future__ import annotations

from rvsim.config.hall_spec import MAX_PACKING_DENSITY, PlacementSpec, RacksSpec, RoomSpec, placement_area
from rvsim.config.radio_spec import ArraySpec, CodebookSpec, RadioSpec, RangeAngleSpec, ReceiverSpec
from rvsim.config.scene_loading import builtin_scene_names, load_scene_spec, scene_spec_from_dict
from rvsim.config.scene_spec import (
    LAYOUT_ONLY_KEYS,
    LAYOUTS,
    SHAPES,
    BaseStationSpec,
    CameraSpec,
    MaterialSpec,
    ObjectClassSpec,
    SceneSpec,
    SizeRange,
    SolverSpec,
)
from rvsim.config.sequence_spec import DopplerSpec, MotionSpec, SequenceSpec
from rvsim.config.street_spec import STREET_ZONES, BuildingRowSpec, StreetSpec, StreetTxSpec
from rvsim.config.validation_message import format_validation_error

__all__ = [
    "ArraySpec",
    "RangeAngleSpec",
    "RadioSpec",
    "SolverSpec",
    "MotionSpec",
    "DopplerSpec",
    "SequenceSpec",
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
    "format_validation_error",
    "SHAPES",
    "LAYOUTS",
    "STREET_ZONES",
    "LAYOUT_ONLY_KEYS",
    "placement_area",
    "MAX_PACKING_DENSITY",
]
