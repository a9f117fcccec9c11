"""Run folders: what a training run writes, how it is recognised, and how its parts are loaded back.

A run folder holds::

    config.json              {"format": "rvsim-run", "kind": "ssl" | "supervised", "config": {...TrainConfig},
                              "data": {"path", "num_samples", "seed", "radio_field", "radio_shape",
                                       "image_fields", "image_size", "radio_normalization": {...}},
                              "git_commit": str | null, "versions": {...}, "created": ISO time,
                              "resumed_at_epochs": [...], "sessions": [{"started", "strategy", "device",
                              "replicas", "workers", "checkpoint_every", "start": {"epoch", "step"}}, ...]}
    split.json               {"train": [...], "val": [...], "test": [...], "seed": split seed}
    radio_encoder.keras      the radio encoder (input: radio in dB, see rvsim.train.radio_input)
    vision_encoder.keras     the vision encoder (ssl runs)
    radio_head.keras, vision_head.keras   the projection heads (ssl runs): embedding -> projection
    selected_epoch.json      (ssl runs) the epoch the four files above come from: {"keep": "best" | "last",
                             "rule", "epoch", "val_loss"} (TrainConfig.keep)
    checkpoint/              checkpoint.json + ckpt-N.weights.h5: weights, optimizer state, epoch and step, for
                             --resume (see rvsim.train.checkpoint_state)
    metrics.jsonl, metrics.csv   one row per epoch
    tensorboard/             TensorBoard logs
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from rvsim.errors import InputError
from rvsim.train.checkpoint_state import CheckpointState, read_checkpoint

__all__ = [
    "RUN_FORMAT",
    "CONFIG_NAME",
    "SPLIT_NAME",
    "SELECTED_EPOCH_NAME",
    "CHECKPOINT_DIR",
    "is_run_dir",
    "has_checkpoint",
    "checkpoint_epoch",
    "checkpoint_state",
    "check_output_dir",
    "git_commit",
    "run_versions",
    "load_run_config",
    "load_split",
    "load_encoder",
]

#: Value of ``config.json``'s ``"format"``.
RUN_FORMAT: str = "rvsim-run"
CONFIG_NAME: str = "config.json"
SPLIT_NAME: str = "split.json"
#: Which epoch the run folder's encoders come from (``{"keep", "rule", "epoch", "val_loss"}``).
SELECTED_EPOCH_NAME: str = "selected_epoch.json"
CHECKPOINT_DIR: str = "checkpoint"

#: Distributions whose versions a run records.
_VERSIONED: tuple[str, ...] = ("rvsim", "tensorflow", "tensorflow-cpu", "keras", "numpy", "h5py", "scikit-learn")


def is_run_dir(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder holding an rvsim run's ``config.json``."""
    try:
        doc = json.loads((Path(path) / CONFIG_NAME).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and doc.get("format") == RUN_FORMAT


def checkpoint_state(run_dir: str | os.PathLike[str]) -> CheckpointState | None:
    """The run's checkpoint (epoch, step, files), or ``None`` if it has none.

    Raises:
        InputError: If a checkpoint record exists but is broken (see :func:`~rvsim.train.checkpoint_state.read_checkpoint`).
    """
    return read_checkpoint(Path(run_dir) / CHECKPOINT_DIR)


def has_checkpoint(run_dir: str | os.PathLike[str]) -> bool:
    """Whether the run folder has a readable checkpoint that ``resume`` can continue from."""
    try:
        return checkpoint_state(run_dir) is not None
    except InputError:
        return False


def checkpoint_epoch(run_dir: str | os.PathLike[str]) -> int:
    """Epochs completed at the run's checkpoint (0 without a readable one)."""
    try:
        state = checkpoint_state(run_dir)
    except InputError:
        return 0
    return state.epoch if state is not None else 0


def check_output_dir(out_dir: str | os.PathLike[str], *, resume: bool) -> None:
    """Validate a run's output folder before anything is written.

    Raises:
        InputError: If ``out_dir`` is a file; a non-empty folder that is not a run; a run while ``resume`` is
            false; or (``resume``) not a run with a checkpoint.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out is a file, not a folder. Received: {out}")
    exists_nonempty = out.is_dir() and any(out.iterdir())
    if resume:
        if not is_run_dir(out):
            raise InputError(f"--resume needs an existing run folder; there is none. Received: --out {out}")
        state = checkpoint_state(out)  # a broken record raises its own InputError
        if state is None:
            raise InputError(
                f"--resume: the run folder has no checkpoint to continue from (it stopped before the first "
                f"checkpoint); delete it or choose another --out. Received: --out {out}"
            )
        return
    if exists_nonempty:
        if is_run_dir(out):
            raise InputError(
                f"--out already holds a run; pass --resume to continue it, or choose another folder. Received: {out}"
            )
        raise InputError(f"--out is a non-empty folder that is not an rvsim run; refusing to write into it. Received: {out}")


def git_commit() -> str | None:
    """The git commit of the rvsim source tree, or ``None`` if it is not a git checkout (or git is missing)."""
    source = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if len(commit) == 40 else None


def run_versions() -> dict[str, str | None]:
    """Installed versions of the packages a run depends on (``None``: not installed)."""
    from rvsim.data.dataset_writer import package_versions

    return package_versions(_VERSIONED)


def load_run_config(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The run's ``config.json`` (see the module docstring); ``["config"]`` is the :class:`TrainConfig` dict.

    Raises:
        InputError: If ``run_dir`` is not a run folder.
    """
    path = Path(run_dir) / CONFIG_NAME
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"not an rvsim run folder (no readable config.json). Received: {run_dir}") from exc
    if not isinstance(doc, dict) or doc.get("format") != RUN_FORMAT:
        raise InputError(f"not an rvsim run folder (config.json format is not {RUN_FORMAT!r}). Received: {run_dir}")
    return doc


def load_split(run_dir: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """The run's split: ``{"train", "val", "test"}`` sorted int64 index arrays.

    Raises:
        InputError: If the run has no readable ``split.json``.
    """
    path = Path(run_dir) / SPLIT_NAME
    try:
        doc = json.loads(path.read_text())
        return {k: np.asarray(doc[k], dtype=np.int64) for k in ("train", "val", "test")}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"the run has no readable split.json. Received: {run_dir}") from exc


def load_encoder(run_dir_or_file: str | os.PathLike[str], modality: str = "radio") -> Any:
    """Load a run's encoder (``safe_mode=True``).

    Args:
        run_dir_or_file: A run folder, or a ``.keras`` file.
        modality: ``"radio"`` or ``"vision"`` (for a run folder).

    Returns:
        The ``keras.Model`` encoder.

    Raises:
        InputError: If the modality is unknown or the file is missing.
    """
    import keras

    import rvsim.models  # noqa: F401  (registers the custom layers)

    if modality not in ("radio", "vision"):
        raise InputError(f"modality must be 'radio' or 'vision'. Received: modality={modality!r}")
    path = Path(run_dir_or_file)
    if path.is_dir():
        path = path / f"{modality}_encoder.keras"
    if not path.is_file():
        raise InputError(f"no encoder file found. Received: {path}")
    return keras.models.load_model(path, safe_mode=True, compile=False)
