"""Self-supervised cross-modal training ("vision trains radio"): from a dataset folder to a run folder.

The radio and vision encoders of a :class:`~rvsim.models.CrossModalModel` are trained without labels by a
cross-modal objective (InfoNCE by default) on the training split, streamed by
:class:`~rvsim.data.pipeline.Pipeline` with per-modality augmentation. Follows M. Alloulah, A. D. Singh,
M. Arnold, "Self-Supervised Radio-Visual Representation Learning for 6G Sensing", ICC 2022
(arXiv:2111.02887). The run folder layout is described in :mod:`rvsim.train.run_folder`.
"""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import signal
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from rvsim.data import Dataset, split_indices
from rvsim.data.split import sample_groups
from rvsim.data.manifest import write_json_atomic
from rvsim.data.pipeline import Pipeline, batch_sizes
from rvsim.errors import ConfigError, InputError
from rvsim.models import CrossModalModel, ProjectionHead, RadioNormalization, build_radio_encoder, build_vision_encoder
from rvsim.objectives import build_objective
from rvsim.train.augmentation import AugmentConfig, augment_radio, augment_vision, paired_flip
from rvsim.train.checkpoint_state import CheckpointState, read_checkpoint
from rvsim.train.distribution_strategy import STRATEGIES, WorkerRole, make_strategy, worker_role
from rvsim.train.metrics_logger import MetricsLogger, read_metrics, truncate_metrics
from rvsim.train.model_inputs import (
    check_radio_field,
    default_radio_field,
    fit_radio_normalization,
    images_to_float,
    radio_is_linear,
    radio_to_db,
)
from rvsim.train.replica_input import batch_stream_dataset, distribute_batches
from rvsim.train.retrieval_callback import RetrievalCallback
from rvsim.train.run_folder import (
    CHECKPOINT_DIR,
    CONFIG_NAME,
    RUN_FORMAT,
    SELECTED_EPOCH_NAME,
    SPLIT_NAME,
    check_output_dir,
    git_commit,
    load_run_config,
    load_split,
    run_versions,
)
from rvsim.train.termination_signal import TerminationSignal
from rvsim.train.train_config import TrainConfig
from rvsim.train.training_checkpoint import TrainingCheckpoint, TrainingInterrupted, restore_checkpoint
from rvsim.train.training_device import DEVICES, select_training_device

__all__ = [
    "RunResult",
    "InputLayout",
    "LINEAR_DYNAMIC_RANGE_DB",
    "DB_MAP_DYNAMIC_RANGE_DB",
    "resolve_inputs",
    "build_ssl_model",
    "make_optimizer",
    "make_ssl_map_fn",
    "train_ssl",
]


#: Default radio floor below the peak for linear-power fields such as beam power [dB] (the real receiver's
#: ``rvsim.radio.DEFAULT_FLOOR_DB`` is -20 dB).
LINEAR_DYNAMIC_RANGE_DB: float = 20.0

#: Default radio floor below the peak for maps stored in dB such as range–angle maps [dB].
DB_MAP_DYNAMIC_RANGE_DB: float = 60.0


@dataclass(frozen=True)
class RunResult:
    """What :func:`train_ssl` returns.

    Attributes:
        run_dir: The run folder.
        epochs_completed: Epochs trained in total (including those before a resume).
        history: Rows of ``metrics.jsonl``, one dict per epoch.
        radio_encoder_path: ``run_dir / "radio_encoder.keras"``.
        vision_encoder_path: ``run_dir / "vision_encoder.keras"``.
    """

    run_dir: Path
    epochs_completed: int
    history: list[dict[str, Any]]
    radio_encoder_path: Path
    vision_encoder_path: Path


@dataclass(frozen=True)
class InputLayout:
    """The resolved model inputs of a dataset under a config.

    Attributes:
        radio_field: Radio field read.
        radio_shape: Per-sample radio shape, ``(R, A)`` or ``(num_beams,)``.
        radio_linear: Whether the field is linear power (converted to dB).
        image_fields: ``("image/rgb",)`` or ``("image/rgb", "image/depth")``.
        image_shape: Encoder image input ``(height, width, channels)``.
        dynamic_range_db: Floor of the radio normalisation below each sample's peak [dB].
    """

    radio_field: str
    radio_shape: tuple[int, ...]
    radio_linear: bool
    image_fields: tuple[str, ...]
    image_shape: tuple[int, int, int]
    dynamic_range_db: float

    @property
    def image_size(self) -> tuple[int, int]:
        """Encoder image ``(height, width)``."""
        return (self.image_shape[0], self.image_shape[1])


def resolve_inputs(ds: Dataset, config: TrainConfig, *, need_images: bool = True) -> InputLayout:
    """Check the dataset has what ``config`` needs; resolve the radio field and image size.

    Raises:
        ConfigError: If a field is missing or unsuitable.
    """
    field = config.radio_field or default_radio_field(ds)
    radio_shape = check_radio_field(ds, field)
    image_shape: tuple[int, int, int] = (0, 0, 0)
    if need_images:
        missing = [f for f in config.image_fields if f not in ds.fields]
        if missing:
            raise ConfigError(f"image_fields {missing} are not fields of the dataset. Received: {list(config.image_fields)}")
        rgb = tuple(ds.fields["image/rgb"].shape)
        if len(rgb) != 3 or rgb[2] != 3:
            raise ConfigError(f"image/rgb must be (H, W, 3) per sample. Received: {rgb}")
        h, w = config.image_size or rgb[:2]
        image_shape = (int(h), int(w), 3 + (len(config.image_fields) - 1))
    linear = radio_is_linear(ds, field)
    dynamic_range = config.dynamic_range_db
    if dynamic_range is None:
        dynamic_range = LINEAR_DYNAMIC_RANGE_DB if linear else DB_MAP_DYNAMIC_RANGE_DB
    return InputLayout(field, radio_shape, linear, tuple(config.image_fields), image_shape, float(dynamic_range))


def _check_flip(ds: Dataset, layout: InputLayout, augmentation: AugmentConfig) -> None:
    if augmentation.flip_probability <= 0:
        return
    bins = ds.attrs(layout.radio_field).get("angle_bins_deg")
    if bins is not None:
        b = np.asarray(bins, dtype=np.float64)
        if not np.allclose(b, -b[::-1], atol=1e-3 * max(1.0, float(np.abs(b).max()))):
            raise ConfigError(
                "augmentation.flip_probability > 0 needs angle bins symmetric about broadside, so that reversing "
                f"the angle axis mirrors the scene. Received: angle_bins_deg from {b[0]:.2f} to {b[-1]:.2f}"
            )


def _column_azimuths(total: int, columns: int, azimuth_of: Any) -> np.ndarray:
    """Mean azimuth [deg] of the input columns each of ``columns`` feature columns covers."""
    per_input = np.asarray([azimuth_of(u) for u in range(total)], dtype=np.float64)
    bounds = np.linspace(0, total, columns + 1).round().astype(int)
    return np.array([per_input[a:b].mean() for a, b in zip(bounds[:-1], bounds[1:])])


def sector_matrices(radio: Any, vision: Any, config: TrainConfig, angle_bins_deg: Any,
                    camera_fov_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """The azimuth-sector pooling matrices of the dense objective for a pair of built encoders.

    The radio feature map's angle columns average the map's angle bins they cover; the image feature map's
    columns the pixel columns they cover, each pixel column at ``atan((1 - 2 (u + 1/2) / W) tan(fov / 2))``
    (a pinhole camera; positive to the left, like the radio bearing). The sectors span what both see.
    """
    from rvsim.models.cross_modal_model import sector_pooling
    from rvsim.models.radio_encoder import FEATURE_MAP

    bins = np.asarray(angle_bins_deg, dtype=np.float64)
    radio_cols = int(radio.get_layer(FEATURE_MAP).output.shape[-2])
    vision_cols = int(vision.get_layer(FEATURE_MAP).output.shape[-2])
    width = int(vision.input_shape[2])
    half = np.radians(camera_fov_deg) / 2

    def pixel(u: int) -> float:
        return float(np.degrees(np.arctan((1 - 2 * (u + 0.5) / width) * np.tan(half))))

    span = min(float(bins.max() - bins.min()), float(camera_fov_deg))
    return (sector_pooling(_column_azimuths(bins.size, radio_cols, lambda j: bins[j]), config.dense_sectors, span),
            sector_pooling(_column_azimuths(width, vision_cols, pixel), config.dense_sectors, span))


def build_ssl_model(
    config: TrainConfig,
    radio_shape: tuple[int, ...],
    image_shape: tuple[int, int, int],
    normalization: RadioNormalization | None = None,
    *,
    angle_bins_deg: Any = None,
    camera_fov_deg: float | None = None,
) -> CrossModalModel:
    """The cross-modal model of ``config`` (built, not compiled).

    Args:
        config: Widths, sizes, objective and seed.
        radio_shape: Per-sample radio input shape.
        image_shape: ``(height, width, channels)``.
        normalization: The radio encoder's input normalisation (default: ``config.radio_normalization`` with
            default statistics and ``config.dynamic_range_db`` or 60 dB).
        angle_bins_deg: The range–angle map's angle bins [deg] (the dense objective, ``dense_weight > 0``).
        camera_fov_deg: The camera's horizontal field of view [deg] (the dense objective).

    Raises:
        ConfigError: The dense objective without a 2-D radio map, angle bins or field of view.
    """
    seed = config.seed
    if normalization is None:
        normalization = RadioNormalization(
            mode=config.radio_normalization,
            dynamic_range_db=config.dynamic_range_db or DB_MAP_DYNAMIC_RANGE_DB,
            name="radio_normalization",
        )
    radio = build_radio_encoder(
        radio_shape,
        width=config.radio_width,
        embedding_dim=config.embedding_dim,
        seed=seed,
        normalization=normalization,
        norm=config.norm,
        bn_momentum=config.bn_momentum,
    )
    vision = build_vision_encoder(image_shape, width=config.vision_width, embedding_dim=config.embedding_dim,
                                  seed=seed + 1000, norm=config.norm, bn_momentum=config.bn_momentum)
    if config.objective == "infonce":
        objective = build_objective(
            "infonce", temperature=config.temperature, learnable_temperature=config.learnable_temperature
        )
    elif config.objective == "vicreg":
        sim, var, cov = config.vicreg_weights
        objective = build_objective("vicreg", sim_weight=sim, var_weight=var, cov_weight=cov)
    elif config.objective == "barlow":
        objective = build_objective("barlow", redundancy_weight=config.barlow_lambda)
    else:
        # an objective registered in rvsim.objectives.OBJECTIVES at run time, built with its defaults
        objective = build_objective(config.objective)
    dense: dict[str, Any] = {}
    if config.dense_weight > 0:
        if len(radio_shape) != 2 or angle_bins_deg is None or camera_fov_deg is None:
            raise ConfigError(
                "dense_weight > 0 (the spatially aligned objective) needs a range–angle map with angle_bins_deg and "
                f"a camera field of view. Received: radio shape {tuple(radio_shape)}, angle bins "
                f"{'given' if angle_bins_deg is not None else 'missing'}, fov {camera_fov_deg}"
            )
        radio_sectors, vision_sectors = sector_matrices(radio, vision, config, angle_bins_deg, camera_fov_deg)
        dense = dict(
            dense_objective=build_objective("dense_infonce", temperature=config.temperature,
                                            learnable_temperature=config.learnable_temperature),
            radio_cell_head=ProjectionHead(config.projection_hidden_dim, config.projection_dim, seed=seed + 5000,
                                           bn_momentum=config.bn_momentum, name="radio_cell_head"),
            vision_cell_head=ProjectionHead(config.projection_hidden_dim, config.projection_dim, seed=seed + 6000,
                                            bn_momentum=config.bn_momentum, name="vision_cell_head"),
            radio_sectors=radio_sectors, vision_sectors=vision_sectors,
            dense_weight=config.dense_weight, global_weight=config.global_weight,
        )
    model = CrossModalModel(
        radio,
        vision,
        ProjectionHead(config.projection_hidden_dim, config.projection_dim, seed=seed + 2000,
                       bn_momentum=config.bn_momentum, name="radio_head"),
        ProjectionHead(config.projection_hidden_dim, config.projection_dim, seed=seed + 3000,
                       bn_momentum=config.bn_momentum, name="vision_head"),
        objective,
        name="cross_modal_model",
        **dense,
    )
    model.build({"radio": (None, *radio_shape), "vision": (None, *image_shape)})
    return model


def make_optimizer(config: TrainConfig, steps_per_epoch: int | None = None) -> keras.optimizers.Optimizer:
    """AdamW with ``config.lr`` and ``config.weight_decay`` (no decay of biases, norms, temperature).

    With ``lr_schedule: cosine`` the learning rate rises linearly from 0 over ``warmup_epochs`` and then follows
    a cosine to 0 at the last step (``steps_per_epoch`` is then needed).
    """
    lr: Any = config.lr
    if config.lr_schedule == "cosine":
        if not steps_per_epoch:
            raise ConfigError(f"lr_schedule 'cosine' needs the steps per epoch. Received: {steps_per_epoch!r}")
        warmup = config.warmup_epochs * steps_per_epoch
        total = max(config.epochs * steps_per_epoch, warmup + 1)
        lr = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=0.0 if warmup else config.lr, decay_steps=total - warmup, alpha=0.0,
            warmup_target=config.lr if warmup else None, warmup_steps=warmup)
    optimizer = keras.optimizers.AdamW(learning_rate=lr, weight_decay=config.weight_decay)
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta", "log_temperature"])
    return optimizer


def make_ssl_map_fn(layout: InputLayout, augmentation: AugmentConfig | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The ``tf.data`` map from a raw :class:`Pipeline` batch to the model inputs ``{"radio", "vision"}``.

    Radio: converted to dB (linear fields), augmented (if ``augmentation`` is given and enabled). Images: to
    float (+ inverse depth), cropped/jittered/resized (augmented) or resized; the paired flip last.
    """
    augment = augmentation if augmentation is not None and augmentation.enabled else None
    depth_field = "image/depth" if "image/depth" in layout.image_fields else None

    def fn(batch: dict[str, Any]) -> dict[str, Any]:
        radio = radio_to_db(batch[layout.radio_field], linear=layout.radio_linear)
        depth = batch[depth_field] if depth_field else None
        if augment is None:
            return {"radio": radio, "vision": images_to_float(batch["image/rgb"], depth, layout.image_size)}
        seeds = tf.random.experimental.stateless_split(batch["seed"], num=3)
        radio = augment_radio(radio, seeds[0], augment)
        images = augment_vision(images_to_float(batch["image/rgb"], depth), seeds[1], augment, layout.image_size)
        radio, images = paired_flip(radio, images, seeds[2], augment.flip_probability)
        return {"radio": radio, "vision": images}

    return fn


def save_model_atomic(model: keras.Model, path: Path) -> None:
    """``model.save(path)`` through a temporary file and ``os.replace``."""
    tmp = path.with_name(f".{path.stem}.tmp.keras")
    model.save(tmp)
    os.replace(tmp, path)


def head_model(head: keras.layers.Layer, embedding_dim: int, name: str) -> keras.Model:
    """A projection head as a model ``(batch_size, embedding_dim) -> (batch_size, projection_dim)`` (shared weights)."""
    inputs = keras.Input((embedding_dim,), name="embedding")
    return keras.Model(inputs, head(inputs), name=name)


class _SaveModels(keras.callbacks.Callback):
    """Save the encoders and projection heads of a :class:`CrossModalModel` into the run folder.

    With ``keep="best"`` they are saved at the end of an epoch only when its validation loss is the lowest so
    far (``best``: the lowest of the epochs before a resume), and :data:`SELECTED_EPOCH_NAME` records which
    epoch they come from; with ``keep="last"``, or without validation, after every epoch.
    """

    def __init__(self, model: CrossModalModel, run_dir: Path, keep: str = "best", best: float | None = None) -> None:
        super().__init__()
        self.run_dir = run_dir
        self.keep = keep
        self.best = best
        self.saved = False
        dim = int(model.radio_encoder.output_shape[-1])
        self.parts = {
            "radio_encoder": model.radio_encoder,
            "vision_encoder": model.vision_encoder,
            "radio_head": head_model(model.radio_head, dim, "radio_head"),
            "vision_head": head_model(model.vision_head, int(model.vision_encoder.output_shape[-1]), "vision_head"),
        }

    def save(self) -> None:
        for name, part in self.parts.items():
            save_model_atomic(part, self.run_dir / f"{name}.keras")
        self.saved = True

    def _record(self, epoch: int, rule: str, val_loss: float | None) -> None:
        write_json_atomic(self.run_dir / SELECTED_EPOCH_NAME, {"keep": self.keep, "rule": rule, "epoch": epoch,
                                                                "val_loss": val_loss})

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        value = (logs or {}).get("val_loss")
        value = float(value) if value is not None and math.isfinite(float(value)) else None
        if self.keep == "last" or value is None:
            self.save()
            self._record(epoch + 1, "last epoch" if self.keep == "last" else "last epoch (no validation loss)", value)
        elif self.best is None or value < self.best:
            self.best = value
            self.save()
            self._record(epoch + 1, "lowest validation loss", value)

    def finish(self) -> None:
        """After training: make sure the run folder holds encoders (e.g. after 0 epochs)."""
        if not self.saved and not (self.run_dir / "radio_encoder.keras").is_file():
            self.save()
            self._record(0, "initial weights (no epoch trained)", None)


def _best_so_far(run_dir: Path) -> float | None:
    """Lowest finite ``val_loss`` in the run's metrics (for a resumed ``keep="best"`` run), ``None`` if none."""
    values = [float(v) for v in (row.get("val_loss") for row in read_metrics(run_dir))
              if isinstance(v, (int, float)) and math.isfinite(v)]
    return min(values) if values else None


def tensorboard_callback(run_dir: Path) -> keras.callbacks.Callback | None:
    """``keras.callbacks.TensorBoard`` logging to ``run_dir / "tensorboard"`` (``None`` if not installed)."""
    if importlib.util.find_spec("tensorboard") is None:
        warnings.warn("tensorboard is not installed; no TensorBoard logs are written", stacklevel=2)
        return None
    return keras.callbacks.TensorBoard(log_dir=str(run_dir / "tensorboard"), write_graph=False)


def _config_diffs(stored: TrainConfig, requested: TrainConfig, ignore: Sequence[str] = ("epochs",)) -> list[str]:
    a, b = stored.to_dict(), requested.to_dict()
    return [f"{k} {a[k]!r} in the run vs {b[k]!r} requested" for k in a if k not in ignore and a[k] != b[k]]


def _check_checkpoint_every(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InputError(f"checkpoint_every must be a number of steps >= 1 (or None: each epoch). Received: {value!r}")
    return value


def train_ssl(
    data_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    config: TrainConfig | None = None,
    resume: bool = False,
    *,
    verbose: int = 1,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    strategy: str = "default",
    device: str = "auto",
    checkpoint_every: int | None = None,
    handle_sigterm: bool = True,
) -> RunResult:
    """Train radio and vision encoders self-supervised and write the run folder.

    Everything is validated before the run folder is created. With ``resume``, training continues from the
    run's checkpoint (model weights, optimizer state, epoch and step; a mid-epoch checkpoint skips the batches
    of that epoch already trained) up to ``config.epochs``; the rest of the config must equal the run's
    (``config=None`` takes the run's as it is). ``strategy``, ``device`` and ``checkpoint_every`` are not part
    of the config (they do not change what is computed on one device); each session's values are recorded in
    ``config.json``'s ``"sessions"``.

    A checkpoint is written at every epoch end and, with ``checkpoint_every``, every that many steps. With
    ``handle_sigterm`` (main thread only), SIGTERM makes training checkpoint at the next batch end and raise
    :class:`~rvsim.train.training_checkpoint.TrainingInterrupted`.

    Args:
        data_dir: Dataset folder.
        out_dir: Run folder: new or empty (or, with ``resume``, an existing run with a checkpoint).
        config: Training settings (default ``TrainConfig()``).
        resume: Continue the run in ``out_dir``.
        verbose: Keras verbosity (1: progress bar, 0: silent).
        callbacks: Extra Keras callbacks (run after the built-in ones, before the checkpoint). A resume from a
            mid-epoch checkpoint calls ``model.fit`` twice (the rest of that epoch, then the other epochs).
        strategy: ``"default"``, ``"mirrored"`` or ``"multiworker"`` (:mod:`rvsim.train.distribution_strategy`).
        device: ``"auto"`` (a GPU if TensorFlow sees one), ``"cpu"`` or ``"gpu"``.
        checkpoint_every: Also checkpoint every this many optimizer steps (``None``: at epoch ends only).
        handle_sigterm: Turn SIGTERM into a checkpoint and a clean stop.

    Returns:
        A :class:`RunResult`.

    Raises:
        InputError: (incl. ``ConfigError``, ``DatasetError``) for a missing or unsuitable dataset, a bad config,
            strategy, device or ``TF_CONFIG``, an output folder that is not usable (see
            :func:`~rvsim.train.run_folder.check_output_dir`), or a resume whose config or dataset differs from
            the run's.
        TrainingInterrupted: When SIGTERM stopped training (the checkpoint is written; resume continues).
    """
    if config is not None and not isinstance(config, TrainConfig):
        raise ConfigError(f"config must be a TrainConfig. Received: {type(config).__name__}")
    if strategy not in STRATEGIES:
        raise InputError(f"strategy must be one of {list(STRATEGIES)}. Received: strategy={strategy!r}")
    if device not in DEVICES:
        raise InputError(f"device must be one of {list(DEVICES)}. Received: device={device!r}")
    checkpoint_every = _check_checkpoint_every(checkpoint_every)
    role = worker_role() if strategy == "multiworker" else WorkerRole()
    out = Path(out_dir)
    if role.is_chief or resume:  # the chief creates the run folder; other workers only read its checkpoint
        check_output_dir(out, resume=resume)
    stored_doc: dict[str, Any] | None = None
    if resume:
        stored_doc = load_run_config(out)
        if stored_doc.get("kind") != "ssl":
            raise InputError(f"--resume: the run folder is not a self-supervised run. Received: kind={stored_doc.get('kind')!r}")
        stored = TrainConfig.from_dict(stored_doc["config"])
        if config is None:
            config = stored
        diffs = _config_diffs(stored, config)
        if diffs:
            raise ConfigError("cannot resume with different settings (" + "; ".join(diffs) + f"). Received: {out}")
    config = config or TrainConfig()
    ds = Dataset(data_dir)
    write_dir = out if role.is_chief else Path(tempfile.mkdtemp(prefix=f"rvsim-{role.task_type}{role.task_index}-"))
    try:
        resolved_device = select_training_device(device)
        strat = make_strategy(strategy, resolved_device)
        runtime = _Runtime(strategy, resolved_device, strat, role, checkpoint_every)
        with TerminationSignal(() if not handle_sigterm else (signal.SIGTERM,)) as termination:
            return _train_ssl(ds, Path(data_dir), out, write_dir, config, stored_doc, resume, verbose, callbacks,
                              runtime, termination)
    finally:
        ds.close()
        if write_dir != out:
            shutil.rmtree(write_dir, ignore_errors=True)


@dataclass(frozen=True)
class _Runtime:
    """How a training session runs (not part of the config: it does not change results on one device)."""

    strategy_name: str
    device: str
    strategy: Any
    role: WorkerRole
    checkpoint_every: int | None

    @property
    def replicas(self) -> int:
        return int(self.strategy.num_replicas_in_sync)


def _check_replica_batches(split: dict[str, np.ndarray], batch_size: int, replicas: int) -> None:
    """Every replica needs >= 2 samples of each training batch (in-batch negatives) and >= 1 of each val batch."""
    if replicas <= 1:
        return
    if batch_size % replicas:
        raise ConfigError(
            f"batch_size must be divisible by the number of replicas ({replicas}), each of which trains on an "
            f"equal share of every batch. Received: batch_size={batch_size}"
        )
    smallest = min(batch_sizes(int(split["train"].size), batch_size))
    if smallest // replicas < 2:
        raise ConfigError(
            f"with {replicas} replicas every training batch needs at least {2 * replicas} samples; the smallest "
            f"has {smallest}. Received: batch_size={batch_size}, {split['train'].size} training samples"
        )
    if split["val"].size >= 2 and min(batch_sizes(int(split["val"].size), batch_size)) < replicas:
        raise ConfigError(
            f"with {replicas} replicas every validation batch needs at least {replicas} samples. Received: "
            f"{split['val'].size} validation samples, batch_size={batch_size}"
        )


def _train_ssl(
    ds: Dataset,
    data_dir: Path,
    out: Path,
    write_dir: Path,
    config: TrainConfig,
    stored_doc: dict[str, Any] | None,
    resume: bool,
    verbose: int,
    callbacks: Sequence[keras.callbacks.Callback],
    runtime: _Runtime,
    termination: TerminationSignal,
) -> RunResult:
    layout = resolve_inputs(ds, config)
    _check_flip(ds, layout, config.augmentation)
    data_info: dict[str, Any] = {
        "path": str(data_dir.resolve()),
        "num_samples": len(ds),
        "seed": ds.seed,
        "radio_field": layout.radio_field,
        "radio_shape": list(layout.radio_shape),
        "radio_linear": layout.radio_linear,
        "image_fields": list(layout.image_fields),
        "image_size": list(layout.image_size),
        "image_shape": list(layout.image_shape),
    }
    angle_bins = ds.attrs(layout.radio_field).get("angle_bins_deg")
    fov = ds.attrs("image/rgb").get("fov_deg") if "image/rgb" in ds.fields else None
    if angle_bins is not None and fov is not None:
        data_info.update(angle_bins_deg=[float(a) for a in angle_bins], camera_fov_deg=float(fov))
    start: CheckpointState | None = None
    if stored_doc is not None:
        old = stored_doc.get("data", {})
        diffs = [
            f"{k} {old.get(k)!r} in the run vs {data_info[k]!r} in --data"
            for k in ("num_samples", "seed", "radio_field", "radio_shape")
            if old.get(k) != data_info[k]
        ]
        if diffs:
            raise InputError("cannot resume on a different dataset (" + "; ".join(diffs) + f"). Received: {data_dir}")
        split = load_split(out)
        normalization = RadioNormalization.from_config(old["radio_normalization"])
        start = read_checkpoint(out / CHECKPOINT_DIR, verify=True)  # a corrupt weights file is bad input
    else:
        pool = len(ds) if config.max_samples is None else config.max_samples
        if pool > len(ds):
            raise ConfigError(f"max_samples exceeds the dataset's {len(ds)} samples. Received: max_samples={pool}")
        groups = sample_groups(ds)  # frames of one sequence stay in one split
        split = split_indices(pool, config.split_fractions, config.split_seed,
                              groups=None if groups is None else groups[:pool])
        if split["train"].size < 2:
            raise ConfigError(
                f"the training split needs at least 2 samples. Received: {split['train'].size} of {len(ds)} samples"
            )
    _check_replica_batches(split, config.batch_size, runtime.replicas)
    train_pipe = Pipeline(
        ds,
        split["train"],
        fields=[layout.radio_field, *layout.image_fields],
        batch_size=config.batch_size,
        shuffle=True,
        seed=config.seed,
        shuffle_buffer=config.shuffle_buffer,
        block_size=config.block_size,
    )
    steps_per_epoch = train_pipe.num_batches
    if start is not None and start.mid_epoch and start.steps_per_epoch != steps_per_epoch:
        raise InputError(
            f"the checkpoint lies inside an epoch of {start.steps_per_epoch} steps, but the run now has "
            f"{steps_per_epoch} steps per epoch. Received: {out}"
        )
    if stored_doc is None:
        normalization = fit_radio_normalization(
            ds,
            split["train"],
            field=layout.radio_field,
            mode=config.radio_normalization,
            dynamic_range_db=layout.dynamic_range_db,
        )
    data_info["radio_normalization"] = normalization.get_config()

    # ---- everything is validated: write the run folder
    write_dir.mkdir(parents=True, exist_ok=True)
    done, done_step = (start.epoch, start.step) if start is not None else (0, 0)
    session = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "strategy": runtime.strategy_name,
        "device": runtime.device,
        "replicas": runtime.replicas,
        "workers": runtime.role.num_workers,
        "checkpoint_every": runtime.checkpoint_every,
        "start": {"epoch": done, "step": done_step},
    }
    doc: dict[str, Any] = {
        "format": RUN_FORMAT,
        "kind": "ssl",
        "config": config.to_dict(),
        "data": data_info,
        "git_commit": git_commit(),
        "versions": run_versions(),
        "created": (stored_doc or {}).get("created") or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "resumed_at_epochs": [*(stored_doc or {}).get("resumed_at_epochs", []), *([done] if resume else [])],
        "sessions": [*(stored_doc or {}).get("sessions", []), session],
    }
    write_json_atomic(write_dir / CONFIG_NAME, doc)
    if resume:
        if write_dir == out:
            truncate_metrics(out, done)
    else:
        write_json_atomic(
            write_dir / SPLIT_NAME, {**{k: v.tolist() for k, v in split.items()}, "seed": config.split_seed}
        )

    strategy = runtime.strategy
    train_map = make_ssl_map_fn(layout, config.augmentation)
    plain = make_ssl_map_fn(layout, None)
    val_data = retrieval_data = None
    val_steps: int | None = None
    if split["val"].size >= 2:
        val_kwargs: dict[str, Any] = dict(
            fields=[layout.radio_field, *layout.image_fields],
            batch_size=config.batch_size,
            shuffle=False,
            block_size=config.block_size,
        )
        val_pipe = Pipeline(ds, split["val"], **val_kwargs)
        val_steps = val_pipe.num_batches
        val_data = distribute_batches(strategy, lambda: batch_stream_dataset(val_pipe, plain))
        retrieval_data = Pipeline(ds, split["val"][: config.retrieval_max_samples], **val_kwargs).as_tf_dataset(plain)

    with strategy.scope():
        model = build_ssl_model(config, layout.radio_shape, layout.image_shape, normalization,
                                angle_bins_deg=data_info.get("angle_bins_deg"), camera_fov_deg=data_info.get("camera_fov_deg"))
        model.compile(optimizer=make_optimizer(config, steps_per_epoch), jit_compile=False)
        if start is not None:
            restore_checkpoint(model, out / CHECKPOINT_DIR, start)
    cbs: list[keras.callbacks.Callback] = []
    if retrieval_data is not None:
        cbs.append(RetrievalCallback(retrieval_data))
    best = _best_so_far(write_dir) if resume and config.keep == "best" else None
    saver = _SaveModels(model, write_dir, config.keep, best)
    cbs += [MetricsLogger(write_dir), saver]
    tb = tensorboard_callback(write_dir)
    if tb is not None:
        cbs.append(tb)
    cbs.extend(callbacks)
    checkpoint = TrainingCheckpoint(
        write_dir / CHECKPOINT_DIR,
        out,
        steps_per_epoch=steps_per_epoch,
        epochs=config.epochs,
        every_steps=runtime.checkpoint_every,
        start=start,
        termination=termination,
        strategy=strategy,
        num_workers=runtime.role.num_workers,
    )
    cbs.append(checkpoint)

    def fit(first_epoch: int, first_step: int, last_epoch: int) -> None:
        data = distribute_batches(
            strategy,
            lambda: batch_stream_dataset(train_pipe, train_map, start_epoch=first_epoch, start_step=first_step),
        )
        model.fit(
            data,
            steps_per_epoch=steps_per_epoch - first_step,
            initial_epoch=first_epoch,
            epochs=last_epoch,
            validation_data=val_data,
            validation_steps=val_steps,
            callbacks=cbs,
            verbose=verbose,
            shuffle=False,
        )

    try:
        if done_step > 0 and done < config.epochs:  # finish the interrupted epoch, then the rest
            fit(done, done_step, done + 1)
            done, done_step = done + 1, 0
        if done < config.epochs:
            fit(done, 0, config.epochs)
    except TrainingInterrupted:
        if tb is not None:
            tb.on_train_end()  # flush and close the TensorBoard writers
        raise
    saver.finish()
    last = checkpoint.last
    return RunResult(
        run_dir=out,
        epochs_completed=last.epoch if last is not None else 0,
        history=read_metrics(write_dir),
        radio_encoder_path=out / "radio_encoder.keras",
        vision_encoder_path=out / "vision_encoder.keras",
    )
