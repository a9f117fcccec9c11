"""Per-modality data augmentation for training, as stateless (seeded) TensorFlow ops on batches.

Radio (on the power map or beam vector in dB, before normalisation): a random gain offset [dB], additive
complex Gaussian noise at a random SNR [dB], and (2-D maps only) a roll of the range axis by a few bins.
Vision (on float images in [0, 1]): a random crop (same relative size in both axes) resized back, and colour
jitter (brightness, contrast, saturation) of the RGB channels. An optional horizontal flip mirrors the image
and reverses the radio's angle axis (the last axis) together, so the pair stays consistent (it assumes the
angle bins are symmetric about broadside).

Each function takes a ``seed`` of shape ``(2,)`` (``tf.random.stateless_*``), so a batch's augmentation is
fixed by the batch seed the :class:`~rvsim.data.pipeline.Pipeline` attaches.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from rvsim.errors import ConfigError, check_settings

__all__ = ["AugmentConfig", "augment_radio", "augment_vision", "paired_flip"]


@dataclass(frozen=True)
class AugmentConfig:
    """Augmentation settings.

    Attributes:
        enabled: Whether training batches are augmented at all.
        radio_gain_db: Gain offset drawn uniformly in ``[-radio_gain_db, radio_gain_db]`` [dB] per sample.
        radio_snr_db: ``(low, high)`` SNR [dB] of the added noise, uniform per sample (signal power: the
            sample's mean linear power; constant samples, e.g. empty scenes at the floor, get none); ``None``:
            no noise.
        radio_max_shift: Range-axis roll drawn uniformly in ``[-radio_max_shift, radio_max_shift]`` bins
            (2-D maps only).
        crop_scale: ``(low, high)`` side length of the random crop relative to the image, uniform per sample.
        brightness: Brightness offset uniform in ``[-brightness, brightness]`` (images in [0, 1]).
        contrast: Contrast factor uniform in ``[1 - contrast, 1 + contrast]``.
        saturation: Saturation factor uniform in ``[1 - saturation, 1 + saturation]``.
        flip_probability: Probability of the paired horizontal flip (image width axis + radio angle axis).
    """

    enabled: bool = True
    radio_gain_db: float = 3.0
    radio_snr_db: tuple[float, float] | None = (10.0, 30.0)
    radio_max_shift: int = 1
    crop_scale: tuple[float, float] = (0.8, 1.0)
    brightness: float = 0.2
    contrast: float = 0.2
    saturation: float = 0.2
    flip_probability: float = 0.0

    def __post_init__(self) -> None:
        def fail(name: str, why: str) -> None:
            raise ConfigError(f"augmentation.{name} {why}. Received: {name}={getattr(self, name)!r}")

        if not isinstance(self.enabled, bool):
            fail("enabled", "must be true or false")
        for name in ("radio_gain_db", "brightness", "contrast", "saturation"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                fail(name, "must be a number >= 0")
        if self.contrast > 1 or self.saturation > 1:
            fail("contrast" if self.contrast > 1 else "saturation", "must be <= 1")
        if self.radio_snr_db is not None:
            snr = tuple(self.radio_snr_db)
            if len(snr) != 2 or not all(isinstance(v, (int, float)) for v in snr) or snr[0] > snr[1]:
                fail("radio_snr_db", "must be null or [low, high] with low <= high")
            object.__setattr__(self, "radio_snr_db", (float(snr[0]), float(snr[1])))
        if not isinstance(self.radio_max_shift, int) or isinstance(self.radio_max_shift, bool) or self.radio_max_shift < 0:
            fail("radio_max_shift", "must be an integer >= 0")
        crop = tuple(self.crop_scale)
        if len(crop) != 2 or not all(isinstance(v, (int, float)) for v in crop) or not 0 < crop[0] <= crop[1] <= 1:
            fail("crop_scale", "must be [low, high] with 0 < low <= high <= 1")
        object.__setattr__(self, "crop_scale", (float(crop[0]), float(crop[1])))
        if not isinstance(self.flip_probability, (int, float)) or not 0 <= self.flip_probability <= 1:
            fail("flip_probability", "must be in [0, 1]")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (tuples as lists)."""
        out = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> AugmentConfig:
        """Build from a dict (e.g. YAML); unknown keys raise :class:`~rvsim.errors.ConfigError`."""
        values = check_settings(values, {f.name for f in dataclasses.fields(cls)}, "augmentation keys")
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        return cls(**kwargs)


def _uniform(seed: tf.Tensor, shape: Any, low: float, high: float) -> tf.Tensor:
    return tf.random.stateless_uniform(shape, seed=seed, minval=low, maxval=high, dtype=tf.float32)


def augment_radio(x_db: tf.Tensor, seed: tf.Tensor, config: AugmentConfig) -> tf.Tensor:
    """Augment a batch of radio inputs in dB.

    Args:
        x_db: Power per bin [dB], ``(batch_size, num_range_bins, num_angle_bins)`` or ``(batch_size, num_beams)``.
        seed: Stateless seed, ``(2,)`` int.
        config: Augmentation settings.

    Returns:
        The augmented batch [dB], same shape, float32.
    """
    x = tf.cast(x_db, tf.float32)
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=5)
    n = tf.shape(x)[0]
    expand = [n] + [1] * (x.shape.rank - 1)
    if config.radio_gain_db > 0:
        x = x + _uniform(seeds[0], expand, -config.radio_gain_db, config.radio_gain_db)
    if config.radio_snr_db is not None:
        p = tf.pow(10.0, x / 10.0)
        axes = list(range(1, x.shape.rank))
        signal = tf.reduce_mean(p, axis=axes, keepdims=True)
        snr_db = _uniform(seeds[1], expand, config.radio_snr_db[0], config.radio_snr_db[1])
        noise = signal / tf.pow(10.0, snr_db / 10.0)
        scale = tf.sqrt(noise / 2.0)
        n_re = tf.random.stateless_normal(tf.shape(x), seed=seeds[2]) * scale
        n_im = tf.random.stateless_normal(tf.shape(x), seed=seeds[3]) * scale
        p_noisy = tf.square(tf.sqrt(p) + n_re) + tf.square(n_im)
        noisy = 10.0 * tf.math.log(tf.maximum(p_noisy, 1e-30)) / tf.math.log(10.0)
        # a constant sample (e.g. an empty scene at the floor) has no signal to set an SNR by: left as is
        spread = tf.reduce_max(x, axis=axes, keepdims=True) - tf.reduce_min(x, axis=axes, keepdims=True)
        x = tf.where(spread > 1e-3, noisy, x)
    if config.radio_max_shift > 0 and x.shape.rank == 3:
        num_range = tf.shape(x)[1]
        shift = tf.random.stateless_uniform(
            [n], seed=seeds[4], minval=-config.radio_max_shift, maxval=config.radio_max_shift + 1, dtype=tf.int32
        )
        src = tf.math.floormod(tf.range(num_range)[None, :] - shift[:, None], num_range)
        x = tf.gather(x, src, axis=1, batch_dims=1)
    return x


def augment_vision(images: tf.Tensor, seed: tf.Tensor, config: AugmentConfig, size: tuple[int, int] | None = None) -> tf.Tensor:
    """Augment a batch of images: random crop resized to ``size``, colour jitter of the first 3 channels.

    Args:
        images: ``(batch_size, H, W, C)`` float32 in [0, 1]; channels 0–2 are RGB, others (depth) are only
            cropped.
        seed: Stateless seed, ``(2,)`` int.
        config: Augmentation settings.
        size: Output ``(height, width)``; default: the input size.

    Returns:
        ``(batch_size, *size, C)`` float32.
    """
    images = tf.cast(images, tf.float32)
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=6)
    n = tf.shape(images)[0]
    out_size = tuple(size) if size is not None else (images.shape[1], images.shape[2])
    side = _uniform(seeds[0], [n], config.crop_scale[0], config.crop_scale[1])
    y0 = _uniform(seeds[1], [n], 0.0, 1.0) * (1.0 - side)
    x0 = _uniform(seeds[2], [n], 0.0, 1.0) * (1.0 - side)
    boxes = tf.stack([y0, x0, y0 + side, x0 + side], axis=1)
    images = tf.image.crop_and_resize(images, boxes, tf.range(n), out_size, method="bilinear")
    rgb, rest = images[..., :3], images[..., 3:]
    shape4 = [n, 1, 1, 1]
    if config.brightness > 0:
        rgb = rgb + _uniform(seeds[3], shape4, -config.brightness, config.brightness)
    if config.contrast > 0:
        mean = tf.reduce_mean(rgb, axis=[1, 2, 3], keepdims=True)
        rgb = (rgb - mean) * _uniform(seeds[4], shape4, 1.0 - config.contrast, 1.0 + config.contrast) + mean
    if config.saturation > 0:
        gray = tf.reduce_sum(rgb * tf.constant([0.299, 0.587, 0.114]), axis=-1, keepdims=True)
        rgb = (rgb - gray) * _uniform(seeds[5], shape4, 1.0 - config.saturation, 1.0 + config.saturation) + gray
    rgb = tf.clip_by_value(rgb, 0.0, 1.0)
    return tf.concat([rgb, rest], axis=-1)


def paired_flip(radio: tf.Tensor, images: tf.Tensor, seed: tf.Tensor, probability: float) -> tuple[tf.Tensor, tf.Tensor]:
    """Mirror chosen samples: the image's width axis and the radio's last (angle / beam) axis together.

    Args:
        radio: ``(batch_size, ..., num_angle_bins)``.
        images: ``(batch_size, H, W, C)``.
        seed: Stateless seed, ``(2,)`` int.
        probability: Chance that a sample is flipped.

    Returns:
        ``(radio, images)``, same shapes.
    """
    radio = tf.convert_to_tensor(radio)
    images = tf.convert_to_tensor(images)
    if probability <= 0:
        return radio, images
    n = tf.shape(images)[0]
    flip = _uniform(tf.cast(seed, tf.int64), [n], 0.0, 1.0) < probability
    radio_flip = tf.reshape(flip, [n] + [1] * (radio.shape.rank - 1))
    image_flip = tf.reshape(flip, [n, 1, 1, 1])
    radio = tf.where(radio_flip, tf.reverse(radio, axis=[radio.shape.rank - 1]), radio)
    images = tf.where(image_flip, tf.reverse(images, axis=[2]), images)
    return radio, images
