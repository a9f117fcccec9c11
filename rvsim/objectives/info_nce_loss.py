"""Symmetric cross-modal InfoNCE with in-batch negatives and a learnable temperature.

References:
    A. van den Oord, Y. Li, O. Vinyals, "Representation Learning with Contrastive Predictive Coding",
    arXiv:1807.03748, 2018 (the InfoNCE bound).
    A. Radford et al., "Learning Transferable Visual Models From Natural Language Supervision", ICML 2021
    (CLIP: symmetric cross-modal InfoNCE, learnable log-temperature, clipped).
    M. Alloulah, A. D. Singh, M. Arnold, "Self-Supervised Radio-Visual Representation Learning for 6G
    Sensing", IEEE ICC 2022, arXiv:2111.02887 (the radio-visual use of it).
"""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

from rvsim.errors import ConfigError

__all__ = ["InfoNCELoss"]


class _ClipValue(keras.constraints.Constraint):
    """Keep a variable inside ``[low, high]`` after every optimiser step (CLIP clamps its logit scale)."""

    def __init__(self, low: float, high: float) -> None:
        self.low = float(low)
        self.high = float(high)

    def __call__(self, w: Any) -> Any:
        return ops.clip(w, self.low, self.high)

    def get_config(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high}


@keras.saving.register_keras_serializable(package="rvsim")
class InfoNCELoss(keras.layers.Layer):
    """Symmetric InfoNCE between two modalities' embeddings of the same batch of scenes.

    Row ``i`` of ``z_a`` and row ``i`` of ``z_b`` are a positive pair; every other row of the other modality
    in the batch is a negative. With L2-normalised embeddings and temperature ``tau``, the logits are
    ``s_ij = <a_i, b_j> / tau`` and the loss is the mean of the cross-entropies of both directions::

        L = 1/2 [ mean_i CE(softmax_j s_ij, i) + mean_j CE(softmax_i s_ij, j) ]

    The temperature is ``exp(log_temperature)``, a trainable scalar (CLIP-style) initialised at
    ``temperature`` and clipped to ``[min_temperature, max_temperature]`` after every optimiser step and in
    the forward pass.

    It is a Keras layer (not a ``keras.losses.Loss``) because it owns a trainable variable; a model holding
    it as an attribute trains the temperature with the encoders.

    Args:
        temperature: Initial (or, if not learnable, fixed) temperature, > 0.
        learnable_temperature: Whether ``log_temperature`` is trained.
        min_temperature: Lower clip of the temperature (CLIP: 1/100).
        max_temperature: Upper clip of the temperature.

    Call arguments:
        z_a: Embeddings of modality A (e.g. radio), shape ``(batch_size, dim)``.
        z_b: Embeddings of modality B (e.g. vision), shape ``(batch_size, dim)``.

    Returns:
        The scalar loss.
    """

    def __init__(
        self,
        temperature: float = 0.07,
        learnable_temperature: bool = True,
        min_temperature: float = 0.01,
        max_temperature: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not 0 < min_temperature <= max_temperature:
            raise ConfigError(
                "InfoNCELoss needs 0 < min_temperature <= max_temperature. "
                f"Received: min_temperature={min_temperature}, max_temperature={max_temperature}"
            )
        if not min_temperature <= temperature <= max_temperature:
            raise ConfigError(
                f"InfoNCELoss temperature must lie in [{min_temperature}, {max_temperature}]. "
                f"Received: temperature={temperature}"
            )
        self.initial_temperature = float(temperature)
        self.learnable_temperature = bool(learnable_temperature)
        self.min_temperature = float(min_temperature)
        self.max_temperature = float(max_temperature)
        self.log_temperature = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(math.log(self.initial_temperature)),
            trainable=self.learnable_temperature,
            constraint=_ClipValue(math.log(self.min_temperature), math.log(self.max_temperature)),
            name="log_temperature",
        )
        self.built = True

    @property
    def temperature(self) -> Any:
        """The current (clipped) temperature, a scalar tensor."""
        return ops.exp(
            ops.clip(self.log_temperature, math.log(self.min_temperature), math.log(self.max_temperature))
        )

    def call(self, z_a: Any, z_b: Any) -> Any:
        z_a = ops.cast(z_a, "float32")
        z_b = ops.cast(z_b, "float32")
        a = z_a / ops.maximum(ops.norm(z_a, axis=-1, keepdims=True), 1e-12)
        b = z_b / ops.maximum(ops.norm(z_b, axis=-1, keepdims=True), 1e-12)
        logits = ops.matmul(a, ops.transpose(b)) / self.temperature
        labels = ops.arange(ops.shape(logits)[0])
        loss_ab = keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
        loss_ba = keras.losses.sparse_categorical_crossentropy(labels, ops.transpose(logits), from_logits=True)
        return 0.5 * (ops.mean(loss_ab) + ops.mean(loss_ba))

    def compute_output_shape(self, *shapes: Any) -> tuple[int, ...]:
        return ()

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            temperature=self.initial_temperature,
            learnable_temperature=self.learnable_temperature,
            min_temperature=self.min_temperature,
            max_temperature=self.max_temperature,
        )
        return config
