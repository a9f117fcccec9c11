"""Vision encoder: a small conv net trained from scratch on RGB (optionally RGB + depth) images."""

from __future__ import annotations

import keras

from rvsim.errors import ConfigError
from rvsim.models.radio_encoder import FEATURE_MAP, normalization_layer

__all__ = ["build_vision_encoder"]


def build_vision_encoder(
    input_shape: tuple[int, int, int],
    *,
    width: int = 32,
    embedding_dim: int = 128,
    seed: int | None = None,
    name: str = "vision_encoder",
    norm: str = "batch",
    bn_momentum: float = 0.99,
) -> keras.Model:
    """Build the vision encoder for preprocessed images.

    Stages of a stride-2 3×3 convolution and a 3×3 convolution (batch norm, ReLU), width doubling per stage up
    to ``4 * width``, until the smaller side is at most 4; then flatten (keeping where in the image things
    are) and a dense layer to the embedding.

    Args:
        input_shape: ``(height, width, channels)``; channels 3 (RGB in [0, 1]) or 4 (RGB + inverse depth).
        width: Channels of the first stage.
        embedding_dim: Size of the output embedding.
        seed: Seed of the weight initialisers (``None``: unseeded).
        name: Model name.
        norm: ``"batch"`` or ``"group"`` normalisation (see :func:`rvsim.models.radio_encoder.normalization_layer`).
        bn_momentum: Momentum of batch norm's moving statistics.

    Returns:
        A functional model mapping ``(batch_size, H, W, C)`` float32 to ``(batch_size, embedding_dim)``.
    """
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ConfigError(f"the vision encoder takes (height, width, channels). Received: input_shape={tuple(input_shape)}")
    if width < 1 or embedding_dim < 1:
        raise ConfigError(
            f"width and embedding_dim must be positive. Received: width={width}, embedding_dim={embedding_dim}"
        )

    def init(k: int) -> keras.initializers.Initializer:
        return keras.initializers.HeNormal(seed=None if seed is None else seed + k)

    inputs = keras.Input(shape=shape, name="vision")
    x = inputs
    spatial = min(shape[:2])
    channels = width
    k = 0
    stages = 0
    s = spatial
    while s > 4 and stages < 6:
        s, stages = (s + 1) // 2, stages + 1
    for stage in range(stages):
        for strides in (2, 1):
            x = keras.layers.Conv2D(
                channels, 3, strides=strides, padding="same", use_bias=False, kernel_initializer=init(k)
            )(x)
            k += 1
            x = normalization_layer(norm, channels, bn_momentum)(x)
            last = stage == stages - 1 and strides == 1
            x = keras.layers.ReLU(name=FEATURE_MAP if last else None)(x)
        channels = min(channels * 2, 4 * width)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(
        embedding_dim, kernel_initializer=keras.initializers.GlorotUniform(seed=None if seed is None else seed + k)
    )(x)
    return keras.Model(inputs, outputs, name=name)
