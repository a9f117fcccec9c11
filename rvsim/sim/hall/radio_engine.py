"""The hall's radio: monostatic ray tracing of a hall family's states in one persistent Sionna RT scene.

A :class:`RadioEngine` builds the static hall once (one merged mesh per material, :mod:`rvsim.sim.hall.hall_layout`)
plus one mesh slot per possible object (:mod:`rvsim.sim.object_slots`). For each scene state it moves the
slots (one Mitsuba update), runs Sionna RT's deterministic ``PathSolver`` and computes the channel frequency
response from the paths in numpy (:mod:`rvsim.sim.path_data`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rvsim.config import ArraySpec, SceneSpec
from rvsim.sim.hall.hall_layout import room_meshes
from rvsim.sim.object_slots import ObjectSlots
from rvsim.sim.path_data import PathData, solve_paths
from rvsim.sim.scene_state import SceneState
from rvsim.sim.sionna_import import import_sionna_rt
from rvsim.sim.sionna_scene import move_slots, populate_scene

__all__ = ["RadioEngine"]


def _planar_array(rt: Any, array: ArraySpec) -> Any:
    """Sionna RT's ``PlanarArray`` of an array spec."""
    return rt.PlanarArray(num_rows=array.num_rows, num_cols=array.num_cols,
                          vertical_spacing=array.spacing_wavelengths, horizontal_spacing=array.spacing_wavelengths,
                          pattern=array.pattern, polarization=array.polarization)


class RadioEngine:
    """Monostatic ray tracing of a hall family's states with Sionna RT.

    The transmitter (``radio.tx_array``) and the receiving ULA (``radio.rx_array``) sit at the base station;
    the direct leakage path is excluded (``los=False``).

    Args:
        spec: A scene family with ``layout: hall``.
        num_threads: Dr.Jit threads (1 when several worker processes share the cores); None keeps the default.

    Raises:
        ConfigError: if a material is not defined at the carrier frequency.
    """

    def __init__(self, spec: SceneSpec, num_threads: int | None = None) -> None:
        self.spec = spec
        self._rt = rt = import_sionna_rt(num_threads)
        import mitsuba as mi

        self._mi = mi
        self.slots = ObjectSlots(spec)
        self.frequencies = np.asarray(spec.radio.subcarrier_frequencies(), dtype=np.float64)
        scene = rt.load_scene()
        scene.frequency = float(spec.radio.frequency_hz)
        populate_scene(rt, mi, scene, spec, room_meshes(spec), self.slots)
        scene.tx_array = _planar_array(rt, spec.radio.tx_array)
        scene.rx_array = _planar_array(rt, spec.radio.rx_array)
        pos = [float(v) for v in spec.base_station.position_m]
        orient = mi.Point3f(float(np.deg2rad(spec.base_station.yaw_deg)), 0.0, 0.0)
        scene.add(rt.Transmitter("bs-tx", position=mi.Point3f(*pos), orientation=orient))
        scene.add(rt.Receiver("bs-rx", position=mi.Point3f(*pos), orientation=orient))
        self.scene = scene
        self._params = scene.mi_scene_params
        self.solver = rt.PathSolver(deterministic=True)
        self._background: np.ndarray | None = None

    @property
    def num_rx_antennas(self) -> int:
        """Receive antennas: one per element (the hall's receive array is single-polarised)."""
        return self.spec.radio.rx_array.num_antennas

    def set_state(self, state: SceneState) -> None:
        """Move the object slots to a scene state (one Mitsuba update for all slots)."""
        move_slots(self._mi, self._params, self.slots, state)

    def paths(self, state: SceneState) -> PathData:
        """Ray-trace one scene state (with the family's fixed ``solver.seed``).

        Args:
            state: Object poses.

        Returns:
            The valid paths to the receiving array.
        """
        self.set_state(state)
        return PathData.from_sionna(solve_paths(self.solver, self.scene, self.spec.solver, los=False))

    def cfr(self, state: SceneState) -> np.ndarray:
        """Monostatic CFR of a scene state, complex64 ``(num_rx_ant, num_subcarriers)`` (delays not normalised)."""
        return self.paths(state).cfr(self.frequencies)

    @property
    def background_cfr(self) -> np.ndarray:
        """CFR of the empty hall (the static response), complex64 ``(num_rx_ant, num_subcarriers)``."""
        if self._background is None:
            self._background = self.cfr(SceneState.empty())
        return self._background
