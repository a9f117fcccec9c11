"""Fully supervised baseline: the same radio encoder plus a linear head, trained end to end on labels."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import keras
import numpy as np

from rvsim.data import Dataset
from rvsim.data.manifest import write_json_atomic
from rvsim.data.pipeline import Pipeline
from rvsim.errors import ConfigError, InputError
from rvsim.models import build_radio_encoder
from rvsim.tasks import Task, get_task
from rvsim.train.augmentation import augment_radio
from rvsim.train.metrics_logger import MetricsLogger
from rvsim.train.model_inputs import fit_radio_normalization, radio_to_db
from rvsim.train.run_folder import CONFIG_NAME, RUN_FORMAT, SPLIT_NAME, check_output_dir, git_commit, run_versions
from rvsim.train.ssl_trainer import make_optimizer, resolve_inputs, save_model_atomic
from rvsim.train.train_config import TrainConfig

__all__ = ["train_supervised", "build_classifier", "evaluate_classifier"]


def build_classifier(encoder: keras.Model, num_classes: int, *, seed: int | None = None) -> keras.Model:
    """``encoder`` followed by a linear layer to ``num_classes`` logits.

    Returns:
        A functional model ``(batch_size, *radio_shape) -> (batch_size, num_classes)`` logits whose layer
        ``"radio_encoder"`` (also ``model.encoder``) is ``encoder``.
    """
    inputs = keras.Input(shape=encoder.input_shape[1:], name="radio")
    head = keras.layers.Dense(
        num_classes, kernel_initializer=keras.initializers.GlorotUniform(seed=seed), name="linear_head"
    )
    model = keras.Model(inputs, head(encoder(inputs)), name="supervised_classifier")
    model.encoder = encoder
    return model


def train_supervised(
    ds: Dataset | str | os.PathLike[str],
    task: Task | str,
    train_indices: Sequence[int] | np.ndarray,
    *,
    config: TrainConfig | None = None,
    val_indices: Sequence[int] | np.ndarray | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    test_indices: Sequence[int] | np.ndarray | None = None,
    min_steps: int = 200,
    verbose: int = 0,
) -> keras.Model:
    """Train the radio encoder and a linear head end to end on the labels of ``task`` (the supervised baseline).

    The radio input, encoder architecture, normalisation (statistics from ``train_indices`` in ``"dataset"``
    mode), radio augmentation, optimiser and batch size are those of ``config``, as in self-supervised
    training. Training runs ``config.epochs`` epochs (at least one if ``min_steps > 0``); when that would make
    fewer than ``min_steps`` optimiser steps (small label fractions have few batches), each epoch passes over
    the labelled samples several times. With ``val_indices``, validation runs once per epoch and the weights
    of the epoch with the lowest validation loss are kept.

    Args:
        ds: The dataset (or its folder).
        task: A :class:`~rvsim.tasks.Task` or task name.
        train_indices: Labelled training samples, ``(n,)``.
        config: Training settings (default ``TrainConfig()``).
        val_indices: Validation samples, ``(m,)``, or ``None``.
        out_dir: If given, a new run folder receiving ``config.json`` (kind ``"supervised"``), ``split.json``,
            ``metrics.jsonl/csv``, ``radio_encoder.keras`` and ``classifier.keras``.
        test_indices: Held-out samples, only recorded in ``split.json`` (not used in training).
        min_steps: Least number of optimiser steps (if ``config.epochs > 0`` or ``min_steps > 0``).
        verbose: Keras verbosity.

    Returns:
        The classifier (logits); ``model.encoder`` / ``model.get_layer("radio_encoder")`` is the encoder.

    Raises:
        InputError: For an unknown task, bad indices, a bad config or an unusable ``out_dir``.
    """
    config = config or TrainConfig()
    if not isinstance(config, TrainConfig):
        raise ConfigError(f"config must be a TrainConfig. Received: {type(config).__name__}")
    if not isinstance(min_steps, int) or min_steps < 0:
        raise InputError(f"min_steps must be an integer >= 0. Received: min_steps={min_steps!r}")
    if out_dir is not None:
        check_output_dir(out_dir, resume=False)
    if not isinstance(ds, Dataset):
        ds = Dataset(ds)
    task = (get_task(task) if isinstance(task, str) else task).for_dataset(ds)
    train_idx = np.asarray(train_indices, dtype=np.int64)
    if train_idx.size < 1:
        raise InputError("train_indices must name at least one sample. Received: 0 indices")
    val_idx = None if val_indices is None else np.asarray(val_indices, dtype=np.int64)
    layout = resolve_inputs(ds, config, need_images=False)
    labels = task.labels(ds, train_idx)
    val_labels = task.labels(ds, val_idx) if val_idx is not None and val_idx.size else None
    normalization = fit_radio_normalization(
        ds, train_idx, field=layout.radio_field, mode=config.radio_normalization, dynamic_range_db=layout.dynamic_range_db
    )

    augment = config.augmentation if config.augmentation.enabled else None

    def to_inputs(with_augmentation: bool) -> Any:
        def fn(batch: dict[str, Any]) -> tuple[Any, Any]:
            radio = radio_to_db(batch[layout.radio_field], linear=layout.radio_linear)
            if with_augmentation and augment is not None:
                radio = augment_radio(radio, batch["seed"], augment)
            return radio, batch["label"]

        return fn

    batch_size = min(config.batch_size, int(train_idx.size))
    train_pipe = Pipeline(
        ds,
        train_idx,
        fields=[layout.radio_field],
        batch_size=batch_size,
        seed=config.seed,
        shuffle_buffer=config.shuffle_buffer,
        block_size=config.block_size,
        extras={"label": labels},
    )
    val_data = None
    if val_labels is not None and val_idx is not None:
        val_data = Pipeline(
            ds, val_idx, fields=[layout.radio_field], batch_size=config.batch_size, shuffle=False, extras={"label": val_labels}
        ).as_tf_dataset(to_inputs(False))
    epochs = config.epochs if config.epochs > 0 else (1 if min_steps > 0 else 0)
    passes = max(1, math.ceil(min_steps / (epochs * train_pipe.num_batches))) if epochs > 0 else 1

    encoder = build_radio_encoder(
        layout.radio_shape,
        width=config.radio_width,
        embedding_dim=config.embedding_dim,
        seed=config.seed,
        normalization=normalization,
        name="radio_encoder",
    )
    model = build_classifier(encoder, task.num_classes, seed=config.seed + 4000)
    model.compile(
        optimizer=make_optimizer(config),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        jit_compile=False,
    )

    out = Path(out_dir) if out_dir is not None else None
    callbacks: list[keras.callbacks.Callback] = []
    if val_data is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=epochs + 1, restore_best_weights=True)
        )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_json_atomic(
            out / CONFIG_NAME,
            {
                "format": RUN_FORMAT,
                "kind": "supervised",
                "task": task.name,
                "class_names": list(task.class_names),
                "epochs_run": epochs,
                "passes_per_epoch": passes,
                "min_steps": min_steps,
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
                "train_class_counts": np.bincount(labels, minlength=task.num_classes).tolist(),
                "git_commit": git_commit(),
                "versions": run_versions(),
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            },
        )
        write_json_atomic(
            out / SPLIT_NAME,
            {
                "train": np.sort(train_idx).tolist(),
                "val": [] if val_idx is None else np.sort(val_idx).tolist(),
                "test": [] if test_indices is None else np.sort(np.asarray(test_indices, dtype=np.int64)).tolist(),
                "seed": config.split_seed,
            },
        )
        callbacks.append(MetricsLogger(out))

    class _EpochSync(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            train_pipe.set_epoch(epoch * passes)

    callbacks.insert(0, _EpochSync())
    model.fit(
        train_pipe.as_tf_dataset(to_inputs(True)).repeat(passes),
        validation_data=val_data,
        epochs=epochs,
        callbacks=callbacks,
        verbose=verbose,
        shuffle=False,
    )
    if out is not None:
        save_model_atomic(encoder, out / "radio_encoder.keras")
        save_model_atomic(model, out / "classifier.keras")
    return model


def evaluate_classifier(
    model: keras.Model,
    ds: Dataset,
    task: Task | str,
    indices: Sequence[int] | np.ndarray,
    *,
    radio_field: str | None = None,
    batch_size: int = 256,
) -> dict[str, Any]:
    """Accuracy and macro-F1 of a classifier from :func:`train_supervised` on samples ``indices``.

    Args:
        model: The classifier (logits).
        ds: The dataset.
        task: The task (or its name) the classifier was trained on.
        indices: Samples to score, ``(n,)``.
        radio_field: Radio field (default: the training default, :func:`~rvsim.train.default_radio_field`).
        batch_size: Samples per prediction batch.

    Returns:
        ``{"task", "num_samples", "accuracy", "macro_f1"}``.
    """
    from sklearn.metrics import f1_score

    from rvsim.train.model_inputs import radio_input

    task = (get_task(task) if isinstance(task, str) else task).for_dataset(ds)
    idx = np.asarray(indices, dtype=np.int64)
    y = task.labels(ds, idx)
    x = radio_input(ds, idx, field=radio_field)
    pred = np.argmax(model.predict(x, batch_size=batch_size, verbose=0), axis=1)
    return {
        "task": task.name,
        "num_samples": int(idx.size),
        "accuracy": float(np.mean(pred == y)) if idx.size else float("nan"),
        "macro_f1": float(f1_score(y, pred, average="macro", labels=np.unique(y))) if idx.size else float("nan"),
    }
