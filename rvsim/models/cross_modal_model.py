"""The self-supervised radio–vision model: two encoders, two projection heads and a cross-modal objective."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from rvsim.errors import ConfigError
from rvsim.models.radio_encoder import FEATURE_MAP

__all__ = ["CrossModalModel", "sector_pooling"]


def sector_pooling(azimuths_deg: Any, num_sectors: int, span_deg: float) -> np.ndarray:
    """The matrix that averages feature columns into azimuth sectors.

    Args:
        azimuths_deg: ``(num_columns,)`` azimuth of every feature column's centre [deg] (positive to the
            array's / camera's left).
        num_sectors: Sectors ``K`` of equal width over ``[-span_deg / 2, span_deg / 2]``, sector 0 on the right.
        span_deg: The span of the sectors [deg].

    Returns:
        ``(num_columns, K)`` float32: column ``j`` of a sector's weights averages the feature columns whose
        centre lies in it (each sector must hold at least one column).

    Raises:
        ConfigError: A sector without a feature column.
    """
    az = np.asarray(azimuths_deg, dtype=np.float64)
    edges = np.linspace(-span_deg / 2, span_deg / 2, int(num_sectors) + 1)
    sector = np.clip(np.searchsorted(edges, az, side="right") - 1, 0, int(num_sectors) - 1)
    inside = np.abs(az) <= span_deg / 2 + 1e-9
    m = np.zeros((az.size, int(num_sectors)), np.float32)
    m[np.flatnonzero(inside), sector[inside]] = 1.0
    counts = m.sum(axis=0)
    if np.any(counts == 0):
        raise ConfigError(
            f"every azimuth sector needs a feature column; use fewer sectors. Received: {num_sectors} sectors over "
            f"{span_deg:g} deg, feature columns at {np.round(az, 1).tolist()} deg"
        )
    return m / counts[None, :]


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
    ``global_weight * objective(z_radio, z_vision)`` (plus any regularisation losses), computed in
    :meth:`compute_loss`, so
    ``model.compile(optimizer)`` and ``model.fit(dataset_of_input_dicts)`` train it without labels. The
    objective's variables (the InfoNCE temperature) are trained with the encoders. Follows Alloulah, Singh,
    Arnold, "Self-Supervised Radio-Visual Representation Learning for 6G Sensing", ICC 2022.

    Args:
        radio_encoder: Maps ``(batch_size, *radio_shape)`` to ``(batch_size, embedding_dim)``.
        vision_encoder: Maps ``(batch_size, H, W, C)`` to ``(batch_size, embedding_dim)``.
        radio_head: Projection of the radio embedding, ``(batch_size, projection_dim)``.
        vision_head: Projection of the vision embedding, ``(batch_size, projection_dim)``.
        objective: A layer ``objective(z_radio, z_vision) -> scalar loss`` (see :mod:`rvsim.objectives`).
        dense_objective: With it, the spatially aligned objective is added: the encoders' feature maps (layer
            :data:`~rvsim.models.radio_encoder.FEATURE_MAP`) are averaged over range (radio) and image rows
            (vision), pooled into azimuth sectors by ``radio_sectors`` / ``vision_sectors``, projected by
            ``radio_cell_head`` / ``vision_cell_head``, and ``dense_weight * dense_objective(c_radio, c_vision)``
            joins the loss (:class:`~rvsim.objectives.DenseInfoNCELoss`); the model then returns
            ``(z_radio, z_vision, c_radio, c_vision)``.
        radio_cell_head: Projection of a radio sector feature.
        vision_cell_head: Projection of a vision sector feature.
        radio_sectors: ``(radio feature columns, K)`` pooling matrix (:func:`sector_pooling`), as nested lists.
        vision_sectors: ``(image feature columns, K)`` pooling matrix.
        dense_weight: Weight of the dense objective.
        global_weight: Weight of the global objective (0: the dense objective alone).

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
        dense_objective: keras.layers.Layer | None = None,
        radio_cell_head: keras.layers.Layer | None = None,
        vision_cell_head: keras.layers.Layer | None = None,
        radio_sectors: Any = None,
        vision_sectors: Any = None,
        dense_weight: float = 1.0,
        global_weight: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.radio_encoder = radio_encoder
        self.vision_encoder = vision_encoder
        self.radio_head = radio_head
        self.vision_head = vision_head
        self.objective = objective
        self.temperature_tracker = keras.metrics.Mean(name="temperature") if hasattr(objective, "temperature") else None
        self.dense_objective = dense_objective
        self.radio_cell_head = radio_cell_head
        self.vision_cell_head = vision_cell_head
        self.dense_weight = float(dense_weight)
        self.global_weight = float(global_weight)
        self.radio_sectors = None if radio_sectors is None else np.asarray(radio_sectors, np.float32)
        self.vision_sectors = None if vision_sectors is None else np.asarray(vision_sectors, np.float32)
        if dense_objective is not None:
            if radio_cell_head is None or vision_cell_head is None or radio_sectors is None or vision_sectors is None:
                raise ConfigError("a dense objective needs both cell heads and both sector matrices. Received: some None")
            self.radio_trunk = self._trunk(radio_encoder)
            self.vision_trunk = self._trunk(vision_encoder)
            self.dense_tracker = keras.metrics.Mean(name="dense_loss")
            self.global_tracker = keras.metrics.Mean(name="global_loss")

    @staticmethod
    def _trunk(encoder: keras.Model) -> keras.Model:
        """The encoder with its feature map as a second output (the same layers, one forward pass)."""
        try:
            feature_map = encoder.get_layer(FEATURE_MAP).output
        except ValueError:
            raise ConfigError(f"the dense objective needs an encoder with a {FEATURE_MAP!r} layer. Received: "
                              f"{encoder.name}") from None
        return keras.Model(encoder.inputs, [feature_map, encoder.outputs[0]], name=f"{encoder.name}_trunk")

    def _sectors(self, feature_map: Any, pooling: np.ndarray) -> Any:
        """``(batch, rows, columns, C)`` (or 1-D ``(batch, columns, C)``) -> ``(batch, K, C)`` sector means."""
        x = feature_map if len(feature_map.shape) == 3 else keras.ops.mean(feature_map, axis=1)
        return keras.ops.einsum("bjc,jk->bkc", x, keras.ops.convert_to_tensor(pooling))

    def build(self, input_shape: dict[str, tuple[int | None, ...]]) -> None:
        radio_shape = tuple(input_shape["radio"])
        vision_shape = tuple(input_shape["vision"])
        if not self.radio_head.built:
            self.radio_head.build(self.radio_encoder.compute_output_shape(radio_shape))
        if not self.vision_head.built:
            self.vision_head.build(self.vision_encoder.compute_output_shape(vision_shape))
        if self.dense_objective is not None:
            for head, trunk, shape in ((self.radio_cell_head, self.radio_trunk, radio_shape),
                                       (self.vision_cell_head, self.vision_trunk, vision_shape)):
                if not head.built:
                    channels = trunk.output[0].shape[-1]
                    head.build((None, None, channels))
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

    def call(self, inputs: dict[str, Any], training: bool | None = None) -> tuple[Any, ...]:
        if self.dense_objective is None:
            z_radio = self.radio_head(self.radio_encoder(inputs["radio"], training=training), training=training)
            z_vision = self.vision_head(self.vision_encoder(inputs["vision"], training=training), training=training)
            return z_radio, z_vision
        f_radio, e_radio = self.radio_trunk(inputs["radio"], training=training)
        f_vision, e_vision = self.vision_trunk(inputs["vision"], training=training)
        assert self.radio_sectors is not None and self.vision_sectors is not None
        c_radio = self.radio_cell_head(self._sectors(f_radio, self.radio_sectors), training=training)
        c_vision = self.vision_cell_head(self._sectors(f_vision, self.vision_sectors), training=training)
        return (self.radio_head(e_radio, training=training), self.vision_head(e_vision, training=training),
                c_radio, c_vision)

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        z_radio, z_vision = y_pred[0], y_pred[1]
        loss = self.objective(z_radio, z_vision)
        if self.dense_objective is not None:
            dense = self.dense_objective(y_pred[2], y_pred[3])
            self.dense_tracker.update_state(dense)
            self.global_tracker.update_state(loss)
            loss = self.global_weight * loss + self.dense_weight * dense
        if self.losses:
            loss = loss + keras.ops.sum(self.losses)
        if self.temperature_tracker is not None:
            self.temperature_tracker.update_state(self.objective.temperature)
        return loss / _num_replicas()

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        metrics = list(super().metrics)
        extra = [self.temperature_tracker]
        if self.dense_objective is not None:
            extra += [self.dense_tracker, self.global_tracker]
        for tracker in extra:
            if tracker is not None and all(m is not tracker for m in metrics):
                metrics.append(tracker)
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
        if self.dense_objective is not None:
            assert self.radio_sectors is not None and self.vision_sectors is not None
            config.update(
                dense_objective=keras.saving.serialize_keras_object(self.dense_objective),
                radio_cell_head=keras.saving.serialize_keras_object(self.radio_cell_head),
                vision_cell_head=keras.saving.serialize_keras_object(self.vision_cell_head),
                radio_sectors=self.radio_sectors.tolist(),
                vision_sectors=self.vision_sectors.tolist(),
                dense_weight=self.dense_weight,
                global_weight=self.global_weight,
            )
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CrossModalModel:
        config = dict(config)
        for key in ("radio_encoder", "vision_encoder", "radio_head", "vision_head", "objective", "dense_objective",
                    "radio_cell_head", "vision_cell_head"):
            if config.get(key) is not None:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
