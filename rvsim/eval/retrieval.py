"""Cross-modal retrieval: find a radio sample's own camera image among all images, by cosine similarity."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rvsim.errors import InputError
from rvsim.eval.knn_probe import l2_normalize
from rvsim.eval.linear_probe import check_features

__all__ = ["retrieval_topk", "retrieval_chance", "retrieve", "correct_ranks"]


def _pair(query: np.ndarray, gallery: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    q = check_features(query, "query embeddings")
    g = check_features(gallery, "gallery embeddings")
    if q.shape[1] != g.shape[1]:
        raise InputError(f"query and gallery embeddings must have the same dimension. Received: {q.shape[1]} and {g.shape[1]}")
    return l2_normalize(q), l2_normalize(g)


def _check_ks(ks: Sequence[int]) -> tuple[int, ...]:
    values = tuple(ks)
    if not values or any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1 for k in values):
        raise InputError(f"ks must be positive integers. Received: ks={values!r}")
    return tuple(int(k) for k in values)


def retrieve(query: np.ndarray, gallery: np.ndarray, k: int = 5, batch_size: int = 1024) -> np.ndarray:
    """Indices of the ``k`` gallery items most cosine-similar to each query, most similar first.

    Args:
        query: Query embeddings ``(n_query, d)`` (e.g. radio).
        gallery: Gallery embeddings ``(n_gallery, d)`` (e.g. images).
        k: Items per query (capped at ``n_gallery``).
        batch_size: Queries scored at once.

    Returns:
        ``(n_query, min(k, n_gallery))`` int64 gallery indices; ties keep the lower index first.
    """
    (k,) = _check_ks((k,))
    q, g = _pair(query, gallery)
    k = min(k, g.shape[0])
    out = np.empty((q.shape[0], k), dtype=np.int64)
    for start in range(0, q.shape[0], batch_size):
        sim = q[start : start + batch_size] @ g.T
        out[start : start + sim.shape[0]] = np.argsort(-sim, axis=1, kind="stable")[:, :k]
    return out


def correct_ranks(query: np.ndarray, gallery: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Rank of each query's paired gallery item (query ``i`` ↔ gallery ``i``): 0 = most similar.

    The rank counts the gallery items strictly more similar than the paired one plus, pessimistically, the
    other items exactly as similar, so ties never help.

    Args:
        query: Query embeddings ``(n, d)``.
        gallery: Gallery embeddings ``(n, d)``, row ``i`` paired with query row ``i``.
        batch_size: Queries scored at once.

    Returns:
        ``(n,)`` int64 ranks in ``[0, n)``.
    """
    q, g = _pair(query, gallery)
    if q.shape[0] != g.shape[0]:
        raise InputError(
            f"query and gallery must be paired row by row (same number of rows). Received: {q.shape[0]} and {g.shape[0]}"
        )
    ranks = np.empty(q.shape[0], dtype=np.int64)
    for start in range(0, q.shape[0], batch_size):
        sim = q[start : start + batch_size] @ g.T  # (b, n)
        rows = np.arange(sim.shape[0])
        own = sim[rows, start + rows][:, None]
        ranks[start : start + sim.shape[0]] = (sim >= own).sum(axis=1) - 1
    return ranks


def retrieval_chance(num_candidates: int, k: int) -> float:
    """Top-``k`` accuracy of retrieving uniformly at random among ``num_candidates`` items: ``min(k, n) / n``."""
    if isinstance(num_candidates, bool) or not isinstance(num_candidates, (int, np.integer)) or num_candidates < 1:
        raise InputError(f"num_candidates must be an integer >= 1. Received: num_candidates={num_candidates!r}")
    (k,) = _check_ks((k,))
    return min(k, int(num_candidates)) / int(num_candidates)


def retrieval_topk(radio_emb: np.ndarray, image_emb: np.ndarray, ks: Sequence[int] = (1, 5)) -> dict[str, float | int]:
    """Radio → image retrieval accuracy: how often a radio sample's own image is among its top-k images.

    Query ``i`` (radio) is paired with gallery item ``i`` (its camera image); items are ranked by cosine
    similarity, ties counted against the query (see :func:`correct_ranks`).

    Args:
        radio_emb: Radio embeddings ``(n, d)``.
        image_emb: Image embeddings ``(n, d)``, row ``i`` of the same sample as ``radio_emb[i]``.
        ks: Cut-offs ``k`` (positive integers).

    Returns:
        ``{"top1": acc, "top5": acc, ..., "chance_top1": k/n, "chance_top5": ..., "median_rank": r,
        "num_queries": n}``: accuracies in ``[0, 1]``, ``median_rank`` 1-based (1 = own image first).
    """
    ks = _check_ks(ks)
    ranks = correct_ranks(radio_emb, image_emb)
    n = ranks.size
    if n == 0:
        raise InputError("retrieval needs at least one pair of embeddings. Received: 0 rows")
    out: dict[str, float | int] = {}
    for k in ks:
        out[f"top{k}"] = float(np.mean(ranks < k))
    for k in ks:
        out[f"chance_top{k}"] = retrieval_chance(n, k)
    out["median_rank"] = float(np.median(ranks + 1))
    out["num_queries"] = int(n)
    return out
