"""Mesh slots for the movable objects of a scene family: one slot per possible object, moved by vertex writes.

Building a Sionna scene and its acceleration structure per sample dominates the cost on a CPU, so every
engine and the camera build one persistent scene with one mesh *slot* per possible object (``count[1]``
slots per class, with the class's template topology). Each scene state writes the world vertices of the
used slots and parks the unused ones below the ground, out of reach of every ray.
"""

from __future__ import annotations

import numpy as np

from rvsim.config import SceneSpec
from rvsim.errors import ConfigError
from rvsim.sim.object_meshes import object_template, place_vertices
from rvsim.sim.scene_state import SceneState

__all__ = ["ObjectSlots", "PARK_DEPTH_M"]

#: Where unused object slots are parked: below the floor slab, out of reach of every ray.
PARK_DEPTH_M = -50.0


class ObjectSlots:
    """Mesh slots for the movable objects of a scene family (pure geometry, no Sionna).

    Slot ``j`` belongs to class ``slot_class[j]``; a scene state's objects of class ``c`` fill that class's
    slots in order.

    Args:
        spec: The scene family.
    """

    def __init__(self, spec: SceneSpec) -> None:
        self.spec = spec
        self.templates = {name: object_template(cls.shape) for name, cls in spec.classes.items()}
        self.slot_class: list[int] = []
        self.slot_names: list[str] = []
        for cid, (name, cls) in enumerate(spec.classes.items()):
            for k in range(cls.count[1]):
                self.slot_class.append(cid)
                self.slot_names.append(f"obj-{name}-{k}")
        park = np.array([spec.room.length_m / 2, 0.0, PARK_DEPTH_M])
        self._parked = [place_vertices(self.templates[spec.class_names[c]].vertices, np.full(3, 0.1), 0.0, park)
                        for c in self.slot_class]

    @property
    def num_slots(self) -> int:
        """Number of slots."""
        return len(self.slot_class)

    def assign(self, state: SceneState) -> np.ndarray:
        """Slot index of each object of ``state``, shape ``(num_objects,)``.

        Raises:
            ConfigError: if the state has more objects of a class than the class's slots.
        """
        free: dict[int, list[int]] = {}
        for j, c in enumerate(self.slot_class):
            free.setdefault(c, []).append(j)
        out = np.empty(state.num_objects, np.int64)
        for i, c in enumerate(state.class_ids):
            slots = free.get(int(c), [])
            if not slots:
                raise ConfigError(f"scene state has more objects of class {int(c)} than the family allows. "
                                  f"Received: {int(np.sum(state.class_ids == c))}")
            out[i] = slots.pop(0)
        return out

    def vertices(self, state: SceneState) -> list[np.ndarray]:
        """World vertices of every slot for a scene state (unused slots parked), each ``(num_vertices, 3)``."""
        out = list(self._parked)
        for i, j in enumerate(self.assign(state)):
            template = self.templates[self.spec.class_names[self.slot_class[j]]]
            out[j] = place_vertices(template.vertices, state.sizes[i], float(state.yaws[i]), state.positions[i])
        return out

    def faces(self, slot: int) -> np.ndarray:
        """Triangle indices of a slot, shape ``(num_faces, 3)``."""
        return np.asarray(self.templates[self.spec.class_names[self.slot_class[slot]]].faces)
