"""Seeded train/validation/test split of a dataset by sample."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from rvsim.errors import InputError

__all__ = ["split_indices", "SPLIT_NAMES"]

#: Names of the splits, in order.
SPLIT_NAMES: tuple[str, str, str] = ("train", "val", "test")


def split_indices(
    num_samples: int,
    fractions: Sequence[float] = (0.8, 0.1, 0.1),
    seed: int | np.random.Generator = 0,
) -> dict[str, np.ndarray]:
    """Split sample indices ``0 .. num_samples-1`` into train, validation and test sets.

    A seeded random permutation is cut at the cumulative fractions (rounded to whole samples, so the sizes
    add up to ``num_samples`` exactly). The same ``(num_samples, fractions, seed)`` always gives the same split.

    Args:
        num_samples: Number of samples (>= 1).
        fractions: ``(train, val, test)`` fractions, each > 0, summing to 1 (within 1e-6).
        seed: Seed of the permutation, or a ``numpy.random.Generator``.

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
    perm = rng.permutation(int(num_samples)).astype(np.int64)
    cuts = np.rint(np.cumsum(fr)[:2] * num_samples).astype(np.int64)
    parts = np.split(perm, cuts)
    return {name: np.sort(part) for name, part in zip(SPLIT_NAMES, parts)}
