"""Per-epoch metrics of a run as JSON lines (``metrics.jsonl``) and CSV (``metrics.csv``)."""

from __future__ import annotations

import csv
import json
import math
import os
import time
from pathlib import Path
from typing import Any

import keras

__all__ = ["MetricsLogger", "read_metrics", "truncate_metrics", "METRICS_JSONL", "METRICS_CSV"]

METRICS_JSONL: str = "metrics.jsonl"
METRICS_CSV: str = "metrics.csv"


def _clean(value: Any) -> Any:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def read_metrics(run_dir: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The rows of ``metrics.jsonl`` (one dict per epoch; ``"epoch"`` counts from 1); empty if none."""
    path = Path(run_dir) / METRICS_JSONL
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def truncate_metrics(run_dir: str | os.PathLike[str], epochs: int) -> None:
    """Keep only the rows of epochs ``<= epochs`` (used when resuming from a checkpoint at ``epochs``)."""
    rows = [r for r in read_metrics(run_dir) if int(r.get("epoch", 0)) <= epochs]
    run_dir = Path(run_dir)
    (run_dir / METRICS_JSONL).write_text("".join(json.dumps(r, allow_nan=False) + "\n" for r in rows))
    csv_path = run_dir / METRICS_CSV
    if csv_path.is_file():
        with open(csv_path, newline="") as f:
            reader = csv.DictReader(f)
            header = list(reader.fieldnames or [])
            kept = [r for r in reader if r.get("epoch") and int(float(r["epoch"])) <= epochs]
        with open(csv_path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            writer.writerows(kept)


class MetricsLogger(keras.callbacks.Callback):
    """Append one row per finished epoch to ``metrics.jsonl`` and ``metrics.csv`` in ``run_dir``.

    A row holds ``"epoch"`` (1-based: epochs completed), every value of the epoch's logs (non-finite
    values as null / empty) and ``"time_s"`` (wall time of the epoch). The CSV header is fixed by the first
    row written; later keys that are not in it are left out of the CSV (never out of the JSON lines).

    Args:
        run_dir: The run folder.
    """

    def __init__(self, run_dir: str | os.PathLike[str]) -> None:
        super().__init__()
        self.run_dir = Path(run_dir)
        self._start = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        row: dict[str, Any] = {"epoch": epoch + 1}
        for key in sorted(logs or {}):
            row[key] = _clean((logs or {})[key])
        row["time_s"] = round(time.perf_counter() - self._start, 3)
        with open(self.run_dir / METRICS_JSONL, "a") as f:
            f.write(json.dumps(row, allow_nan=False) + "\n")
        csv_path = self.run_dir / METRICS_CSV
        header: list[str]
        if csv_path.is_file() and csv_path.stat().st_size > 0:
            with open(csv_path, newline="") as f:
                header = next(csv.reader(f), [])
            new = False
        else:
            header = list(row)
            new = True
        with open(csv_path, "a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
            if new:
                writer.writeheader()
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
