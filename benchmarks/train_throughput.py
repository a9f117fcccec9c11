"""Training throughput: the streaming HDF5 pipeline against the same samples held in memory.

Trains the default self-supervised model (InfoNCE, default widths, augmentation on) on a dataset twice per
round: once fed by :class:`rvsim.data.pipeline.Pipeline` (shards read in blocks, shuffle buffer, ``tf.data``
map), once by ``tf.data.Dataset.from_tensor_slices`` over arrays already in memory (same shuffle buffer,
batch size and map function). Epochs alternate between the two, one untimed warm-up epoch each first; the
median epoch rate of each is reported, and the median over rounds of the ratio of the two epochs of a round
(target: the pipeline within 10 % of memory). The rate of each input path alone (iterated without training)
is printed first: how far the input outruns the model.

Without ``--data`` a synthetic dataset of schema shape (``radio/range_angle`` 64×32 dB maps, ``image/rgb``
64×64, labels) is written with :class:`rvsim.data.DatasetWriter` into a temporary folder.

    .venv/bin/python benchmarks/train_throughput.py [--data DIR] [--num-samples 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def write_synthetic_dataset(
    out_dir: Path,
    num_samples: int,
    *,
    shard_size: int = 256,
    radio_shape: tuple[int, int] = (64, 32),
    image_size: tuple[int, int] = (64, 64),
    seed: int = 0,
) -> Path:
    """Write ``num_samples`` synthetic paired samples (random objects: radio blobs and image squares)."""
    from rvsim.data import DatasetWriter, write_shard_file

    classes = ["person", "robot", "crate"]
    max_objects = 3
    num_range, num_angle = radio_shape
    h, w = image_size
    ranges = np.linspace(0.5, 12.0, num_range)[None, :, None]
    angles = np.linspace(-50.0, 50.0, num_angle)[None, None, :]
    colors = np.array([[230, 60, 40], [40, 200, 60], [50, 80, 230]], dtype=np.uint8)
    writer = DatasetWriter(out_dir, scene={"name": "synthetic-benchmark"}, seed=seed, num_samples=num_samples,
                           shard_size=shard_size, class_names=classes)
    attrs = {"radio/range_angle": {"units": "dB", "range_bins_m": ranges.ravel(), "angle_bins_deg": angles.ravel()}}
    for k, first, count in writer.shard_ranges():
        rng = np.random.default_rng([seed, k])
        num = rng.integers(0, max_objects + 1, count)
        cls = np.where(np.arange(max_objects)[None, :] < num[:, None], rng.integers(0, 3, (count, max_objects)), -1)
        obj_range = rng.uniform(1.0, 11.0, (count, max_objects)).astype(np.float32)
        bearing = rng.uniform(-45.0, 45.0, (count, max_objects)).astype(np.float32)
        power = np.full((count, num_range, num_angle), 1e-25)
        rgb = rng.integers(60, 120, (count, h, w, 3), dtype=np.uint8)
        rows = np.arange(h)[None, :, None]
        cols = np.arange(w)[None, None, :]
        for j in range(max_objects):
            on = (cls[:, j] >= 0)[:, None, None]
            r, b = obj_range[:, j, None, None], bearing[:, j, None, None]
            power += on * 1e-12 / r**2 * np.exp(-(((ranges - r) / 0.4) ** 2) - (((angles - b) / 6.0) ** 2))
            col = ((0.5 - b / 100.0) * (w - 1)).round()
            row = (h * (0.35 + 0.5 * (1 - r / 12.0))).round()
            half = np.maximum(1, (w / 2.5 / r).round())
            mask = on & (np.abs(rows - row) <= half) & (np.abs(cols - col) <= half)
            rgb[mask] = colors[np.maximum(cls[:, j], 0)][np.nonzero(mask)[0]]
        arrays = {
            "radio/range_angle": (10 * np.log10(power)).astype(np.float32),
            "image/rgb": rgb,
            "labels/num_objects": num.astype(np.int32),
            "labels/class_counts": np.stack([(cls == c).sum(1) for c in range(3)], 1).astype(np.int32),
            "labels/obj_class": cls.astype(np.int32),
            "labels/obj_range": obj_range,
            "labels/obj_bearing": bearing,
            "meta/index": np.arange(first, first + count, dtype=np.int64),
        }
        writer.record(write_shard_file(writer.shard_path(k), arrays, attrs, first))
    writer.finalize()
    return out_dir


def _in_memory_dataset(arrays: dict[str, np.ndarray], *, batch_size: int, shuffle_buffer: int, seed: int, map_fn: Any) -> Any:
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices(arrays).shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    data = data.batch(batch_size).enumerate()
    data = data.map(lambda k, b: {**b, "seed": tf.stack([tf.constant(seed, tf.int64), k])})
    return data.map(map_fn, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).prefetch(tf.data.AUTOTUNE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=None, help="dataset folder (default: a synthetic one in a temp folder)")
    parser.add_argument("--num-samples", type=int, default=2000, help="samples of the synthetic dataset")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="timed epochs per input path")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    from rvsim.data import Dataset
    from rvsim.data.pipeline import Pipeline
    from rvsim.train import TrainConfig, build_ssl_model
    from rvsim.train.ssl_trainer import make_optimizer, make_ssl_map_fn, resolve_inputs

    with tempfile.TemporaryDirectory(prefix="rvsim-train-bench-") as tmp:
        if args.data is None:
            t0 = time.perf_counter()
            data_dir = write_synthetic_dataset(Path(tmp) / "data", args.num_samples, seed=args.seed)
            print(f"wrote {args.num_samples} synthetic samples in {time.perf_counter() - t0:.1f} s to {data_dir}")
        else:
            data_dir = Path(args.data)
        ds = Dataset(data_dir)
        config = TrainConfig(batch_size=args.batch_size, seed=args.seed)
        layout = resolve_inputs(ds, config)
        fields = [layout.radio_field, *layout.image_fields]
        indices = np.arange(len(ds), dtype=np.int64)
        map_fn = make_ssl_map_fn(layout, config.augmentation)
        pipe = Pipeline(ds, indices, fields=fields, batch_size=config.batch_size, seed=config.seed,
                        shuffle_buffer=config.shuffle_buffer, block_size=config.block_size)
        streamed = pipe.as_tf_dataset(map_fn)
        arrays = {f: ds.read(f, indices) for f in fields}
        arrays["index"] = indices
        in_memory = _in_memory_dataset(arrays, batch_size=config.batch_size, shuffle_buffer=config.shuffle_buffer,
                                       seed=config.seed, map_fn=map_fn)
        mbytes = sum(a.nbytes for a in arrays.values()) / 2**20

        model = build_ssl_model(config, layout.radio_shape, layout.image_shape)
        model.compile(optimizer=make_optimizer(config), jit_compile=False)
        print(f"dataset: {len(ds)} samples, {len(ds.shards)} shards, {layout.radio_field} {layout.radio_shape}, "
              f"image {layout.image_shape}; in memory: {mbytes:.0f} MiB")
        print(f"model: {model.count_params():,} parameters, objective {config.objective}, batch {config.batch_size}; "
              f"{tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count()} threads, "
              f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; TF {tf.__version__}, "
              f"Keras {keras.__version__}")

        def epoch(data: Any) -> float:
            t = time.perf_counter()
            model.fit(data, epochs=1, verbose=0, shuffle=False)
            return len(ds) / (time.perf_counter() - t)

        def input_only(data: Any) -> float:
            t = time.perf_counter()
            for _ in data:
                pass
            return len(ds) / (time.perf_counter() - t)

        print(f"input only (no training, incl. augmentation): in-memory {input_only(in_memory):.0f} samples/s, "
              f"HDF5 pipeline {input_only(streamed):.0f} samples/s")
        epoch(in_memory)  # warm-up: traces the train function
        epoch(streamed)
        rates: dict[str, list[float]] = {"memory": [], "pipeline": []}
        for r in range(args.rounds):
            order = ("memory", "pipeline") if r % 2 == 0 else ("pipeline", "memory")
            for name in order:
                rates[name].append(epoch(in_memory if name == "memory" else streamed))
            print(f"  round {r + 1}: in-memory {rates['memory'][-1]:7.1f}, pipeline {rates['pipeline'][-1]:7.1f} "
                  f"samples/s (ratio {rates['pipeline'][-1] / rates['memory'][-1]:.3f})")
        ds.close()

    memory = statistics.median(rates["memory"])
    pipeline = statistics.median(rates["pipeline"])
    # adjacent epochs share the machine's load at the time, so the per-round ratio is the robust estimate
    ratio = statistics.median(p / m for p, m in zip(rates["pipeline"], rates["memory"]))
    print(f"training, in-memory (tf.data.from_tensor_slices): {memory:.1f} samples/s (median of {args.rounds} epochs)")
    print(f"training, HDF5 pipeline (rvsim.data.pipeline):    {pipeline:.1f} samples/s (median of {args.rounds} epochs)")
    print(f"ratio pipeline / in-memory: {ratio:.3f} (median of per-round ratios; "
          f"{'within' if ratio >= 0.9 else 'NOT within'} the 10 % target)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
