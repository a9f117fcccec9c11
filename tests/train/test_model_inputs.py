"""radio_input / vision_input: what the encoders consume, identical to the training pipeline's inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rvsim.data import Dataset
from rvsim.data.pipeline import Pipeline
from rvsim.errors import ConfigError
from rvsim.train import TrainConfig, fit_radio_normalization, radio_input, vision_input
from rvsim.train.ssl_trainer import make_ssl_map_fn, resolve_inputs


def test_radio_input_range_angle_is_the_stored_db_map(shared_dataset: Path) -> None:
    with Dataset(shared_dataset) as ds:
        idx = np.array([40, 2, 77])
        x = radio_input(ds, idx)
        np.testing.assert_array_equal(x, ds.read("radio/range_angle", idx))
        assert x.dtype == np.float32 and radio_input(ds).shape == (96, 16, 8)


def test_radio_input_beam_power_is_converted_to_db(make_dataset: Any) -> None:
    with Dataset(make_dataset(num_samples=10, shard_size=10, radio_shape=(64,))) as ds:
        x = radio_input(ds, [1, 3])
        want = 10 * np.log10(ds.read("radio/beam_power", [1, 3]).astype(np.float64))
        np.testing.assert_allclose(x, want, rtol=1e-5, atol=1e-4)
        assert x.max() == pytest.approx(0.0, abs=1e-5)  # the stored vectors peak at 1


def test_vision_input_rgb_and_depth(make_dataset: Any) -> None:
    with Dataset(make_dataset(num_samples=6, shard_size=6, depth=True)) as ds:
        rgb = vision_input(ds, [0, 5])
        np.testing.assert_allclose(rgb, ds.read("image/rgb", [0, 5]) / 255.0, rtol=1e-6)
        both = vision_input(ds, [0, 5], fields=["image/rgb", "image/depth"], image_size=(8, 8))
        assert both.shape == (2, 8, 8, 4)
        full = vision_input(ds, [0, 5], fields=["image/rgb", "image/depth"])
        depth = ds.read("image/depth", [0, 5])
        want = np.where(np.isfinite(depth), 1 / (1 + depth), 0.0)
        np.testing.assert_allclose(full[..., 3], want, rtol=1e-6)
        with pytest.raises(ConfigError, match="image fields"):
            vision_input(ds, [0], fields=["image/depth"])


def test_training_pipeline_without_augmentation_feeds_radio_input(shared_dataset: Path) -> None:
    with Dataset(shared_dataset) as ds:
        config = TrainConfig(image_size=(8, 8))
        layout = resolve_inputs(ds, config)
        pipe = Pipeline(ds, np.arange(0, 96, 3), fields=[layout.radio_field, "image/rgb"], batch_size=8, shuffle=False)
        fn = make_ssl_map_fn(layout, None)
        for batch in pipe.batches():
            out = fn(batch)
            np.testing.assert_array_equal(out["radio"].numpy(), radio_input(ds, batch["index"]))
            np.testing.assert_allclose(out["vision"].numpy(), vision_input(ds, batch["index"], image_size=(8, 8)), atol=1e-6)
        augmented = make_ssl_map_fn(layout, config.augmentation)(batch)
        assert augmented["vision"].shape == out["vision"].shape and augmented["radio"].shape == out["radio"].shape


def test_fit_radio_normalization_uses_training_statistics(shared_dataset: Path) -> None:
    with Dataset(shared_dataset) as ds:
        idx = np.arange(0, 60)
        layer = fit_radio_normalization(ds, idx, field="radio/range_angle", mode="dataset", dynamic_range_db=30.0)
        x = ds.read("radio/range_angle", idx).astype(np.float64)
        floored = np.maximum(x, x.max(axis=(1, 2), keepdims=True) - 30.0)
        assert layer.mean == pytest.approx(floored.mean(), rel=1e-6)
        assert layer.std == pytest.approx(floored.std(), rel=1e-5)
        assert fit_radio_normalization(ds, idx, field="radio/range_angle").mode == "per_sample"


def test_resolve_inputs_errors(shared_dataset: Path) -> None:
    with Dataset(shared_dataset) as ds:
        with pytest.raises(ConfigError, match="radio_field='labels/obj_class'"):
            resolve_inputs(ds, TrainConfig(radio_field="labels/obj_class"))
        with pytest.raises(ConfigError, match="image/depth"):
            resolve_inputs(ds, TrainConfig(image_fields=("image/rgb", "image/depth")))
        layout = resolve_inputs(ds, TrainConfig())
        assert (layout.radio_field, layout.radio_shape, layout.image_shape) == ("radio/range_angle", (16, 8), (16, 16, 3))
        assert layout.dynamic_range_db == 60.0


def test_inverse_depth_of_pixels_that_hit_nothing_is_zero() -> None:
    """The generators store depth 0 where the camera ray hits nothing (sky, beyond the scene): that is the
    farthest depth (inverse-depth channel 0), never the nearest (1 / (1 + 0) = 1)."""
    from rvsim.train import images_to_float

    rgb = np.zeros((1, 1, 5, 3), np.uint8)
    depth = np.array([[[0.0, np.inf, np.nan, 1.0, 3.0]]], np.float32)
    inv = images_to_float(rgb, depth).numpy()[0, 0, :, 3]
    np.testing.assert_allclose(inv, [0.0, 0.0, 0.0, 0.5, 0.25])
