"""Per-modality augmentation: seeded, bounded, and the paired flip keeps radio and image consistent."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from rvsim.errors import ConfigError
from rvsim.train.augmentation import AugmentConfig, augment_radio, augment_vision, paired_flip

SEED = tf.constant([3, 4], tf.int64)
OFF = AugmentConfig(radio_gain_db=0.0, radio_snr_db=None, radio_max_shift=0, crop_scale=(1.0, 1.0),
                    brightness=0.0, contrast=0.0, saturation=0.0)


def _radio(n: int = 6) -> np.ndarray:
    return np.random.default_rng(0).normal(-100, 10, (n, 12, 5)).astype(np.float32)


def test_radio_augmentation_is_seeded() -> None:
    x = _radio()
    cfg = AugmentConfig()
    a = augment_radio(x, SEED, cfg).numpy()
    np.testing.assert_array_equal(a, augment_radio(x, SEED, cfg).numpy())
    assert not np.allclose(a, augment_radio(x, tf.constant([3, 5], tf.int64), cfg).numpy())
    assert a.shape == x.shape and np.isfinite(a).all()


def test_radio_gain_is_a_per_sample_offset_within_bounds() -> None:
    x = _radio()
    y = augment_radio(x, SEED, AugmentConfig(radio_gain_db=2.0, radio_snr_db=None, radio_max_shift=0)).numpy()
    offset = (y - x).reshape(len(x), -1)
    np.testing.assert_allclose(offset, offset[:, :1].repeat(offset.shape[1], axis=1), atol=1e-4)
    assert np.all(np.abs(offset) <= 2.0 + 1e-5) and np.std(offset[:, 0]) > 0


def test_radio_range_roll_permutes_range_bins_only() -> None:
    x = _radio(8)
    y = augment_radio(x, SEED, AugmentConfig(radio_gain_db=0.0, radio_snr_db=None, radio_max_shift=2)).numpy()
    for xi, yi in zip(x, y):
        shifts = [s for s in range(-2, 3) if np.array_equal(np.roll(xi, s, axis=0), yi)]
        assert len(shifts) == 1


def test_radio_noise_follows_snr_and_spares_constant_samples() -> None:
    x = _radio(64)
    x[0] = -250.0
    y = augment_radio(x, SEED, AugmentConfig(radio_gain_db=0.0, radio_snr_db=(20.0, 20.0), radio_max_shift=0)).numpy()
    np.testing.assert_array_equal(y[0], x[0])
    p, q = 10 ** (x[1:] / 10), 10 ** (y[1:] / 10)
    measured = np.mean(q - p, axis=(1, 2)) / np.mean(p, axis=(1, 2))  # noise power / signal power
    assert np.mean(measured) == pytest.approx(0.01, rel=0.25)


def test_vision_augmentation_shapes_range_and_seed() -> None:
    images = np.random.default_rng(1).random((5, 16, 20, 4)).astype(np.float32)
    cfg = AugmentConfig()
    out = augment_vision(images, SEED, cfg, size=(8, 10)).numpy()
    assert out.shape == (5, 8, 10, 4)
    assert out[..., :3].min() >= 0 and out[..., :3].max() <= 1
    np.testing.assert_array_equal(out, augment_vision(images, SEED, cfg, size=(8, 10)).numpy())
    # with every augmentation off, the crop is the whole image: identity
    np.testing.assert_allclose(augment_vision(images, SEED, OFF).numpy(), images, atol=1e-5)


def test_paired_flip_flips_radio_angle_axis_and_image_together() -> None:
    radio = _radio(32)
    images = np.random.default_rng(2).random((32, 6, 7, 3)).astype(np.float32)
    r, v = (t.numpy() for t in paired_flip(radio, images, SEED, 0.5))
    flipped_r = [np.array_equal(ri, x[:, ::-1]) and not np.array_equal(ri, x) for ri, x in zip(r, radio)]
    flipped_v = [np.array_equal(vi, x[:, ::-1]) and not np.array_equal(vi, x) for vi, x in zip(v, images)]
    assert flipped_r == flipped_v and 0 < sum(flipped_r) < 32
    unflipped = [i for i, f in enumerate(flipped_r) if not f]
    np.testing.assert_array_equal(r[unflipped], radio[unflipped])
    beams = radio[:, 0, :]
    rb, _ = paired_flip(beams, images, SEED, 0.5)  # 1-D beam vectors: the beam axis is reversed
    assert [np.array_equal(a, b[::-1]) for a, b in zip(rb.numpy(), beams)] == flipped_r


def test_augment_config_validation_and_roundtrip() -> None:
    cfg = AugmentConfig(radio_snr_db=(5, 15), flip_probability=0.5)
    assert AugmentConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ConfigError, match="crop_scale"):
        AugmentConfig(crop_scale=(0.0, 1.0))
    with pytest.raises(ConfigError, match="radio_snr_db"):
        AugmentConfig(radio_snr_db=(20.0, 10.0))
    with pytest.raises(ConfigError, match="unknown augmentation keys"):
        AugmentConfig.from_dict({"jitter": 1})
    with pytest.raises(ConfigError, match="flip_probability"):
        AugmentConfig(flip_probability=2.0)
