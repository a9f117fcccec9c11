"""Paired samples per second, four ways, measured side by side in alternating rounds of one run.

(a) **plain**: the loop a newcomer writes first — for every sample a new Sionna scene with the hall and the
    sampled objects, a ``PathSolver`` call, ``paths.cfr`` and ``scene.render`` (warmed up by one sample);
(b) **competent**: what a careful Sionna user writes — one scene built once with a pool of objects per class,
    moved in place per sample through the public API (``scaling``, ``orientation``, ``position``; unused ones
    parked under the floor), then one solver call, ``paths.cfr`` and ``scene.render`` per sample (warmed up);
(c) **rvsim**: ``rvsim generate --workers W`` as a user runs it, in a subprocess (Dask start-up, scene builds,
    HDF5 shards and the manifest included);
(d) **floor**: Mitsuba's ``ray_intersect`` alone on the same scene, for the rays a sample needs — the solver's
    ``samples_per_src`` rays followed through ``max_depth`` bounces (new random directions at each hit) plus
    the camera's ``width x height x spp`` primary rays — what the hardware allows for the ray casting itself.

All four at the scene family's settings (antennas, subcarriers, solver, image). Every round runs (a)-(d) in
turn, so that a change of the machine's load hits all alike; medians and min-max over rounds are printed with
the ratios rvsim/plain, rvsim/competent and rvsim/floor. Peak resident memory of the generating processes is
sampled for ``--samples`` and ``--large-samples`` (memory flat in the number of samples).

Usage::

    python benchmarks/generate_throughput.py [--scene factory] [--rounds 3] [--samples 512] [--large-samples 5000]
        [--loop-samples 16] [--workers 2] [--shard-size 64]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np


class _Loops:
    """The plain and competent loops and the ray-casting floor, in this process (Sionna RT imported once)."""

    def __init__(self, scene_name: str) -> None:
        from rvsim.config import load_scene_spec
        from rvsim.sim.camera_renderer import camera_pose
        from rvsim.sim.hall.hall_sampler import HallSampler
        from rvsim.sim.object_meshes import object_template
        from rvsim.sim.sionna_import import import_sionna_rt

        self.spec = load_scene_spec(scene_name)
        if self.spec.layout != "hall":
            raise SystemExit(f"the loops are written for hall families (factory). Received: --scene {scene_name}")
        self.rt = import_sionna_rt()
        import mitsuba as mi

        self.mi = mi
        self.sampler = HallSampler(self.spec)
        self.templates = {n: object_template(c.shape) for n, c in self.spec.classes.items()}
        self.freqs = self.spec.radio.subcarrier_frequencies()
        self.origin, self.target = camera_pose(self.spec)
        self._scene: Any = None

    # ------------------------------------------------------------------ shared pieces
    def _new_scene(self, objects: list[tuple[str, str, np.ndarray, np.ndarray]]) -> Any:
        """A Sionna scene with the hall and ``(name, class, vertices, faces)`` objects in their class materials."""
        from rvsim.sim.hall.hall_layout import room_meshes
        from rvsim.sim.radio_materials import make_radio_material
        from rvsim.sim.sionna_scene import make_mitsuba_mesh

        rt, mi, spec, r = self.rt, self.mi, self.spec, self.spec.radio
        scene = rt.load_scene()
        scene.frequency = float(r.frequency_hz)
        mats = {n: make_radio_material(rt, n, m) for n, m in spec.materials.items()}
        objs = [rt.SceneObject(mi_mesh=make_mitsuba_mesh(mi, f"s-{n}", m.vertices, m.faces), name=f"s-{n}",
                               radio_material=mats[n]) for n, m in room_meshes(spec).items()]
        for name, cname, v, f in objects:
            objs.append(rt.SceneObject(mi_mesh=make_mitsuba_mesh(mi, name, v, f), name=name,
                                       radio_material=mats[spec.classes[cname].material]))
        scene.edit(add=objs)
        scene.tx_array = rt.PlanarArray(num_rows=1, num_cols=r.tx_array.num_cols, pattern=r.tx_array.pattern,
                                        polarization=r.tx_array.polarization)
        scene.rx_array = rt.PlanarArray(num_rows=1, num_cols=r.rx_array.num_cols,
                                        horizontal_spacing=r.rx_array.spacing_wavelengths,
                                        pattern=r.rx_array.pattern, polarization=r.rx_array.polarization)
        pos = mi.Point3f(*[float(v) for v in spec.base_station.position_m])
        scene.add(rt.Transmitter("tx", position=pos))
        scene.add(rt.Receiver("rx", position=pos))
        return scene

    def _solve_and_render(self, scene: Any, seed: int) -> None:
        rt, mi, spec, s = self.rt, self.mi, self.spec, self.spec.solver
        paths = rt.PathSolver()(scene, max_depth=s.max_depth, samples_per_src=s.samples_per_src,
                                max_num_paths_per_src=s.max_num_paths_per_src, los=False,
                                diffuse_reflection=s.diffuse_reflection, refraction=s.refraction,
                                synthetic_array=True, seed=seed)
        paths.cfr(frequencies=mi.Float(self.freqs), normalize_delays=False, out_type="numpy")
        cam = rt.Camera(position=mi.Point3f(*map(float, self.origin)), look_at=mi.Point3f(*map(float, self.target)))
        scene.render(camera=cam, resolution=(spec.camera.width, spec.camera.height), num_samples=spec.camera.spp,
                     fov=spec.camera.fov_deg, show_devices=False, return_bitmap=True)

    def _state(self, i: int) -> Any:
        from rvsim.sim.scene_state import sample_seed

        return self.sampler.sample(np.random.default_rng(sample_seed(0, i)))

    # ------------------------------------------------------------------ (a) plain
    def plain(self, i: int) -> None:
        """One sample of the plain loop: a new scene."""
        from rvsim.sim.object_meshes import place_vertices

        state, spec = self._state(i), self.spec
        objects = []
        for k in range(state.num_objects):
            cname = spec.class_names[int(state.class_ids[k])]
            t = self.templates[cname]
            objects.append((f"o{k}", cname, place_vertices(t.vertices, state.sizes[k], float(state.yaws[k]),
                                                           state.positions[k]), t.faces))
        self._solve_and_render(self._new_scene(objects), seed=i)

    # ------------------------------------------------------------------ (b) competent
    def competent(self, i: int) -> None:
        """One sample of the competent loop: the persistent scene's objects moved through the public API."""
        mi, spec = self.mi, self.spec
        if self._scene is None:  # a pool of max-count unit objects per class, built once
            pool = []
            for cname, c in spec.classes.items():
                t = self.templates[cname]
                pool += [(f"{cname}-{k}", cname, t.vertices + np.array([0.0, 0.0, -1000.0]), t.faces)
                         for k in range(int(c.count[1]))]
            self._scene = self._new_scene(pool)
            self._pool = {cname: [self._scene.get(f"{cname}-{k}") for k in range(int(c.count[1]))]
                          for cname, c in spec.classes.items()}
        state = self._state(i)
        used: dict[str, int] = {}
        for k in range(state.num_objects):
            cname = spec.class_names[int(state.class_ids[k])]
            obj = self._pool[cname][used.get(cname, 0)]
            used[cname] = used.get(cname, 0) + 1
            size = [float(v) for v in state.sizes[k]]
            obj.scaling = mi.Vector3f(*size)
            obj.orientation = mi.Point3f(float(state.yaws[k]), 0.0, 0.0)
            x, y, z = (float(v) for v in state.positions[k])
            obj.position = mi.Point3f(x, y, z + size[2] / 2)
        for cname, objs in self._pool.items():  # the others wait under the floor
            for obj in objs[used.get(cname, 0):]:
                if float(obj.position.z[0]) > -500.0:
                    obj.position = mi.Point3f(0.0, 0.0, -1000.0)
        self._solve_and_render(self._scene, seed=i)

    # ------------------------------------------------------------------ (d) floor
    def floor(self, i: int) -> None:
        """The ray casting one sample needs, alone: solver rays through every bounce, then camera rays."""
        import drjit as dr

        mi, spec = self.mi, self.spec
        if self._scene is None:
            self.competent(0)
        mi_scene = self._scene.mi_scene
        n, depth = int(spec.solver.samples_per_src), int(spec.solver.max_depth)
        rng = np.random.default_rng(i)

        def directions(m: int) -> Any:
            d = rng.normal(size=(3, m))
            d /= np.linalg.norm(d, axis=0, keepdims=True)
            return mi.Vector3f(*[mi.Float(row.astype(np.float32)) for row in d])

        o = mi.Point3f(*[float(v) for v in spec.base_station.position_m])
        ray = mi.Ray3f(o, directions(n))
        for _ in range(depth):
            si = mi_scene.ray_intersect(ray)
            dr.eval(si.t, si.p)
            ray = si.spawn_ray(directions(n))
        cam = spec.camera.width * spec.camera.height * spec.camera.spp
        si = mi_scene.ray_intersect(mi.Ray3f(mi.Point3f(*map(float, self.origin)), directions(cam)))
        dr.eval(si.t)

    def rate(self, name: str, num: int, first: int) -> float:
        """Samples per second of ``name`` over samples ``first .. first + num - 1``."""
        fn = getattr(self, name)
        t0 = time.perf_counter()
        for i in range(first, first + num):
            fn(i)
        return num / (time.perf_counter() - t0)


def _rss_of_tree(pid: int) -> int:
    """Resident memory [bytes] of a process and all its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def rvsim_generate(scene_name: str, num_samples: int, workers: int, shard_size: int) -> tuple[float, float, int]:
    """Run ``rvsim generate``; return (samples/s incl. start-up, wall seconds, peak RSS of the process tree)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "rvsim.cli", "generate", "--scene", scene_name, "--num-samples",
               str(num_samples), "--out", os.path.join(tmp, "ds"), "--workers", str(workers),
               "--shard-size", str(shard_size), "--quiet"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _rss_of_tree(proc.pid))
            time.sleep(0.5)
        wall = time.perf_counter() - t0
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"rvsim generate failed ({proc.returncode}): {err.strip()[-2000:]}")
        return num_samples / wall, wall, peak


def _stats(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene", default="factory")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--samples", type=int, default=512, help="samples per rvsim generate run (default 512)")
    parser.add_argument("--large-samples", type=int, default=5000,
                        help="one more rvsim generate run for peak memory and rate at size (0: skip; default 5000)")
    parser.add_argument("--loop-samples", type=int, default=16, help="samples per plain/competent/floor round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shard-size", type=int, default=64)
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores; scene {args.scene}; {args.rounds} alternating rounds; load average "
          f"before: {os.getloadavg()[0]:.2f}")
    loops = _Loops(args.scene)
    for name in ("plain", "competent", "floor"):  # warm-up: kernels compiled, pool built; not timed
        getattr(loops, name)(100_000)
    rates: dict[str, list[float]] = {k: [] for k in ("plain", "competent", "floor", "rvsim")}
    peaks: list[int] = []
    for r in range(args.rounds):
        first = 1000 * (r + 1)
        for name in ("plain", "competent", "floor"):
            rates[name].append(loops.rate(name, args.loop_samples, first))
        rate, wall, peak = rvsim_generate(args.scene, args.samples, args.workers, args.shard_size)
        rates["rvsim"].append(rate)
        peaks.append(peak)
        print(f"  round {r + 1}: plain {rates['plain'][-1]:.2f}, competent {rates['competent'][-1]:.2f}, "
              f"floor {rates['floor'][-1]:.1f}, rvsim generate {rate:.2f} samples/s ({args.samples} in {wall:.1f} s, "
              f"start-up included); load average {os.getloadavg()[0]:.2f}")
    print("samples/s, median (min-max) over rounds:")
    for name, label in (("plain", "(a) plain per-sample loop"), ("competent", "(b) competent loop"),
                        ("rvsim", f"(c) rvsim generate --workers {args.workers}"), ("floor", "(d) ray-casting floor")):
        print(f"  {label}: {_stats(rates[name])}")
    med = {k: statistics.median(v) for k, v in rates.items()}
    per_round = {k: [a / b for a, b in zip(rates["rvsim"], rates[k])] for k in ("plain", "competent", "floor")}
    print(f"rvsim / plain: {med['rvsim'] / med['plain']:.1f}x (per round {_stats(per_round['plain'])}; target >= 10x)")
    print(f"rvsim / competent: {med['rvsim'] / med['competent']:.1f}x (per round {_stats(per_round['competent'])}; "
          "target >= 3x)")
    print(f"rvsim / floor: {med['rvsim'] / med['floor']:.3f} (floor {med['floor'] / med['rvsim']:.1f}x faster; "
          "target: within 5x)")
    print(f"peak RSS of the generating processes at {args.samples} samples: {statistics.median(peaks) / 2**20:.0f} MiB "
          f"({args.workers} workers and the client)")
    if args.large_samples:
        rate, wall, peak = rvsim_generate(args.scene, args.large_samples, args.workers, args.shard_size)
        print(f"rvsim generate at {args.large_samples} samples: {rate:.2f} samples/s ({wall:.1f} s); peak RSS "
              f"{peak / 2**20:.0f} MiB (x{peak / max(statistics.median(peaks), 1):.2f} of the {args.samples}-sample runs)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
