"""The end-to-end demo: generate a factory dataset, learn a radio encoder from vision, probe it, report.

:func:`run_demo` chains the library's stages with small defaults chosen to finish within about 20 minutes
on a 2-core CPU machine:

1. :func:`rvsim.sim.dataset_generation.generate_dataset` — ``num_samples`` factory samples;
2. :func:`rvsim.train.train_ssl` — the cross-modal self-supervised radio encoder (no labels);
3. :func:`rvsim.eval.run_probe` — the evaluation protocol: ``ssl`` against ``supervised``, ``random``, ``raw``
   and the ``vision`` teacher at 1 %, 10 % and 100 % of the training labels on the downstream task;
4. a Markdown report, ``report.md``, that opens with the headline table and plot.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rvsim.errors import InputError

__all__ = ["DemoConfig", "run_demo"]


@dataclass(frozen=True)
class DemoConfig:
    """Settings of the demo.

    Attributes:
        scene: Scene family (built-in name or YAML path).
        num_samples: Samples generated.
        workers: Generation worker processes.
        seed: Seed of the dataset, training and probes.
        epochs: Self-supervised training epochs.
        batch_size: Training batch size.
        radio_width: Channels of the radio encoder's first stage (16: a quarter of the compute of the library
            default 32, which keeps the supervised baseline trainings of the probe short).
        objective: Cross-modal objective.
        dense_weight: Weight of the spatially aligned objective (0: off).
        bn_momentum: Momentum of batch norm's moving statistics (0.9: no collapse, docs/training.md).
        split_fractions: ``(train, val, test)`` of the dataset (a fifth to test: 400 test scenes).
        task: Downstream task of the probes (``occupancy``: where the nearest object is, what the camera teaches
            best).
        fractions: Label fractions (1 % and 10 %: where labels are scarce; 100 % adds about 11 min, most of it the
            supervised baseline's three trainings on every label).
        seeds: Label-subset seeds (the supervised baseline and random encoders: one model seed per subset).
        methods: Methods of the protocol.
    """

    scene: str = "factory"
    num_samples: int = 2000
    workers: int = 2
    seed: int = 0
    epochs: int = 15
    batch_size: int = 64
    radio_width: int = 16
    objective: str = "infonce"
    dense_weight: float = 0.0
    bn_momentum: float = 0.9
    split_fractions: tuple[float, float, float] = (0.7, 0.1, 0.2)
    task: str = "occupancy"
    fractions: tuple[float, ...] = (0.01, 0.1)
    seeds: int = 3
    methods: tuple[str, ...] = ("ssl", "supervised", "random", "raw", "vision")


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"the demo output is a file. Received: {out}")
    if out.is_dir() and any(out.iterdir()):
        raise InputError(f"the demo output folder is not empty (choose a new one). Received: {out}")


def run_demo(out_dir: str | os.PathLike[str], config: DemoConfig | None = None, *,
             say: Callable[[str], None] = print, verbose: int = 1) -> Path:
    """Run the demo into ``out_dir`` (new or empty); return the path of ``report.md``.

    Layout: ``OUT/data`` (dataset, ``grid.png``), ``OUT/ssl`` (run folder), ``OUT/probe`` (probe outputs),
    ``OUT/report.md``, ``OUT/timings.json``.

    Raises:
        InputError: for a non-empty output folder or invalid settings (nothing written).
    """
    config = config or DemoConfig()
    out = Path(out_dir)
    _check_out(out)
    # Dr.Jit must be loaded before TensorFlow in one process (the other order segfaults).
    from rvsim.sim.sionna_import import import_sionna_rt

    import_sionna_rt()
    from rvsim.config import load_scene_spec
    from rvsim.eval import ProtocolConfig
    from rvsim.tasks import get_task
    from rvsim.train import TrainConfig

    spec = load_scene_spec(config.scene)
    get_task(config.task)
    train_cfg = TrainConfig(objective=config.objective, epochs=config.epochs, batch_size=config.batch_size,
                            radio_width=config.radio_width, seed=config.seed, dense_weight=config.dense_weight,
                            bn_momentum=config.bn_momentum, split_fractions=config.split_fractions)
    probe_cfg = ProtocolConfig(fractions=tuple(config.fractions), subset_seeds=config.seeds,
                               methods=tuple(config.methods))
    timings: dict[str, float] = {}

    from rvsim.data import Dataset
    from rvsim.data.sample_grid import plot_sample_grid
    from rvsim.sim.dataset_generation import generate_dataset

    t = time.perf_counter()
    say(f"[1/4] generating {config.num_samples} '{spec.name}' samples with {config.workers} worker(s)")
    report = generate_dataset(spec, out / "data", config.num_samples, seed=config.seed,
                              shard_size=min(256, config.num_samples), workers=config.workers)
    timings["generate_s"] = time.perf_counter() - t
    say(f"      {report.samples_per_second:.1f} samples/s")
    with Dataset(out / "data") as ds:
        plot_sample_grid(ds, list(range(min(4, len(ds)))), out / "grid.png")

    from rvsim.train import train_ssl

    t = time.perf_counter()
    say(f"[2/4] self-supervised training ({config.objective}, {config.epochs} epochs): vision teaches radio")
    train_ssl(out / "data", out / "ssl", train_cfg, verbose=verbose)
    timings["train_s"] = time.perf_counter() - t

    from rvsim.eval.probe_runner import run_probe

    t = time.perf_counter()
    say(f"[3/4] linear probes on '{config.task}' at label fractions {list(config.fractions)}, {config.seeds} seeds")
    probe = run_probe(out / "data", out / "ssl", config.task, out / "probe", probe_cfg,
                      progress=lambda line: say(f"      {line}"))
    timings["probe_s"] = time.perf_counter() - t

    say("[4/4] writing the report")
    timings["total_s"] = sum(timings.values())
    (out / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    path = out / "report.md"
    path.write_text(_report(out, config, probe, timings, report.samples_per_second))
    say(f"done in {timings['total_s'] / 60:.1f} min: {path}")
    return path


def _report(out: Path, config: DemoConfig, probe: dict[str, Any], timings: dict[str, float], rate: float) -> str:
    probe_md = (out / "probe" / "probe.md").read_text() if (out / "probe" / "probe.md").exists() else ""
    metrics = out / "ssl" / "metrics.jsonl"
    rows: list[dict[str, Any]] = []
    if metrics.exists():
        rows = [json.loads(ln) for ln in metrics.read_text().splitlines() if ln.strip()]
    selected_path = out / "ssl" / "selected_epoch.json"
    selected = json.loads(selected_path.read_text()) if selected_path.exists() else {}
    kept = next((r for r in rows if r.get("epoch") == selected.get("epoch")), rows[-1] if rows else {})

    def cross_modal(row: dict[str, Any]) -> str:
        keys = ("val_loss", "val_retrieval_top1", "val_retrieval_chance")
        return ", ".join(f"{k} {row[k]:.3f}" for k in keys if isinstance(row.get(k), (int, float)))

    kept_line = (f"- encoder kept: epoch {kept.get('epoch')} of {len(rows)} ({selected.get('rule', 'last epoch')}): "
                 f"{cross_modal(kept)}; last epoch: {cross_modal(rows[-1])}" if rows else "- (no metrics found)")
    lines = [
        "# rvsim demo report",
        "",
        f"Task **{probe['task']['name']}**, chance level {probe['chance']['score']:.3f}. Linear probes on the frozen "
        "radio encoder learnt without labels (`ssl`) against the same encoder architecture trained end to end on the "
        "labels (`supervised`), a randomly initialised encoder (`random`), the normalised radio input (`raw`) and the "
        "camera's own encoder (`vision`, the teacher), at fractions of the training labels; scores on the held-out "
        "test split, mean ± std over label-subset seeds, and `ssl` minus each baseline with a paired 95 % bootstrap "
        "interval.",
        "",
        probe_md.strip(),
        "",
        "![accuracy vs label fraction](probe/probe_accuracy.png)",
        "",
        "## What was run",
        "",
        f"- dataset: {config.num_samples} samples of the `{config.scene}` family, seed {config.seed}, "
        f"generated at {rate:.1f} samples/s with {config.workers} worker(s) — `data/`, grid below",
        f"- self-supervised training: {config.objective}, {config.epochs} epochs, batch {config.batch_size}, "
        f"radio encoder width {config.radio_width} — `ssl/`",
        kept_line,
        f"- probes: fractions {list(config.fractions)}, {config.seeds} seeds — `probe/probe.json`",
        f"- wall time: generate {timings['generate_s']:.0f} s, train {timings['train_s']:.0f} s, "
        f"probe {timings['probe_s']:.0f} s, total {timings['total_s'] / 60:.1f} min on "
        f"{os.cpu_count()} cores ({platform.machine()}, {platform.python_version()})",
        "",
        "![samples](grid.png)",
        "",
    ]
    for name in ("embedding_map.png", "retrievals.png"):
        if (out / "probe" / name).exists():
            lines += [f"![{name[:-4]}](probe/{name})", ""]
    lines += ["Settings: `" + json.dumps(dataclasses.asdict(config)) + "`", ""]
    return "\n".join(lines)

