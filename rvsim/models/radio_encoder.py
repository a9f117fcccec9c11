"""Radio encoders: a small conv net for 2-D range–angle maps and a 1-D conv net for beam-power vectors."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from rvsim.errors import ConfigError
from rvsim.models.radio_normalization import RadioNormalization

__all__ = ["build_radio_encoder", "normalization_layer", "NORMS", "FEATURE_MAP"]

#: Normalisation layers of the encoders' convolution stages.
NORMS: tuple[str, ...] = ("batch", "group")

#: Name of the encoders' last convolution-stage activation: the feature map kept in space (range × angle,
#: image rows × columns) before it is flattened, which the spatially aligned objective reads.
FEATURE_MAP = "feature_map"


def normalization_layer(norm: str, channels: int, bn_momentum: float = 0.99) -> keras.layers.Layer:
    """The normalisation after a convolution: batch norm (``bn_momentum``: the moving statistics' momentum,
    Keras' default 0.99) or group norm (``min(8, channels)`` groups; no batch statistics at all)."""
    if norm == "batch":
        return keras.layers.BatchNormalization(momentum=bn_momentum)
    if norm == "group":
        return keras.layers.GroupNormalization(groups=max(1, min(8, channels)))
    raise ConfigError(f"norm must be one of {NORMS}. Received: norm={norm!r}")


def _initializer(seed: int | None, offset: int) -> keras.initializers.Initializer:
    return keras.initializers.HeNormal(seed=None if seed is None else seed + offset)


def _check(input_shape: Sequence[int], width: int, embedding_dim: int) -> tuple[int, ...]:
    shape = tuple(int(s) for s in input_shape)
    if len(shape) not in (1, 2) or min(shape) < 1:
        raise ConfigError(
            "the radio encoder takes a 2-D map (range, angle) or a 1-D vector (num_beams,). "
            f"Received: input_shape={tuple(input_shape)}"
        )
    if width < 1 or embedding_dim < 1:
        raise ConfigError(
            f"width and embedding_dim must be positive. Received: width={width}, embedding_dim={embedding_dim}"
        )
    return shape


def build_radio_encoder(
    input_shape: tuple[int, ...],
    *,
    width: int = 32,
    embedding_dim: int = 128,
    seed: int | None = None,
    normalization: RadioNormalization | str | None = "per_sample",
    name: str = "radio_encoder",
    norm: str = "batch",
    bn_momentum: float = 0.99,
) -> keras.Model:
    """Build the radio encoder for radio inputs in dB (see :func:`rvsim.train.radio_input`).

    The first layer is a :class:`~rvsim.models.RadioNormalization` (floor at the sample's peak minus a
    dynamic range, then per-sample or dataset standardisation), so the saved encoder carries its input
    normalisation.

    2-D inputs ``(num_range_bins, num_angle_bins)``: stages of two 3×3 convolutions (batch norm, ReLU) and a
    2×2 max-pool (sides of at most 4 are not pooled), width doubling per stage up to ``4 * width``, until the
    larger side is at most 8; the final
    feature map is flattened (so the position of a reflector in range and angle is kept) and a dense layer
    gives the embedding.

    1-D inputs ``(num_beams,)`` (e.g. 64 beam powers): the same with 1-D convolutions of size 5 along the
    beam (angle) axis and pooling by 2.

    Args:
        input_shape: Per-sample input shape, ``(R, A)`` or ``(num_beams,)``.
        width: Channels of the first stage.
        embedding_dim: Size of the output embedding.
        seed: Seed of the weight initialisers (``None``: unseeded).
        normalization: The input normalisation layer, a mode name for one with default settings
            (``"per_sample"``, ``"dataset"``), or ``None`` for none.
        name: Model name.
        norm: ``"batch"`` or ``"group"`` normalisation in the convolution stages (:func:`normalization_layer`).
        bn_momentum: Momentum of batch norm's moving statistics.

    Returns:
        A functional model mapping ``(batch_size, *input_shape)`` float32 [dB] to ``(batch_size, embedding_dim)``.
    """
    shape = _check(input_shape, width, embedding_dim)
    one_d = len(shape) == 1
    conv = keras.layers.Conv1D if one_d else keras.layers.Conv2D
    pool = keras.layers.MaxPooling1D if one_d else keras.layers.MaxPooling2D
    kernel = 5 if one_d else 3

    inputs = keras.Input(shape=shape, name="radio")
    x = inputs
    if isinstance(normalization, str):
        normalization = RadioNormalization(mode=normalization)
    if normalization is not None:
        x = normalization(x)
    x = keras.layers.Reshape((*shape, 1))(x)
    spatial = list(shape)
    channels = width
    k = 0
    for stage in range(6):
        last = max(spatial) <= 8 or stage == 5
        for j in range(2):
            x = conv(channels, kernel, padding="same", use_bias=False, kernel_initializer=_initializer(seed, k))(x)
            k += 1
            x = normalization_layer(norm, channels, bn_momentum)(x)
            x = keras.layers.ReLU(name=FEATURE_MAP if last and j == 1 else None)(x)
        if last:
            break
        pool_size = 2 if one_d else tuple(2 if s > 4 else 1 for s in spatial)
        x = pool(pool_size)(x)
        spatial = [s // 2 if s > 4 else s for s in spatial]
        channels = min(channels * 2, 4 * width)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(
        embedding_dim, kernel_initializer=keras.initializers.GlorotUniform(seed=None if seed is None else seed + k)
    )(x)
    return keras.Model(inputs, outputs, name=name)
