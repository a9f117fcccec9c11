"""Read-only access to a dataset folder (``manifest.json`` + HDF5 shards).

:class:`Dataset` opens the manifest (validated), checks that every shard file exists and that each holds what
the manifest says (its fields' dtypes and shapes, its sample count and root attributes, read from the HDF5
metadata alone: no array is read and nothing is hashed), so a swapped or foreign shard is refused when the
dataset is opened, before anything is trained or written. Shard files are then opened lazily on first read
and kept open (at most ``max_open_files``, least recently used closed first).
Reads return exactly the arrays that were written (same dtype and values), in the order asked::

    with Dataset("data/room") as ds:
        x = ds.read("radio/range_angle", [5, 3, 900])       # (3, num_range_bins, num_angle_bins) float32
        for batch in ds.iter_batches(256, fields=["radio/range_angle", "labels/class_counts"]):
            ...
"""

from __future__ import annotations

import copy
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from rvsim.data.manifest import Manifest, ShardInfo, sha256_file
from rvsim.data.schema import FieldSpec, field_problems
from rvsim.data.shard_writer import DEFAULT_ALLOW_INF, ShardHeader, read_shard_header
from rvsim.errors import DatasetError, InputError

__all__ = ["Dataset"]

#: Wanted samples of an unchunked array spanning at most this many bytes are read in one slice.
_SLAB_BYTES = 4 << 20


def _non_finite(f: h5py.File, arrays: dict[str, tuple[str, tuple[int, ...]]], first_index: int) -> list[str]:
    """Float and complex arrays of a shard that hold NaN (or inf outside ``DEFAULT_ALLOW_INF``), read in slabs of
    about ``_SLAB_BYTES``; each names the first such sample by its dataset index."""
    out: list[str] = []
    for name, (dtype, shape) in sorted(arrays.items()):
        if np.dtype(dtype).kind not in "fc" or len(shape) == 0 or shape[0] == 0:
            continue
        dset = f[name]
        sample_bytes = max(1, np.dtype(dtype).itemsize * int(np.prod(shape[1:], dtype=np.int64)))
        step = max(1, _SLAB_BYTES // sample_bytes)
        for start in range(0, shape[0], step):
            block = np.asarray(dset[start : start + step]).reshape(min(step, shape[0] - start), -1)
            bad = np.isnan(block).any(axis=1)
            what = "NaN"
            if name not in DEFAULT_ALLOW_INF:
                bad |= np.isinf(block).any(axis=1)
                what = "NaN or inf"
            if bad.any():
                out.append(f"{name} holds {what} (sample {first_index + start + int(np.argmax(bad))})")
                break
    return out


def _structure_problems(shard: ShardInfo, header: ShardHeader, fields: dict[str, FieldSpec],
                        schema_version: int) -> list[str]:
    """What a shard's header contradicts in the manifest: root attributes (the manifest's schema version), then
    fields (names, dtypes, shapes, sample counts)."""
    problems: list[str] = []
    expected_root = {"schema_version": schema_version, "first_index": shard.first_index, "count": shard.count}
    for key, value in expected_root.items():
        if header.root.get(key) != value:
            problems.append(f"root attribute {key}={header.root.get(key)!r} (expected {value})")
    problems.extend(field_problems(header.arrays, fields, shard.count))
    return problems


class Dataset:
    """A read-only view of a dataset folder (see ``docs/dataset_schema.md``).

    Args:
        path: The dataset folder.
        allow_incomplete: Open a dataset whose generation has not finished (or whose shard files are missing),
            e.g. to verify it. Reading a sample that no recorded shard holds raises
            :class:`~rvsim.errors.DatasetError`.
        max_open_files: Most shard files kept open at once.
        check_hashes: Also run :meth:`verify` (re-hash every shard) on opening; by default opening checks the
            manifest, that every shard file exists, and every shard's structure.
        check_structure: Check every shard's structure against the manifest from its HDF5 metadata (fields,
            dtypes, shapes, sample count, ``schema_version``, ``first_index``); off only to inspect a broken
            dataset with :meth:`verify`, which reports every problem.

    Raises:
        DatasetError: If ``path`` is not a folder with a valid manifest, the dataset is incomplete (unless
            ``allow_incomplete``), a shard file is missing (unless ``allow_incomplete``), a shard resolves
            to a file outside the folder, or a shard is not HDF5 or does not hold what the manifest says (unless
            ``check_structure`` is off); with ``check_hashes``, if :meth:`verify` finds problems.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        allow_incomplete: bool = False,
        max_open_files: int = 64,
        check_hashes: bool = False,
        check_structure: bool = True,
    ) -> None:
        path = Path(path)
        if not path.is_dir():
            raise DatasetError(f"the dataset folder does not exist or is not a folder. Received: {path}")
        if not isinstance(max_open_files, int) or max_open_files < 1:
            raise InputError(f"max_open_files must be an integer >= 1. Received: max_open_files={max_open_files!r}")
        manifest = Manifest.read(path)
        if not manifest.complete and not allow_incomplete:
            raise DatasetError(
                f"the dataset is incomplete ({manifest.samples_recorded} of {manifest.num_samples} samples in "
                f"{len(manifest.shards)} of {manifest.num_shards} shards written); finish it with "
                f"`rvsim generate ... --resume`. Received: {path}"
            )
        root = path.resolve()
        missing: list[str] = []
        for s in manifest.shards:
            file = path / s.file
            if file.resolve().parent != root:
                raise DatasetError(f"shard {s.file} resolves to a file outside the dataset folder. Received: {path}")
            if not file.is_file():
                missing.append(s.file)
        if missing and not allow_incomplete:
            shown = missing[:5] + (["..."] if len(missing) > 5 else [])
            raise DatasetError(
                f"{len(missing)} shard file(s) listed in the manifest are missing: {shown}. Received: {path}"
            )
        self._path = path
        self._manifest = manifest
        self._max_open = max_open_files
        self._starts = np.array([s.first_index for s in manifest.shards], dtype=np.int64)
        self._stops = np.array([s.stop_index for s in manifest.shards], dtype=np.int64)
        self._files: OrderedDict[int, h5py.File] = OrderedDict()
        self._checked: set[tuple[int, str]] = set()
        self._lock = threading.RLock()
        if check_structure:
            self._check_structure()
        if check_hashes:
            problems = [p for p in self.verify() if not p.startswith("incomplete:")]
            if problems:
                raise DatasetError(
                    f"{len(problems)} shard(s) fail verification: {problems[0]}"
                    + (" ..." if len(problems) > 1 else "")
                    + f" (run `rvsim verify` for all). Received: {path}"
                )

    @classmethod
    def open(cls, path: str | os.PathLike[str], **kwargs: Any) -> Dataset:
        """Same as ``Dataset(path, **kwargs)``."""
        return cls(path, **kwargs)

    # ------------------------------------------------------------------ metadata
    @property
    def path(self) -> Path:
        """The dataset folder."""
        return self._path

    def __len__(self) -> int:
        return self._manifest.num_samples

    @property
    def fields(self) -> dict[str, FieldSpec]:
        """``"group/name" -> FieldSpec(dtype, per-sample shape)`` of every array."""
        return dict(self._manifest.fields)

    def attrs(self, field: str) -> dict[str, Any]:
        """Attributes of a field (units, axis values) as stored in the manifest: JSON values, arrays as lists."""
        self._spec(field)
        return copy.deepcopy(self._manifest.attrs.get(field, {}))

    @property
    def class_names(self) -> list[str]:
        """Object class names; class id ``k`` is ``class_names[k]``."""
        return list(self._manifest.class_names)

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest as a JSON dict (a copy)."""
        return self._manifest.to_dict()

    @property
    def seed(self) -> int:
        """The dataset seed."""
        return self._manifest.seed

    @property
    def shards(self) -> list[ShardInfo]:
        """The recorded shards, in index order."""
        return list(self._manifest.shards)

    @property
    def complete(self) -> bool:
        """Whether every shard was written and recorded."""
        return self._manifest.complete

    def __repr__(self) -> str:
        return f"Dataset({str(self._path)!r}, num_samples={len(self)}, shards={len(self._manifest.shards)})"

    # ------------------------------------------------------------------ reading
    def _spec(self, field: str) -> FieldSpec:
        spec = self._manifest.fields.get(field) if isinstance(field, str) else None
        if spec is None:
            raise InputError(f"unknown field; the dataset has {sorted(self._manifest.fields)}. Received: {field!r}")
        return spec

    def _check_indices(self, indices: Any) -> np.ndarray:
        idx = np.asarray(indices)
        if idx.size == 0:
            return np.zeros(0, dtype=np.int64)
        if idx.ndim != 1 or idx.dtype.kind not in "iu":
            raise InputError(
                f"indices must be a 1-D sequence of integers. Received: shape={idx.shape}, dtype={idx.dtype}"
            )
        idx = idx.astype(np.int64, copy=False)
        bad = idx[(idx < 0) | (idx >= len(self))]
        if bad.size:
            raise InputError(f"indices must be in [0, {len(self)}). Received: index {int(bad[0])}")
        return idx

    def _file(self, pos: int) -> h5py.File:
        with self._lock:
            f = self._files.get(pos)
            if f is not None:
                self._files.move_to_end(pos)
                return f
            shard = self._manifest.shards[pos]
            path = self._path / shard.file
            try:
                f = h5py.File(path, "r")
            except OSError as exc:
                raise DatasetError(
                    f"cannot open shard {shard.file} as HDF5 ({exc}); check it with `rvsim verify`. Received: {path}"
                ) from exc
            self._files[pos] = f
            while len(self._files) > self._max_open:
                _, old = self._files.popitem(last=False)
                old.close()
            return f

    def _dataset(self, pos: int, field: str, spec: FieldSpec) -> h5py.Dataset:
        f = self._file(pos)
        shard = self._manifest.shards[pos]
        if (pos, field) not in self._checked:
            dset = f.get(field)
            if not isinstance(dset, h5py.Dataset):
                raise DatasetError(
                    f"shard {shard.file} has no array {field}; check it with `rvsim verify`. Received: {self._path}"
                )
            problems = field_problems({field: (dset.dtype.name, dset.shape)}, {field: spec}, shard.count)
            if problems:
                raise DatasetError(
                    f"shard {shard.file} does not match the manifest ({'; '.join(problems)}); check it with "
                    f"`rvsim verify`. Received: {self._path}"
                )
            self._checked.add((pos, field))
        return f[field]

    def read(self, field: str, indices: Sequence[int] | np.ndarray) -> np.ndarray:
        """Samples ``indices`` of one field, in the order asked (repeats allowed), across shards.

        Args:
            field: Field name, e.g. ``"radio/range_angle"``.
            indices: Dataset indices, shape ``(n,)``.

        Returns:
            Array of shape ``(n, *fields[field].shape)`` and the field's dtype.
        """
        spec = self._spec(field)
        idx = self._check_indices(indices)
        out_shape = (idx.size, *spec.shape)
        if idx.size == 0:
            return np.empty(out_shape, dtype=spec.dtype)
        uniq, inverse = np.unique(idx, return_inverse=True)
        pos = np.searchsorted(self._starts, uniq, side="right") - 1
        held = (pos >= 0) & (uniq < self._stops[np.maximum(pos, 0)]) if self._starts.size else np.zeros(0, bool)
        if not self._starts.size or not held.all():
            first_missing = int(uniq[~held][0]) if self._starts.size else int(uniq[0])
            raise DatasetError(
                f"sample {first_missing} is in no recorded shard (the dataset is incomplete); finish it with "
                f"`rvsim generate ... --resume`. Received: {self._path}"
            )
        buf = np.empty((uniq.size, *spec.shape), dtype=spec.dtype)
        sample_bytes = buf.itemsize * int(np.prod(spec.shape, dtype=np.int64))
        bounds = np.flatnonzero(np.diff(pos)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, uniq.size]):
            p = int(pos[lo])
            local = uniq[lo:hi] - self._starts[p]
            dset = self._dataset(p, field, spec)
            self._read_local(dset, local, buf[lo:hi], sample_bytes)
        return buf if np.array_equal(uniq, idx) else buf[inverse.reshape(-1)]

    @staticmethod
    def _read_local(dset: h5py.Dataset, local: np.ndarray, out: np.ndarray, sample_bytes: int) -> None:
        """Read sorted unique shard-local indices into ``out``: one slice per run of consecutive indices, or one
        slice over the whole span when it is dense or (for unchunked arrays) small; h5py's point selections are
        slow."""
        first, last = int(local[0]), int(local[-1])
        span = last - first + 1
        if span == local.size:
            out[...] = dset[first : last + 1]
            return
        contiguous = dset.chunks is None
        if span <= 2 * local.size or (contiguous and span * sample_bytes <= _SLAB_BYTES):
            out[...] = dset[first : last + 1][local - first]
            return
        breaks = np.flatnonzero(np.diff(local) != 1) + 1
        for a, b in zip(np.r_[0, breaks], np.r_[breaks, local.size]):
            out[a:b] = dset[int(local[a]) : int(local[b - 1]) + 1]

    def _field_list(self, fields: str | Sequence[str] | None) -> list[str]:
        if fields is None:
            return sorted(self._manifest.fields)
        names = [fields] if isinstance(fields, str) else list(fields)
        for name in names:
            self._spec(name)
        return names

    def batch(
        self, indices: Sequence[int] | np.ndarray, fields: str | Sequence[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Samples ``indices`` of several fields (default: all), each ``(n, *shape)``, in the order asked."""
        return {name: self.read(name, indices) for name in self._field_list(fields)}

    def __getitem__(self, i: int) -> dict[str, np.ndarray]:
        """One sample, every field, without the sample axis."""
        if not isinstance(i, (int, np.integer)) or isinstance(i, bool):
            raise TypeError(f"a Dataset is indexed by an integer sample index. Received: {type(i).__name__}")
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"sample index out of range [0, {n}). Received: {i}")
        i = int(i) % n
        return {name: self.read(name, [i])[0] for name in self._field_list(None)}

    def iter_batches(
        self,
        batch_size: int,
        fields: str | Sequence[str] | None = None,
        indices: Sequence[int] | np.ndarray | None = None,
    ) -> Iterator[dict[str, np.ndarray]]:
        """Consecutive batches of ``indices`` (default: every sample in order); the last batch may be smaller.

        Args:
            batch_size: Samples per batch (>= 1).
            fields: Fields to read (default: all).
            indices: Dataset indices to visit, in this order, shape ``(n,)``.

        Yields:
            ``{field: array (batch, *shape)}`` for ``indices[k * batch_size : (k + 1) * batch_size]``.
        """
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
            raise InputError(f"batch_size must be an integer >= 1. Received: batch_size={batch_size!r}")
        names = self._field_list(fields)
        idx = np.arange(len(self), dtype=np.int64) if indices is None else self._check_indices(indices)
        for start in range(0, idx.size, int(batch_size)):
            chunk = idx[start : start + int(batch_size)]
            yield {name: self.read(name, chunk) for name in names}

    # ------------------------------------------------------------------ checking
    def _check_structure(self) -> None:
        """Every present shard's structure against the manifest, from HDF5 metadata only (raises on the first)."""
        for s in self._manifest.shards:
            path = self._path / s.file
            if not path.is_file():
                continue  # allowed missing (allow_incomplete)
            try:
                header = read_shard_header(path)
            except DatasetError as exc:
                reason = " ".join(str(exc).split(". Received:")[0].split())
                raise DatasetError(f"shard {s.file} is not a readable rvsim shard ({reason}); check the dataset with "
                                   f"`rvsim verify`. Received: {self._path}") from None
            problems = _structure_problems(s, header, self._manifest.fields, self._manifest.schema_version)
            if problems:
                shown = "; ".join(problems[:4]) + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "")
                raise DatasetError(f"shard {s.file} does not hold what the manifest says ({shown}); check the "
                                   f"dataset with `rvsim verify`. Received: {self._path}")

    def verify(self) -> list[str]:
        """Re-hash every shard and check it against the manifest.

        Checks each shard's sha256, that it opens as HDF5, its root attributes (``schema_version``,
        ``first_index``, ``count``), its fields (names, dtypes, per-sample shapes, sample counts), its
        attributes, ``meta/index`` (if present) against ``first_index + arange(count)``, and that float and
        complex arrays hold no NaN (nor inf, except in ``image/depth``).

        Returns:
            One line per problem, each bad shard named at its start (``"shard-00003.h5: ..."``); an incomplete
            dataset adds a line saying so. Empty if the dataset is sound.
        """
        m = self._manifest
        problems: list[str] = []
        if not m.complete:
            problems.append(
                f"incomplete: {m.samples_recorded} of {m.num_samples} samples in {len(m.shards)} of "
                f"{m.num_shards} shards recorded; finish it with `rvsim generate ... --resume`"
            )
        for pos, s in enumerate(m.shards):
            issues = self._verify_shard(s)
            if issues:
                with self._lock:  # a cached handle on a bad file must not be reused
                    f = self._files.pop(pos, None)
                    if f is not None:
                        f.close()
                    self._checked = {c for c in self._checked if c[0] != pos}
                problems.append(f"{s.file}: " + "; ".join(issues))
        return problems

    def _verify_shard(self, s: ShardInfo) -> list[str]:
        path = self._path / s.file
        if not path.is_file():
            return ["missing"]
        issues: list[str] = []
        digest = sha256_file(path)
        if digest != s.sha256:
            issues.append(
                f"sha256 mismatch (file changed or corrupted): manifest {s.sha256[:16]}..., file {digest[:16]}..."
            )
        try:
            with h5py.File(path, "r") as f:
                header = read_shard_header(f)
                index = f.get("meta/index")
                meta_index = index[...] if isinstance(index, h5py.Dataset) else None
                non_finite = _non_finite(f, header.arrays, s.first_index)
        except (OSError, DatasetError, KeyError, ValueError) as exc:
            issues.append(f"cannot be read as HDF5 ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})")
            return issues
        issues.extend(_structure_problems(s, header, self._manifest.fields, self._manifest.schema_version))
        for name in sorted(set(header.attrs) & set(self._manifest.fields)):
            if header.attrs[name] != self._manifest.attrs.get(name, {}):
                issues.append(f"{name}: attributes differ from the manifest's")
        if meta_index is not None and meta_index.shape == (s.count,):
            if not np.array_equal(meta_index, np.arange(s.first_index, s.stop_index)):
                issues.append(f"meta/index is not {s.first_index}..{s.stop_index - 1}")
        issues.extend(non_finite)
        return issues

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        """Close every open shard file (the dataset can still be read afterwards; files reopen lazily)."""
        with self._lock:
            while self._files:
                _, f = self._files.popitem()
                f.close()
            self._checked.clear()

    def __enter__(self) -> Dataset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_files"] = OrderedDict()
        state["_checked"] = set()
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
