from __future__ import annotations

import hashlib
import os
from pathlib import Path

import h5py
import numpy as np
import pytest

from rvsim.data import write_shard_file
from rvsim.data.shard_writer import JSON_ATTR, read_shard_header
from rvsim.errors import DatasetError

from .conftest import ATTRS, make_arrays


def test_write_and_read_back_exactly(tmp_path: Path) -> None:
    arrays = make_arrays(np.arange(8, 13))
    info = write_shard_file(tmp_path / "shard-00002.h5", arrays, ATTRS, first_index=8)
    assert (info.file, info.first_index, info.count) == ("shard-00002.h5", 8, 5)
    assert info.sha256 == hashlib.sha256((tmp_path / "shard-00002.h5").read_bytes()).hexdigest()
    with h5py.File(tmp_path / "shard-00002.h5", "r") as f:
        assert {k: int(v) for k, v in f.attrs.items()} == {"schema_version": 1, "first_index": 8, "count": 5}
        for name, a in arrays.items():
            back = f[name][...]
            assert back.dtype == a.dtype and np.array_equal(back, a), name
        # image arrays: one sample per chunk, uncompressed by default; small arrays contiguous
        assert f["image/rgb"].chunks == (1, 32, 48, 3) and f["image/rgb"].compression is None
        assert f["labels/obj_class"].chunks is None
        np.testing.assert_array_equal(
            f["radio/range_angle"].attrs["range_bins_m"], ATTRS["radio/range_angle"]["range_bins_m"]
        )
        assert f["radio/range_angle"].attrs["units"] == "dB"
        assert JSON_ATTR in f["radio/cfr"].attrs
    header = read_shard_header(tmp_path / "shard-00002.h5")
    assert header.root == {"schema_version": 1, "first_index": 8, "count": 5}
    assert header.arrays["radio/cfr"] == ("complex64", (5, 4, 8))
    assert header.attrs["radio/range_angle"]["units"] == "dB"
    assert header.attrs["labels/num_objects"] == {}
    assert not list(tmp_path.glob("*.tmp"))


def test_inf_allowed_in_depth(tmp_path: Path) -> None:
    arrays = make_arrays(np.arange(0, 3))
    assert np.isinf(arrays["image/depth"]).any()
    write_shard_file(tmp_path / "shard-00000.h5", arrays, {}, 0)


@pytest.mark.parametrize(
    "field, bad",
    [("radio/range_angle", np.nan), ("radio/cfr", np.nan), ("image/depth", np.nan), ("radio/range_angle", -np.inf)],
)
def test_nan_and_inf_refused_with_field_and_sample(tmp_path: Path, field: str, bad: float) -> None:
    arrays = make_arrays(np.arange(0, 4))
    arrays[field][2].flat[3] = bad
    with pytest.raises(DatasetError, match=rf"field {field} holds (NaN|inf).*sample 2 of the shard"):
        write_shard_file(tmp_path / "shard-00000.h5", arrays, {}, 0)
    assert list(tmp_path.iterdir()) == []


def test_sample_axis_mismatch(tmp_path: Path) -> None:
    arrays = make_arrays(np.arange(0, 4))
    arrays["labels/obj_class"] = arrays["labels/obj_class"][:3]
    with pytest.raises(DatasetError, match="same number of samples N"):
        write_shard_file(tmp_path / "shard-00000.h5", arrays, {}, 0)


def test_bad_inputs(tmp_path: Path) -> None:
    arrays = make_arrays(np.arange(0, 2))
    with pytest.raises(DatasetError, match="attrs given for fields"):
        write_shard_file(tmp_path / "s.h5", arrays, {"radio/nope": {}}, 0)
    with pytest.raises(DatasetError, match="first_index"):
        write_shard_file(tmp_path / "s.h5", arrays, {}, -1)
    with pytest.raises(DatasetError, match="numeric or bool"):
        write_shard_file(tmp_path / "s.h5", {"meta/name": np.array(["a", "b"])}, {}, 0)
    with pytest.raises(DatasetError, match="folder does not exist"):
        write_shard_file(tmp_path / "nope" / "s.h5", arrays, {}, 0)
    assert list(tmp_path.iterdir()) == []


def test_crash_in_replace_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_shard_file(tmp_path / "shard-00000.h5", make_arrays(np.arange(4)), ATTRS, 0)
    assert list(tmp_path.iterdir()) == []


def test_crash_mid_write_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    final = tmp_path / "shard-00000.h5"
    write_shard_file(final, make_arrays(np.arange(4)), ATTRS, 0)
    before = final.read_bytes()
    real_create = h5py.Group.create_dataset
    calls = {"n": 0}

    def create_then_crash(self: h5py.Group, name: str, *args: object, **kwargs: object) -> h5py.Dataset:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("killed mid-write")
        return real_create(self, name, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", create_then_crash)
    with pytest.raises(RuntimeError, match="killed mid-write"):
        write_shard_file(final, make_arrays(np.arange(4), seed=9), ATTRS, 0)
    assert calls["n"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shard-00000.h5"]
    assert final.read_bytes() == before


def test_read_header_of_non_hdf5(tmp_path: Path) -> None:
    bad = tmp_path / "shard-00000.h5"
    bad.write_bytes(b"not hdf5 at all")
    with pytest.raises(DatasetError, match="cannot open the shard as HDF5"):
        read_shard_header(bad)


@pytest.mark.parametrize("compression", ["lzf", "gzip"])
def test_compression_round_trip(tmp_path: Path, compression: str) -> None:
    arrays = make_arrays(np.arange(3))
    write_shard_file(tmp_path / "shard-00000.h5", arrays, ATTRS, 0, compression=compression)
    with h5py.File(tmp_path / "shard-00000.h5", "r") as f:
        assert f["image/rgb"].compression == compression
        for name, a in arrays.items():
            np.testing.assert_array_equal(f[name][...], a)
    with pytest.raises(DatasetError, match="compression must be one of"):
        write_shard_file(tmp_path / "shard-00001.h5", arrays, ATTRS, 0, compression="zstd")
