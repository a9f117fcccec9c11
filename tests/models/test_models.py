"""Encoders, projection head, radio normalisation and the cross-modal model: shapes, serialisation, values."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from rvsim.errors import ConfigError
from rvsim.models import CrossModalModel, ProjectionHead, RadioNormalization, build_radio_encoder, build_vision_encoder
from rvsim.objectives import InfoNCELoss, VICRegLoss


def _roundtrip(model: keras.Model, path: Path) -> keras.Model:
    model.save(path)
    return keras.models.load_model(path, safe_mode=True)


@pytest.mark.parametrize("shape", [(16, 8), (64, 32), (64,), (12, 5)])
def test_radio_encoder_shapes(shape: tuple[int, ...]) -> None:
    encoder = build_radio_encoder(shape, width=4, embedding_dim=10, seed=0)
    x = np.random.default_rng(0).normal(-80, 10, (3, *shape)).astype(np.float32)
    assert encoder(x).shape == (3, 10)
    assert encoder.name == "radio_encoder"
    assert isinstance(encoder.layers[1], RadioNormalization)


@pytest.mark.parametrize("shape", [(16, 16, 3), (32, 64, 4)])
def test_vision_encoder_shapes(shape: tuple[int, int, int]) -> None:
    encoder = build_vision_encoder(shape, width=4, embedding_dim=12, seed=0)
    x = np.random.default_rng(0).random((2, *shape)).astype(np.float32)
    assert encoder(x).shape == (2, 12)


def test_seeded_encoders_are_identical() -> None:
    a = build_radio_encoder((16, 8), width=4, embedding_dim=8, seed=3)
    b = build_radio_encoder((16, 8), width=4, embedding_dim=8, seed=3)
    c = build_radio_encoder((16, 8), width=4, embedding_dim=8, seed=4)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert any(not np.array_equal(wa, wc) for wa, wc in zip(a.get_weights(), c.get_weights()))


@pytest.mark.parametrize(
    ("builder", "shape"),
    [(build_radio_encoder, (16, 8)), (build_radio_encoder, (64,)), (build_vision_encoder, (16, 16, 4))],
)
def test_encoders_save_and_reload_identically(builder, shape, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kwargs = {"normalization": RadioNormalization("dataset", mean=-90.0, std=7.0)} if builder is build_radio_encoder else {}
    encoder = builder(shape, width=4, embedding_dim=8, seed=1, **kwargs)
    x = np.random.default_rng(1).normal(-80, 10, (4, *shape)).astype(np.float32)
    if builder is build_vision_encoder:
        x = np.clip(x / 100 + 1, 0, 1)
    # train BN statistics away from their initial values so reloading must restore them
    encoder.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    encoder.fit(x, np.ones((4, 8), np.float32), epochs=1, verbose=0)
    clone = _roundtrip(encoder, tmp_path / "enc.keras")
    np.testing.assert_array_equal(np.asarray(encoder(x, training=False)), np.asarray(clone(x, training=False)))
    if builder is build_radio_encoder:
        norm = clone.layers[1]
        assert isinstance(norm, RadioNormalization) and norm.get_config()["mean"] == -90.0


def test_projection_head(tmp_path: Path) -> None:
    head = ProjectionHead(hidden_dim=16, output_dim=6, seed=0)
    x = np.random.default_rng(0).normal(size=(5, 9)).astype(np.float32)
    assert head(x).shape == (5, 6)
    assert ProjectionHead.from_config(head.get_config()).get_config() == head.get_config()
    inputs = keras.Input((9,))
    model = keras.Model(inputs, head(inputs))
    clone = _roundtrip(model, tmp_path / "head.keras")
    np.testing.assert_array_equal(np.asarray(model(x)), np.asarray(clone(x)))
    with pytest.raises(ConfigError, match="output_dim=0"):
        ProjectionHead(output_dim=0)


def _norm_reference(x: np.ndarray, mode: str, dr: float, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    out = np.empty_like(x, dtype=np.float64)
    for i, s in enumerate(x.astype(np.float64)):
        finite = np.isfinite(s)
        if not finite.any():  # no finite value: zeros
            out[i] = 0.0
            continue
        low = s[finite].max() - dr
        f = np.where(finite, np.maximum(s, low), low)
        out[i] = (f - mean) / std if mode == "dataset" else (f - f.mean()) / (f.std() + 1e-6)
    return out


def test_radio_normalization_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(-120, 30, (4, 6, 5)).astype(np.float32)
    x[1, 0, 0] = -np.inf
    x[2] = -250.0  # constant: an empty scene at the floor
    x[3] = -np.inf
    for mode, kwargs in (("per_sample", {}), ("dataset", {"mean": -150.0, "std": 20.0})):
        layer = RadioNormalization(mode, dynamic_range_db=40.0, **kwargs)
        got = np.asarray(layer(x))
        np.testing.assert_allclose(got, _norm_reference(x, mode, 40.0, **kwargs), rtol=1e-5, atol=1e-4)
    per_sample = np.asarray(RadioNormalization(dynamic_range_db=40.0)(x))
    np.testing.assert_allclose(per_sample[0].mean(), 0.0, atol=1e-5)
    np.testing.assert_allclose(per_sample[0].std(), 1.0, atol=1e-4)
    np.testing.assert_array_equal(per_sample[2], 0.0)
    np.testing.assert_array_equal(per_sample[3], 0.0)
    with pytest.raises(ConfigError, match="mode='zscore'"):
        RadioNormalization("zscore")
    with pytest.raises(ConfigError, match="std=0"):
        RadioNormalization("dataset", std=0)


def test_bad_encoder_shapes() -> None:
    with pytest.raises(ConfigError, match=r"input_shape=\(2, 3, 4\)"):
        build_radio_encoder((2, 3, 4))
    with pytest.raises(ConfigError, match="input_shape"):
        build_vision_encoder((16, 16))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="width=0"):
        build_radio_encoder((16,), width=0)


def test_cross_modal_model_trains_and_reloads(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    model = CrossModalModel(
        build_radio_encoder((8, 4), width=2, embedding_dim=8, seed=0),
        build_vision_encoder((8, 8, 3), width=2, embedding_dim=8, seed=1),
        ProjectionHead(8, 4, seed=2),
        ProjectionHead(8, 4, seed=3),
        InfoNCELoss(temperature=0.1),
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-2), run_eagerly=True)
    x = {"radio": rng.normal(-60, 5, (8, 8, 4)).astype(np.float32), "vision": rng.random((8, 8, 8, 3)).astype(np.float32)}
    history = model.fit(x, epochs=2, batch_size=8, verbose=0)
    assert set(history.history) == {"loss", "temperature"}
    assert float(model.objective.temperature) != pytest.approx(0.1, abs=1e-7)  # the temperature is trained
    clone = _roundtrip(model, tmp_path / "model.keras")
    assert isinstance(clone.objective, InfoNCELoss)
    for got, want in zip(clone(x), model(x)):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    assert float(clone.objective.temperature) == pytest.approx(float(model.objective.temperature))
    other = CrossModalModel(model.radio_encoder, model.vision_encoder, model.radio_head, model.vision_head, VICRegLoss())
    assert other.temperature_tracker is None


def test_dense_model_sectors_follow_the_azimuths_and_round_trip(tmp_path) -> None:
    """Radio angle bins ascend from right to left and image column 0 is the left edge: sector 0 (right) takes
    the radio's first angle columns and the image's last columns; the model saves and reloads."""
    import numpy as np

    from rvsim.train import TrainConfig, build_ssl_model

    config = TrainConfig(radio_width=4, vision_width=4, embedding_dim=8, projection_hidden_dim=8, projection_dim=4,
                         dense_weight=1.0, dense_sectors=2, norm="group")
    model = build_ssl_model(config, (16, 16), (16, 32, 3), angle_bins_deg=np.linspace(-50, 50, 16), camera_fov_deg=100.0)
    assert model.radio_sectors[0, 0] > 0 and model.radio_sectors[-1, 1] > 0
    assert model.vision_sectors[-1, 0] > 0 and model.vision_sectors[0, 1] > 0
    x = {"radio": np.random.default_rng(0).normal(size=(3, 16, 16)).astype("float32"),
         "vision": np.random.default_rng(1).random((3, 16, 32, 3)).astype("float32")}
    outs = model(x, training=False)
    assert [tuple(o.shape) for o in outs] == [(3, 4), (3, 4), (3, 2, 4), (3, 2, 4)]
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras", safe_mode=True)
    for got, want in zip(again(x, training=False), outs):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(got), keras.ops.convert_to_numpy(want), rtol=1e-5, atol=1e-5)
    with pytest.raises(ConfigError, match="dense_weight > 0"):
        build_ssl_model(config, (64,), (16, 32, 3))
