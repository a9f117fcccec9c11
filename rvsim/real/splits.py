"""Train/test splits of real captures that keep correlated neighbours on one side.

Rows of a drive-by are seconds apart on one trajectory: splitting rows at random would put near-duplicates
in train and test. Scenarios are split by whole drive-by sequences, the time series of the blockage set by
contiguous blocks with a guard gap.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rvsim.errors import InputError

__all__ = ["split_by_sequence", "split_contiguous_blocks", "split_series_by_time"]


def _check_fraction(test_fraction: float) -> float:
    if not 0.0 < float(test_fraction) < 1.0:
        raise InputError(f"test_fraction must be in (0, 1). Received: test_fraction={test_fraction!r}")
    return float(test_fraction)


def split_by_sequence(seq_index: ArrayLike, *, test_fraction: float = 0.2, seed: int = 0) -> dict[str, np.ndarray]:
    """Split rows into train/test by drive-by sequence.

    ``round(test_fraction · num_sequences)`` sequences (at least 1, at most all but 1), drawn with ``seed``,
    go to test.

    Args:
        seq_index: ``(N,)`` sequence id of every row.
        test_fraction: Fraction of sequences in test, in ``(0, 1)``.
        seed: Seed of the draw.

    Returns:
        ``{"train": rows, "test": rows}``: sorted int64 row indices, disjoint, covering all rows.

    Raises:
        InputError: Fewer than 2 sequences, or a bad fraction.
    """
    frac = _check_fraction(test_fraction)
    seq = np.asarray(seq_index)
    sequences = np.unique(seq)
    if sequences.size < 2:
        raise InputError(f"A sequence split needs at least 2 sequences. Received: {sequences.size}")
    n_test = int(np.clip(round(frac * sequences.size), 1, sequences.size - 1))
    rng = np.random.default_rng(seed)
    test_seq = rng.choice(sequences, size=n_test, replace=False)
    is_test = np.isin(seq, test_seq)
    return {"train": np.flatnonzero(~is_test).astype(np.int64), "test": np.flatnonzero(is_test).astype(np.int64)}


def split_contiguous_blocks(
    num_samples: int,
    *,
    test_fraction: float = 0.2,
    num_blocks: int = 20,
    guard: int = 10,
    seed: int = 0,
    labels: ArrayLike | None = None,
    max_tries: int = 1000,
) -> dict[str, np.ndarray]:
    """Split a time series into train/test by contiguous blocks of time.

    The rows are cut into ``num_blocks`` equal contiguous blocks; ``round(test_fraction · num_blocks)`` of
    them, drawn with ``seed``, are test. ``guard`` rows of the training side next to every test block are
    dropped (neither train nor test), so no training row is within ``guard`` samples of a test row. With
    ``labels``, draws are repeated (deterministically from ``seed``) until train and test both hold every
    class.

    Args:
        num_samples: Rows ``N`` in time order.
        test_fraction: Fraction of blocks in test, in ``(0, 1)``.
        num_blocks: Number of blocks (``2 ≤ num_blocks ≤ N``).
        guard: Rows dropped on the training side of each train/test boundary.
        seed: Seed of the draw.
        labels: ``(N,)`` optional class labels that both sides must cover.
        max_tries: Draws tried before giving up.

    Returns:
        ``{"train": rows, "test": rows}`` sorted int64 row indices, disjoint.

    Raises:
        InputError: Bad sizes, or no draw with every class on both sides.
    """
    frac = _check_fraction(test_fraction)
    n = int(num_samples)
    if not 2 <= int(num_blocks) <= n:
        raise InputError(f"num_blocks must be in [2, num_samples={n}]. Received: num_blocks={num_blocks!r}")
    if int(guard) < 0:
        raise InputError(f"guard must be non-negative. Received: guard={guard!r}")
    y = None if labels is None else np.asarray(labels)
    if y is not None and y.shape != (n,):
        raise InputError(f"labels must have shape ({n},). Received: shape={y.shape}")
    bounds = np.linspace(0, n, int(num_blocks) + 1).round().astype(np.int64)
    n_test = int(np.clip(round(frac * num_blocks), 1, num_blocks - 1))
    rng = np.random.default_rng(seed)
    classes = None if y is None else np.unique(y)
    for _ in range(max(1, int(max_tries))):
        test_blocks = rng.choice(int(num_blocks), size=n_test, replace=False)
        is_test = np.zeros(n, dtype=bool)
        for b in test_blocks:
            is_test[bounds[b] : bounds[b + 1]] = True
        near = np.zeros(n, dtype=bool)
        if guard > 0:
            kernel = np.ones(2 * int(guard) + 1)
            near = np.convolve(is_test.astype(np.float64), kernel, mode="same") > 0
        train = np.flatnonzero(~near & ~is_test)
        test = np.flatnonzero(is_test)
        if classes is None or (np.array_equal(np.unique(y[train]), classes) and np.array_equal(np.unique(y[test]), classes)):
            return {"train": train.astype(np.int64), "test": test.astype(np.int64)}
    raise InputError(
        f"No block split puts every class in both train and test after {max_tries} draws. "
        f"Received: num_blocks={num_blocks}, test_fraction={test_fraction}"
    )


def split_series_by_time(
    start: ArrayLike,
    *,
    span: int,
    test_fraction: float = 0.2,
    num_blocks: int = 20,
    seed: int = 0,
    labels: ArrayLike | None = None,
    max_tries: int = 1000,
) -> dict[str, np.ndarray]:
    """Split overlapping windows of a time series (e.g. 8 past sweeps + K ahead) by contiguous blocks of time.

    The time axis from the first to the last window start is cut into ``num_blocks`` equal blocks;
    ``round(test_fraction · num_blocks)`` of them, drawn with ``seed``, hold the test windows (by start). A
    training window is kept only if the ``span`` sweeps it covers do not overlap any test window's, so no sweep
    is on both sides. With ``labels``, draws are repeated until both sides hold every class.

    Args:
        start: ``(n,)`` index of every window's first sweep.
        span: Sweeps a window covers (past and future).
        test_fraction: Fraction of blocks in test, in ``(0, 1)``.
        num_blocks: Number of blocks (>= 2).
        seed: Seed of the draw.
        labels: ``(n,)`` optional labels that both sides must cover.
        max_tries: Draws tried before giving up.

    Returns:
        ``{"train": rows, "test": rows}`` sorted int64, disjoint.

    Raises:
        InputError: Bad sizes, or no draw with every class on both sides.
    """
    frac = _check_fraction(test_fraction)
    st = np.asarray(start, dtype=np.int64)
    if st.ndim != 1 or st.size < 2 or int(span) < 1 or int(num_blocks) < 2:
        raise InputError(f"need >= 2 windows, span >= 1 and num_blocks >= 2. Received: {st.shape}, span={span}, "
                         f"num_blocks={num_blocks}")
    y = None if labels is None else np.asarray(labels)
    bounds = np.linspace(st.min(), st.max() + 1, int(num_blocks) + 1)
    block = np.clip(np.searchsorted(bounds, st, side="right") - 1, 0, int(num_blocks) - 1)
    n_test = int(np.clip(round(frac * num_blocks), 1, num_blocks - 1))
    rng = np.random.default_rng(seed)
    for _ in range(max(1, int(max_tries))):
        test_blocks = rng.choice(int(num_blocks), size=n_test, replace=False)
        is_test = np.isin(block, test_blocks)
        # a training window [s, s + span) must not overlap any test window [t, t + span)
        test_starts = np.sort(st[is_test])
        lo = np.searchsorted(test_starts, st - span + 1, side="left")
        hi = np.searchsorted(test_starts, st + span - 1, side="right")
        clash = hi > lo
        train = np.flatnonzero(~is_test & ~clash)
        test = np.flatnonzero(is_test)
        ok = train.size and test.size and (y is None or (np.unique(y[train]).size == np.unique(y).size
                                                          and np.unique(y[test]).size == np.unique(y).size))
        if ok:
            return {"train": train.astype(np.int64), "test": test.astype(np.int64)}
    raise InputError(f"No block split puts every class in both train and test after {max_tries} draws. "
                     f"Received: num_blocks={num_blocks}, test_fraction={test_fraction}")
