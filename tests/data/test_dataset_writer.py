from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rvsim.data import DatasetWriter, ShardInfo, write_shard_file
from rvsim.data.dataset_writer import VERSIONED_PACKAGES, package_versions
from rvsim.data.manifest import JOURNAL_NAME, Manifest
from rvsim.errors import DatasetError, InputError

from .conftest import ATTRS, CLASS_NAMES, SCENE, build_dataset, make_arrays


def new_writer(out: Path, **kw: object) -> DatasetWriter:
    args: dict[str, object] = dict(scene=SCENE, seed=0, num_samples=10, shard_size=4, class_names=CLASS_NAMES)
    args.update(kw)
    return DatasetWriter(out, **args)  # type: ignore[arg-type]


def test_plan_and_manifest_keys(tmp_path: Path) -> None:
    w = new_writer(tmp_path / "new" / "ds")
    assert w.shard_ranges() == [(0, 0, 4), (1, 4, 4), (2, 8, 2)]
    assert w.pending_shards() == w.shard_ranges()
    assert w.shard_path(2) == tmp_path / "new" / "ds" / "shard-00002.h5"
    with pytest.raises(InputError, match="shard number"):
        w.shard_path(3)
    data = json.loads((tmp_path / "new" / "ds" / "manifest.json").read_text())
    assert set(data) == {"format", "schema_version", "complete", "created", "scene", "seed", "num_samples",
                         "shard_size", "class_names", "versions", "fields", "attrs", "shards"}
    assert data["complete"] is False and data["shards"] == [] and data["fields"] == {}
    assert data["scene"] == SCENE and data["class_names"] == CLASS_NAMES
    assert list(data["versions"]) == list(VERSIONED_PACKAGES)


def test_record_and_finalize(tmp_path: Path) -> None:
    w = build_dataset(tmp_path / "ds", finalize=False)
    assert w.pending_shards() == []
    data = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    assert data["complete"] is False and [s["file"] for s in data["shards"]] == ["shard-00000.h5"]
    assert data["fields"]["radio/cfr"] == {"dtype": "complex64", "shape": [4, 8]}
    assert data["attrs"]["radio/range_angle"]["units"] == "dB"
    assert data["attrs"]["radio/range_angle"]["angle_bins_deg"] == pytest.approx(list(np.linspace(-60, 60, 6)))
    journal = (tmp_path / "ds" / JOURNAL_NAME).read_text().splitlines()  # the later shards: one line each
    assert [json.loads(line)["file"] for line in journal] == ["shard-00001.h5", "shard-00002.h5"]
    read = Manifest.read(tmp_path / "ds")
    assert [s.file for s in read.shards] == ["shard-00000.h5", "shard-00001.h5", "shard-00002.h5"]
    assert read.shards == w.manifest.shards
    m = w.finalize()
    assert m.complete
    data = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    assert data["complete"] is True and [s["file"] for s in data["shards"]] == [s.file for s in read.shards]
    assert not (tmp_path / "ds" / JOURNAL_NAME).exists()  # folded into the complete manifest


def test_later_shards_do_not_rewrite_the_manifest(tmp_path: Path) -> None:
    """Recording costs the same at every shard: after the first, the manifest is not rewritten, the journal
    grows by one line."""
    out = tmp_path / "ds"
    w = new_writer(out, num_samples=40, shard_size=4)
    sizes = []
    for k, first, count in w.pending_shards():
        w.record(write_shard_file(w.shard_path(k), make_arrays(np.arange(first, first + count)), ATTRS, first))
        if k == 0:
            manifest_bytes = (out / "manifest.json").read_bytes()
        else:
            assert (out / "manifest.json").read_bytes() == manifest_bytes
            sizes.append((out / JOURNAL_NAME).stat().st_size)
    lines = np.diff([0, *sizes])
    assert lines.size == 9 and lines.min() > 0 and lines.max() - lines.min() <= 2  # one line of constant size
    assert len(Manifest.read(out).shards) == 10


def test_torn_journal_line_is_ignored_and_resume_rewrites_the_shard(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    w = build_dataset(out, skip=(2,))
    good = (out / JOURNAL_NAME).read_bytes()
    write_shard_file(w.shard_path(2), make_arrays(np.arange(8, 10)), ATTRS, 8)
    with open(out / JOURNAL_NAME, "ab") as f:  # killed while appending shard 2's line
        f.write(b'{"file":"shard-00002.h5","first_index":8,"co')
    assert [s.file for s in Manifest.read(out).shards] == ["shard-00000.h5", "shard-00001.h5"]
    w2 = new_writer(out, resume=True)
    assert w2.pending_shards() == [(2, 8, 2)]
    assert not (out / JOURNAL_NAME).exists()  # resume folded the journal into the manifest
    assert [s["file"] for s in json.loads((out / "manifest.json").read_text())["shards"]] == [
        "shard-00000.h5", "shard-00001.h5"]
    assert good.count(b"\n") == 1
    build_dataset(out, resume=True)
    assert Manifest.read(out).complete and len(Manifest.read(out).shards) == 3


def test_append_after_a_torn_line_drops_the_tail(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    w = build_dataset(out, skip=(1, 2))
    with open(out / JOURNAL_NAME, "ab") as f:
        f.write(b'{"file":"shard-0000')
    w.record(write_shard_file(w.shard_path(1), make_arrays(np.arange(4, 8)), ATTRS, 4))
    lines = (out / JOURNAL_NAME).read_bytes().split(b"\n")
    assert lines[-1] == b"" and [json.loads(x)["file"] for x in lines[:-1]] == ["shard-00001.h5"]


def test_bad_journal_line_is_a_dataset_error(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    build_dataset(out, skip=(2,))
    with open(out / JOURNAL_NAME, "ab") as f:
        f.write(b'{"file": "../elsewhere.h5", "first_index": 8, "count": 2, "sha256": "' + b"0" * 64 + b'"}\n')
    with pytest.raises(DatasetError, match=r"shards.jsonl line 2"):
        Manifest.read(out)
    (out / JOURNAL_NAME).write_bytes(b"not json\n")
    with pytest.raises(DatasetError, match=r"shard journal line 1 is not valid JSON"):
        Manifest.read(out)


def test_finalize_with_pending_shards_fails(tmp_path: Path) -> None:
    w = build_dataset(tmp_path / "ds", skip=(1,))
    assert w.pending_shards() == [(1, 4, 4)]
    with pytest.raises(DatasetError, match=r"1 of 3 shards are not recorded.*shard-00001.h5"):
        w.finalize()


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"seed": -1}, "seed"),
        ({"num_samples": 0}, "num_samples"),
        ({"shard_size": 2.0}, "shard_size"),
        ({"class_names": ["a", "a"]}, "unique"),
        ({"class_names": "person"}, "class_names"),
        ({"scene": {"x": float("nan")}}, "JSON-able"),
    ],
)
def test_bad_arguments_write_nothing(tmp_path: Path, kw: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        new_writer(tmp_path / "ds", **kw)
    assert not (tmp_path / "ds").exists()


def test_unrelated_non_empty_folder_is_never_touched(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    for resume in (False, True):
        with pytest.raises(InputError, match="not empty and holds no rvsim dataset"):
            new_writer(tmp_path, resume=resume)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match="is a file"):
        new_writer(tmp_path / "afile")


def test_existing_dataset_needs_resume(tmp_path: Path) -> None:
    build_dataset(tmp_path / "ds")
    before = (tmp_path / "ds" / "manifest.json").read_bytes()
    with pytest.raises(InputError, match="use --resume to continue it or choose a new folder"):
        new_writer(tmp_path / "ds")
    assert (tmp_path / "ds" / "manifest.json").read_bytes() == before


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"seed": 5}, "seed 0 in the dataset vs 5 requested"),
        ({"num_samples": 12}, "num_samples 10 in the dataset vs 12"),
        ({"shard_size": 5}, "shard_size 4 in the dataset vs 5"),
        ({"scene": {**SCENE, "max_objects": 4}}, "scene differs at max_objects"),
        ({"scene": {**SCENE, "room": {"size_m": [1, 2, 3]}}}, r"scene differs at room\.size_m"),
        ({"class_names": ["person", "chair"]}, "class_names"),
    ],
)
def test_resume_with_different_settings_is_refused(tmp_path: Path, kw: dict, match: str) -> None:
    build_dataset(tmp_path / "ds", skip=(2,))
    with pytest.raises(InputError, match=match):
        new_writer(tmp_path / "ds", resume=True, **kw)


def test_resume_keeps_good_shards_drops_corrupt_and_tmp(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    build_dataset(out, skip=(2,))
    good = (out / "shard-00000.h5").read_bytes()
    corrupt = bytearray((out / "shard-00001.h5").read_bytes())
    corrupt[len(corrupt) // 2] ^= 0xFF
    (out / "shard-00001.h5").write_bytes(bytes(corrupt))
    (out / "shard-00002.h5.123-abcd.tmp").write_bytes(b"half a shard")

    w = new_writer(out, resume=True)
    assert w.pending_shards() == [(1, 4, 4), (2, 8, 2)]
    assert [s.file for s in w.manifest.shards] == ["shard-00000.h5"]
    assert not list(out.glob("*.tmp"))
    assert not (out / "shard-00001.h5").exists()
    assert (out / "shard-00000.h5").read_bytes() == good

    build_dataset(out, resume=True)  # finishes only the pending shards
    data = json.loads((out / "manifest.json").read_text())
    assert data["complete"] is True and [s["file"] for s in data["shards"]] == [
        "shard-00000.h5", "shard-00001.h5", "shard-00002.h5"]
    assert (out / "shard-00000.h5").read_bytes() == good


def test_resume_of_complete_dataset_keeps_it_complete(tmp_path: Path) -> None:
    build_dataset(tmp_path / "ds")
    w = new_writer(tmp_path / "ds", resume=True)
    assert w.pending_shards() == [] and w.manifest.complete


def test_record_rejects_changed_file_and_wrong_place(tmp_path: Path) -> None:
    w = new_writer(tmp_path / "ds")
    info = write_shard_file(w.shard_path(0), make_arrays(np.arange(4)), ATTRS, 0)
    with pytest.raises(DatasetError, match="changed after it was written"):
        w.record(ShardInfo(info.file, 0, 4, "f" * 64))
    with pytest.raises(DatasetError, match="planned shards"):
        w.record(ShardInfo(info.file, 4, 4, info.sha256))
    with pytest.raises(DatasetError, match="planned shards"):
        w.record(ShardInfo("shard-00000.h5", 0, 3, info.sha256))
    assert w.manifest.shards == []
    w.record(info)
    assert w.manifest.shards == [info]


def test_later_shards_must_match_first_shard_fields_and_attrs(tmp_path: Path) -> None:
    w = new_writer(tmp_path / "ds")
    w.record(write_shard_file(w.shard_path(0), make_arrays(np.arange(4)), ATTRS, 0))
    arrays = make_arrays(np.arange(4, 8))
    arrays["radio/cfr"] = arrays["radio/cfr"].astype(np.complex128)
    with pytest.raises(DatasetError, match="radio/cfr: dtype complex128"):
        w.record(write_shard_file(w.shard_path(1), arrays, ATTRS, 4))
    arrays = make_arrays(np.arange(4, 8))
    del arrays["meta/seed"]
    with pytest.raises(DatasetError, match=r"missing fields \['meta/seed'\]"):
        w.record(write_shard_file(w.shard_path(1), arrays, ATTRS, 4))
    attrs = {**ATTRS, "radio/range_angle": {**ATTRS["radio/range_angle"], "units": "linear"}}
    with pytest.raises(DatasetError, match="radio/range_angle: attributes differ"):
        w.record(write_shard_file(w.shard_path(1), make_arrays(np.arange(4, 8)), attrs, 4))
    assert [s.file for s in w.manifest.shards] == ["shard-00000.h5"]


def test_crash_while_writing_a_shard_leaves_no_file_and_no_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = new_writer(tmp_path / "ds")
    w.record(write_shard_file(w.shard_path(0), make_arrays(np.arange(4)), ATTRS, 0))

    def boom(src: str, dst: str) -> None:
        raise OSError("killed")

    with monkeypatch.context() as mp:
        mp.setattr(os, "replace", boom)
        with pytest.raises(OSError, match="killed"):
            write_shard_file(w.shard_path(1), make_arrays(np.arange(4, 8)), ATTRS, 4)
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["manifest.json", "shard-00000.h5"]
    data = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    assert [s["file"] for s in data["shards"]] == ["shard-00000.h5"]
    w2 = new_writer(tmp_path / "ds", resume=True)
    assert w2.pending_shards() == [(1, 4, 4), (2, 8, 2)]


def test_crash_while_writing_manifest_keeps_old_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = new_writer(tmp_path / "ds")
    before = (tmp_path / "ds" / "manifest.json").read_bytes()
    info = write_shard_file(w.shard_path(0), make_arrays(np.arange(4)), ATTRS, 0)
    real_replace = os.replace

    def boom(src: str, dst: str) -> None:
        if str(dst).endswith("manifest.json"):
            raise OSError("killed")
        real_replace(src, dst)

    with monkeypatch.context() as mp:
        mp.setattr(os, "replace", boom)
        with pytest.raises(OSError):
            w.record(info)
    assert (tmp_path / "ds" / "manifest.json").read_bytes() == before
    assert not list((tmp_path / "ds").glob("*.tmp"))
    assert w.pending_shards() == w.shard_ranges()  # memory agrees with disk
    w.record(info)
    assert [s.file for s in w.manifest.shards] == ["shard-00000.h5"]


def test_package_versions() -> None:
    v = package_versions()
    assert set(v) == set(VERSIONED_PACKAGES)
    assert v["numpy"] == np.__version__
    assert package_versions(["surely-not-installed-pkg-xyz"]) == {"surely-not-installed-pkg-xyz": None}


def test_importing_rvsim_data_is_light() -> None:
    code = (
        "import sys, rvsim.data; from rvsim.data import package_versions; package_versions(); "
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('sionna', 'mitsuba', 'drjit', 'tensorflow', "
        "'keras', 'matplotlib')]; print(heavy); sys.exit(1 if heavy else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
