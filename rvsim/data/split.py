"""Seeded splits: train/validation/test of a dataset by sample (by sequence for datasets of sequences), and
grouped hold-outs of labelled subsets."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from rvsim.errors import InputError

__all__ = ["split_indices", "grouped_holdout", "sample_indices", "sample_groups", "SPLIT_NAMES"]

#: Names of the splits, in order.
SPLIT_NAMES: tuple[str, str, str] = ("train", "val", "test")


def sample_groups(ds: Any) -> np.ndarray | None:
    """The groups a dataset must be split by: its ``meta/sequence`` (frames of one sequence are strongly
    correlated and never sit on both sides of a split), or ``None`` for still scenes (each sample independent).

    Args:
        ds: A :class:`~rvsim.data.Dataset`.

    Returns:
        ``(len(ds),)`` int64 sequence ids, or ``None``.
    """
    if "meta/sequence" not in ds.fields:
        return None
    return np.asarray(ds.read("meta/sequence", np.arange(len(ds))), dtype=np.int64)


def split_indices(
    num_samples: int,
    fractions: Sequence[float] = (0.8, 0.1, 0.1),
    seed: int | np.random.Generator = 0,
    *,
    groups: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Split sample indices ``0 .. num_samples-1`` into train, validation and test sets.

    A seeded random permutation is cut at the cumulative fractions (rounded to whole samples, so the sizes
    add up to ``num_samples`` exactly). The same ``(num_samples, fractions, seed)`` always gives the same split.
    With ``groups`` (e.g. :func:`sample_groups`: the sequence of every frame), the groups are permuted instead
    and the permutation of their samples is cut at the group boundaries nearest the cumulative fractions, so
    every group lies whole in one split.

    Args:
        num_samples: Number of samples (>= 1).
        fractions: ``(train, val, test)`` fractions, each > 0, summing to 1 (within 1e-6).
        seed: Seed of the permutation, or a ``numpy.random.Generator``.
        groups: ``(num_samples,)`` group of every sample, or ``None`` (every sample on its own).

    Returns:
        ``{"train": (n_train,), "val": (n_val,), "test": (n_test,)}`` sorted int64 index arrays, disjoint and
        together covering every sample. A split may be empty when ``num_samples`` is very small.

    Raises:
        InputError: If ``num_samples`` is not a positive integer or ``fractions`` are not three positive
            numbers summing to 1.
    """
    if not isinstance(num_samples, (int, np.integer)) or isinstance(num_samples, bool) or num_samples < 1:
        raise InputError(f"num_samples must be an integer >= 1. Received: num_samples={num_samples!r}")
    try:
        fr = [float(f) for f in fractions]
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"fractions must be three numbers (train, val, test). Received: fractions={fractions!r}"
        ) from exc
    if len(fr) != 3 or not all(math.isfinite(f) and f > 0 for f in fr):
        raise InputError(
            f"fractions must be three positive numbers (train, val, test). Received: fractions={tuple(fractions)!r}"
        )
    if abs(sum(fr) - 1.0) > 1e-6:
        raise InputError(f"fractions must sum to 1. Received: fractions={tuple(fr)!r} (sum {sum(fr):.6g})")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    if groups is not None:
        g = np.asarray(groups)
        if g.shape != (int(num_samples),):
            raise InputError(f"groups must have one entry per sample ({num_samples}). Received: shape={g.shape}")
        names, inverse = np.unique(g, return_inverse=True)
        order = rng.permutation(names.size)
        rank = np.empty(names.size, np.int64)
        rank[order] = np.arange(names.size)
        perm = np.lexsort((np.arange(int(num_samples)), rank[inverse])).astype(np.int64)  # whole groups, shuffled
        sizes = np.bincount(rank[inverse], minlength=names.size)
        boundaries = np.concatenate([[0], np.cumsum(sizes)])  # where each group starts in perm, and the end
        cuts = np.array([boundaries[np.argmin(np.abs(boundaries - c))] for c in np.cumsum(fr)[:2] * num_samples],
                        np.int64)
        parts = np.split(perm, cuts)
        return {name: np.sort(part) for name, part in zip(SPLIT_NAMES, parts)}
    perm = rng.permutation(int(num_samples)).astype(np.int64)
    cuts = np.rint(np.cumsum(fr)[:2] * num_samples).astype(np.int64)
    parts = np.split(perm, cuts)
    return {name: np.sort(part) for name, part in zip(SPLIT_NAMES, parts)}


def grouped_holdout(
    num_samples: int,
    *,
    fraction: float,
    groups: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Hold out about ``fraction`` of the groups of a labelled set (e.g. a validation part for early stopping).

    Rows of one group (a drive-by sequence, a block of time; each sample its own group for i.i.d. data) stay
    on one side. With ``labels`` (class ids), the cut is stratified by class as far as the groups allow
    (scikit-learn's ``StratifiedGroupKFold``: the first of ``round(1 / fraction)`` folds is held out).

    Args:
        num_samples: Rows ``n`` of the labelled set.
        fraction: Held-out fraction of the groups, in ``(0, 1)``.
        groups: ``(n,)`` group ids, or ``None`` (every row its own group).
        labels: ``(n,)`` class ids to stratify by, or ``None``.
        seed: Seed of the assignment.

    Returns:
        ``(kept, held_out)``: sorted int64 positions, disjoint, covering ``0 .. n-1``.

    Raises:
        InputError: If ``fraction`` is not in (0, 1) or there are fewer than 2 groups.
    """
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

    n = int(num_samples)
    if not 0.0 < float(fraction) < 1.0:
        raise InputError(f"fraction must be in (0, 1). Received: fraction={fraction!r}")
    g = np.arange(n) if groups is None else np.asarray(groups)
    if g.shape != (n,):
        raise InputError(f"groups must have one entry per row ({n}). Received: shape={g.shape}")
    num_groups = int(np.unique(g).size)
    if num_groups < 2:
        raise InputError(f"a grouped hold-out needs at least 2 groups. Received: {num_groups}")
    folds = int(min(num_groups, max(2, round(1.0 / float(fraction)))))
    x = np.zeros((n, 1))
    y = None if labels is None else np.asarray(labels)
    if y is not None and np.bincount(np.unique(y, return_inverse=True)[1]).max() >= folds:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # classes smaller than the number of folds
            kept, held = next(StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(x, y, g))
    else:  # no labels, or every class smaller than the number of folds: not stratified
        kept, held = next(GroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(x, groups=g))
    return np.sort(kept).astype(np.int64), np.sort(held).astype(np.int64)


def sample_indices(num_samples: int, indices: Sequence[int] | np.ndarray | None) -> np.ndarray:
    """``indices`` as an int64 array (every sample ``0 .. num_samples-1`` when ``None``).

    Raises:
        InputError: ``indices`` is not a 1-D array of integers.
    """
    if indices is None:
        return np.arange(num_samples, dtype=np.int64)
    idx = np.asarray(indices)
    if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
        raise InputError(f"indices must be a 1-D array of integers. Received: shape={idx.shape}, dtype={idx.dtype}")
    return idx.astype(np.int64, copy=False)
