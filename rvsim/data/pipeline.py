"""Streaming, shuffled batches of a dataset's samples for training (numpy generator → ``tf.data``).

:class:`Pipeline` reads the requested samples (e.g. a training split) in *blocks* of indices that lie in one
shard, visits the blocks in a seeded random order that changes every epoch, and mixes them in a shuffle
buffer from which it draws random batches. Memory is bounded by the buffer (``shuffle_buffer`` +
``block_size`` samples), not by the dataset. Every requested sample is yielded exactly once per epoch.

Batch sizes: ``n // batch_size`` full batches; a remainder ``r`` becomes one more batch if ``2 r >= batch_size``
(or if it is all there is), otherwise it joins the last batch (so no batch is tiny, which matters for
in-batch-negative and batch-statistics objectives).

Every batch also carries ``"index"`` (the dataset indices of its samples, ``(n,)`` int64) and ``"seed"``
(``(2,)`` int64, derived from ``(seed, epoch, batch number)``) for stateless random augmentation in
``tf.data`` map functions, so a run is reproducible and a resumed run sees the same batches as an
uninterrupted one.

With ``window=T`` (datasets of sequences, schema version 2) the unit is a *window* of ``T`` consecutive frames
of one sequence instead of a sample: every field gets a time axis, ``(b, T, *shape)``; a window never crosses a
sequence boundary (nor, since shards hold whole sequences, a shard); windows start at every
``window_stride``-th frame of a sequence, and only windows whose every frame is among ``indices`` are used, so a
split by sequence (:func:`rvsim.data.split.split_indices` with ``groups``) keeps each window in its split.
``"index"`` is then the dataset index of the window's first frame, and extras are taken at its last frame.

TensorFlow is imported only by :meth:`Pipeline.as_tf_dataset`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from rvsim.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import tensorflow as tf

    from rvsim.data.dataset import Dataset

__all__ = ["Pipeline", "batch_sizes"]


def batch_sizes(num_samples: int, batch_size: int) -> list[int]:
    """Sizes of the batches an epoch of ``num_samples`` samples is cut into (see the module docstring)."""
    q, r = divmod(int(num_samples), int(batch_size))
    sizes = [int(batch_size)] * q
    if r:
        if q and 2 * r < batch_size:
            sizes[-1] += r
        else:
            sizes.append(r)
    return sizes


def _positive_int(name: str, value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise InputError(f"{name} must be an integer >= 1. Received: {name}={value!r}")
    return int(value)


class _ShuffleBuffer:
    """Fixed-capacity arrays from which random samples are drawn without replacement (swap-remove)."""

    def __init__(self, specs: Mapping[str, tuple[tuple[int, ...], np.dtype]], capacity: int) -> None:
        self.arrays = {k: np.empty((capacity, *shape), dtype=dtype) for k, (shape, dtype) in specs.items()}
        self.size = 0

    def add(self, block: Mapping[str, np.ndarray]) -> None:
        n = len(next(iter(block.values())))
        for k, a in self.arrays.items():
            a[self.size : self.size + n] = block[k]
        self.size += n

    def take_random(self, count: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        n = self.size
        pick = rng.choice(n, size=count, replace=False)
        out = {k: a[pick] for k, a in self.arrays.items()}
        kept = np.ones(n, dtype=bool)
        kept[pick] = False
        holes = np.sort(pick[pick < n - count])
        sources = np.arange(n - count, n)[kept[n - count :]]
        if holes.size:
            for a in self.arrays.values():
                a[holes] = a[sources]
        self.size = n - count
        return out

    def take_all(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        perm = rng.permutation(self.size)
        out = {k: a[perm] for k, a in self.arrays.items()}
        self.size = 0
        return out


class Pipeline:
    """Seeded, shuffled (or ordered) batches of selected samples of a dataset, streamed from its shards.

    Args:
        ds: The dataset (:class:`rvsim.data.Dataset`).
        indices: Dataset indices to visit each epoch, ``(n,)`` (e.g. the training split); order is irrelevant,
            duplicates are an error.
        fields: Fields to read, e.g. ``["radio/range_angle", "image/rgb"]``.
        batch_size: Samples per batch (see the module docstring for the last batch).
        shuffle: Random block order and buffer shuffling (True), or ascending index order (False).
        seed: Seed of block order, buffer draws and per-batch augmentation seeds (integer >= 0).
        shuffle_buffer: Samples held in the shuffle buffer (at least ``2 * batch_size`` are used).
        block_size: Most samples read at once; a block never spans two shards.
        extras: Per-sample arrays aligned with ``indices`` (e.g. ``{"label": (n,)}``) added to each batch (with
            ``window``: the value at each window's last frame).
        window: Frames per window (datasets of sequences), or ``None``: single samples.
        window_stride: Frames between the starts of consecutive windows of a sequence (with ``window``).

    Raises:
        InputError: For unknown fields, indices out of range or repeated, or bad sizes; ``window`` on a dataset
            without ``meta/sequence``, or one that no window of ``indices`` fits.
    """

    def __init__(
        self,
        ds: Dataset,
        indices: Sequence[int] | np.ndarray,
        *,
        fields: Sequence[str],
        batch_size: int,
        shuffle: bool = True,
        seed: int = 0,
        shuffle_buffer: int = 1024,
        block_size: int = 256,
        extras: Mapping[str, np.ndarray] | None = None,
        window: int | None = None,
        window_stride: int = 1,
    ) -> None:
        self.batch_size = _positive_int("batch_size", batch_size)
        self.block_size = _positive_int("block_size", block_size)
        self.shuffle_buffer = _positive_int("shuffle_buffer", shuffle_buffer)
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
            raise InputError(f"seed must be an integer >= 0. Received: seed={seed!r}")
        self.seed = int(seed)
        self.shuffle = bool(shuffle)
        self.fields = list(fields)
        known = ds.fields
        unknown = [f for f in self.fields if f not in known]
        if unknown or not self.fields:
            raise InputError(f"fields must be fields of the dataset {sorted(known)}. Received: {self.fields}")
        if set(self.fields) & {"index", "seed"}:
            raise InputError(f"'index' and 'seed' are reserved batch keys. Received: fields={self.fields}")
        idx = np.asarray(indices)
        if idx.size == 0:
            raise InputError("indices must name at least one sample. Received: 0 indices")
        if idx.ndim != 1 or idx.dtype.kind not in "iu":
            raise InputError(f"indices must be a 1-D array of integers. Received: shape={idx.shape}, dtype={idx.dtype}")
        idx = idx.astype(np.int64)
        if idx.min() < 0 or idx.max() >= len(ds):
            raise InputError(f"indices must be in [0, {len(ds)}). Received: min {idx.min()}, max {idx.max()}")
        order = np.argsort(idx, kind="stable")
        self._indices = idx[order]
        if np.any(np.diff(self._indices) == 0):
            raise InputError("indices must not repeat. Received: duplicate indices")
        self._extras: dict[str, np.ndarray] = {}
        for name, values in (extras or {}).items():
            values = np.asarray(values)
            if values.shape[:1] != (idx.size,):
                raise InputError(
                    f"extra array {name!r} must have one row per index ({idx.size}). Received: shape={values.shape}"
                )
            if name in self.fields or name in ("index", "seed"):
                raise InputError(f"extra array name clashes with a field or reserved key. Received: {name!r}")
            self._extras[name] = values[order]
        self.ds = ds
        self.window = None if window is None else _positive_int("window", window)
        self._units = np.arange(self._indices.size) if self.window is None else self._window_starts(
            ds, _positive_int("window_stride", window_stride))
        time_axis = () if self.window is None else (self.window,)
        self._specs: dict[str, tuple[tuple[int, ...], np.dtype]] = {
            f: ((*time_axis, *known[f].shape), np.dtype(known[f].dtype)) for f in self.fields
        }
        self._specs.update({k: (v.shape[1:], v.dtype) for k, v in self._extras.items()})
        self._specs["index"] = ((), np.dtype(np.int64))
        self._blocks = self._make_blocks(ds)
        self._next_epoch = 0

    def _window_starts(self, ds: Dataset, stride: int) -> np.ndarray:
        """Positions (into the sorted indices) of the first frames of the windows that fit."""
        if "meta/sequence" not in ds.fields or "meta/frame" not in ds.fields:
            raise InputError("window needs a dataset of sequences (fields meta/sequence and meta/frame). "
                             f"Received: a dataset without them, window={self.window}")
        seq = ds.read("meta/sequence", self._indices)
        frame = ds.read("meta/frame", self._indices)
        t = int(self.window or 1)
        linked = (np.diff(self._indices) == 1) & (seq[1:] == seq[:-1])  # position p and p + 1 are consecutive frames
        run = np.concatenate([[0], np.cumsum(linked)])
        n = self._indices.size
        p = np.arange(max(n - t + 1, 0))
        fits = (run[p + t - 1] - run[p]) == t - 1
        starts = p[fits & (frame[p] % stride == 0)]
        if starts.size == 0:
            raise InputError(f"no window of {t} consecutive frames of one sequence lies in the given indices. "
                             f"Received: {n} indices, window={t}, window_stride={stride}")
        return starts.astype(np.int64)

    def _make_blocks(self, ds: Dataset) -> list[np.ndarray]:
        """Unit numbers (samples, or windows), grouped by shard and cut into blocks of ``block_size``."""
        starts = np.array([s.first_index for s in ds.shards], dtype=np.int64)
        shard_of = np.searchsorted(starts, self._indices[self._units], side="right") - 1
        bounds = np.flatnonzero(np.diff(shard_of)) + 1
        blocks: list[np.ndarray] = []
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, self._units.size]):
            for a in range(int(lo), int(hi), self.block_size):
                blocks.append(np.arange(a, min(a + self.block_size, int(hi))))
        return blocks

    # ------------------------------------------------------------------ properties
    @property
    def indices(self) -> np.ndarray:
        """The visited dataset indices, ascending, ``(n,)`` int64."""
        return self._indices.copy()

    @property
    def num_samples(self) -> int:
        """Number of units visited per epoch: samples (the size of the index list), or windows with ``window``."""
        return int(self._units.size)

    @property
    def num_batches(self) -> int:
        """Batches per epoch."""
        return len(batch_sizes(self.num_samples, self.batch_size))

    def __len__(self) -> int:
        return self.num_batches

    @property
    def epoch(self) -> int:
        """The epoch the next :meth:`as_tf_dataset` iteration will produce."""
        return self._next_epoch

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration of the ``tf.data`` dataset produce epoch ``epoch`` (e.g. when resuming)."""
        if not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise InputError(f"epoch must be an integer >= 0. Received: epoch={epoch!r}")
        self._next_epoch = int(epoch)

    # ------------------------------------------------------------------ iteration
    def _read(self, units: np.ndarray) -> dict[str, np.ndarray]:
        positions = self._units[units]
        if self.window is None:
            idx = self._indices[positions]
            out = {f: self.ds.read(f, idx) for f in self.fields}
            out.update({k: v[positions] for k, v in self._extras.items()})
            out["index"] = idx
            return out
        frames = positions[:, None] + np.arange(self.window)[None, :]  # (n, T) positions, consecutive frames
        unique, inverse = np.unique(frames.ravel(), return_inverse=True)  # overlapping windows read once
        out = {}
        for f in self.fields:
            values = self.ds.read(f, self._indices[unique])[inverse]
            out[f] = values.reshape(*frames.shape, *values.shape[1:])
        out.update({k: v[frames[:, -1]] for k, v in self._extras.items()})
        out["index"] = self._indices[positions]
        return out

    def _batch_seed(self, epoch: int, k: int) -> np.ndarray:
        state = np.random.SeedSequence([self.seed, epoch, k]).generate_state(2, dtype=np.uint32)
        return state.astype(np.int64)

    def batches(self, epoch: int | None = None) -> Iterator[dict[str, np.ndarray]]:
        """Yield the batches of one epoch as numpy dicts.

        Args:
            epoch: Epoch number (seeds the shuffle); default: :attr:`epoch`.

        Yields:
            ``{field: (b, *shape), extra: (b, ...), "index": (b,) int64, "seed": (2,) int64}``.
        """
        epoch = self._next_epoch if epoch is None else int(epoch)
        sizes = batch_sizes(self.num_samples, self.batch_size)
        k = 0
        if not self.shuffle:
            stops = np.cumsum(sizes)
            for lo, hi in zip(np.r_[0, stops[:-1]], stops):
                batch = self._read(np.arange(lo, hi))
                batch["seed"] = self._batch_seed(epoch, k)
                k += 1
                yield batch
            return
        rng = np.random.default_rng([self.seed, epoch])
        threshold = max(self.shuffle_buffer, 2 * self.batch_size)
        buffer = _ShuffleBuffer(self._specs, threshold + self.block_size)
        for b in rng.permutation(len(self._blocks)):
            buffer.add(self._read(self._blocks[b]))
            while buffer.size >= threshold:
                batch = buffer.take_random(self.batch_size, rng)
                batch["seed"] = self._batch_seed(epoch, k)
                k += 1
                yield batch
        rest = buffer.take_all(rng)
        start = 0
        for size in batch_sizes(len(rest["index"]), self.batch_size):
            batch = {key: v[start : start + size] for key, v in rest.items()}
            batch["seed"] = self._batch_seed(epoch, k)
            start += size
            k += 1
            yield batch

    def _epoch_iterator(self) -> Iterator[dict[str, np.ndarray]]:
        epoch = self._next_epoch
        self._next_epoch += 1
        yield from self.batches(epoch)

    def output_signature(self) -> dict[str, Any]:
        """``tf.TensorSpec`` of each batch key (batch axis ``None``)."""
        import tensorflow as tf

        sig = {k: tf.TensorSpec((None, *shape), tf.as_dtype(dtype)) for k, (shape, dtype) in self._specs.items()}
        sig["seed"] = tf.TensorSpec((2,), tf.int64)
        return sig

    def as_tf_dataset(
        self,
        map_fn: Callable[[dict[str, Any]], Any] | None = None,
        *,
        num_parallel_calls: int | None = None,
        prefetch: int | None = None,
    ) -> tf.data.Dataset:
        """A ``tf.data.Dataset`` of batches; each iteration over it is the next epoch (see :meth:`set_epoch`).

        Args:
            map_fn: Applied to each batch dict (TF ops, e.g. preprocessing and augmentation).
            num_parallel_calls: Parallel calls of ``map_fn`` (default ``tf.data.AUTOTUNE``); output order is kept.
            prefetch: Batches prefetched (default ``tf.data.AUTOTUNE``).

        Returns:
            The dataset, with known cardinality :attr:`num_batches`.
        """
        import tensorflow as tf

        autotune = tf.data.AUTOTUNE
        data = tf.data.Dataset.from_generator(self._epoch_iterator, output_signature=self.output_signature())
        data = data.apply(tf.data.experimental.assert_cardinality(self.num_batches))
        if map_fn is not None:
            data = data.map(
                map_fn,
                num_parallel_calls=autotune if num_parallel_calls is None else num_parallel_calls,
                deterministic=True,
            )
        return data.prefetch(autotune if prefetch is None else prefetch)
