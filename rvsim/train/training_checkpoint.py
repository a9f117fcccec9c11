"""Training checkpoints every N steps, at every epoch end and on SIGTERM; restoring them for ``--resume``.

What a checkpoint holds and how it is written atomically is described in :mod:`rvsim.train.checkpoint_state`.
A checkpoint at a batch inside an epoch also records the running means of the model's metrics (the epoch's
loss so far), so a resumed epoch reports the same epoch loss as an uninterrupted one. Resuming skips the
batches of the interrupted epoch that were already trained (the batch stream is a pure function of the
epoch and step, see :mod:`rvsim.train.replica_input`).
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import keras
import numpy as np

from rvsim.errors import InputError
from rvsim.train.checkpoint_state import CheckpointState, file_sha256, read_checkpoint, weights_file_name, write_checkpoint_record
from rvsim.train.distribution_strategy import any_worker
from rvsim.train.termination_signal import TerminationSignal

__all__ = ["TrainingInterrupted", "TrainingCheckpoint", "save_checkpoint", "restore_checkpoint", "metric_states"]


class TrainingInterrupted(Exception):
    """Training stopped early on request (SIGTERM) after writing a checkpoint; ``--resume`` continues it.

    Attributes:
        run_dir: The run folder.
        epoch: Epochs completed at the checkpoint.
        step: Batches of the next epoch already trained.
        steps_per_epoch: Batches per epoch.
        signum: The signal that asked for the stop (``None`` if requested otherwise).
    """

    def __init__(self, run_dir: Path, epoch: int, step: int, steps_per_epoch: int, signum: int | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.epoch = epoch
        self.step = step
        self.steps_per_epoch = steps_per_epoch
        self.signum = signum
        where = (
            f"at epoch {epoch + 1}, step {step} of {steps_per_epoch} ({epoch} epoch(s) complete)"
            if step
            else f"after epoch {epoch}"
        )
        super().__init__(f"training stopped on request {where}; checkpoint saved in {self.run_dir}; continue with --resume")


def _unique_metrics(model: keras.Model) -> list[Any]:
    seen: set[int] = set()
    out = []
    for metric in model.metrics:
        if id(metric) not in seen:
            seen.add(id(metric))
            out.append(metric)
    return out


def _json_value(value: Any) -> Any:
    """A nested list of numbers with non-finite floats as the strings ``"nan"``, ``"inf"``, ``"-inf"``."""
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    return value


def metric_states(model: keras.Model) -> dict[str, list[Any]]:
    """The variables of each of the model's metrics (running totals and counts), JSON-able."""
    return {
        f"{k}:{metric.name}": [_json_value(np.asarray(v.numpy()).tolist()) for v in metric.variables]
        for k, metric in enumerate(_unique_metrics(model))
    }


def _restore_metric_states(model: keras.Model, states: dict[str, list[Any]]) -> None:
    metrics = _unique_metrics(model)
    for k, metric in enumerate(metrics):
        values = states.get(f"{k}:{metric.name}")
        if values is None or len(values) != len(metric.variables):
            raise InputError(
                f"the checkpoint's metric states do not match the model's metrics. Received: {sorted(states)}"
            )
        for variable, value in zip(metric.variables, values):
            variable.assign(np.asarray(value, dtype=np.dtype(variable.dtype)).reshape(variable.shape))


def save_checkpoint(
    model: keras.Model,
    directory: Path,
    *,
    epoch: int,
    step: int,
    steps_per_epoch: int,
    reason: str,
) -> CheckpointState:
    """Save weights + optimizer state (+ metric states if ``step > 0``) and commit the record.

    Args:
        model: The compiled model.
        directory: The checkpoint folder (created if needed).
        epoch: Epochs completed.
        step: Batches of epoch ``epoch`` already trained.
        steps_per_epoch: Batches per epoch.
        reason: ``"epoch"``, ``"steps"`` or ``"signal"``.

    Returns:
        The state written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    iterations = int(model.optimizer.iterations.numpy()) if model.optimizer is not None else 0
    metrics = metric_states(model) if step > 0 else {}
    name = weights_file_name(iterations)
    tmp = directory / f".tmp-{name}"
    model.save_weights(tmp, overwrite=True)
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, directory / name)
    state = CheckpointState(
        epoch=int(epoch),
        step=int(step),
        steps_per_epoch=int(steps_per_epoch),
        iterations=iterations,
        weights=name,
        sha256=file_sha256(directory / name),
        metrics=metrics,
        reason=reason,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    write_checkpoint_record(directory, state)
    return state


def restore_checkpoint(model: keras.Model, directory: Path, state: CheckpointState | None = None) -> CheckpointState:
    """Load the checkpoint in ``directory`` into a compiled model (weights and optimizer state).

    Args:
        model: The compiled model (built).
        directory: The checkpoint folder.
        state: Its record, already read with ``verify=True``; default: read and verified here.

    Raises:
        InputError: If there is no valid checkpoint.
    """
    if state is None:
        state = read_checkpoint(directory, verify=True)
    if state is None:
        raise InputError(f"no checkpoint to resume from. Received: {directory}")
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    model.load_weights(directory / state.weights)
    return state


class TrainingCheckpoint(keras.callbacks.Callback):
    """Checkpoint every ``every_steps`` steps, at every epoch end, and stop cleanly on SIGTERM.

    Put it last in the callback list: at an epoch end the others (metrics rows, saved encoders) have run
    before the checkpoint that marks the epoch done. When ``termination`` has been requested, the callback
    saves a checkpoint at the next batch end (or at the epoch end if that was the epoch's last batch) and
    raises :class:`TrainingInterrupted` out of ``model.fit`` (no partial metrics row is written). With several
    workers the request is combined across workers at every batch end, so all stop at the same step.

    Args:
        directory: The checkpoint folder.
        run_dir: The run folder (for messages).
        steps_per_epoch: Batches per epoch.
        epochs: Epochs of the whole run.
        every_steps: Also checkpoint when the global step (``epoch * steps_per_epoch + step``) is a multiple of
            this; ``None``: only at epoch ends.
        start: The checkpoint training resumes from (its position and metric states), or ``None``.
        termination: The stop request to poll.
        strategy: The ``tf.distribute`` strategy (for combining stop requests across workers).
        num_workers: Workers training together.
    """

    def __init__(
        self,
        directory: Path,
        run_dir: Path,
        *,
        steps_per_epoch: int,
        epochs: int,
        every_steps: int | None = None,
        start: CheckpointState | None = None,
        termination: TerminationSignal | None = None,
        strategy: Any = None,
        num_workers: int = 1,
    ) -> None:
        super().__init__()
        self.directory = Path(directory)
        self.run_dir = Path(run_dir)
        self.steps_per_epoch = int(steps_per_epoch)
        self.epochs = int(epochs)
        self.every_steps = every_steps
        self.start = start
        self.termination = termination
        self._any_worker = any_worker(strategy, num_workers)
        self.last: CheckpointState | None = start
        self._epoch = start.epoch if start is not None else 0
        self._offset = 0

    def _stop_requested(self) -> bool:
        flag = self.termination is not None and self.termination.requested
        return self._any_worker(flag)

    def _save(self, epoch: int, step: int, reason: str) -> None:
        self.last = save_checkpoint(
            self.model,
            self.directory,
            epoch=epoch,
            step=step,
            steps_per_epoch=self.steps_per_epoch,
            reason=reason,
        )

    def _interrupted(self, epoch: int, step: int) -> TrainingInterrupted:
        signum = self.termination.signum if self.termination is not None else None
        return TrainingInterrupted(self.run_dir, epoch, step, self.steps_per_epoch, signum)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch
        self._offset = 0
        if self.start is not None and epoch == self.start.epoch and self.start.step > 0:
            self._offset = self.start.step
            if self.start.metrics:
                _restore_metric_states(self.model, self.start.metrics)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        step = self._offset + batch + 1
        if step >= self.steps_per_epoch:
            return  # the epoch end checkpoints (and stops, if asked)
        stop = self._stop_requested()
        due = self.every_steps is not None and (self._epoch * self.steps_per_epoch + step) % self.every_steps == 0
        if stop or due:
            self._save(self._epoch, step, "signal" if stop else "steps")
        if stop:
            raise self._interrupted(self._epoch, step)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        stop = self._stop_requested()
        self._save(epoch + 1, 0, "epoch")
        if stop and epoch + 1 < self.epochs:
            raise self._interrupted(epoch + 1, 0)
