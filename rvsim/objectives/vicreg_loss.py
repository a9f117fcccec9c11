"""VICReg applied across modalities: invariance between the radio and vision embeddings of a scene,
variance and covariance regularisation of each modality's batch of embeddings.

Reference:
    A. Bardes, J. Ponce, Y. LeCun, "VICReg: Variance-Invariance-Covariance Regularization for
    Self-Supervised Learning", ICLR 2022, arXiv:2105.04906.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from rvsim.errors import ConfigError

__all__ = ["VICRegLoss"]


@keras.saving.register_keras_serializable(package="rvsim")
class VICRegLoss(keras.layers.Layer):
    """VICReg between two modalities' embeddings of the same batch of scenes.

    For embeddings ``A, B`` of shape ``(n, d)``::

        inv = mean((A - B)^2)                                   (over batch and dimensions)
        var(Z) = mean_j relu(gamma - sqrt(Var_i Z_ij + eps))    (unbiased variance over the batch)
        cov(Z) = sum_{j != k} C(Z)_jk^2 / d,  C = (Z - mean)^T (Z - mean) / (n - 1)
        L = sim_weight * inv + var_weight * (var(A) + var(B)) / 2 + cov_weight * (cov(A) + cov(B))

    as in the official implementation (which averages the two variance terms and sums the two covariance
    terms). Defaults are the paper's: 25, 25, 1.

    Args:
        sim_weight: Weight of the invariance (mean squared error) term.
        var_weight: Weight of the variance term.
        cov_weight: Weight of the covariance term.
        gamma: Target standard deviation per dimension.
        epsilon: Added to the variance before the square root.

    Call arguments:
        z_a: Embeddings of modality A, shape ``(batch_size, dim)``, ``batch_size >= 2``.
        z_b: Embeddings of modality B, shape ``(batch_size, dim)``.

    Returns:
        The scalar loss.
    """

    def __init__(
        self,
        sim_weight: float = 25.0,
        var_weight: float = 25.0,
        cov_weight: float = 1.0,
        gamma: float = 1.0,
        epsilon: float = 1e-4,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for name, value in (("sim_weight", sim_weight), ("var_weight", var_weight), ("cov_weight", cov_weight)):
            if value < 0:
                raise ConfigError(f"VICRegLoss {name} must be non-negative. Received: {name}={value}")
        if gamma <= 0 or epsilon <= 0:
            raise ConfigError(f"VICRegLoss gamma and epsilon must be positive. Received: gamma={gamma}, epsilon={epsilon}")
        self.sim_weight = float(sim_weight)
        self.var_weight = float(var_weight)
        self.cov_weight = float(cov_weight)
        self.gamma = float(gamma)
        self.epsilon = float(epsilon)
        self.built = True

    def _variance_and_covariance(self, z: Any) -> tuple[Any, Any]:
        n = ops.cast(ops.shape(z)[0], "float32")
        d = ops.cast(ops.shape(z)[1], "float32")
        zc = z - ops.mean(z, axis=0, keepdims=True)
        var = ops.sum(zc * zc, axis=0) / (n - 1.0)
        std = ops.sqrt(var + self.epsilon)
        var_term = ops.mean(ops.relu(self.gamma - std))
        cov = ops.matmul(ops.transpose(zc), zc) / (n - 1.0)
        off_diag = ops.sum(cov * cov) - ops.sum(ops.diagonal(cov) ** 2)
        return var_term, off_diag / d

    def call(self, z_a: Any, z_b: Any) -> Any:
        z_a = ops.cast(z_a, "float32")
        z_b = ops.cast(z_b, "float32")
        invariance = ops.mean((z_a - z_b) ** 2)
        var_a, cov_a = self._variance_and_covariance(z_a)
        var_b, cov_b = self._variance_and_covariance(z_b)
        return (
            self.sim_weight * invariance
            + self.var_weight * 0.5 * (var_a + var_b)
            + self.cov_weight * (cov_a + cov_b)
        )

    def compute_output_shape(self, *shapes: Any) -> tuple[int, ...]:
        return ()

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            sim_weight=self.sim_weight,
            var_weight=self.var_weight,
            cov_weight=self.cov_weight,
            gamma=self.gamma,
            epsilon=self.epsilon,
        )
        return config
