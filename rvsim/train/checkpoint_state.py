"""Where a run's training checkpoint stands: the ``checkpoint/checkpoint.json`` record (no TensorFlow needed).

A checkpoint is a folder ``run_dir/checkpoint/`` holding::

    checkpoint.json            the record below; written last and atomically, so it is the commit point
    ckpt-<iterations>.weights.h5   model weights + optimizer state (Keras ``save_weights``, HDF5, no pickle)

``checkpoint.json``::

    {"format": "rvsim-checkpoint", "version": 1,
     "epoch": completed epochs, "step": batches of epoch ``epoch`` already trained (0: at an epoch boundary),
     "steps_per_epoch": batches per epoch, "iterations": optimizer steps so far,
     "weights": "ckpt-000123.weights.h5", "sha256": hex digest of that file,
     "metrics": {"<k>:<metric name>": [values of its variables]}   (mid-epoch running means, e.g. the loss),
     "reason": "epoch" | "steps" | "signal", "created": ISO time}

A weights file is written under a temporary name and renamed before the record that names it is replaced,
and older weights files are deleted only after that, so a crash at any moment leaves a complete checkpoint.
Checkpoints written by ``keras.callbacks.BackupAndRestore`` (``training_metadata.json`` +
``latest.weights.h5``, as the first rvsim runs wrote) are read as epoch-boundary checkpoints.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rvsim.errors import InputError

__all__ = [
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_RECORD",
    "CheckpointState",
    "read_checkpoint",
    "write_checkpoint_record",
    "weights_file_name",
    "file_sha256",
]

#: Value of ``checkpoint.json``'s ``"format"``.
CHECKPOINT_FORMAT: str = "rvsim-checkpoint"
#: File name of the checkpoint record.
CHECKPOINT_RECORD: str = "checkpoint.json"
_VERSION: int = 1
_LEGACY_META: str = "training_metadata.json"
_LEGACY_WEIGHTS: str = "latest.weights.h5"
REASONS: tuple[str, ...] = ("epoch", "steps", "signal")


@dataclass(frozen=True)
class CheckpointState:
    """Position and files of a training checkpoint.

    Attributes:
        epoch: Epochs completed.
        step: Batches of epoch ``epoch`` (0-based) already trained; 0 at an epoch boundary.
        steps_per_epoch: Batches per epoch of the run (``None`` for legacy checkpoints).
        iterations: Optimizer steps so far.
        weights: File name of the weights (inside the checkpoint folder).
        sha256: Hex digest of the weights file (``None`` for legacy checkpoints).
        metrics: Variables of the model's metrics at a mid-epoch checkpoint, ``{"<k>:<name>": [...]}``.
        reason: Why it was written: ``"epoch"`` (epoch end), ``"steps"`` (every N steps) or ``"signal"``
            (SIGTERM).
        created: ISO time it was written.
    """

    epoch: int
    step: int
    steps_per_epoch: int | None
    iterations: int
    weights: str
    sha256: str | None = None
    metrics: dict[str, list[Any]] = field(default_factory=dict)
    reason: str = "epoch"
    created: str | None = None

    @property
    def mid_epoch(self) -> bool:
        """Whether the checkpoint lies inside an epoch (``step > 0``)."""
        return self.step > 0

    def to_dict(self) -> dict[str, Any]:
        """The ``checkpoint.json`` document."""
        return {
            "format": CHECKPOINT_FORMAT,
            "version": _VERSION,
            "epoch": self.epoch,
            "step": self.step,
            "steps_per_epoch": self.steps_per_epoch,
            "iterations": self.iterations,
            "weights": self.weights,
            "sha256": self.sha256,
            "metrics": self.metrics,
            "reason": self.reason,
            "created": self.created,
        }


def weights_file_name(iterations: int) -> str:
    """Name of the weights file of a checkpoint taken after ``iterations`` optimizer steps."""
    return f"ckpt-{int(iterations):09d}.weights.h5"


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _nonneg_int(doc: dict[str, Any], key: str, where: Path) -> int:
    value = doc.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(f"the checkpoint record has no valid {key!r} (an integer >= 0). Received: {key}={value!r} in {where}")
    return value


def read_checkpoint(checkpoint_dir: str | os.PathLike[str], *, verify: bool = False) -> CheckpointState | None:
    """Read a checkpoint folder's record.

    Args:
        checkpoint_dir: The ``checkpoint/`` folder of a run.
        verify: Also check the weights file's SHA-256 against the record.

    Returns:
        The state, or ``None`` if the folder holds no checkpoint record (or does not exist).

    Raises:
        InputError: If a record exists but is unreadable or inconsistent, its weights file is missing, or
            (``verify``) the file's digest differs.
    """
    folder = Path(checkpoint_dir)
    record = folder / CHECKPOINT_RECORD
    if not record.is_file():
        legacy = folder / _LEGACY_META
        if legacy.is_file() and (folder / _LEGACY_WEIGHTS).is_file():
            try:
                epoch = int(json.loads(legacy.read_text())["epoch"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise InputError(f"the checkpoint metadata is unreadable. Received: {legacy}") from exc
            return CheckpointState(epoch=epoch, step=0, steps_per_epoch=None, iterations=0, weights=_LEGACY_WEIGHTS)
        return None
    try:
        doc = json.loads(record.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"the checkpoint record is not readable JSON. Received: {record}") from exc
    if not isinstance(doc, dict) or doc.get("format") != CHECKPOINT_FORMAT:
        raise InputError(f"the checkpoint record's format is not {CHECKPOINT_FORMAT!r}. Received: {record}")
    epoch = _nonneg_int(doc, "epoch", record)
    step = _nonneg_int(doc, "step", record)
    iterations = _nonneg_int(doc, "iterations", record)
    spe = doc.get("steps_per_epoch")
    if spe is not None and (not isinstance(spe, int) or isinstance(spe, bool) or spe < 1 or step >= spe):
        raise InputError(f"the checkpoint record's steps_per_epoch is invalid. Received: steps_per_epoch={spe!r}, step={step}")
    name = doc.get("weights")
    if not isinstance(name, str) or not name or Path(name).name != name or name in (".", ".."):
        raise InputError(f"the checkpoint record names no valid weights file. Received: weights={name!r} in {record}")
    path = folder / name
    if not path.is_file():
        raise InputError(f"the checkpoint's weights file is missing. Received: {path}")
    digest = doc.get("sha256")
    if verify and digest is not None and file_sha256(path) != digest:
        raise InputError(f"the checkpoint's weights file does not match its recorded sha256 (corrupt). Received: {path}")
    metrics = doc.get("metrics") or {}
    if not isinstance(metrics, dict):
        raise InputError(f"the checkpoint record's metrics must be a mapping. Received: {type(metrics).__name__}")
    reason = doc.get("reason", "epoch")
    return CheckpointState(
        epoch=epoch,
        step=step,
        steps_per_epoch=spe,
        iterations=iterations,
        weights=name,
        sha256=digest,
        metrics=metrics,
        reason=reason if reason in REASONS else "epoch",
        created=doc.get("created"),
    )


def write_checkpoint_record(checkpoint_dir: str | os.PathLike[str], state: CheckpointState) -> None:
    """Write ``checkpoint.json`` atomically (the commit point), then delete weights files it does not name."""
    from rvsim.data.manifest import write_json_atomic

    folder = Path(checkpoint_dir)
    write_json_atomic(folder / CHECKPOINT_RECORD, state.to_dict())
    for stale in folder.glob("ckpt-*.weights.h5"):
        if stale.name != state.weights:
            stale.unlink(missing_ok=True)
    for legacy in (_LEGACY_META, _LEGACY_WEIGHTS):
        if legacy != state.weights:
            (folder / legacy).unlink(missing_ok=True)
