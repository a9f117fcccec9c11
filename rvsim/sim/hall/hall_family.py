"""The hall family: a monostatic base station in a room (CFR and range–angle maps, plus the camera).

Every rule of a hall spec is decidable from the spec (:mod:`rvsim.config.hall_spec`); the materials are
checked against Sionna's ITU table for every family by :func:`rvsim.sim.scene_families.check_scene_spec`.
"""

from __future__ import annotations

from rvsim.sim.hall.hall_sample_generator import HallSampleGenerator
from rvsim.sim.scene_family import SceneFamily

__all__ = ["HALL_FAMILY"]

#: The hall family.
HALL_FAMILY = SceneFamily(layout="hall", sample_generator=HallSampleGenerator)
