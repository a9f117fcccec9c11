from __future__ import annotations

import numpy as np
import pytest

from rvsim.data.schema import (
    FieldSpec,
    check_field_name,
    field_problems,
    fields_from_arrays,
    fields_from_json,
    fields_to_json,
    json_attrs,
)
from rvsim.errors import DatasetError


def test_fieldspec_of_array_and_json_round_trip() -> None:
    spec = FieldSpec.of(np.zeros((5, 4, 8), np.complex64))
    assert spec == FieldSpec("complex64", (4, 8))
    assert spec.to_json() == {"dtype": "complex64", "shape": [4, 8]}
    assert FieldSpec.from_json(spec.to_json()) == spec
    assert FieldSpec.of(np.zeros(3, np.int64)).shape == ()


@pytest.mark.parametrize("dtype", ["<U3", "object", "f4"])
def test_fieldspec_rejects_non_numeric_or_non_canonical_dtype(dtype: str) -> None:
    with pytest.raises(DatasetError, match="dtype"):
        FieldSpec(dtype, (1,))


def test_fieldspec_rejects_negative_shape() -> None:
    with pytest.raises(DatasetError, match="shape"):
        FieldSpec("float32", (-1,))


def test_fields_from_arrays_and_json() -> None:
    arrays = {"radio/cfr": np.zeros((2, 4, 8), np.complex64), "labels/num_objects": np.zeros(2, np.int32)}
    fields = fields_from_arrays(arrays)
    assert list(fields) == ["labels/num_objects", "radio/cfr"]
    assert fields_from_json(fields_to_json(fields)) == fields


@pytest.mark.parametrize("name", ["", "radio//cfr", "../x", "radio/..", "a b", "/abs"])
def test_bad_field_names(name: str) -> None:
    with pytest.raises(DatasetError, match="field name"):
        check_field_name(name)


def test_field_problems_names_each_difference() -> None:
    expected = {"a/x": FieldSpec("float32", (3,)), "a/y": FieldSpec("int32", ()), "a/z": FieldSpec("uint8", ())}
    actual = {"a/x": ("float64", (4, 2)), "a/y": ("int32", (5,)), "a/w": ("uint8", (4,))}
    problems = field_problems(actual, expected, count=4)
    text = "\n".join(problems)
    assert "missing fields ['a/z']" in text
    assert "not in the manifest ['a/w']" in text
    assert "a/x: dtype float64" in text and "a/x: per-sample shape (2,)" in text
    assert "a/y: 5 samples (shard count: 4)" in text
    assert field_problems({"a/x": ("float32", (4, 3))}, {"a/x": FieldSpec("float32", (3,))}, 4) == []


def test_json_attrs_converts_numpy_and_rejects_nan() -> None:
    out = json_attrs({"bins": np.arange(3, dtype=np.float32), "n": np.int64(2), "units": "dB", "b": np.bool_(True)})
    assert out == {"bins": [0.0, 1.0, 2.0], "n": 2, "units": "dB", "b": True}
    assert type(out["n"]) is int
    with pytest.raises(DatasetError, match="finite"):
        json_attrs({"x": [1.0, float("nan")]}, field="radio/cfr")
    with pytest.raises(DatasetError, match="JSON-able"):
        json_attrs({"x": object()})
