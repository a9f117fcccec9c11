"""The radio side of the street layout: one transmitter, one receiving base station, a persistent Sionna RT scene.

A :class:`LinkEngine` builds the static street once (one merged mesh per material) plus one mesh slot per
possible object, like :class:`~rvsim.sim.hall.radio_engine.RadioEngine` does for the hall. Per street state it
writes the slots' vertices, moves the transmitter (a car's roof or a fixed point; moving a radio device
rebuilds nothing), and runs Sionna RT's deterministic ``PathSolver`` with the line-of-sight path enabled.

The base station receives with a single isotropic antenna: the beams of its 16-element array are formed
afterwards from each path's arrival azimuth through a beam codebook (:mod:`rvsim.sim.street.street_receiver`),
the way the measured DeepSense patterns describe the real array. :meth:`LinkEngine.los_blocked` tests the
straight segment from the transmitter to the base station against every mesh of the scene.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rvsim.config import SceneSpec
from rvsim.radio.angles import wrap_deg
from rvsim.sim.object_slots import ObjectSlots
from rvsim.sim.path_data import PathData, solve_paths
from rvsim.sim.scene_state import SceneState
from rvsim.sim.sionna_import import import_sionna_rt
from rvsim.sim.sionna_scene import move_slots, populate_scene
from rvsim.sim.street.street_layout import StreetLayout

__all__ = ["LinkEngine"]


class LinkEngine:
    """Uplink ray tracing of a street family's states with Sionna RT.

    Args:
        spec: A scene family with ``layout: street``.
        num_threads: Dr.Jit threads (1 when several worker processes share the cores); None keeps the default.
        layout: The family's static street (built from ``spec`` when None).

    Raises:
        ConfigError: if a material is not defined at the carrier frequency.
    """

    def __init__(self, spec: SceneSpec, num_threads: int | None = None, layout: StreetLayout | None = None) -> None:
        self.spec = spec
        self._rt = rt = import_sionna_rt(num_threads)
        import mitsuba as mi

        self._mi = mi
        self.layout = layout if layout is not None else StreetLayout(spec)
        self.slots = ObjectSlots(spec)
        scene = rt.load_scene()
        scene.frequency = float(spec.radio.frequency_hz)
        static = self.layout.meshes()
        populate_scene(rt, mi, scene, spec, static, self.slots)
        tx = spec.radio.tx_array
        scene.tx_array = rt.PlanarArray(num_rows=1, num_cols=1, pattern=tx.pattern, polarization=tx.polarization)
        scene.rx_array = rt.PlanarArray(num_rows=1, num_cols=1, pattern="iso", polarization=tx.polarization)
        self.bs_position = np.asarray(spec.base_station.position_m, dtype=np.float64)
        self.bs_yaw_deg = float(spec.base_station.yaw_deg)
        start = [float(v) for v in spec.street.tx.position_m]
        self._tx = rt.Transmitter("ue-tx", position=mi.Point3f(*start), orientation=mi.Point3f(0.0, 0.0, 0.0))
        scene.add(self._tx)
        scene.add(rt.Receiver("bs-rx", position=mi.Point3f(*[float(v) for v in self.bs_position]),
                              orientation=mi.Point3f(float(np.deg2rad(self.bs_yaw_deg)), 0.0, 0.0)))
        self.scene = scene
        self._params = scene.mi_scene_params
        self._solver = rt.PathSolver(deterministic=True)

    def set_state(self, objects: SceneState, tx_position: np.ndarray) -> None:
        """Move the object slots (one Mitsuba update) and the transmitter.

        Args:
            objects: Object poses.
            tx_position: Transmitter position ``(x, y, z)`` [m].
        """
        mi = self._mi
        move_slots(mi, self._params, self.slots, objects)
        self._tx.position = mi.Point3f(*[float(v) for v in tx_position])

    def paths(self, objects: SceneState, tx_position: np.ndarray) -> PathData:
        """Ray-trace one state (with the family's fixed ``solver.seed``), line of sight included.

        Args:
            objects: Object poses.
            tx_position: Transmitter position ``(x, y, z)`` [m].

        Returns:
            The valid paths to the base station: ``a`` ``(1, num_paths)`` (single receive antenna), delays,
            and arrival angles in the world frame.
        """
        self.set_state(objects, tx_position)
        return PathData.from_sionna(solve_paths(self._solver, self.scene, self.spec.solver, los=True))

    def arrival_bearing_deg(self, paths: PathData) -> np.ndarray:
        """Arrival azimuth of each path from the array broadside, positive to the left [deg], ``(num_paths,)``."""
        return wrap_deg(np.rad2deg(paths.phi_r.astype(np.float64)) - self.bs_yaw_deg)

    def los_blocked(self, objects: SceneState, tx_position: np.ndarray) -> bool:
        """Whether the straight segment from the transmitter to the base station hits any mesh.

        Args:
            objects: Object poses.
            tx_position: Transmitter position ``(x, y, z)`` [m].
        """
        self.set_state(objects, tx_position)
        return self._segment_blocked(np.asarray(tx_position, dtype=np.float64), self.bs_position)

    def _segment_blocked(self, start: np.ndarray, end: np.ndarray) -> bool:
        mi = self._mi
        d = end - start
        dist = float(np.linalg.norm(d))
        if dist <= 0:
            return False
        u = d / dist
        ray = mi.Ray3f(mi.Point3f(*[float(v) for v in start]), mi.Vector3f(*[float(v) for v in u]))
        ray.maxt = dist * (1.0 - 1e-6)
        hit = self.scene.mi_scene.ray_test(ray)
        return bool(np.asarray(hit).reshape(-1)[0])

    @property
    def mi_scene(self) -> Any:
        """The Mitsuba scene of the radio side."""
        return self.scene.mi_scene
