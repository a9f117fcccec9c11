"""The radio side of the simulator: one persistent Sionna RT scene whose objects move by vertex-buffer writes.

Building a Sionna scene and its acceleration structure per sample dominates the cost on a CPU. A
:class:`RadioEngine` builds the static hall once (one merged mesh per material) plus one mesh *slot* per
possible object (``count[1]`` slots per class, with the class's template topology). For each scene state it
writes the world vertices of the used slots, parks the unused ones under the floor, updates the Mitsuba
scene once, runs Sionna RT's deterministic ``PathSolver`` and computes the channel frequency response from
the paths in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any

import numpy as np

from rvsim.config import MaterialSpec, SceneSpec
from rvsim.errors import ConfigError
from rvsim.sim.object_meshes import object_template, place_vertices
from rvsim.sim.room import room_meshes
from rvsim.sim.scene_sampler import SceneState
from rvsim.sim.sionna_import import import_sionna_rt

__all__ = ["PathData", "RadioEngine", "ObjectSlots", "populate_scene", "make_mitsuba_mesh", "make_radio_material"]

#: Where unused object slots are parked: below the floor slab, out of reach of every ray.
PARK_DEPTH_M = -50.0


@dataclass(frozen=True)
class PathData:
    """Propagation paths from the transmitter to the receiving array, as numpy arrays.

    Attributes:
        a: Complex path coefficients per receive antenna, shape ``(num_rx_ant, num_paths)``.
        tau: Path delays [s], shape ``(num_paths,)``.
        phi_r: Azimuth of arrival in the world frame [rad], shape ``(num_paths,)``.
        theta_r: Zenith of arrival [rad], shape ``(num_paths,)``.
    """

    a: np.ndarray
    tau: np.ndarray
    phi_r: np.ndarray
    theta_r: np.ndarray

    @property
    def num_paths(self) -> int:
        """Number of valid paths."""
        return int(self.tau.shape[0])

    def cfr(self, frequencies: np.ndarray) -> np.ndarray:
        """Channel frequency response ``H[n, f] = sum_p a[n, p] exp(-j 2 pi f tau_p)``.

        Args:
            frequencies: Absolute frequencies [Hz], shape ``(num_subcarriers,)``.

        Returns:
            complex64 array, shape ``(num_rx_ant, num_subcarriers)``.
        """
        f = np.asarray(frequencies, dtype=np.float64)
        if self.num_paths == 0:
            return np.zeros((self.a.shape[0], f.shape[0]), np.complex64)
        tau = self.tau.astype(np.float64)
        if f.shape[0] > 1 and np.allclose(np.diff(f), f[1] - f[0], rtol=1e-9, atol=0.0):
            # evenly spaced subcarriers: one complex exponential per path and a running product over
            # subcarriers (float64) instead of num_paths x num_subcarriers exponentials (2-3x faster)
            phase = np.empty((tau.shape[0], f.shape[0]), np.complex128)
            phase[:, 0] = np.exp(-2j * np.pi * tau * f[0])
            phase[:, 1:] = np.exp(-2j * np.pi * tau * (f[1] - f[0]))[:, None]
            np.cumprod(phase, axis=1, out=phase)
        else:
            phase = np.exp(-2j * np.pi * np.outer(tau, f))
        return (self.a.astype(np.complex128) @ phase).astype(np.complex64)


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


def make_radio_material(rt: Any, name: str, m: MaterialSpec) -> Any:
    """A Sionna RT radio material from its spec (ITU or given permittivity and conductivity)."""
    if m.itu_type is not None:
        try:
            return rt.ITURadioMaterial(name, m.itu_type, thickness=float(m.thickness_m),
                                       scattering_coefficient=float(m.scattering_coefficient),
                                       color=tuple(float(c) for c in m.color))
        except ValueError as exc:
            raise ConfigError(f"material {name!r} (ITU {m.itu_type!r}): {exc}. Received: itu_type={m.itu_type!r}") \
                from None
    return rt.RadioMaterial(name, thickness=float(m.thickness_m),
                            relative_permittivity=float(m.relative_permittivity),
                            conductivity=float(m.conductivity),
                            scattering_coefficient=float(m.scattering_coefficient),
                            color=tuple(float(c) for c in m.color))


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


class RadioEngine:
    """Monostatic ray tracing of a scene family's states with Sionna RT.

    The transmitter (``radio.tx_array``) and the receiving ULA (``radio.rx_array``) sit at the base station;
    the direct leakage path is excluded (``los=False``).

    Args:
        spec: The scene family.
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
        r = spec.radio
        scene.tx_array = rt.PlanarArray(num_rows=r.tx_array.num_rows, num_cols=r.tx_array.num_cols,
                                        vertical_spacing=r.tx_array.spacing_wavelengths,
                                        horizontal_spacing=r.tx_array.spacing_wavelengths,
                                        pattern=r.tx_array.pattern, polarization=r.tx_array.polarization)
        scene.rx_array = rt.PlanarArray(num_rows=r.rx_array.num_rows, num_cols=r.rx_array.num_cols,
                                        vertical_spacing=r.rx_array.spacing_wavelengths,
                                        horizontal_spacing=r.rx_array.spacing_wavelengths,
                                        pattern=r.rx_array.pattern, polarization=r.rx_array.polarization)
        pos = [float(v) for v in spec.base_station.position_m]
        orient = mi.Point3f(float(np.deg2rad(spec.base_station.yaw_deg)), 0.0, 0.0)
        scene.add(rt.Transmitter("bs-tx", position=mi.Point3f(*pos), orientation=orient))
        scene.add(rt.Receiver("bs-rx", position=mi.Point3f(*pos), orientation=orient))
        self.scene = scene
        self._params = scene.mi_scene_params
        self._solver = rt.PathSolver(deterministic=True)
        self._background: np.ndarray | None = None

    @property
    def num_rx_antennas(self) -> int:
        """Receive antennas (single polarisation counted once per element)."""
        return self.spec.radio.rx_array.num_antennas

    def set_state(self, state: SceneState) -> None:
        """Move the object slots to a scene state (one Mitsuba update for all slots)."""
        mi = self._mi
        for name, verts in zip(self.slots.slot_names, self.slots.vertices(state)):
            self._params[f"{name}.vertex_positions"] = mi.Float(np.ascontiguousarray(verts, np.float32).ravel())
        self._params.update()

    def paths(self, state: SceneState) -> PathData:
        """Ray-trace one scene state (with the family's fixed ``solver.seed``).

        Args:
            state: Object poses.

        Returns:
            The valid paths to the receiving array.
        """
        self.set_state(state)
        s = self.spec.solver
        p = self._solver(self.scene, max_depth=s.max_depth, max_num_paths_per_src=s.max_num_paths_per_src,
                         samples_per_src=s.samples_per_src, synthetic_array=True, los=False,
                         specular_reflection=s.specular_reflection, diffuse_reflection=s.diffuse_reflection,
                         refraction=s.refraction, diffraction=s.diffraction, seed=int(s.seed))
        a_re, a_im = p.a
        a = np.asarray(a_re.numpy(), np.float32) + 1j * np.asarray(a_im.numpy(), np.float32)
        # a: [num_rx=1, rx_ant, num_tx=1, tx_ant, paths]; sum over transmit antennas (one by default)
        a = a[0, :, 0].sum(axis=1)
        tau = np.asarray(p.tau.numpy())[0, 0]
        phi = np.asarray(p.phi_r.numpy())[0, 0]
        theta = np.asarray(p.theta_r.numpy())[0, 0]
        valid = np.asarray(p.valid.numpy()).reshape(-1, tau.shape[-1]).any(axis=0) & (tau >= 0)
        return PathData(a=a[:, valid].astype(np.complex64), tau=tau[valid].astype(np.float64),
                        phi_r=phi[valid].astype(np.float32), theta_r=theta[valid].astype(np.float32))

    def cfr(self, state: SceneState) -> np.ndarray:
        """Monostatic CFR of a scene state, complex64 ``(num_rx_ant, num_subcarriers)`` (delays not normalised)."""
        return self.paths(state).cfr(self.frequencies)

    @property
    def background_cfr(self) -> np.ndarray:
        """CFR of the empty hall (the static response), complex64 ``(num_rx_ant, num_subcarriers)``."""
        if self._background is None:
            self._background = self.cfr(SceneState.empty())
        return self._background
