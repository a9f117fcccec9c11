"""Cross-modal retrieval accuracy (radio → image) of a cross-modal model, as an end-of-epoch metric."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

__all__ = ["retrieval_top1", "RetrievalCallback"]


def retrieval_top1(radio: np.ndarray, images: np.ndarray) -> float:
    """Fraction of radio embeddings whose most cosine-similar image embedding is their own pair.

    Args:
        radio: ``(n, d)`` radio embeddings (row ``i`` pairs with ``images[i]``).
        images: ``(n, d)`` image embeddings.

    Returns:
        Top-1 accuracy in [0, 1]; chance is ``1 / n``.
    """
    a = radio / np.maximum(np.linalg.norm(radio, axis=1, keepdims=True), 1e-12)
    b = images / np.maximum(np.linalg.norm(images, axis=1, keepdims=True), 1e-12)
    sim = a @ b.T
    return float(np.mean(np.argmax(sim, axis=1) == np.arange(len(a))))


class RetrievalCallback(keras.callbacks.Callback):
    """At each epoch end, add ``{prefix}retrieval_top1`` and ``{prefix}retrieval_chance`` (``1 / n``) to the logs.

    The model (a :class:`~rvsim.models.CrossModalModel`) embeds every batch of ``data`` with ``training=False``;
    retrieval ranks all ``n`` images for each radio sample by cosine similarity of the projections. Put this
    callback before loggers so they see the values.

    Args:
        data: Iterable of input dicts ``{"radio", "vision"}`` (e.g. a ``tf.data.Dataset``, not augmented).
        prefix: Log key prefix.
    """

    def __init__(self, data: Any, prefix: str = "val_") -> None:
        super().__init__()
        self.data = data
        self.prefix = prefix

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        radio, images = [], []
        for batch in self.data:
            z_radio, z_vision = self.model(batch, training=False)[:2]
            radio.append(np.asarray(z_radio))
            images.append(np.asarray(z_vision))
        if not radio or logs is None:
            return
        r, v = np.concatenate(radio), np.concatenate(images)
        logs[f"{self.prefix}retrieval_top1"] = retrieval_top1(r, v)
        logs[f"{self.prefix}retrieval_chance"] = 1.0 / len(r)
