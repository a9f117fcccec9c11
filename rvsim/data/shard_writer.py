"""Atomic writing of one HDF5 shard file.

:func:`write_shard_file` validates a shard's arrays, writes them to a temporary file in the target folder,
fsyncs it and renames it onto the final name with ``os.replace``: a shard under its final name is always
complete. :func:`read_shard_header` reads back what a shard holds (fields, attributes, root attributes) for
checks against the manifest.

Storage layout: every array is an HDF5 dataset at its field name (``"radio/cfr"`` is dataset ``cfr`` of group
``radio``). Arrays of at least 4 KiB per sample (images, large maps) are chunked one sample per chunk, so random
access reads exactly the samples asked for; smaller arrays are stored contiguous. By default nothing is
compressed, because uncompressed chunks read several times faster than LZF or gzip ones (at the price of
larger files); ``compression="lzf"`` or ``"gzip"`` trades read speed for size (depth and segmentation maps
shrink the most). Each dataset carries its attributes natively where HDF5 can hold
them, and all of them as JSON in the attribute ``_rvsim_json`` (the canonical copy compared with the manifest).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from rvsim.data.manifest import ShardInfo, check_shard_file_name, fsync_dir, sha256_file
from rvsim.data.schema import FieldSpec, check_field_name, json_attrs, schema_version_of
from rvsim.errors import DatasetError

__all__ = ["write_shard_file", "read_shard_header", "ShardHeader", "DEFAULT_ALLOW_INF", "JSON_ATTR", "COMPRESSIONS"]

#: Fields in which infinite values are legitimate (depth is ``inf`` where a camera ray hits nothing).
DEFAULT_ALLOW_INF: frozenset[str] = frozenset({"image/depth"})

#: Name of the per-dataset HDF5 attribute holding the field's attributes as JSON.
JSON_ATTR: str = "_rvsim_json"

#: Arrays with at least this many bytes per sample are chunked one sample per chunk (and compressed, if asked).
_CHUNK_MIN_SAMPLE_BYTES = 4096

#: ``compression`` choices of :func:`write_shard_file` and the h5py filter settings they map to.
COMPRESSIONS: dict[str | None, dict[str, Any]] = {
    None: {},
    "lzf": {"compression": "lzf"},
    "gzip": {"compression": "gzip", "compression_opts": 1, "shuffle": True},
}


@dataclass(frozen=True)
class ShardHeader:
    """What a shard file holds, read without loading its arrays.

    Attributes:
        arrays: ``field -> (dtype name, full shape (N, ...))`` of every array.
        attrs: ``field -> {attribute: JSON value}``.
        root: Root attributes (``schema_version``, ``first_index``, ``count``) as Python ints.
    """

    arrays: dict[str, tuple[str, tuple[int, ...]]]
    attrs: dict[str, dict[str, Any]]
    root: dict[str, Any]

    @property
    def fields(self) -> dict[str, FieldSpec]:
        """The per-sample field specs."""
        return {k: FieldSpec(dtype=d, shape=tuple(s[1:])) for k, (d, s) in self.arrays.items()}


def _validate_arrays(
    arrays: Mapping[str, Any], allow_inf: Collection[str]
) -> tuple[dict[str, np.ndarray], int]:
    if not isinstance(arrays, Mapping) or not arrays:
        raise DatasetError(f"a shard needs at least one array. Received: {arrays!r}")
    out: dict[str, np.ndarray] = {}
    n: int | None = None
    first_name = ""
    for name in sorted(arrays):
        check_field_name(name)
        a = np.asarray(arrays[name])
        FieldSpec.of(a)  # dtype and leading-axis checks
        if n is None:
            n, first_name = a.shape[0], name
        elif a.shape[0] != n:
            raise DatasetError(
                f"every array of a shard must have the same number of samples N (first axis). "
                f"Received: {first_name} has N={n}, {name} has N={a.shape[0]}"
            )
        if a.dtype.kind in "fc" and a.size:
            flat = a.reshape(a.shape[0], -1)
            nan_rows = np.flatnonzero(np.isnan(flat).any(axis=1))
            if nan_rows.size:
                raise DatasetError(f"field {name} holds NaN. Received: NaN in sample {int(nan_rows[0])} of the shard")
            if name not in allow_inf:
                inf_rows = np.flatnonzero(np.isinf(flat).any(axis=1))
                if inf_rows.size:
                    raise DatasetError(
                        f"field {name} holds inf. Received: inf in sample {int(inf_rows[0])} of the shard"
                    )
        out[name] = a
    assert n is not None
    if n < 1:
        raise DatasetError(f"a shard must hold at least one sample. Received: N={n}")
    return out, n


def _set_native_attr(dset: h5py.Dataset, key: str, value: Any) -> None:
    """Store an attribute natively when HDF5 can (numbers, strings, numeric arrays, string lists)."""
    if key == JSON_ATTR:
        return
    try:
        if isinstance(value, (bool, int, float, str)):
            dset.attrs[key] = value
        elif isinstance(value, list):
            arr = np.asarray(value)
            if arr.dtype.kind in "biuf":
                dset.attrs[key] = arr
            elif arr.dtype.kind == "U":
                dset.attrs.create(key, arr.astype(object), dtype=h5py.string_dtype())
    except (TypeError, ValueError, OverflowError):
        pass  # the JSON copy still holds it


def write_shard_file(
    path: str | os.PathLike[str],
    arrays: Mapping[str, np.ndarray],
    attrs: Mapping[str, Mapping[str, Any]] | None,
    first_index: int,
    *,
    allow_inf: Collection[str] = DEFAULT_ALLOW_INF,
    compression: str | None = None,
) -> ShardInfo:
    """Write one shard atomically and return its :class:`ShardInfo` (with sha256).

    Args:
        path: Final path of the shard, e.g. ``DIR/shard-00003.h5``; its folder must exist.
        arrays: ``"group/name" -> array (N, ...)``; every array has the same sample count ``N >= 1``.
        attrs: ``"group/name" -> {attribute: value}`` (units, axis values); fields may be left out.
        first_index: Dataset index of the shard's first sample.
        allow_inf: Fields in which ``inf`` is allowed (NaN never is).
        compression: ``None`` (fastest reads), ``"lzf"`` or ``"gzip"`` (level 1, byte shuffle) for the
            per-sample-chunked arrays (those of at least 4 KiB per sample).

    Returns:
        ``ShardInfo(file=path.name, first_index, count=N, sha256)``.

    Raises:
        DatasetError: If the arrays disagree on ``N``, have a non-numeric dtype, hold NaN (or inf outside
            ``allow_inf``; the message names the field and the sample), or attrs name unknown fields.
    """
    path = Path(path)
    check_shard_file_name(path.name)
    if compression not in COMPRESSIONS:
        raise DatasetError(f"compression must be one of {list(COMPRESSIONS)}. Received: compression={compression!r}")
    if not isinstance(first_index, (int, np.integer)) or isinstance(first_index, bool) or first_index < 0:
        raise DatasetError(f"first_index must be an integer >= 0. Received: first_index={first_index!r}")
    first_index = int(first_index)
    checked, n = _validate_arrays(arrays, frozenset(allow_inf))
    attrs = attrs or {}
    unknown = sorted(set(attrs) - set(checked))
    if unknown:
        raise DatasetError(f"attrs given for fields that are not arrays of the shard. Received: {unknown}")
    jattrs = {name: json_attrs(attrs.get(name), field=name) for name in checked}
    if not path.parent.is_dir():
        raise DatasetError(f"the shard's folder does not exist. Received: {path}")

    tmp = path.with_name(f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["schema_version"] = np.int64(schema_version_of(checked))  # 2 for frames of sequences
            f.attrs["first_index"] = np.int64(first_index)
            f.attrs["count"] = np.int64(n)
            for name, a in checked.items():
                sample_bytes = a.dtype.itemsize * (a.size // n)
                if sample_bytes >= _CHUNK_MIN_SAMPLE_BYTES:
                    dset = f.create_dataset(name, data=a, chunks=(1, *a.shape[1:]), **COMPRESSIONS[compression])
                else:
                    dset = f.create_dataset(name, data=a)
                dset.attrs[JSON_ATTR] = json.dumps(jattrs[name], sort_keys=True)
                for key, value in jattrs[name].items():
                    _set_native_attr(dset, key, value)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        digest = sha256_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return ShardInfo(file=path.name, first_index=first_index, count=n, sha256=digest)


def read_shard_header(path: str | os.PathLike[str] | h5py.File) -> ShardHeader:
    """Read a shard's array names, dtypes, shapes, attributes and root attributes (not the arrays).

    Args:
        path: The shard file, or an open ``h5py.File``.

    Raises:
        DatasetError: If the file cannot be opened as HDF5 or its attributes are malformed.
    """
    if isinstance(path, h5py.File):
        return _read_header(path)
    try:
        with h5py.File(path, "r") as f:
            return _read_header(f)
    except OSError as exc:
        raise DatasetError(f"cannot open the shard as HDF5 ({exc}). Received: {path}") from exc


def _read_header(f: h5py.File) -> ShardHeader:
    arrays: dict[str, tuple[str, tuple[int, ...]]] = {}
    attrs: dict[str, dict[str, Any]] = {}
    problems: list[str] = []

    def visit(name: str, obj: Any) -> None:
        if isinstance(obj, h5py.Dataset):
            arrays[name] = (obj.dtype.name, tuple(int(s) for s in obj.shape))
            raw = obj.attrs.get(JSON_ATTR, "{}")
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8")
            try:
                value = json.loads(raw)
            except (TypeError, json.JSONDecodeError):
                problems.append(name)
                value = {}
            attrs[name] = value if isinstance(value, dict) else {}

    f.visititems(visit)
    if problems:
        raise DatasetError(f"malformed {JSON_ATTR} attribute on {problems}. Received: {f.filename}")
    root: dict[str, Any] = {}
    for key in ("schema_version", "first_index", "count"):
        if key in f.attrs:
            value = f.attrs[key]
            root[key] = value.item() if isinstance(value, np.generic) else value
    return ShardHeader(arrays=arrays, attrs=attrs, root=root)
