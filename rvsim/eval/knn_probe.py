"""k-nearest-neighbour classification of embeddings by cosine similarity."""

from __future__ import annotations

from typing import Any

import numpy as np

from rvsim.errors import InputError
from rvsim.eval.linear_probe import check_features

__all__ = ["KNNProbe", "l2_normalize"]


def check_labels(y: Any, n: int) -> np.ndarray:
    """``y`` as int64 ``(n,)``."""
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.shape[0] != n or (arr.size and arr.dtype.kind not in "iu"):
        raise InputError(
            f"y must be 1-D integer labels, one per sample ({n}). Received: shape={arr.shape}, dtype={arr.dtype}"
        )
    return arr.astype(np.int64)


def l2_normalize(x: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Rows of ``x`` ``(n, d)`` scaled to unit L2 norm (all-zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, eps)


class KNNProbe:
    """k-NN classifier on embeddings with cosine similarity (scikit-learn style).

    A query gets the majority label of its ``k`` most cosine-similar training embeddings (``k`` is capped at
    the number of training samples); ties between labels go to the one whose neighbours have the larger summed
    similarity, then to the smaller label.

    Args:
        k: Number of neighbours (>= 1).
        batch_size: Queries compared with the training set at once (bounds memory to ``batch_size * n_train``).

    Attributes:
        classes_: Sorted class labels seen in ``fit`` ``(n_classes,)``.
        embeddings_: Unit-normalised training embeddings ``(n_train, d)``.
        labels_: Training labels as class positions into ``classes_`` ``(n_train,)``.
        n_features_in_: Embedding dimension ``d``.
    """

    def __init__(self, k: int = 20, batch_size: int = 1024) -> None:
        self.k = k
        self.batch_size = batch_size

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn convention)."""
        return {"k": self.k, "batch_size": self.batch_size}

    def __repr__(self) -> str:
        return f"KNNProbe(k={self.k!r}, batch_size={self.batch_size!r})"

    def fit(self, x: np.ndarray, y: np.ndarray) -> KNNProbe:
        """Store the normalised training embeddings ``x`` ``(n, d)`` and labels ``y`` ``(n,)``; returns ``self``."""
        for name in ("k", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise InputError(f"{name} must be an integer >= 1. Received: {name}={value!r}")
        feats = check_features(x)
        labels = check_labels(y, feats.shape[0])
        if feats.shape[0] == 0:
            raise InputError(f"cannot fit kNN on zero samples. Received: x.shape={feats.shape}")
        self.classes_, self.labels_ = np.unique(labels, return_inverse=True)
        self.embeddings_ = l2_normalize(feats)
        self.n_features_in_ = int(feats.shape[1])
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted labels ``(n,)`` int64 of query embeddings ``x`` ``(n, d)``."""
        if not hasattr(self, "classes_"):
            raise InputError("this KNNProbe is not fitted yet; call fit(x, y) first. Received: an unfitted probe")
        queries = l2_normalize(check_features(x))
        if queries.shape[1] != self.n_features_in_:
            raise InputError(f"x must have {self.n_features_in_} features. Received: {queries.shape[1]}")
        n_train = self.embeddings_.shape[0]
        k = min(int(self.k), n_train)
        n_classes = self.classes_.size
        out = np.empty(queries.shape[0], dtype=np.int64)
        for start in range(0, queries.shape[0], int(self.batch_size)):
            sim = queries[start : start + int(self.batch_size)] @ self.embeddings_.T  # (b, n_train)
            nearest = np.argpartition(-sim, k - 1, axis=1)[:, :k] if k < n_train else np.broadcast_to(
                np.arange(n_train), sim.shape
            )
            rows = np.arange(sim.shape[0])[:, None]
            votes = np.zeros((sim.shape[0], n_classes))
            weight = np.zeros((sim.shape[0], n_classes))
            np.add.at(votes, (rows, self.labels_[nearest]), 1.0)
            np.add.at(weight, (rows, self.labels_[nearest]), sim[rows, nearest])
            # lexicographic: most votes, then largest summed similarity (weights are in [-k, k])
            score = votes * (4.0 * k + 1.0) + weight
            out[start : start + sim.shape[0]] = self.classes_[np.argmax(score, axis=1)]
        return out

    def score(self, x: np.ndarray, y: np.ndarray) -> float:
        """Accuracy of :meth:`predict` on ``(x, y)`` in ``[0, 1]``."""
        pred = self.predict(x)
        truth = check_labels(y, pred.size)
        return float(np.mean(pred == truth)) if pred.size else float("nan")
