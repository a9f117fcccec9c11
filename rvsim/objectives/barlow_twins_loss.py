"""Barlow Twins applied across modalities: the cross-correlation matrix between the batch-standardised radio
and vision embeddings is pushed towards the identity.

Reference:
    J. Zbontar, L. Jing, I. Misra, Y. LeCun, S. Deny, "Barlow Twins: Self-Supervised Learning via
    Redundancy Reduction", ICML 2021, arXiv:2103.03230.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from rvsim.errors import ConfigError

__all__ = ["BarlowTwinsLoss"]


@keras.saving.register_keras_serializable(package="rvsim")
class BarlowTwinsLoss(keras.layers.Layer):
    """Barlow Twins between two modalities' embeddings of the same batch of scenes.

    Each embedding dimension is standardised over the batch (biased variance, as the paper's
    ``BatchNorm1d(affine=False)``), ``C = A_n^T B_n / n`` of shape ``(d, d)``, and::

        L = sum_i (1 - C_ii)^2 + redundancy_weight * sum_{i != j} C_ij^2

    Args:
        redundancy_weight: Weight ``lambda`` of the off-diagonal term (paper: 5.1e-3).
        epsilon: Added to the variance before the square root.

    Call arguments:
        z_a: Embeddings of modality A, shape ``(batch_size, dim)``, ``batch_size >= 2``.
        z_b: Embeddings of modality B, shape ``(batch_size, dim)``.

    Returns:
        The scalar loss.
    """

    def __init__(self, redundancy_weight: float = 5.1e-3, epsilon: float = 1e-5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if redundancy_weight < 0 or epsilon <= 0:
            raise ConfigError(
                "BarlowTwinsLoss needs redundancy_weight >= 0 and epsilon > 0. "
                f"Received: redundancy_weight={redundancy_weight}, epsilon={epsilon}"
            )
        self.redundancy_weight = float(redundancy_weight)
        self.epsilon = float(epsilon)
        self.built = True

    def _standardise(self, z: Any) -> Any:
        mean = ops.mean(z, axis=0, keepdims=True)
        var = ops.mean((z - mean) ** 2, axis=0, keepdims=True)
        return (z - mean) / ops.sqrt(var + self.epsilon)

    def call(self, z_a: Any, z_b: Any) -> Any:
        a = self._standardise(ops.cast(z_a, "float32"))
        b = self._standardise(ops.cast(z_b, "float32"))
        n = ops.cast(ops.shape(a)[0], "float32")
        c = ops.matmul(ops.transpose(a), b) / n
        diag = ops.diagonal(c)
        on_diag = ops.sum((1.0 - diag) ** 2)
        off_diag = ops.sum(c * c) - ops.sum(diag * diag)
        return on_diag + self.redundancy_weight * off_diag

    def compute_output_shape(self, *shapes: Any) -> tuple[int, ...]:
        return ()

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(redundancy_weight=self.redundancy_weight, epsilon=self.epsilon)
        return config
