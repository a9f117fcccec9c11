"""Generation cost per frame of a sequence against a still scene, side by side in alternating rounds of one run.

Three variants of one scene family (default: the built-in factory), each generating the same number of samples
with :class:`rvsim.sim.sample_generator.SampleGenerator` in this process (warmed up by one batch, Dr.Jit's
default threads): (a) still scenes, as the family is; (b) sequences of ``--frames`` frames (people and robots
walking and driving); (c) the same sequences with the per-frame range–Doppler map (``--doppler-steps``
repetitions at 2 kHz). Rounds run (a), (b), (c) in turn; the median samples/s over rounds and the ratios to (a)
are printed. Usage::

    .venv/bin/python benchmarks/sequence_throughput.py [--scene factory] [--samples 32] [--rounds 3]
        [--frames 16] [--doppler-steps 32]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene", default="factory", help="a hall family (built-in name or YAML)")
    parser.add_argument("--samples", type=int, default=32, help="samples (frames) per variant and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--frames", type=int, default=16, help="frames per sequence")
    parser.add_argument("--doppler-steps", type=int, default=32, help="slow-time samples of the Doppler variant")
    args = parser.parse_args()

    from rvsim.config import load_scene_spec, scene_spec_from_dict
    from rvsim.sim.sample_generator import SampleGenerator

    base = load_scene_spec(args.scene).to_dict()
    moving = copy.deepcopy(base)
    moving["sequence"] = {"num_frames": args.frames, "frame_rate_hz": 10.0}
    for name, cls in moving["classes"].items():
        if cls["shape"] in ("person", "robot", "forklift"):
            cls["motion"] = {"speed_mps": [0.8, 2.0], "turn_rate_deg_s": [0.0, 20.0]}
    doppler = copy.deepcopy(moving)
    doppler["sequence"]["doppler"] = {"num_time_steps": args.doppler_steps, "sampling_frequency_hz": 2000.0}
    variants = {"still": base, "sequence": moving, "sequence + doppler": doppler}
    gens = {k: SampleGenerator(scene_spec_from_dict(v), seed=0) for k, v in variants.items()}
    print(f"machine: {os.cpu_count()} cores; scene {args.scene}; {args.samples} samples per variant, "
          f"{args.rounds} alternating rounds; load average before {os.getloadavg()[0]:.2f}")
    for g in gens.values():
        g.generate(np.arange(100_000, 100_000 + 4))  # warm-up: kernels compiled; not timed
    rates: dict[str, list[float]] = {k: [] for k in gens}
    for r in range(args.rounds):
        first = 1000 * (r + 1) * args.frames
        for name, g in gens.items():
            t0 = time.perf_counter()
            g.generate(np.arange(first, first + args.samples))
            rates[name].append(args.samples / (time.perf_counter() - t0))
        print(f"  round {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in rates.items()) + " samples/s")
    still = statistics.median(rates["still"])
    for name, values in rates.items():
        med = statistics.median(values)
        print(f"{name}: {med:.2f} samples/s (min {min(values):.2f}, max {max(values):.2f}); "
              f"per-frame cost x{still / med:.2f} of a still scene")
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
