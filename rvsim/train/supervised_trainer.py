"""The fully supervised baseline: a radio encoder plus a linear head, trained end to end on labelled samples.

One implementation serves every command (``rvsim probe``, ``rvsim real``, ``rvsim train --supervised``):
:func:`fit_supervised` trains on arrays with ``model.fit`` and Keras callbacks, given the care the
self-supervised pipeline gets:

* the same radio augmentation (:func:`rvsim.train.augmentation.augment_radio`) on every training batch;
* model selection on a **validation part of the labelled subset itself**, held out by group
  (:func:`rvsim.data.split.grouped_holdout`: a drive-by sequence or a block of time never sits on both
  sides; stratified by class): for every (learning rate, weight decay) of a small grid, AdamW trains with
  early stopping on the validation loss; the setting with the lowest validation loss wins, and the model is
  trained again on the *whole* labelled subset with it for the chosen number of epochs;
* when the labelled subset is too small for an honest validation part (fewer than ``min_val_samples``
  validation samples or fewer than 2 groups on either side), documented defaults instead: the first grid
  setting for ``default_epochs`` epochs.

Tiny subsets have few batches per epoch, so an epoch passes over the data as many times as needed for at
least ``min_steps_per_epoch`` optimiser steps. The budget actually spent (settings tried, epochs, steps) is
returned and written into every report. Test data are never seen.

Targets follow :mod:`rvsim.tasks`: multiclass (softmax cross-entropy), multilabel (one sigmoid per label) or
regression (mean squared error on the target standardised with the labelled subset's mean and std).
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from rvsim.data import Dataset
from rvsim.data.manifest import write_json_atomic
from rvsim.data.split import grouped_holdout
from rvsim.errors import ConfigError, InputError, check_settings
from rvsim.models import build_radio_encoder
from rvsim.tasks import TASK_KINDS, Task, get_task, task_metrics
from rvsim.train.augmentation import AugmentConfig, augment_radio
from rvsim.train.metrics_logger import MetricsLogger
from rvsim.train.model_inputs import fit_radio_normalization, radio_input
from rvsim.train.run_folder import CONFIG_NAME, RUN_FORMAT, SPLIT_NAME, check_output_dir, git_commit, run_versions
from rvsim.train.ssl_trainer import resolve_inputs, save_model_atomic
from rvsim.train.train_config import TrainConfig

__all__ = [
    "SupervisedConfig",
    "SupervisedFit",
    "fit_supervised",
    "build_supervised_model",
    "build_windowed_model",
    "build_classifier",
    "train_supervised",
    "evaluate_classifier",
]


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


@dataclass(frozen=True)
class SupervisedConfig:
    """Settings of the supervised baseline.

    Attributes:
        grid: ``(learning rate, weight decay)`` settings of AdamW tried on the validation part.
        max_epochs: Most epochs of a training with early stopping.
        patience: Epochs without a lower validation loss before stopping.
        default_epochs: Epochs trained (with ``grid[0]``) when no validation part can be held out.
        batch_size: Samples per batch (at most the labelled samples).
        min_steps_per_epoch: Least optimiser steps per epoch (small subsets repeat within an epoch).
        val_fraction: Fraction of the labelled subset's groups held out for validation.
        min_val_samples: Fewer validation samples than this: no selection, the defaults are used.
        augmentation: Radio augmentation of the training batches (the self-supervised default).
    """

    grid: tuple[tuple[float, float], ...] = ((1e-3, 1e-4), (3e-4, 1e-4), (1e-3, 1e-2))
    max_epochs: int = 60
    patience: int = 8
    default_epochs: int = 30
    batch_size: int = 64
    min_steps_per_epoch: int = 10
    val_fraction: float = 0.2
    min_val_samples: int = 10
    augmentation: AugmentConfig = field(default_factory=AugmentConfig)

    def __post_init__(self) -> None:
        grid = tuple(tuple(float(v) for v in pair) for pair in self.grid) if isinstance(self.grid, (list, tuple)) else ()
        if not grid or not all(len(p) == 2 and math.isfinite(p[0]) and p[0] > 0 and math.isfinite(p[1]) and p[1] >= 0
                               for p in grid):
            raise ConfigError(f"grid must be a non-empty list of [learning rate > 0, weight decay >= 0]. Received: grid={self.grid!r}")
        object.__setattr__(self, "grid", grid)
        for name in ("max_epochs", "patience", "default_epochs", "batch_size", "min_steps_per_epoch", "min_val_samples"):
            value = getattr(self, name)
            if not _is_int(value) or value < 1:
                raise ConfigError(f"{name} must be an integer >= 1. Received: {name}={value!r}")
        if not isinstance(self.val_fraction, (int, float)) or not 0.0 < float(self.val_fraction) < 1.0:
            raise ConfigError(f"val_fraction must be in (0, 1). Received: val_fraction={self.val_fraction!r}")
        if isinstance(self.augmentation, Mapping):
            object.__setattr__(self, "augmentation", AugmentConfig.from_dict(self.augmentation))
        if not isinstance(self.augmentation, AugmentConfig):
            raise ConfigError(f"augmentation must be an AugmentConfig or a mapping. Received: {self.augmentation!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able settings."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["grid"] = [list(p) for p in self.grid]
        out["augmentation"] = self.augmentation.to_dict()
        return out

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> SupervisedConfig:
        """Build from a dict (YAML); unknown keys raise :class:`~rvsim.errors.ConfigError`."""
        return cls(**check_settings(values, {f.name for f in dataclasses.fields(cls)}, "supervised settings"))


@dataclass
class SupervisedFit:
    """A trained supervised baseline.

    Attributes:
        model: The Keras model ``(batch, *input_shape) -> (batch, outputs)`` (logits / standardised values);
            ``model.encoder`` is the radio encoder.
        kind: The task kind.
        num_outputs: Classes, labels, or 1.
        target_mean: Regression target mean (0 otherwise).
        target_std: Regression target std (1 otherwise).
        budget: What was spent: settings tried with their best validation loss and epoch, the chosen one,
            epochs and optimiser steps of the final fit, total steps, wall time.
    """

    model: keras.Model
    kind: str
    num_outputs: int
    target_mean: float = 0.0
    target_std: float = 1.0
    budget: dict[str, Any] = field(default_factory=dict)

    def predict(self, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
        """Predictions in the form :func:`rvsim.tasks.task_metrics` scores: class probabilities ``(n, C)``,
        label probabilities ``(n, L)`` or values ``(n,)``."""
        out = np.asarray(self.model.predict(np.asarray(x, np.float32), batch_size=batch_size, verbose=0), np.float64)
        if self.kind == "multiclass":
            out = out - out.max(axis=1, keepdims=True)
            e = np.exp(out)
            return e / e.sum(axis=1, keepdims=True)
        if self.kind == "multilabel":
            return 1.0 / (1.0 + np.exp(-out))
        return out[:, 0] * self.target_std + self.target_mean


def build_supervised_model(encoder: keras.Model, num_outputs: int, *, seed: int | None = None,
                           name: str = "supervised_model") -> keras.Model:
    """``encoder`` followed by a linear layer to ``num_outputs`` outputs (logits or standardised values).

    Returns:
        A functional model whose layer ``"radio_encoder"`` (also ``model.encoder``) is ``encoder``.
    """
    enc_shape = tuple(encoder.input_shape[1:])
    head = keras.layers.Dense(num_outputs, kernel_initializer=keras.initializers.GlorotUniform(seed=seed), name="linear_head")
    inputs = keras.Input(shape=enc_shape, name="radio")
    model = keras.Model(inputs, head(encoder(inputs)), name=name)
    model.encoder = encoder
    return model


def build_windowed_model(encoder: keras.Model, window: int, num_outputs: int, *, seed: int | None = None) -> keras.Model:
    """The supervised model of a window of ``window`` sweeps: per-sweep encoder, concatenated, linear head."""
    enc_shape = tuple(encoder.input_shape[1:])
    inputs = keras.Input(shape=(window, *enc_shape), name="radio_window")
    per_sweep = keras.layers.TimeDistributed(encoder, name="per_sweep")(inputs)
    flat = keras.layers.Flatten()(per_sweep)
    head = keras.layers.Dense(num_outputs, kernel_initializer=keras.initializers.GlorotUniform(seed=seed), name="linear_head")
    model = keras.Model(inputs, head(flat), name="supervised_window_model")
    model.encoder = encoder
    return model


def build_classifier(encoder: keras.Model, num_classes: int, *, seed: int | None = None) -> keras.Model:
    """``encoder`` followed by a linear layer to ``num_classes`` logits (:func:`build_supervised_model`)."""
    return build_supervised_model(encoder, num_classes, seed=seed, name="supervised_classifier")


def _batches(x: np.ndarray, y: np.ndarray, batch_size: int, epochs: int, passes: int, seed: int,
             augmentation: AugmentConfig | None, windowed: bool) -> tuple[tf.data.Dataset, int]:
    """Shuffled, augmented training batches of in-memory arrays for ``epochs`` epochs.

    An epoch passes over the rows ``passes`` times, each pass in a new seeded order; batch ``i`` is augmented
    with the stateless seed ``(seed, i)``, so the batches depend only on the arguments.

    Returns:
        The dataset and its steps per epoch.
    """
    n = int(x.shape[0])
    steps = math.ceil(n * passes / batch_size)
    rng = np.random.default_rng(seed)
    total = steps * epochs * batch_size
    order = np.concatenate([rng.permutation(n) for _ in range(math.ceil(total / n))])[:total]
    xs, ys = tf.constant(x), tf.constant(y)

    def gather(step: tf.Tensor, rows: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        batch = tf.gather(xs, rows)
        if augmentation is not None:
            aug_seed = tf.stack([tf.constant(seed, tf.int64), step])
            if windowed:  # every sweep of a window augmented on its own
                batch = tf.reshape(augment_radio(tf.reshape(batch, [-1, batch.shape[-1]]), aug_seed, augmentation),
                                   tf.shape(batch))
            else:
                batch = augment_radio(batch, aug_seed, augmentation)
        return batch, tf.gather(ys, rows)

    data = tf.data.Dataset.from_tensor_slices(order).batch(batch_size).enumerate().map(gather)
    return data.prefetch(2), steps


def _loss(kind: str) -> keras.losses.Loss:
    if kind == "multiclass":
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    if kind == "multilabel":
        return keras.losses.BinaryCrossentropy(from_logits=True)
    return keras.losses.MeanSquaredError()


def _compile(model: keras.Model, kind: str, lr: float, weight_decay: float) -> None:
    optimizer = keras.optimizers.AdamW(learning_rate=lr, weight_decay=weight_decay)
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    model.compile(optimizer=optimizer, loss=_loss(kind), jit_compile=False)


def fit_supervised(
    x: np.ndarray,
    y: np.ndarray,
    *,
    kind: str,
    num_outputs: int,
    encoder_factory: Callable[[int], keras.Model],
    seed: int = 0,
    groups: np.ndarray | None = None,
    config: SupervisedConfig | None = None,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: int = 0,
) -> SupervisedFit:
    """Train the supervised baseline on labelled arrays (see the module docstring for the protocol).

    Args:
        x: ``(n, *input_shape)`` float32 radio inputs [dB] (what the encoders take), or ``(n, T, num_beams)``
            windows of sweeps for an encoder of ``(num_beams,)`` inputs.
        y: Targets of ``kind``: ``(n,)`` int, ``(n, L)`` 0/1, or ``(n,)`` float.
        kind: One of :data:`rvsim.tasks.TASK_KINDS`.
        num_outputs: Classes (multiclass), labels (multilabel) or 1 (regression).
        encoder_factory: ``seed -> untrained radio encoder`` (the architecture and input normalisation that
            every method of a comparison shares).
        seed: Seed of the initialisation, the batch order, the augmentation and the validation hold-out.
        groups: ``(n,)`` group of every sample (``None``: i.i.d., each sample its own group).
        config: Settings (default :class:`SupervisedConfig`).
        callbacks: Extra callbacks of the final fit (e.g. a :class:`~rvsim.train.metrics_logger.MetricsLogger`).
        verbose: Keras verbosity.

    Returns:
        The :class:`SupervisedFit`.

    Raises:
        InputError: Bad shapes or kinds.
    """
    config = config or SupervisedConfig()
    if kind not in TASK_KINDS:
        raise InputError(f"kind must be one of {TASK_KINDS}. Received: kind={kind!r}")
    x = np.asarray(x, dtype=np.float32)
    n = int(x.shape[0]) if x.ndim else 0
    if n < 1:
        raise InputError(f"the supervised baseline needs at least one labelled sample. Received: {n}")
    yy = np.asarray(y)
    if yy.shape[0] != n:
        raise InputError(f"x and y must have the same number of rows. Received: {n} and {yy.shape[0]}")
    g = np.arange(n) if groups is None else np.asarray(groups)
    mean, std = 0.0, 1.0
    if kind == "regression":
        yy = yy.astype(np.float64)
        mean, std = float(yy.mean()), float(yy.std()) or 1.0
        target = ((yy - mean) / std).astype(np.float32)[:, None]
    elif kind == "multilabel":
        target = yy.astype(np.float32)
    else:
        target = yy.astype(np.int64)
    augmentation = config.augmentation if config.augmentation.enabled else None
    started = time.perf_counter()
    enc_shape = tuple(encoder_factory(seed).input_shape[1:])
    windowed = tuple(x.shape[2:]) == enc_shape and x.ndim == len(enc_shape) + 2
    if not windowed and tuple(x.shape[1:]) != enc_shape:
        raise InputError(f"x must hold encoder inputs {enc_shape} or windows of them. Received: per-sample shape {x.shape[1:]}")

    def build(model_seed: int) -> keras.Model:
        encoder = encoder_factory(model_seed)
        if windowed:
            return build_windowed_model(encoder, int(x.shape[1]), num_outputs, seed=model_seed + 4000)
        return build_supervised_model(encoder, num_outputs, seed=model_seed + 4000)

    def batches(rows: np.ndarray, data_seed: int, epochs: int) -> tuple[tf.data.Dataset, int]:
        bs = int(min(config.batch_size, rows.size))
        passes = max(1, math.ceil(config.min_steps_per_epoch / math.ceil(rows.size / bs)))
        return _batches(x[rows], target[rows], bs, epochs, passes, data_seed, augmentation, windowed)

    # ---- validation part of the labelled subset, held out by group
    split: tuple[np.ndarray, np.ndarray] | None = None
    if np.unique(g).size >= 4:
        try:
            kept, held = grouped_holdout(n, fraction=config.val_fraction, groups=g,
                                         labels=target if kind == "multiclass" else None, seed=seed)
            if held.size >= config.min_val_samples and kept.size >= 1 and np.unique(g[kept]).size >= 2:
                split = (kept, held)
        except InputError:
            split = None
    tried: list[dict[str, Any]] = []
    steps_total = 0
    if split is not None:
        kept, held = split
        for k, (lr, wd) in enumerate(config.grid):
            model = build(seed)
            _compile(model, kind, lr, wd)
            stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience, restore_best_weights=False)
            train, steps = batches(kept, seed * 31 + k, config.max_epochs)
            hist = model.fit(train, validation_data=(x[held], target[held]), epochs=config.max_epochs,
                             steps_per_epoch=steps, callbacks=[stop], verbose=verbose, shuffle=False)
            losses = [float(v) for v in hist.history.get("val_loss", [])]
            best = int(np.nanargmin(losses)) if losses and np.isfinite(losses).any() else len(losses) - 1
            steps_total += steps * len(losses)
            tried.append({"lr": lr, "weight_decay": wd, "best_val_loss": losses[best] if losses else None,
                          "best_epoch": best + 1, "epochs_run": len(losses)})
        scores = [t["best_val_loss"] if t["best_val_loss"] is not None and math.isfinite(t["best_val_loss"]) else math.inf
                  for t in tried]
        chosen = tried[int(np.argmin(scores))]
        lr, wd, epochs = chosen["lr"], chosen["weight_decay"], int(chosen["best_epoch"])
        rule = "lowest validation loss on a grouped hold-out of the labelled subset"
    else:
        (lr, wd), epochs = config.grid[0], config.default_epochs
        rule = "defaults (labelled subset too small for a validation part)"
    model = build(seed)
    _compile(model, kind, lr, wd)
    train, steps = batches(np.arange(n), seed * 31 + 997, epochs)
    model.fit(train, epochs=epochs, steps_per_epoch=steps, callbacks=list(callbacks), verbose=verbose, shuffle=False)
    steps_final = steps * epochs
    steps_total += steps_final
    budget = {
        "selection": rule,
        "num_labelled": n,
        "num_validation": 0 if split is None else int(split[1].size),
        "tried": tried,
        "chosen": {"lr": lr, "weight_decay": wd, "epochs": epochs},
        "final_fit_on": "all labelled samples",
        "final_steps": int(steps_final),
        "total_steps": int(steps_total),
        "seconds": round(time.perf_counter() - started, 2),
    }
    return SupervisedFit(model=model, kind=kind, num_outputs=int(num_outputs), target_mean=mean, target_std=std,
                         budget=budget)


# ================================================================================================ datasets
def train_supervised(
    ds: Dataset | str | os.PathLike[str],
    task: Task | str,
    train_indices: Sequence[int] | np.ndarray,
    *,
    config: TrainConfig | None = None,
    supervised: SupervisedConfig | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    test_indices: Sequence[int] | np.ndarray | None = None,
    verbose: int = 0,
) -> SupervisedFit:
    """Train the supervised baseline on the labelled samples ``train_indices`` of a dataset (:func:`fit_supervised`).

    The radio input and encoder architecture are those of ``config`` (radio field, width, embedding size,
    input normalisation with statistics from ``train_indices`` in ``"dataset"`` mode, seed); the training
    settings are ``supervised`` (with ``config.augmentation`` when ``supervised`` is not given). Model
    selection uses a validation part of ``train_indices`` only.

    Args:
        ds: The dataset (or its folder).
        task: A :class:`~rvsim.tasks.Task` or task name; fitted on ``train_indices`` when it needs it.
        train_indices: Labelled training samples, ``(n,)``.
        config: Input and architecture settings (default ``TrainConfig()``).
        supervised: Training settings (default ``SupervisedConfig(augmentation=config.augmentation)``).
        out_dir: If given, a new run folder receiving ``config.json`` (kind ``"supervised"``), ``split.json``,
            ``metrics.jsonl/csv`` (of the final fit), ``radio_encoder.keras`` and ``classifier.keras``.
        test_indices: Held-out samples, only recorded in ``split.json`` (never used).
        verbose: Keras verbosity.

    Returns:
        The :class:`SupervisedFit` (``.model.encoder`` is the encoder).

    Raises:
        InputError: For an unknown task, bad indices, a bad config or an unusable ``out_dir``.
    """
    config = config or TrainConfig()
    if not isinstance(config, TrainConfig):
        raise ConfigError(f"config must be a TrainConfig. Received: {type(config).__name__}")
    supervised = supervised or SupervisedConfig(augmentation=config.augmentation)
    if out_dir is not None:
        check_output_dir(out_dir, resume=False)
    if not isinstance(ds, Dataset):
        ds = Dataset(ds)
    task = get_task(task) if isinstance(task, str) else task
    train_idx = np.asarray(train_indices, dtype=np.int64)
    if train_idx.size < 1:
        raise InputError("train_indices must name at least one sample. Received: 0 indices")
    task = task.fit(ds, train_idx) if task.needs_fit else task.for_dataset(ds)
    layout = resolve_inputs(ds, config, need_images=False)
    targets = task.targets(ds, train_idx)
    rows = train_idx[targets.valid]
    y = targets.values[targets.valid]
    if rows.size < 1:
        raise InputError(f"no labelled sample on which task {task.name!r} is defined. Received: {train_idx.size} samples")
    normalization = fit_radio_normalization(
        ds, rows, field=layout.radio_field, mode=config.radio_normalization, dynamic_range_db=layout.dynamic_range_db
    )
    x = radio_input(ds, rows, field=layout.radio_field)

    def factory(seed: int) -> keras.Model:
        return build_radio_encoder(layout.radio_shape, width=config.radio_width, embedding_dim=config.embedding_dim,
                                   seed=seed, normalization=normalization, name="radio_encoder")

    out = Path(out_dir) if out_dir is not None else None
    callbacks: list[keras.callbacks.Callback] = []
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        callbacks.append(MetricsLogger(out))
    fit = fit_supervised(x, y, kind=task.kind, num_outputs=task.num_classes, encoder_factory=factory, seed=config.seed,
                         config=supervised, callbacks=callbacks, verbose=verbose)
    if out is not None:
        write_json_atomic(
            out / CONFIG_NAME,
            {
                "format": RUN_FORMAT,
                "kind": "supervised",
                "task": task.name,
                "task_kind": task.kind,
                "class_names": list(task.class_names),
                "task_params": dict(task.params or {}),
                "supervised": supervised.to_dict(),
                "budget": fit.budget,
                "target_mean": fit.target_mean,
                "target_std": fit.target_std,
                "config": config.to_dict(),
                "data": {
                    "path": str(Path(ds.path).resolve()),
                    "num_samples": len(ds),
                    "seed": ds.seed,
                    "radio_field": layout.radio_field,
                    "radio_shape": list(layout.radio_shape),
                    "radio_linear": layout.radio_linear,
                    "radio_normalization": normalization.get_config(),
                },
                "git_commit": git_commit(),
                "versions": run_versions(),
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            },
        )
        write_json_atomic(
            out / SPLIT_NAME,
            {
                "train": np.sort(rows).tolist(),
                "val": [],
                "test": [] if test_indices is None else np.sort(np.asarray(test_indices, dtype=np.int64)).tolist(),
                "seed": config.split_seed,
            },
        )
        save_model_atomic(fit.model.encoder, out / "radio_encoder.keras")
        save_model_atomic(fit.model, out / "classifier.keras")
    return fit


def evaluate_classifier(
    fit: SupervisedFit,
    ds: Dataset,
    task: Task | str,
    indices: Sequence[int] | np.ndarray,
    *,
    radio_field: str | None = None,
    batch_size: int = 256,
) -> dict[str, Any]:
    """The task's metrics of a :func:`train_supervised` model on samples ``indices``.

    Args:
        fit: The trained baseline.
        ds: The dataset.
        task: The (fitted) task, or its name, the model was trained on.
        indices: Samples to score, ``(n,)``.
        radio_field: Radio field (default: the training default, :func:`~rvsim.train.default_radio_field`).
        batch_size: Samples per prediction batch.

    Returns:
        ``{"task", "num_samples", **metrics}`` (see :func:`rvsim.tasks.task_metrics`).
    """
    task = (get_task(task) if isinstance(task, str) else task).for_dataset(ds)
    idx = np.asarray(indices, dtype=np.int64)
    targets = task.targets(ds, idx)
    rows = idx[targets.valid]
    metrics = task_metrics(task.kind, targets.values[targets.valid],
                           fit.predict(radio_input(ds, rows, field=radio_field), batch_size=batch_size))
    return {"task": task.name, "num_samples": int(rows.size), **metrics}
