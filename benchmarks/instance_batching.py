"""Several factory scene instances in one ``PathSolver`` call: solve time per instance for K = 1, 2, 4, 8.

K copies of the factory hall (each with a random scene state of its own), 500 m apart along y, each with its own
co-located transmitter and receiver, traced by one deterministic ``PathSolver`` call (Sionna RT traces every
transmitter to every receiver: the result is K x K pairs, of which the K diagonal ones are the instances).
Prints the median over 4 calls per K, after one warm-up call. rvsim does not batch instances (see
docs/benchmarks.md for why). Usage::

    .venv/bin/python benchmarks/instance_batching.py [--k 1 2 4 8] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--spacing-m", type=float, default=500.0)
    args = parser.parse_args()

    from rvsim.config import load_scene_spec
    from rvsim.sim.hall.hall_layout import room_meshes
    from rvsim.sim.hall.hall_sampler import HallSampler
    from rvsim.sim.object_slots import ObjectSlots
    from rvsim.sim.path_data import solve_paths
    from rvsim.sim.radio_materials import make_radio_material
    from rvsim.sim.scene_state import sample_seed
    from rvsim.sim.sionna_import import import_sionna_rt
    from rvsim.sim.sionna_scene import make_mitsuba_mesh

    rt = import_sionna_rt(args.threads)
    import mitsuba as mi

    spec = load_scene_spec("factory")
    sampler, slots, r = HallSampler(spec), ObjectSlots(spec), spec.radio

    def build(k_copies: int):  # noqa: ANN202
        scene = rt.load_scene()
        scene.frequency = float(r.frequency_hz)
        mats = {n: make_radio_material(rt, n, m) for n, m in spec.materials.items()}
        objs = []
        for k in range(k_copies):
            off = np.array([0.0, k * args.spacing_m, 0.0])
            for n, m in room_meshes(spec).items():
                objs.append(rt.SceneObject(mi_mesh=make_mitsuba_mesh(mi, f"s{k}-{n}", m.vertices + off, m.faces),
                                           name=f"s{k}-{n}", radio_material=mats[n]))
            verts = slots.vertices(sampler.sample(np.random.default_rng(sample_seed(0, k))))
            for j, name in enumerate(slots.slot_names):
                cls = spec.classes[spec.class_names[slots.slot_class[j]]]
                objs.append(rt.SceneObject(mi_mesh=make_mitsuba_mesh(mi, f"{name}-{k}", verts[j] + off, slots.faces(j)),
                                           name=f"{name}-{k}", radio_material=mats[cls.material]))
        scene.edit(add=objs)
        scene.tx_array = rt.PlanarArray(num_rows=1, num_cols=r.tx_array.num_cols, pattern=r.tx_array.pattern,
                                        polarization=r.tx_array.polarization)
        scene.rx_array = rt.PlanarArray(num_rows=1, num_cols=r.rx_array.num_cols,
                                        horizontal_spacing=r.rx_array.spacing_wavelengths, pattern=r.rx_array.pattern,
                                        polarization=r.rx_array.polarization)
        pos = np.asarray(spec.base_station.position_m, dtype=np.float64)
        for k in range(k_copies):
            p = mi.Point3f(*(pos + [0.0, k * args.spacing_m, 0.0]).tolist())
            scene.add(rt.Transmitter(f"tx{k}", position=p))
            scene.add(rt.Receiver(f"rx{k}", position=p))
        return scene

    solver = rt.PathSolver(deterministic=True)
    for k in args.k:
        scene = build(k)
        solve_paths(solver, scene, spec.solver, los=False)  # warm-up
        times = []
        for _ in range(4):
            t0 = time.perf_counter()
            p = solve_paths(solver, scene, spec.solver, los=False)
            p.a[0].numpy()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        print(f"K = {k}: {1e3 * med:.1f} ms per call, {1e3 * med / k:.1f} ms per instance")


if __name__ == "__main__":
    main()
