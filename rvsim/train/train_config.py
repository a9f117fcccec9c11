"""Training settings: one frozen dataclass, validated on construction, JSON/YAML round-trippable."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rvsim.errors import ConfigError, check_settings
from rvsim.models.radio_normalization import NORMALIZATION_MODES
from rvsim.objectives import OBJECTIVES
from rvsim.train.augmentation import AugmentConfig

__all__ = ["TrainConfig"]


#: Values of :attr:`TrainConfig.keep`.
KEEP_CHOICES: tuple[str, ...] = ("best", "last")

#: Values of :attr:`TrainConfig.lr_schedule`.
LR_SCHEDULES: tuple[str, ...] = ("constant", "cosine")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class TrainConfig:
    """Settings of a self-supervised (or supervised baseline) training run.

    Attributes:
        objective: Cross-modal objective: ``"infonce"`` (default), ``"vicreg"`` or ``"barlow"``.
        epochs: Training epochs (>= 0).
        batch_size: Samples per batch (>= 2).
        lr: Learning rate of AdamW.
        weight_decay: AdamW weight decay (not applied to biases, norms, or the temperature).
        seed: Seed of weight initialisation, shuffling and augmentation.
        radio_field: Radio input field; ``None``: ``"radio/range_angle"`` if present, else ``"radio/beam_power"``.
        image_fields: ``("image/rgb",)`` or ``("image/rgb", "image/depth")`` (adds an inverse-depth channel).
        image_size: Images are resized to ``(height, width)``; ``None`` keeps the stored size.
        radio_normalization: ``"per_sample"`` or ``"dataset"`` (statistics of the training split), applied by
            the encoder's first layer.
        dynamic_range_db: Radio values below the sample's peak minus this [dB] are floored (by the encoder's
            first layer); ``None``: 20 dB for linear-power fields (``radio/beam_power``, as the real receiver's
            ``rvsim.real.normalise_beam_power``), 60 dB for maps stored in dB (``radio/range_angle``).
        radio_width: Channels of the radio encoder's first stage.
        vision_width: Channels of the vision encoder's first stage.
        embedding_dim: Encoder output size (the representation that is probed).
        projection_hidden_dim: Hidden units of the projection heads.
        projection_dim: Projection size (what the objective sees).
        temperature: Initial InfoNCE temperature.
        learnable_temperature: Whether the InfoNCE temperature is trained.
        vicreg_weights: VICReg ``(invariance, variance, covariance)`` weights.
        barlow_lambda: Barlow Twins off-diagonal weight.
        split_fractions: ``(train, val, test)`` fractions of the seeded split by sample.
        split_seed: Seed of the split (kept apart from ``seed`` so runs with different seeds share a split).
        max_samples: Use only the dataset's first ``max_samples`` samples (split as above); ``None``: all. Sample
            ``i`` of a dataset depends only on (spec, seed, i), so runs with growing ``max_samples`` see growing
            pools of the same scenes.
        augmentation: Augmentation settings.
        shuffle_buffer: Samples in the shuffle buffer.
        block_size: Samples read at once from a shard.
        retrieval_max_samples: Validation samples used for the radio→image retrieval metric.
        norm: Normalisation in the encoders' convolution stages: ``"batch"`` (batch norm) or ``"group"`` (group
            norm, no batch statistics).
        bn_momentum: Momentum of batch norm's moving statistics (encoders and projection heads). 0.9 (about the
            last 10 steps) by default: Keras' 0.99 averages over about 100 steps, three epochs of a 5 000-sample
            run, and its stale statistics made the inference-mode encoders collapse for single epochs
            (``docs/training.md``).
        lr_schedule: ``"constant"`` or ``"cosine"`` (cosine decay to 0 over the run after the warm-up).
        warmup_epochs: Epochs of linear learning-rate warm-up from 0 (``"cosine"`` only).
        dense_weight: Weight of the spatially aligned objective (:class:`~rvsim.objectives.DenseInfoNCELoss`
            over azimuth sectors, range–angle maps only); 0: off.
        global_weight: Weight of the global objective (with ``dense_weight > 0``; 0: the dense one alone).
        dense_sectors: Azimuth sectors of the dense objective, over the span both the radio map and the camera
            cover.
        keep: Which epoch's encoders and heads the run folder keeps: ``"best"`` (default), the epoch with the
            lowest validation loss (the objective on held-out radio-image pairs: no labels; the last epoch
            when there is no validation split), or ``"last"``, the final epoch. The checkpoint always holds
            the last epoch, so resuming continues from there.
    """

    objective: str = "infonce"
    epochs: int = 20
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    seed: int = 0
    radio_field: str | None = None
    image_fields: tuple[str, ...] = ("image/rgb",)
    image_size: tuple[int, int] | None = None
    radio_normalization: str = "per_sample"
    dynamic_range_db: float | None = None
    radio_width: int = 32
    vision_width: int = 32
    embedding_dim: int = 128
    projection_hidden_dim: int = 256
    projection_dim: int = 64
    temperature: float = 0.07
    learnable_temperature: bool = True
    vicreg_weights: tuple[float, float, float] = (25.0, 25.0, 1.0)
    barlow_lambda: float = 5.1e-3
    split_fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
    split_seed: int = 0
    max_samples: int | None = None
    augmentation: AugmentConfig = field(default_factory=AugmentConfig)
    shuffle_buffer: int = 1024
    block_size: int = 256
    retrieval_max_samples: int = 1000
    norm: str = "batch"
    bn_momentum: float = 0.9
    lr_schedule: str = "constant"
    warmup_epochs: int = 0
    dense_weight: float = 0.0
    global_weight: float = 1.0
    dense_sectors: int = 4
    keep: str = "best"

    def __post_init__(self) -> None:
        def fail(name: str, why: str) -> None:
            raise ConfigError(f"{name} {why}. Received: {name}={getattr(self, name)!r}")

        if self.objective not in OBJECTIVES:
            fail("objective", f"must be one of {sorted(OBJECTIVES)}")
        if not _is_int(self.epochs) or self.epochs < 0:
            fail("epochs", "must be an integer >= 0")
        if not _is_int(self.batch_size) or self.batch_size < 2:
            fail("batch_size", "must be an integer >= 2")
        for name in (
            "seed", "split_seed",
        ):
            if not _is_int(getattr(self, name)) or getattr(self, name) < 0:
                fail(name, "must be an integer >= 0")
        for name in (
            "radio_width", "vision_width", "embedding_dim", "projection_hidden_dim", "projection_dim",
            "shuffle_buffer", "block_size", "retrieval_max_samples",
        ):
            if not _is_int(getattr(self, name)) or getattr(self, name) < 1:
                fail(name, "must be an integer >= 1")
        if self.max_samples is not None and (not _is_int(self.max_samples) or self.max_samples < 3):
            fail("max_samples", "must be null or an integer >= 3")
        if self.dynamic_range_db is not None and (not _is_number(self.dynamic_range_db) or self.dynamic_range_db <= 0):
            fail("dynamic_range_db", "must be null or a positive number")
        for name in ("lr", "temperature"):
            if not _is_number(getattr(self, name)) or getattr(self, name) <= 0:
                fail(name, "must be a positive number")
        for name in ("weight_decay", "barlow_lambda"):
            if not _is_number(getattr(self, name)) or getattr(self, name) < 0:
                fail(name, "must be a number >= 0")
        if self.norm not in ("batch", "group"):
            fail("norm", "must be 'batch' or 'group'")
        if not _is_number(self.bn_momentum) or not 0 < self.bn_momentum < 1:
            fail("bn_momentum", "must be in (0, 1)")
        if self.lr_schedule not in LR_SCHEDULES:
            fail("lr_schedule", f"must be one of {list(LR_SCHEDULES)}")
        if not _is_int(self.warmup_epochs) or self.warmup_epochs < 0:
            fail("warmup_epochs", "must be an integer >= 0")
        if self.warmup_epochs and self.lr_schedule != "cosine":
            fail("warmup_epochs", "needs lr_schedule: cosine")
        for name in ("dense_weight", "global_weight"):
            if not _is_number(getattr(self, name)) or getattr(self, name) < 0:
                fail(name, "must be a number >= 0")
        if self.dense_weight == 0 and self.global_weight == 0:
            fail("global_weight", "and dense_weight cannot both be 0")
        if not _is_int(self.dense_sectors) or self.dense_sectors < 2:
            fail("dense_sectors", "must be an integer >= 2")
        if self.keep not in KEEP_CHOICES:
            fail("keep", f"must be one of {list(KEEP_CHOICES)}")
        if not isinstance(self.learnable_temperature, bool):
            fail("learnable_temperature", "must be true or false")
        if self.radio_field is not None and not isinstance(self.radio_field, str):
            fail("radio_field", "must be a field name or null")
        if self.radio_normalization not in NORMALIZATION_MODES:
            fail("radio_normalization", f"must be one of {list(NORMALIZATION_MODES)}")
        fields = tuple(self.image_fields) if isinstance(self.image_fields, (list, tuple)) else None
        if fields not in (("image/rgb",), ("image/rgb", "image/depth")):
            fail("image_fields", "must be ['image/rgb'] or ['image/rgb', 'image/depth']")
        object.__setattr__(self, "image_fields", fields)
        if self.image_size is not None:
            size = tuple(self.image_size) if isinstance(self.image_size, (list, tuple)) else ()
            if len(size) != 2 or not all(_is_int(s) and s >= 8 for s in size):
                fail("image_size", "must be null or [height, width], integers >= 8")
            object.__setattr__(self, "image_size", size)
        weights = tuple(self.vicreg_weights) if isinstance(self.vicreg_weights, (list, tuple)) else ()
        if len(weights) != 3 or not all(_is_number(w) and w >= 0 for w in weights):
            fail("vicreg_weights", "must be three numbers >= 0 (invariance, variance, covariance)")
        object.__setattr__(self, "vicreg_weights", tuple(float(w) for w in weights))
        fr = tuple(self.split_fractions) if isinstance(self.split_fractions, (list, tuple)) else ()
        if len(fr) != 3 or not all(_is_number(f) and f > 0 for f in fr) or abs(sum(fr) - 1) > 1e-6:
            fail("split_fractions", "must be three positive numbers (train, val, test) summing to 1")
        object.__setattr__(self, "split_fractions", tuple(float(f) for f in fr))
        if isinstance(self.augmentation, Mapping):
            object.__setattr__(self, "augmentation", AugmentConfig.from_dict(self.augmentation))
        if not isinstance(self.augmentation, AugmentConfig):
            fail("augmentation", "must be an AugmentConfig or a mapping")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict of every setting (tuples as lists)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, AugmentConfig):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainConfig:
        """Build from a dict (e.g. a YAML file); unknown keys raise :class:`~rvsim.errors.ConfigError`."""
        return cls(**check_settings(values, {f.name for f in dataclasses.fields(cls)}, "training config keys"))

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with ``changes`` applied (validated)."""
        return dataclasses.replace(self, **changes)
