"""A persistent Sionna RT scene of a family: its static geometry and every object slot, added in one edit.

:func:`populate_scene` adds the static meshes (one merged mesh per material) and the object slots, parked,
to a Sionna scene in one ``scene.edit`` call (one rebuild of the acceleration structure);
:func:`make_mitsuba_mesh` builds the Mitsuba triangle meshes both the radio engines and the camera use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from rvsim.config import SceneSpec
from rvsim.errors import ConfigError
from rvsim.sim.object_slots import ObjectSlots
from rvsim.sim.radio_materials import make_radio_material
from rvsim.sim.scene_state import SceneState

__all__ = ["populate_scene", "make_mitsuba_mesh", "move_slots"]


def make_mitsuba_mesh(mi: Any, name: str, vertices: np.ndarray, faces: np.ndarray, props: Any = None) -> Any:
    """A Mitsuba triangle mesh from numpy vertices ``(V, 3)`` [m] and faces ``(F, 3)`` (current variant)."""
    if props is None:
        mesh = mi.Mesh(name, vertex_count=len(vertices), face_count=len(faces),
                       has_vertex_normals=False, has_vertex_texcoords=False)
    else:
        mesh = mi.Mesh(name, vertex_count=len(vertices), face_count=len(faces),
                       has_vertex_normals=False, has_vertex_texcoords=False, props=props)
    params = mi.traverse(mesh)
    params["vertex_positions"] = mi.Float(np.ascontiguousarray(vertices, dtype=np.float32).ravel())
    params["faces"] = mi.UInt32(np.ascontiguousarray(faces, dtype=np.uint32).ravel())
    params.update()
    return mesh


def populate_scene(rt: Any, mi: Any, scene: Any, spec: SceneSpec, static_meshes: Mapping[str, Any],
                   slots: ObjectSlots) -> None:
    """Add the static geometry (one mesh per material name) and every object slot, parked, to a Sionna scene.

    One ``scene.edit`` call for all objects (one rebuild of the acceleration structure).

    Raises:
        ConfigError: if a material is not defined at the carrier frequency.
    """
    used = set(static_meshes) | {c.material for c in spec.classes.values()}
    materials = {name: make_radio_material(rt, name, spec.materials[name]) for name in sorted(used)}
    objects = [rt.SceneObject(mi_mesh=make_mitsuba_mesh(mi, f"static-{m}", mesh.vertices, mesh.faces),
                              name=f"static-{m}", radio_material=materials[m]) for m, mesh in static_meshes.items()]
    parked = slots.vertices(SceneState.empty())
    for j, name in enumerate(slots.slot_names):
        cls = spec.classes[spec.class_names[slots.slot_class[j]]]
        objects.append(rt.SceneObject(mi_mesh=make_mitsuba_mesh(mi, name, parked[j], slots.faces(j)),
                                      name=name, radio_material=materials[cls.material]))
    try:
        scene.edit(add=objects)
    except ValueError as exc:
        raise ConfigError(f"{exc}. Received: radio.frequency_hz={spec.radio.frequency_hz:g}") from None


def move_slots(mi: Any, params: Any, slots: ObjectSlots, state: SceneState) -> None:
    """Write every slot's world vertices for a scene state (unused slots parked) and update the scene once.

    Args:
        mi: The Mitsuba module, in the variant of the scene ``params`` belongs to.
        params: The scene's parameters (``scene.mi_scene_params`` or ``mi.traverse(scene)``).
        slots: The family's object slots.
        state: Object poses.
    """
    for name, verts in zip(slots.slot_names, slots.vertices(state)):
        params[f"{name}.vertex_positions"] = mi.Float(np.ascontiguousarray(verts, np.float32).ravel())
    params.update()
