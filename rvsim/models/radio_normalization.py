"""Radio input normalisation as the first layer of the radio encoder, so a saved encoder carries it."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from rvsim.errors import ConfigError

__all__ = ["RadioNormalization", "NORMALIZATION_MODES"]

#: Accepted ``mode`` values.
NORMALIZATION_MODES: tuple[str, ...] = ("per_sample", "dataset")


@keras.saving.register_keras_serializable(package="rvsim")
class RadioNormalization(keras.layers.Layer):
    """Floor and standardise radio power inputs given in dB.

    First, every value is clipped from below at ``max - dynamic_range_db``, ``max`` being the sample's largest
    finite value (non-finite values become that floor). Then:

    * ``mode="per_sample"``: ``(x - mean(x)) / (std(x) + 1e-6)`` over the sample's own bins;
    * ``mode="dataset"``: ``(x - mean) / std`` with fixed statistics (computed on the training split).

    Args:
        mode: ``"per_sample"`` or ``"dataset"``.
        mean: Dataset mean [dB] (``"dataset"`` mode).
        std: Dataset standard deviation [dB] (``"dataset"`` mode), > 0.
        dynamic_range_db: Floor below each sample's maximum [dB], > 0.

    Call arguments:
        inputs: Power [dB], ``(batch_size, *radio_shape)``.

    Returns:
        Normalised inputs, same shape, float32 (zeros for a sample without any finite value).
    """

    def __init__(
        self,
        mode: str = "per_sample",
        mean: float = 0.0,
        std: float = 1.0,
        dynamic_range_db: float = 60.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if mode not in NORMALIZATION_MODES:
            raise ConfigError(f"radio normalisation mode must be one of {NORMALIZATION_MODES}. Received: mode={mode!r}")
        if not std > 0:
            raise ConfigError(f"radio normalisation std must be positive. Received: std={std}")
        if not dynamic_range_db > 0:
            raise ConfigError(f"dynamic_range_db must be positive. Received: dynamic_range_db={dynamic_range_db}")
        self.mode = mode
        self.mean = float(mean)
        self.std = float(std)
        self.dynamic_range_db = float(dynamic_range_db)
        self.built = True

    def _floor(self, inputs: Any) -> tuple[Any, Any]:
        x = ops.cast(inputs, "float32")
        axes = tuple(range(1, len(x.shape)))
        finite = ops.isfinite(x)
        peak = ops.max(ops.where(finite, x, -3.0e38), axis=axes, keepdims=True)
        has_finite = ops.any(finite, axis=axes, keepdims=True)
        low = peak - self.dynamic_range_db
        x = ops.where(finite, ops.maximum(x, low), low)
        return ops.where(has_finite, x, ops.zeros_like(x)), has_finite

    def floor(self, inputs: Any) -> Any:
        """Only the flooring step (see the class docstring), ``(batch_size, *radio_shape)`` [dB]."""
        return self._floor(inputs)[0]

    def call(self, inputs: Any) -> Any:
        x, has_finite = self._floor(inputs)
        if self.mode == "dataset":
            x = (x - self.mean) / self.std
        else:
            axes = tuple(range(1, len(x.shape)))
            mean = ops.mean(x, axis=axes, keepdims=True)
            std = ops.sqrt(ops.mean(ops.square(x - mean), axis=axes, keepdims=True))
            x = (x - mean) / (std + 1e-6)
        return ops.where(has_finite, x, ops.zeros_like(x))

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(mode=self.mode, mean=self.mean, std=self.std, dynamic_range_db=self.dynamic_range_db)
        return config
