"""The dataset schema: version, format name, and the per-array field specification.

A dataset field is one array of a shard, named ``"group/name"`` (e.g. ``"radio/range_angle"``). Its
:class:`FieldSpec` records the dtype and the per-sample shape (the shape without the leading sample axis ``N``).
The manifest lists the fields of the dataset; every shard must hold exactly those fields. See
``docs/dataset_schema.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rvsim.errors import DatasetError

__all__ = [
    "SCHEMA_VERSION",
    "SUPPORTED_SCHEMA_VERSIONS",
    "SEQUENCE_FIELDS",
    "schema_version_of",
    "FORMAT",
    "FieldSpec",
    "check_field_name",
    "fields_from_arrays",
    "fields_to_json",
    "fields_from_json",
    "field_problems",
    "json_attrs",
]

#: Newest version of the dataset layout. Version 2 adds sequences: a dataset whose samples are frames of
#: sequences holds :data:`SEQUENCE_FIELDS` (and is version 2); a dataset of still scenes is version 1, as before.
SCHEMA_VERSION: int = 2

#: Versions this rvsim reads and writes; readers refuse any other.
SUPPORTED_SCHEMA_VERSIONS: tuple[int, ...] = (1, 2)

#: Fields that make a dataset one of sequences (schema version 2): sequence id and frame index per sample.
SEQUENCE_FIELDS: tuple[str, ...] = ("meta/sequence", "meta/frame")


def schema_version_of(field_names: Any) -> int:
    """The schema version of a dataset or shard holding the fields ``field_names``: 2 with sequence fields, else 1."""
    return 2 if SEQUENCE_FIELDS[0] in set(field_names) else 1

#: Value of the manifest's ``"format"`` key.
FORMAT: str = "rvsim-dataset"

_NAME_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")

#: numpy dtype kinds a field may have: bool, signed/unsigned integer, float, complex.
_ALLOWED_KINDS = frozenset("biufc")


@dataclass(frozen=True)
class FieldSpec:
    """Dtype and per-sample shape of one dataset array.

    Attributes:
        dtype: numpy dtype name, e.g. ``"complex64"``, ``"float32"``, ``"uint8"``.
        shape: Shape of one sample (the array's shape without the leading sample axis), e.g. ``(4, 64)``.
    """

    dtype: str
    shape: tuple[int, ...]

    def __post_init__(self) -> None:
        try:
            dt = np.dtype(self.dtype)
        except TypeError as exc:
            raise DatasetError(
                f"FieldSpec dtype must be the name of a numeric or bool numpy dtype. Received: dtype={self.dtype!r}"
            ) from exc
        if dt.kind not in _ALLOWED_KINDS or dt.name != self.dtype:
            raise DatasetError(
                "FieldSpec dtype must be the name of a numeric or bool numpy dtype (e.g. 'float32'). "
                f"Received: dtype={self.dtype!r}"
            )
        shape = tuple(self.shape)
        if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 0 for s in shape):
            raise DatasetError(f"FieldSpec shape must be non-negative integers. Received: shape={self.shape!r}")
        object.__setattr__(self, "shape", tuple(int(s) for s in shape))

    @classmethod
    def of(cls, array: np.ndarray) -> FieldSpec:
        """The spec of an array whose first axis is the sample axis ``N``.

        Args:
            array: Array of shape ``(N, *per_sample_shape)``.
        """
        array = np.asarray(array)
        if array.ndim < 1:
            raise DatasetError(f"a field array needs a leading sample axis. Received: shape={array.shape}")
        if array.dtype.kind not in _ALLOWED_KINDS:
            raise DatasetError(
                f"a field array must have a numeric or bool dtype. Received: dtype={array.dtype.str!r}"
            )
        return cls(dtype=array.dtype.name, shape=tuple(array.shape[1:]))

    def to_json(self) -> dict[str, Any]:
        """``{"dtype": str, "shape": [int, ...]}`` as stored in the manifest."""
        return {"dtype": self.dtype, "shape": list(self.shape)}

    @classmethod
    def from_json(cls, value: Any, *, name: str = "?") -> FieldSpec:
        """Parse ``{"dtype": str, "shape": [int, ...]}`` (the manifest form)."""
        if (
            not isinstance(value, Mapping)
            or not isinstance(value.get("dtype"), str)
            or not isinstance(value.get("shape"), list)
        ):
            raise DatasetError(
                f"field {name!r} must be {{'dtype': str, 'shape': [int, ...]}}. Received: {value!r}"
            )
        return cls(dtype=value["dtype"], shape=tuple(value["shape"]))

    def __str__(self) -> str:
        return f"{self.dtype} {tuple(self.shape)}"


def check_field_name(name: str) -> str:
    """Validate a field name ``"group/name"`` (parts of letters, digits, ``_ . -``; no ``..``); return it."""
    parts = name.split("/") if isinstance(name, str) else []
    if not parts or not all(_NAME_PART.match(p) and p not in (".", "..") for p in parts):
        raise DatasetError(
            "a field name must be 'group/name' made of letters, digits, '_', '.', '-'. "
            f"Received: {name!r}"
        )
    return name


def fields_from_arrays(arrays: Mapping[str, np.ndarray]) -> dict[str, FieldSpec]:
    """Field specs of a shard's arrays (each of shape ``(N, ...)``), keyed by field name, sorted."""
    return {check_field_name(k): FieldSpec.of(arrays[k]) for k in sorted(arrays)}


def fields_to_json(fields: Mapping[str, FieldSpec]) -> dict[str, dict[str, Any]]:
    """The manifest form of a field dict."""
    return {k: fields[k].to_json() for k in sorted(fields)}


def fields_from_json(value: Any) -> dict[str, FieldSpec]:
    """Parse the manifest's ``"fields"`` object."""
    if not isinstance(value, Mapping):
        raise DatasetError(f"'fields' must be an object. Received: {type(value).__name__}")
    return {check_field_name(k): FieldSpec.from_json(v, name=k) for k, v in value.items()}


def field_problems(
    actual: Mapping[str, tuple[str, tuple[int, ...]]],
    expected: Mapping[str, FieldSpec],
    count: int,
) -> list[str]:
    """Compare a shard's arrays with the manifest's fields.

    Args:
        actual: ``name -> (dtype name, full shape including the sample axis)`` of every array in the shard.
        expected: The manifest's fields.
        count: The shard's sample count ``N`` (every array's first axis).

    Returns:
        One message per problem (missing or extra field, wrong dtype, wrong per-sample shape, wrong ``N``);
        empty if the shard matches.
    """
    problems: list[str] = []
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        problems.append(f"missing fields {missing}")
    if extra:
        problems.append(f"fields not in the manifest {extra}")
    for name in sorted(set(expected) & set(actual)):
        dtype, shape = actual[name]
        spec = expected[name]
        if dtype != spec.dtype:
            problems.append(f"{name}: dtype {dtype} (manifest: {spec.dtype})")
        if len(shape) < 1 or tuple(shape[1:]) != spec.shape:
            problems.append(f"{name}: per-sample shape {tuple(shape[1:])} (manifest: {spec.shape})")
        if len(shape) >= 1 and shape[0] != count:
            problems.append(f"{name}: {shape[0]} samples (shard count: {count})")
    return problems


def _json_value(value: Any, where: str) -> Any:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DatasetError(f"attribute {where} must be finite (JSON has no NaN/inf). Received: {value!r}")
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v, where) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json_value(v, f"{where}.{k}") for k, v in value.items()}
    raise DatasetError(
        f"attribute {where} must be JSON-able (str, number, bool, list, dict, numpy array). "
        f"Received: {type(value).__name__}"
    )


def json_attrs(attrs: Mapping[str, Any] | None, *, field: str = "?") -> dict[str, Any]:
    """The JSON form of one field's attributes: numpy arrays become (nested) lists, numpy scalars numbers.

    Args:
        attrs: ``{attribute: value}``, e.g. ``{"range_bins_m": np.ndarray (num_range_bins,), "units": "dB"}``.
        field: The field's name, for error messages.

    Raises:
        DatasetError: If a value is not JSON-able or is a non-finite float.
    """
    if attrs is None:
        return {}
    if not isinstance(attrs, Mapping):
        raise DatasetError(f"attrs of {field} must be a dict. Received: {type(attrs).__name__}")
    return {str(k): _json_value(v, f"{field}:{k}") for k, v in attrs.items()}
