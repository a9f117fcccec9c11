"""TrainConfig: defaults, validation with clear messages, dict round trip."""

from __future__ import annotations

import pytest

from rvsim.errors import ConfigError
from rvsim.train import AugmentConfig, TrainConfig


def test_roundtrip_and_nested_augmentation() -> None:
    cfg = TrainConfig(objective="vicreg", image_size=[32, 32], augmentation={"flip_probability": 0.5})  # type: ignore[arg-type]
    assert cfg.image_size == (32, 32) and cfg.augmentation == AugmentConfig(flip_probability=0.5)
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.replace(epochs=3).epochs == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"objective": "simclr"}, "objective='simclr'"),
        ({"epochs": -1}, "epochs=-1"),
        ({"batch_size": 1}, "batch_size=1"),
        ({"lr": 0.0}, "lr=0.0"),
        ({"split_fractions": (0.8, 0.2, 0.0)}, "split_fractions"),
        ({"image_fields": ("image/depth",)}, "image_fields"),
        ({"radio_normalization": "minmax"}, "radio_normalization='minmax'"),
        ({"dynamic_range_db": -3.0}, "dynamic_range_db=-3.0"),
        ({"norm": "layer"}, "norm='layer'"),
        ({"bn_momentum": 1.0}, "bn_momentum=1.0"),
        ({"lr_schedule": "step"}, "lr_schedule='step'"),
        ({"warmup_epochs": 2}, "needs lr_schedule: cosine"),
        ({"dense_weight": -1.0}, "dense_weight=-1.0"),
        ({"global_weight": 0.0}, "cannot both be 0"),
        ({"dense_sectors": 1}, "dense_sectors=1"),
        ({"max_samples": 2}, "max_samples=2"),
    ],
)
def test_bad_values(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        TrainConfig(**kwargs)


def test_unknown_keys() -> None:
    with pytest.raises(ConfigError, match=r"unknown training config keys.*\['learning_rate'\]"):
        TrainConfig.from_dict({"learning_rate": 0.1})
