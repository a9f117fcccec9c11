"""The base-station camera: RGB, depth and instance segmentation of scene states, rendered with Mitsuba.

Like Sionna RT's own ``scene.render`` the image shows one diffuse colour per material (the materials'
``color``); it is shaded by a fixed directional light plus ambient light from the surface normal, so it is
noise-free and deterministic (path tracing at a few samples per pixel was visibly noisy at 64 px). Colour,
normal, depth and per-pixel shape ids all come from Mitsuba's ``aov`` integrator. The visual scene is built
once and kept: each scene state only rewrites the object slots' vertex buffers, and many states are rendered
inside a single switch to Mitsuba's RGB variant (the switch, not the render, dominates the cost on a CPU).
Depth and ids come from a one-sample-per-pixel pass with a box filter, so every pixel's id is exact; the
colour pass uses ``camera.spp`` samples per pixel for anti-aliasing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import trimesh

from rvsim.config import SceneSpec
from rvsim.sim.object_slots import ObjectSlots
from rvsim.sim.scene_state import SceneState
from rvsim.sim.sionna_import import import_sionna_rt
from rvsim.sim.sionna_scene import make_mitsuba_mesh, move_slots

__all__ = ["CameraRenderer", "camera_pose", "project_points"]

_AMBIENT = 0.45
_SKY_RGB = np.array([0.62, 0.74, 0.90])


def _shade(albedo: np.ndarray, normal: np.ndarray, light: np.ndarray) -> np.ndarray:
    """sRGB uint8 image from linear albedo ``(H, W, 3)`` and unit normals ``(H, W, 3)``; sky where no hit."""
    lambert = np.abs(normal @ light)  # two-sided surfaces
    linear = albedo * (_AMBIENT + (1.0 - _AMBIENT) * lambert)[..., None]
    miss = np.linalg.norm(normal, axis=-1) < 0.5
    linear[miss] = _SKY_RGB
    srgb = np.where(linear <= 0.0031308, 12.92 * linear,
                    1.055 * np.power(np.maximum(linear, 0.0), 1 / 2.4) - 0.055)
    return np.clip(np.round(srgb * 255), 0, 255).astype(np.uint8)


def camera_pose(spec: SceneSpec) -> tuple[np.ndarray, np.ndarray]:
    """Camera origin and look-at target [m] for the base station's pose and the camera pitch."""
    origin = np.asarray(spec.base_station.position_m, dtype=np.float64)
    yaw = np.deg2rad(spec.base_station.yaw_deg)
    pitch = np.deg2rad(spec.camera.pitch_deg)
    direction = np.array([np.cos(pitch) * np.cos(yaw), np.cos(pitch) * np.sin(yaw), np.sin(pitch)])
    return origin, origin + direction


def project_points(spec: SceneSpec, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Project world points into the base-station camera's image (pinhole model of the render).

    Args:
        spec: The scene family (camera pose, field of view and resolution).
        points: World points, shape ``(n, 3)`` [m].

    Returns:
        ``(column, row, in_front)``: pixel coordinates, shape ``(n,)`` each (column 0 is the image's left
        edge, row 0 its top edge; pixel centres at ``k + 0.5``), and whether each point is in front of the
        camera.
    """
    origin, target = camera_pose(spec)
    forward = (target - origin) / np.linalg.norm(target - origin)
    right = np.cross(forward, np.array([0.0, 0.0, 1.0]))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    d = np.asarray(points, dtype=np.float64) - origin[None, :]
    z = d @ forward
    cam = spec.camera
    focal = (cam.width / 2) / np.tan(np.deg2rad(cam.fov_deg) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        col = cam.width / 2 + focal * (d @ right) / z
        row = cam.height / 2 - focal * (d @ up) / z
    return col, row, z > 0


class CameraRenderer:
    """Renders RGB, depth and segmentation of scene states from the base-station camera.

    Args:
        spec: The scene family.
        static_meshes: The family's static geometry, one mesh per material name (the hall's
            :func:`~rvsim.sim.hall.hall_layout.room_meshes`, the street's
            :meth:`~rvsim.sim.street.street_layout.StreetLayout.meshes`).
        variant: Mitsuba RGB variant to render in; None picks ``llvm_ad_rgb`` (or ``cuda_ad_rgb`` when the
            radio side runs on CUDA).
    """

    def __init__(self, spec: SceneSpec, static_meshes: Mapping[str, trimesh.Trimesh],
                 variant: str | None = None) -> None:
        import_sionna_rt()
        import mitsuba as mi

        self._mi = mi
        self.spec = spec
        self.slots = ObjectSlots(spec)
        if variant is None:
            variant = "cuda_ad_rgb" if mi.variant() and mi.variant().startswith("cuda") else "llvm_ad_rgb"
        self.variant = variant
        cam = spec.camera
        origin, target = camera_pose(spec)
        with mi.util.scoped_set_variant(variant):
            def sensor(spp: int) -> Any:
                return mi.load_dict({
                    "type": "perspective",
                    "fov": float(cam.fov_deg),
                    "fov_axis": "x",
                    "near_clip": 0.05,
                    "far_clip": 1000.0,
                    "to_world": mi.ScalarTransform4f().look_at(origin=[float(v) for v in origin],
                                                               target=[float(v) for v in target],
                                                               up=[0.0, 0.0, 1.0]),
                    "sampler": {"type": "independent", "sample_count": int(spp)},
                    "film": {"type": "hdrfilm", "width": int(cam.width), "height": int(cam.height),
                             "rfilter": {"type": "box"}, "pixel_format": "rgb"},
                })

            self._rgb_sensor = sensor(cam.spp)
            self._aov_sensor = sensor(1)
            self._rgb_integrator = mi.load_dict({"type": "aov", "aovs": "al:albedo,nn:sh_normal"})
            self._aov_integrator = mi.load_dict({"type": "aov", "aovs": "dd:depth,si:shape_index"})
            scene_dict: dict[str, Any] = {
                "type": "scene",
                "emitter": {"type": "constant", "radiance": {"type": "rgb", "value": [1.0, 1.0, 1.0]}},
            }
            for mname, mesh in static_meshes.items():
                name = f"static-{mname}"
                scene_dict[name] = make_mitsuba_mesh(mi, name, mesh.vertices, mesh.faces,
                                                     props=self._bsdf_props(mname))
            parked = self.slots.vertices(SceneState.empty())
            for j, name in enumerate(self.slots.slot_names):
                cls = spec.classes[spec.class_names[self.slots.slot_class[j]]]
                scene_dict[name] = make_mitsuba_mesh(mi, name, parked[j], self.slots.faces(j),
                                                     props=self._bsdf_props(cls.material))
            self._scene = mi.load_dict(scene_dict)
            self._params = mi.traverse(self._scene)
            shapes = self._scene.shapes()
            names = [sh.id() for sh in shapes]
            # The ``shape_index`` AOV holds each shape's id in Dr.Jit's instance registry (process-wide, so
            # not the position in scene.shapes()); 0 where nothing is hit.
            import drjit as dr

            registry_ids = np.asarray(dr.reinterpret_array(mi.UInt32, mi.ShapePtr(shapes)), dtype=np.int64)
        # registry id -> instance slot (-1 for static geometry, sky and unknown ids)
        slot_of_name = {n: j for j, n in enumerate(self.slots.slot_names)}
        self._slot_of_id = np.full(int(registry_ids.max()) + 2, -1, dtype=np.int64)
        for name, rid in zip(names, registry_ids):
            self._slot_of_id[rid] = slot_of_name.get(name, -1)
        yaw = np.deg2rad(spec.base_station.yaw_deg)
        light = np.array([-0.5 * np.cos(yaw) + 0.3 * np.sin(yaw), -0.5 * np.sin(yaw) - 0.3 * np.cos(yaw), 1.0])
        self._light = light / np.linalg.norm(light)

    def _bsdf_props(self, material: str) -> Any:
        mi = self._mi
        props = mi.Properties()
        color = [float(c) for c in self.spec.materials[material].color]
        props["bsdf"] = mi.load_dict({"type": "twosided", "bsdf": {
            "type": "diffuse", "reflectance": {"type": "rgb", "value": color}}})
        return props

    def render(self, states: list[SceneState], seeds: list[int] | None = None) -> dict[str, np.ndarray]:
        """Render scene states.

        Args:
            states: Scene states, one image each.
            seeds: Render seed per state (the path tracer's sampler seed); default 0.

        Returns:
            ``rgb`` uint8 ``(n, H, W, 3)``; ``depth`` float32 ``(n, H, W)`` distance along the ray [m]
            (0 where the ray hits nothing); ``segmentation`` int32 ``(n, H, W)``: 0 for static geometry or
            sky, ``k + 1`` for object ``k`` of the state.
        """
        mi = self._mi
        cam = self.spec.camera
        n = len(states)
        rgb = np.zeros((n, cam.height, cam.width, 3), np.uint8)
        depth = np.zeros((n, cam.height, cam.width), np.float32)
        seg = np.zeros((n, cam.height, cam.width), np.int32)
        with mi.util.scoped_set_variant(self.variant):
            for i, state in enumerate(states):
                move_slots(mi, self._params, self.slots, state)
                seed = 0 if seeds is None else int(seeds[i]) % (2 ** 31)
                img = np.asarray(mi.render(self._scene, sensor=self._rgb_sensor, integrator=self._rgb_integrator,
                                           seed=seed))
                rgb[i] = _shade(img[..., 0:3], img[..., 3:6], self._light)
                aov = np.asarray(mi.render(self._scene, sensor=self._aov_sensor, integrator=self._aov_integrator,
                                           seed=seed))
                depth[i] = aov[..., -2]
                registry_id = np.clip(np.rint(aov[..., -1]).astype(np.int64), 0, len(self._slot_of_id) - 1)
                slot = np.where(depth[i] > 0, self._slot_of_id[registry_id], -1)
                slot_to_instance = np.zeros(self.slots.num_slots + 1, np.int32)  # index -1 -> last -> 0
                for k, j in enumerate(self.slots.assign(state)):
                    slot_to_instance[j] = k + 1
                seg[i] = slot_to_instance[slot]
        return {"rgb": rgb, "depth": depth, "segmentation": seg}
