"""Paired samples per second: ``rvsim generate`` against the plain per-sample Sionna RT loop, in one run.

The plain loop is what a newcomer writes first: for every sample build a new Sionna scene with the hall and
the sampled objects, run a ``PathSolver``, compute the CFR with ``paths.cfr`` and render the camera view with
``scene.render`` — at the same antennas, subcarriers, solver settings and image resolution as the scene
family. ``rvsim generate`` runs as a subprocess exactly as a user runs it (start-up, writing HDF5 shards and
the manifest included). Both are timed on this machine in the same run; the ratio is printed.

Usage::

    python benchmarks/generate_throughput.py [--scene factory] [--samples 512] [--plain-samples 20] [--workers 2]

Peak memory: the resident set of the generating processes is sampled while it runs and printed for two
dataset sizes, so a growth with the number of samples would show.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def plain_loop(scene_name: str, num_samples: int, seed: int = 0) -> float:
    """Samples per second of the plain per-sample Sionna loop."""
    from rvsim.config import load_scene_spec
    from rvsim.sim.camera_renderer import camera_pose
    from rvsim.sim.object_meshes import object_template, place_vertices
    from rvsim.sim.hall.hall_layout import room_meshes
    from rvsim.sim.hall.hall_sampler import HallSampler as SceneSampler
    from rvsim.sim.radio_materials import make_radio_material
    from rvsim.sim.scene_state import sample_seed
    from rvsim.sim.sionna_scene import make_mitsuba_mesh
    from rvsim.sim.sionna_import import import_sionna_rt

    spec = load_scene_spec(scene_name)
    rt = import_sionna_rt()
    import mitsuba as mi

    sampler = SceneSampler(spec)
    templates = {n: object_template(c.shape) for n, c in spec.classes.items()}
    freqs = spec.radio.subcarrier_frequencies()
    r = spec.radio
    origin, target = camera_pose(spec)

    def one(i: int) -> None:
        state = sampler.sample(np.random.default_rng(sample_seed(seed, i)))
        scene = rt.load_scene()
        scene.frequency = float(r.frequency_hz)
        mats = {n: make_radio_material(rt, n, m) for n, m in spec.materials.items()}
        objs = [rt.SceneObject(mi_mesh=make_mitsuba_mesh(mi, f"s-{n}", m.vertices, m.faces), name=f"s-{n}",
                               radio_material=mats[n]) for n, m in room_meshes(spec).items()]
        for k in range(state.num_objects):
            cname = spec.class_names[int(state.class_ids[k])]
            v = place_vertices(templates[cname].vertices, state.sizes[k], float(state.yaws[k]), state.positions[k])
            objs.append(rt.SceneObject(mi_mesh=make_mitsuba_mesh(mi, f"o{k}", v, templates[cname].faces),
                                       name=f"o{k}", radio_material=mats[spec.classes[cname].material]))
        scene.edit(add=objs)
        scene.tx_array = rt.PlanarArray(num_rows=1, num_cols=r.tx_array.num_cols, pattern=r.tx_array.pattern,
                                        polarization=r.tx_array.polarization)
        scene.rx_array = rt.PlanarArray(num_rows=1, num_cols=r.rx_array.num_cols,
                                        horizontal_spacing=r.rx_array.spacing_wavelengths,
                                        pattern=r.rx_array.pattern, polarization=r.rx_array.polarization)
        pos = mi.Point3f(*[float(v) for v in spec.base_station.position_m])
        scene.add(rt.Transmitter("tx", position=pos))
        scene.add(rt.Receiver("rx", position=pos))
        s = spec.solver
        paths = rt.PathSolver()(scene, max_depth=s.max_depth, samples_per_src=s.samples_per_src,
                                max_num_paths_per_src=s.max_num_paths_per_src, los=False,
                                diffuse_reflection=s.diffuse_reflection, refraction=s.refraction,
                                synthetic_array=True, seed=i)
        paths.cfr(frequencies=mi.Float(freqs), normalize_delays=False, out_type="numpy")
        cam = rt.Camera(position=mi.Point3f(*map(float, origin)), look_at=mi.Point3f(*map(float, target)))
        scene.render(camera=cam, resolution=(spec.camera.width, spec.camera.height), num_samples=spec.camera.spp,
                     fov=spec.camera.fov_deg, show_devices=False, return_bitmap=True)

    one(10_000)  # first sample compiles kernels; not timed
    t0 = time.perf_counter()
    for i in range(num_samples):
        one(i)
    return num_samples / (time.perf_counter() - t0)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene", default="factory")
    parser.add_argument("--samples", type=int, default=512, help="samples for rvsim generate")
    parser.add_argument("--plain-samples", type=int, default=20, help="samples for the plain loop")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shard-size", type=int, default=64)
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores; scene {args.scene}")
    plain = plain_loop(args.scene, args.plain_samples)
    print(f"plain per-sample Sionna loop: {plain:.2f} samples/s ({args.plain_samples} samples, warm)")
    rate, wall, peak = rvsim_generate(args.scene, args.samples, args.workers, args.shard_size)
    print(f"rvsim generate --workers {args.workers}: {rate:.2f} samples/s "
          f"({args.samples} samples in {wall:.1f} s, start-up included); peak RSS {peak / 2**20:.0f} MiB")
    small = max(args.samples // 4, args.shard_size)
    _, _, peak_small = rvsim_generate(args.scene, small, args.workers, args.shard_size)
    print(f"peak RSS at {small} samples: {peak_small / 2**20:.0f} MiB; at {args.samples}: {peak / 2**20:.0f} MiB "
          f"(ratio {peak / max(peak_small, 1):.2f})")
    print(f"speed-up of rvsim generate over the plain loop: {rate / plain:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
