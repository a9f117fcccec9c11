from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from rvsim.data import Dataset, FieldSpec
from rvsim.errors import DatasetError, InputError

from .conftest import CLASS_NAMES, SCENE, build_dataset, make_arrays


def test_metadata(dataset_dir: Path) -> None:
    with Dataset.open(dataset_dir) as ds:
        assert len(ds) == 10 and ds.seed == 0 and ds.complete
        assert ds.class_names == CLASS_NAMES
        assert ds.fields["radio/cfr"] == FieldSpec("complex64", (4, 8))
        assert ds.fields["labels/num_objects"] == FieldSpec("int32", ())
        assert ds.manifest["scene"] == SCENE
        assert [(s.file, s.first_index, s.count) for s in ds.shards] == [
            ("shard-00000.h5", 0, 4), ("shard-00001.h5", 4, 4), ("shard-00002.h5", 8, 2)]
        a = ds.attrs("radio/range_angle")
        assert a["units"] == "dB" and np.allclose(a["range_bins_m"], np.linspace(0.25, 4.0, 8))
        assert ds.attrs("labels/obj_class") == {}
        with pytest.raises(InputError, match="unknown field"):
            ds.attrs("radio/nope")


def test_read_returns_exactly_what_was_written(dataset_dir: Path) -> None:
    ref = make_arrays(np.arange(10))
    order = np.array([9, 3, 4, 3, 0, 8, 7, 1, 5])  # unsorted, repeated, across all three shards
    with Dataset(dataset_dir) as ds:
        for name, spec in ds.fields.items():
            got = ds.read(name, order)
            assert got.dtype == ref[name].dtype == np.dtype(spec.dtype), name
            assert got.shape == (order.size, *spec.shape)
            np.testing.assert_array_equal(got, ref[name][order], err_msg=name)
            np.testing.assert_array_equal(ds.read(name, np.arange(10)), ref[name], err_msg=name)
        assert ds.read("image/rgb", []).shape == (0, 32, 48, 3)
        sample = ds[-1]
        assert set(sample) == set(ds.fields)
        for name in ref:
            np.testing.assert_array_equal(sample[name], ref[name][9])
        assert np.isinf(ds.read("image/depth", [2])).any()  # inf survives
        batch = ds.batch([6, 2], fields=["labels/class_counts", "meta/index"])
        assert list(batch) == ["labels/class_counts", "meta/index"]
        np.testing.assert_array_equal(batch["meta/index"], [6, 2])


def test_sparse_reads_of_larger_dataset(tmp_path: Path) -> None:
    build_dataset(tmp_path / "ds", num_samples=40, shard_size=16)
    ref = make_arrays(np.arange(40))
    rng = np.random.default_rng(0)
    with Dataset(tmp_path / "ds") as ds:
        for idx in (np.array([0, 15, 16, 39]), rng.permutation(40)[:13], np.arange(3, 30, 5), np.arange(40)[::-1]):
            for name in ("image/rgb", "labels/obj_class", "radio/cfr"):
                np.testing.assert_array_equal(ds.read(name, idx), ref[name][idx])


def test_bad_indices(dataset_dir: Path) -> None:
    with Dataset(dataset_dir) as ds:
        with pytest.raises(InputError, match=r"in \[0, 10\)"):
            ds.read("meta/index", [3, 10])
        with pytest.raises(InputError, match="in "):
            ds.read("meta/index", [-1])
        with pytest.raises(InputError, match="1-D sequence of integers"):
            ds.read("meta/index", [0.5])
        with pytest.raises(IndexError):
            ds[10]
        with pytest.raises(InputError, match="unknown field"):
            ds.read("radio/beam_power", [0])


def test_iter_batches_covers_each_sample_once(dataset_dir: Path) -> None:
    with Dataset(dataset_dir) as ds:
        batches = list(ds.iter_batches(3, fields="meta/index"))
        assert [len(b["meta/index"]) for b in batches] == [3, 3, 3, 1]
        np.testing.assert_array_equal(np.concatenate([b["meta/index"] for b in batches]), np.arange(10))
        order = np.random.default_rng(1).permutation(10)
        seen = np.concatenate([b["meta/index"] for b in ds.iter_batches(4, ["meta/index"], indices=order)])
        np.testing.assert_array_equal(seen, order)
        full = list(ds.iter_batches(100))
        assert len(full) == 1 and set(full[0]) == set(ds.fields)
        with pytest.raises(InputError, match="batch_size"):
            next(ds.iter_batches(0))


def test_incomplete_dataset_is_refused_unless_allowed(tmp_path: Path) -> None:
    build_dataset(tmp_path / "ds", skip=(1,))
    with pytest.raises(DatasetError, match=r"incomplete \(6 of 10 samples.*rvsim generate \.\.\. --resume"):
        Dataset(tmp_path / "ds")
    with Dataset(tmp_path / "ds", allow_incomplete=True) as ds:
        np.testing.assert_array_equal(ds.read("meta/index", [0, 9]), [0, 9])
        with pytest.raises(DatasetError, match="sample 4 is in no recorded shard"):
            ds.read("meta/index", [0, 4])


def test_missing_shard_file(dataset_dir: Path) -> None:
    (dataset_dir / "shard-00001.h5").unlink()
    with pytest.raises(DatasetError, match=r"1 shard file\(s\) .* missing: \['shard-00001.h5'\]"):
        Dataset(dataset_dir)
    with Dataset(dataset_dir, allow_incomplete=True) as ds:
        assert ds.verify() == ["shard-00001.h5: missing"]


def test_not_a_dataset(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        Dataset(tmp_path / "nope")
    with pytest.raises(DatasetError, match="manifest.json not found"):
        Dataset(tmp_path)


def edit_manifest(ds_dir: Path, **changes: object) -> None:
    path = ds_dir / "manifest.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_manifest_pointing_outside_is_rejected(dataset_dir: Path) -> None:
    data = json.loads((dataset_dir / "manifest.json").read_text())
    shutil.copy(dataset_dir / "shard-00000.h5", dataset_dir.parent / "x.h5")
    data["shards"][0]["file"] = "../x.h5"
    edit_manifest(dataset_dir, shards=data["shards"])
    with pytest.raises(DatasetError, match=r"plain file name inside the dataset folder.*'\.\./x\.h5'"):
        Dataset(dataset_dir)


def test_symlinked_shard_outside_is_rejected(dataset_dir: Path) -> None:
    outside = dataset_dir.parent / "elsewhere.h5"
    (dataset_dir / "shard-00000.h5").rename(outside)
    (dataset_dir / "shard-00000.h5").symlink_to(outside)
    with pytest.raises(DatasetError, match="outside the dataset folder"):
        Dataset(dataset_dir)


def test_schema_version_mismatch_is_rejected(dataset_dir: Path) -> None:
    edit_manifest(dataset_dir, schema_version=3)
    with pytest.raises(DatasetError, match=r"schema_version 3 is not supported by this rvsim \(supports 1, 2\)"):
        Dataset(dataset_dir)
    edit_manifest(dataset_dir, schema_version=2)  # version 2 is a dataset of sequences: it must hold meta/sequence
    with pytest.raises(DatasetError, match=r"schema_version 2 does not match its fields"):
        Dataset(dataset_dir)


def test_verify_clean(dataset_dir: Path) -> None:
    with Dataset(dataset_dir) as ds:
        assert ds.verify() == []


def test_verify_catches_truncated_shard(dataset_dir: Path) -> None:
    path = dataset_dir / "shard-00001.h5"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match=r"shard shard-00001.h5 is not a readable rvsim shard .*rvsim verify"):
        Dataset(dataset_dir)  # refused when opened
    with Dataset(dataset_dir, check_structure=False) as ds:
        problems = ds.verify()
    assert len(problems) == 1
    assert problems[0].startswith("shard-00001.h5: sha256 mismatch")
    assert "cannot be read as HDF5" in problems[0]


def test_open_with_check_hashes(dataset_dir: Path) -> None:
    Dataset(dataset_dir, check_hashes=True).close()
    path = dataset_dir / "shard-00000.h5"
    data = bytearray(path.read_bytes())
    data[200] ^= 0x01
    path.write_bytes(bytes(data))
    Dataset(dataset_dir).close()  # opening does not hash by default
    with pytest.raises(DatasetError, match="1 shard.s. fail verification: shard-00000.h5: sha256 mismatch"):
        Dataset(dataset_dir, check_hashes=True)


def test_verify_catches_bit_flip(dataset_dir: Path) -> None:
    with Dataset(dataset_dir) as ds:
        ds.read("image/rgb", np.arange(10))  # handles open and cached before the corruption
        path = dataset_dir / "shard-00002.h5"
        data = bytearray(path.read_bytes())
        data[-100] ^= 0x01
        path.write_bytes(bytes(data))
        problems = ds.verify()
    assert len(problems) == 1 and problems[0].startswith("shard-00002.h5: sha256 mismatch")


def test_verify_catches_schema_drift(tmp_path: Path) -> None:
    """A shard swapped for one with other contents, its sha256 updated in the manifest: schema checks still fire."""
    from rvsim.data import write_shard_file

    out = tmp_path / "ds"
    build_dataset(out)
    arrays = make_arrays(np.arange(4, 8))
    arrays["radio/cfr"] = arrays["radio/cfr"][:, :2]
    arrays["meta/index"] = arrays["meta/index"] + 1
    info = write_shard_file(out / "shard-00001.h5", arrays, {}, 5)
    data = json.loads((out / "manifest.json").read_text())
    data["shards"][1]["sha256"] = info.sha256
    edit_manifest(out, shards=data["shards"])
    with pytest.raises(DatasetError, match=r"shard shard-00001.h5 does not hold what the manifest says") as err:
        Dataset(out)  # refused when opened, from the HDF5 metadata
    assert "radio/cfr: per-sample shape (2, 8)" in str(err.value) and "\n" not in str(err.value)
    with Dataset(out, check_structure=False) as ds:
        problems = ds.verify()
        with pytest.raises(DatasetError, match="does not match the manifest"):
            ds.read("radio/cfr", [5])
    assert len(problems) == 1
    line = problems[0]
    assert line.startswith("shard-00001.h5: ")
    for part in ("root attribute first_index=5 (expected 4)", "radio/cfr: per-sample shape (2, 8)",
                 "radio/range_angle: attributes differ", "meta/index is not 4..7"):
        assert part in line


def test_pickle_round_trip(dataset_dir: Path) -> None:
    with Dataset(dataset_dir) as ds:
        ds.read("meta/index", [0, 5])
        clone = pickle.loads(pickle.dumps(ds))
    np.testing.assert_array_equal(clone.read("meta/index", [9, 1]), [9, 1])
    clone.close()


def test_lru_closes_old_files(tmp_path: Path) -> None:
    build_dataset(tmp_path / "ds", num_samples=12, shard_size=2)
    with Dataset(tmp_path / "ds", max_open_files=2) as ds:
        np.testing.assert_array_equal(ds.read("meta/index", np.arange(12)[::-1]), np.arange(12)[::-1])
        assert len(ds._files) == 2
