"""The self-supervised radio–vision model: two encoders, two projection heads and a cross-modal objective."""

from __future__ import annotations

from typing import Any

import keras

__all__ = ["CrossModalModel"]


def _num_replicas() -> int:
    """Replicas that each compute a loss in one step: Keras (TensorFlow backend) sums the replicas' gradients
    and logged losses, so a custom ``compute_loss`` returns its loss divided by this number (1 outside
    ``tf.distribute``)."""
    if keras.backend.backend() != "tensorflow":
        return 1
    import tensorflow as tf

    return int(tf.distribute.get_strategy().num_replicas_in_sync)


@keras.saving.register_keras_serializable(package="rvsim")
class CrossModalModel(keras.Model):
    """Radio and vision encoders trained by maximising the mutual information of their views of a scene.

    ``model({"radio": r, "vision": v})`` returns the projections ``(z_radio, z_vision)``; the loss is
    ``objective(z_radio, z_vision)`` (plus any regularisation losses), computed in :meth:`compute_loss`, so
    ``model.compile(optimizer)`` and ``model.fit(dataset_of_input_dicts)`` train it without labels. The
    objective's variables (the InfoNCE temperature) are trained with the encoders. Follows Alloulah, Singh,
    Arnold, "Self-Supervised Radio-Visual Representation Learning for 6G Sensing", ICC 2022.

    Args:
        radio_encoder: Maps ``(batch_size, *radio_shape)`` to ``(batch_size, embedding_dim)``.
        vision_encoder: Maps ``(batch_size, H, W, C)`` to ``(batch_size, embedding_dim)``.
        radio_head: Projection of the radio embedding, ``(batch_size, projection_dim)``.
        vision_head: Projection of the vision embedding, ``(batch_size, projection_dim)``.
        objective: A layer ``objective(z_radio, z_vision) -> scalar loss`` (see :mod:`rvsim.objectives`).

    Call arguments:
        inputs: ``{"radio": (batch_size, *radio_shape), "vision": (batch_size, H, W, C)}`` float32.
        training: Batch-norm mode.

    Returns:
        ``(z_radio, z_vision)``, each ``(batch_size, projection_dim)``.
    """

    def __init__(
        self,
        radio_encoder: keras.Model,
        vision_encoder: keras.Model,
        radio_head: keras.layers.Layer,
        vision_head: keras.layers.Layer,
        objective: keras.layers.Layer,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.radio_encoder = radio_encoder
        self.vision_encoder = vision_encoder
        self.radio_head = radio_head
        self.vision_head = vision_head
        self.objective = objective
        self.temperature_tracker = keras.metrics.Mean(name="temperature") if hasattr(objective, "temperature") else None

    def build(self, input_shape: dict[str, tuple[int | None, ...]]) -> None:
        radio_shape = tuple(input_shape["radio"])
        vision_shape = tuple(input_shape["vision"])
        if not self.radio_head.built:
            self.radio_head.build(self.radio_encoder.compute_output_shape(radio_shape))
        if not self.vision_head.built:
            self.vision_head.build(self.vision_encoder.compute_output_shape(vision_shape))
        self.built = True

    def get_build_config(self) -> dict[str, Any]:
        return {
            "input_shape": {
                "radio": [None, *self.radio_encoder.input_shape[1:]],
                "vision": [None, *self.vision_encoder.input_shape[1:]],
            }
        }

    def build_from_config(self, config: dict[str, Any]) -> None:
        self.build(config["input_shape"])

    def call(self, inputs: dict[str, Any], training: bool | None = None) -> tuple[Any, Any]:
        z_radio = self.radio_head(self.radio_encoder(inputs["radio"], training=training), training=training)
        z_vision = self.vision_head(self.vision_encoder(inputs["vision"], training=training), training=training)
        return z_radio, z_vision

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        z_radio, z_vision = y_pred
        loss = self.objective(z_radio, z_vision)
        if self.losses:
            loss = loss + keras.ops.sum(self.losses)
        if self.temperature_tracker is not None:
            self.temperature_tracker.update_state(self.objective.temperature)
        return loss / _num_replicas()

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        metrics = list(super().metrics)
        if self.temperature_tracker is not None and all(m is not self.temperature_tracker for m in metrics):
            metrics.append(self.temperature_tracker)
        return metrics

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            radio_encoder=keras.saving.serialize_keras_object(self.radio_encoder),
            vision_encoder=keras.saving.serialize_keras_object(self.vision_encoder),
            radio_head=keras.saving.serialize_keras_object(self.radio_head),
            vision_head=keras.saving.serialize_keras_object(self.vision_head),
            objective=keras.saving.serialize_keras_object(self.objective),
        )
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CrossModalModel:
        config = dict(config)
        for key in ("radio_encoder", "vision_encoder", "radio_head", "vision_head", "objective"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
