"""Projection head: the small MLP between an encoder's embedding and the cross-modal objective."""

from __future__ import annotations

from typing import Any

import keras

from rvsim.errors import ConfigError

__all__ = ["ProjectionHead"]


@keras.saving.register_keras_serializable(package="rvsim")
class ProjectionHead(keras.layers.Layer):
    """``Dense(hidden_dim) -> BatchNorm -> ReLU -> Dense(output_dim)`` (SimCLR/CLIP-style projection).

    The objective acts on the projection; downstream probes use the encoder's embedding before it.

    Args:
        hidden_dim: Units of the hidden layer.
        output_dim: Size of the projection.
        seed: Seed of the weight initialisers (``None``: unseeded).
        bn_momentum: Momentum of the batch norm's moving statistics.

    Call arguments:
        inputs: Embeddings, shape ``(batch_size, embedding_dim)``.
        training: Batch-norm mode.

    Returns:
        Projections, shape ``(batch_size, output_dim)``.
    """

    def __init__(self, hidden_dim: int = 256, output_dim: int = 64, seed: int | None = None, bn_momentum: float = 0.99,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if hidden_dim < 1 or output_dim < 1:
            raise ConfigError(
                f"ProjectionHead sizes must be positive. Received: hidden_dim={hidden_dim}, output_dim={output_dim}"
            )
        self.hidden_dim = int(hidden_dim)
        self.output_dim = int(output_dim)
        self.seed = seed
        self.hidden = keras.layers.Dense(
            self.hidden_dim, use_bias=False, kernel_initializer=keras.initializers.HeNormal(seed=seed)
        )
        self.bn_momentum = float(bn_momentum)
        self.norm = keras.layers.BatchNormalization(momentum=self.bn_momentum)
        self.out = keras.layers.Dense(
            self.output_dim,
            kernel_initializer=keras.initializers.GlorotUniform(seed=None if seed is None else seed + 1),
        )

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        hidden_shape = (*input_shape[:-1], self.hidden_dim)
        for layer, shape in ((self.hidden, input_shape), (self.norm, hidden_shape), (self.out, hidden_shape)):
            if not layer.built:
                layer.build(shape)
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        x = self.hidden(inputs)
        x = self.norm(x, training=training)
        x = keras.ops.relu(x)
        return self.out(x)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape[:-1], self.output_dim)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(hidden_dim=self.hidden_dim, output_dim=self.output_dim, seed=self.seed, bn_momentum=self.bn_momentum)
        return config
