"""Where the time of one shard goes: per-stage milliseconds per sample of the factory family, in one process.

Stages, timed around rvsim's own calls for ``--samples`` samples (after one warm-up shard): scene sampling
(``states``), moving the object slots (``set_state``), the deterministic path solve (``PathSolver``), reading the
paths into numpy (``PathData.from_sionna``), the CFR in numpy, the range–angle map, and the camera (RGB, depth,
segmentation). The camera is timed twice, side by side in alternating rounds: rendered in groups of 32 states
(one switch to Mitsuba's RGB variant per group: rvsim before 2026-12-02) and in one group per shard (one switch
per shard: rvsim now). Usage::

    .venv/bin/python benchmarks/generate_stages.py [--scene factory] [--samples 128] [--rounds 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene", default="factory")
    parser.add_argument("--samples", type=int, default=128, help="samples per shard (and per round)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="Dr.Jit threads (1: as one rvsim worker)")
    args = parser.parse_args()

    from rvsim.config import load_scene_spec
    from rvsim.sim.path_data import PathData, solve_paths
    from rvsim.sim.sample_generator import SampleGenerator

    spec = load_scene_spec(args.scene)
    gen = SampleGenerator(spec, seed=0, num_threads=args.threads).family_generator
    radio, camera = gen.radio, gen.camera
    print(f"machine: {os.cpu_count()} cores; scene {args.scene}; {args.samples} samples per round, {args.rounds} "
          f"rounds; {args.threads} Dr.Jit thread(s); load average before {os.getloadavg()[0]:.2f}")
    gen.generate(np.arange(10_000, 10_008))  # warm-up: kernels compiled, background CFR; not timed
    stages: dict[str, list[float]] = {k: [] for k in ("sampling", "set_state", "path solve", "paths to numpy",
                                                      "CFR (numpy)", "range-angle map", "camera, groups of 32",
                                                      "camera, one group per shard")}
    for r in range(args.rounds):
        idx = np.arange(1000 * (r + 1), 1000 * (r + 1) + args.samples)
        t = time.perf_counter()
        states, seeds = gen.states(idx)
        stages["sampling"].append(time.perf_counter() - t)
        tot = dict.fromkeys(("set_state", "path solve", "paths to numpy", "CFR (numpy)"), 0.0)
        cfrs = []
        for st in states:
            t = time.perf_counter()
            radio.set_state(st)
            t1 = time.perf_counter()
            p = solve_paths(radio.solver, radio.scene, spec.solver, los=False)
            t2 = time.perf_counter()
            data = PathData.from_sionna(p)
            t3 = time.perf_counter()
            cfrs.append(data.cfr(radio.frequencies))
            t4 = time.perf_counter()
            tot["set_state"] += t1 - t
            tot["path solve"] += t2 - t1
            tot["paths to numpy"] += t3 - t2
            tot["CFR (numpy)"] += t4 - t3
        for k, v in tot.items():
            stages[k].append(v)
        t = time.perf_counter()
        gen.range_angle(np.stack(cfrs) - radio.background_cfr[None])
        stages["range-angle map"].append(time.perf_counter() - t)
        order = (("camera, groups of 32", 32), ("camera, one group per shard", len(states)))
        for name, group in (order if r % 2 == 0 else order[::-1]):
            t = time.perf_counter()
            for a in range(0, len(states), group):
                camera.render(states[a:a + group], seeds[a:a + group])
            stages[name].append(time.perf_counter() - t)
    print("| stage | ms per sample, median (min-max) over rounds |")
    print("|---|---|")
    for name, values in stages.items():
        ms = [1e3 * v / args.samples for v in values]
        print(f"| {name} | {statistics.median(ms):.1f} ({min(ms):.1f}-{max(ms):.1f}) |")
    a, b = (statistics.median(stages[k]) for k in ("camera, groups of 32", "camera, one group per shard"))
    print(f"camera: one group per shard takes {b / a:.2f}x the time of groups of 32 "
          f"({1e3 * (a - b) / args.samples:.1f} ms per sample saved)")
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
