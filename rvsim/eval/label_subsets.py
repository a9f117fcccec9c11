"""Nested, stratified subsets of a labelled set: the label budgets of a linear-probe sweep."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from rvsim.errors import InputError

__all__ = ["nested_stratified_subsets", "check_fractions"]


def check_fractions(fractions: Sequence[float]) -> tuple[float, ...]:
    """Validate label fractions: a non-empty sequence of distinct numbers in ``(0, 1]``.

    Returns:
        The fractions as floats, in the order given.

    Raises:
        InputError: If a fraction is not a finite number in ``(0, 1]``, they repeat, or there are none.
    """
    try:
        values = tuple(float(f) for f in fractions)
    except (TypeError, ValueError) as exc:
        raise InputError(f"fractions must be numbers in (0, 1]. Received: fractions={fractions!r}") from exc
    if not values:
        raise InputError(f"at least one label fraction is needed. Received: fractions={tuple(fractions)!r}")
    bad = [f for f in values if not (math.isfinite(f) and 0.0 < f <= 1.0)]
    if bad:
        raise InputError(f"label fractions must be in (0, 1]. Received: fractions={values!r}")
    if len(set(values)) != len(values):
        raise InputError(f"label fractions must be distinct. Received: fractions={values!r}")
    return values


def nested_stratified_subsets(
    labels: np.ndarray | Sequence[int],
    fractions: Sequence[float],
    seed: int | np.random.Generator = 0,
) -> dict[float, np.ndarray]:
    """Stratified subsets of a labelled set, one per label fraction, nested across fractions.

    The positions of each class are shuffled once (seeded); the subset for fraction ``f`` takes, of every class
    ``c`` with ``n_c`` samples, the first ``m_c(f) = min(n_c, max(1, floor(f * n_c + 0.5)))`` of its shuffled
    positions. ``m_c`` grows with ``f``, so a smaller fraction's subset is contained in every larger one's
    (the 1 % subset ⊂ 10 % ⊂ 100 %), class proportions follow the whole set's, and every class present keeps
    at least one sample. Because of that minimum and per-class rounding, a subset's size can differ from
    ``f * n`` by up to about the number of classes.

    Args:
        labels: Class labels ``(n,)`` (any integers).
        fractions: Label fractions in ``(0, 1]``, distinct; ``1.0`` gives every position.
        seed: Seed of the shuffles, or a ``numpy.random.Generator``.

    Returns:
        ``{fraction: positions}`` with sorted int64 positions into ``labels`` (``(m,)``), keyed by the fractions
        as given (as floats).

    Raises:
        InputError: If ``labels`` is not 1-D integers or the fractions are invalid.
    """
    y = np.asarray(labels)
    if y.ndim != 1 or (y.size and y.dtype.kind not in "iu"):
        raise InputError(f"labels must be a 1-D array of integers. Received: shape={y.shape}, dtype={y.dtype}")
    values = check_fractions(fractions)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    shuffled = [rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)]
    out: dict[float, np.ndarray] = {}
    for f in values:
        parts = [perm[: min(perm.size, max(1, math.floor(f * perm.size + 0.5)))] for perm in shuffled]
        chosen = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        out[f] = np.sort(chosen).astype(np.int64)
    return out
