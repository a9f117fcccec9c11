"""Faults during ``rvsim generate`` and bad dataset folders, at the command line: each ends in one clear line
(or a retry), nothing already written is lost or overwritten, and ``--resume`` then completes the dataset with
the arrays of an uninterrupted run. (The data layer's own unit tests in ``tests/data`` cover the reader and
writer alone.)"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

from rvsim.cli import main

from .conftest import assert_same_dataset, folder_bytes, generate_args

pytestmark = pytest.mark.rt


def _one_line(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err
    return err


def _manifest(out: Path) -> dict[str, Any]:
    """The manifest as readers see it: manifest.json with the shard journal merged in."""
    from rvsim.data.manifest import Manifest

    return Manifest.read(out).to_dict()


def _copy(reference: Path, tmp_path: Path) -> Path:
    out = tmp_path / "ds"
    shutil.copytree(reference, out)
    return out


# ---------------------------------------------------------------------------------------------- write failures
def test_disk_full_during_a_shard_write(tmp_path: Path, scene_yaml: str, reference: Path,
                                        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real = h5py.Group.create_dataset

    def create_dataset(self: h5py.Group, name: str, *args: Any, **kwargs: Any) -> Any:
        if ".tmp" in self.file.filename and "shard-00001.h5" in self.file.filename and name == "radio/cfr":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # half the shard is in its temporary file
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", create_dataset)
    out = tmp_path / "ds"
    assert main(generate_args(scene_yaml, out, 6)) == 1
    _one_line(capsys, "No space left on device", "are kept", "--resume")
    m = _manifest(out)
    assert not m["complete"] and [s["file"] for s in m["shards"]] == ["shard-00000.h5"]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "shard-00000.h5"]  # no temporary file
    first = (out / "shard-00000.h5").read_bytes()

    monkeypatch.setattr(h5py.Group, "create_dataset", real)  # space is free again
    assert main(generate_args(scene_yaml, out, 6, "--resume")) == 0
    assert_same_dataset(out, reference, prefix=True)
    assert (out / "shard-00000.h5").read_bytes() == first  # recorded shards are kept, not rewritten


def test_disk_full_while_recording_a_shard_keeps_the_shards_recorded_before(
        tmp_path: Path, scene_yaml: str, reference: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import rvsim.data.dataset_writer as writer_module
    from rvsim.data.manifest import JOURNAL_NAME

    real = writer_module.append_journal

    def append_journal(folder: Any, info: Any) -> None:  # the disk fills up half-way through the journal line
        with open(Path(folder) / JOURNAL_NAME, "ab") as f:
            f.write(b'{"file":"shard-00001.h5","first_in')
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writer_module, "append_journal", append_journal)
    out = tmp_path / "ds"
    assert main(generate_args(scene_yaml, out, 6)) == 1
    _one_line(capsys, "No space left on device")
    assert [s["file"] for s in _manifest(out)["shards"]] == ["shard-00000.h5"]  # the torn line is not a record
    assert (out / "shard-00001.h5").is_file()  # written but never recorded: --resume makes it again

    monkeypatch.setattr(writer_module, "append_journal", real)
    assert main(generate_args(scene_yaml, out, 6, "--resume")) == 0
    assert_same_dataset(out, reference, prefix=True)


@pytest.mark.parametrize("field, value, word", [("radio/range_angle", np.nan, "NaN"),
                                                ("radio/cfr", np.inf, "inf"),
                                                ("image/depth", np.nan, "NaN")])
def test_nan_or_inf_in_a_sample_stops_before_its_shard_is_written(
        tmp_path: Path, scene_yaml: str, reference: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], field: str, value: float, word: str) -> None:
    from rvsim.sim.sample_generator import SampleGenerator

    real = SampleGenerator.generate

    def generate(self: SampleGenerator, indices: Any) -> dict[str, np.ndarray]:
        arrays = real(self, indices)
        hit = np.flatnonzero(np.asarray(indices) == 3)
        if hit.size:
            arrays[field][hit[0]].flat[5] = value
        return arrays

    monkeypatch.setattr(SampleGenerator, "generate", generate)
    out = tmp_path / "ds"
    assert main(generate_args(scene_yaml, out, 6)) == 1
    _one_line(capsys, f"produced {word} in {field} of sample 3 (dataset seed 7)", "shard-00001.h5 was not written")
    assert [s["file"] for s in _manifest(out)["shards"]] == ["shard-00000.h5"]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "shard-00000.h5"]
    if field == "radio/range_angle":  # once is enough: the fault gone, --resume completes the same dataset
        monkeypatch.setattr(SampleGenerator, "generate", real)
        assert main(generate_args(scene_yaml, out, 6, "--resume")) == 0
        assert_same_dataset(out, reference, prefix=True)


def test_inf_depth_is_allowed(tmp_path: Path, scene_yaml: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from rvsim.data import Dataset
    from rvsim.sim.sample_generator import SampleGenerator

    real = SampleGenerator.generate

    def generate(self: SampleGenerator, indices: Any) -> dict[str, np.ndarray]:
        arrays = real(self, indices)
        arrays["image/depth"][0, 0, 0] = np.inf
        return arrays

    monkeypatch.setattr(SampleGenerator, "generate", generate)
    out = tmp_path / "ds"
    assert main(generate_args(scene_yaml, out, 2)) == 0
    with Dataset(out) as ds:
        assert np.isinf(ds.read("image/depth", [0])[0, 0, 0]) and ds.verify() == []


# ---------------------------------------------------------------------------------------------- damaged shards
def _flip_bit(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x10
    path.write_bytes(bytes(data))


def test_truncated_bit_flipped_and_wrong_version_shards_are_named_and_regenerated(
        tmp_path: Path, scene_yaml: str, reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _copy(reference, tmp_path)
    s1 = out / "shard-00001.h5"
    s1.write_bytes(s1.read_bytes()[: s1.stat().st_size // 2])  # truncated
    s2 = out / "shard-00002.h5"
    with h5py.File(s2, "r") as f:  # a bit flip inside the RGB image data: the file still opens
        offset = f["image/rgb"].id.get_chunk_info(0).byte_offset + 100
    _flip_bit(s2, offset)
    with h5py.File(out / "shard-00003.h5", "r+") as f:
        f.attrs["schema_version"] = np.int64(2)
    untouched = {n: (out / n).read_bytes() for n in ("shard-00000.h5", "shard-00004.h5", "shard-00005.h5")}

    assert main(["verify", str(out)]) == 1
    lines = capsys.readouterr().out.splitlines()
    bad = {line.split(":")[0] for line in lines if line.startswith("shard-")}
    assert bad == {"shard-00001.h5", "shard-00002.h5", "shard-00003.h5"}, lines
    text = "\n".join(lines)
    assert "sha256 mismatch" in text and "cannot be read as HDF5" in text and "schema_version=2" in text

    assert main(generate_args(scene_yaml, out, 12, "--resume")) == 0  # drops the three, makes them again
    assert_same_dataset(out, reference)
    assert {n: (out / n).read_bytes() for n in untouched} == untouched
    assert main(["verify", str(out)]) == 0


def test_nan_on_disk_with_a_matching_checksum_is_found_by_verify(
        tmp_path: Path, scene_yaml: str, reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rvsim.data.manifest import sha256_file

    out = _copy(reference, tmp_path)
    with h5py.File(out / "shard-00004.h5", "r+") as f:
        f["radio/range_angle"][1, 2, 3] = np.nan
    m = _manifest(out)
    m["shards"][4]["sha256"] = sha256_file(out / "shard-00004.h5")  # as if it had been written like that
    (out / "manifest.json").write_text(json.dumps(m))
    assert main(["verify", str(out)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "shard-00004.h5: radio/range_angle holds NaN or inf (sample 9)", lines
    (out / "shard-00004.h5").unlink()  # the remedy: remove it and resume
    assert main(generate_args(scene_yaml, out, 12, "--resume")) == 0
    assert_same_dataset(out, reference)


# ---------------------------------------------------------------------------------------------- bad folders
def _point_outside(out: Path, tmp_path: Path, how: str) -> Path:
    outside = tmp_path / "outside.h5"
    shutil.copy(out / "shard-00000.h5", outside)
    m = _manifest(out)
    m["shards"][0]["file"] = {"dotdot": "../outside.h5", "absolute": str(outside), "subdir": "sub/shard.h5"}[how]
    (out / "manifest.json").write_text(json.dumps(m, indent=2))
    return outside


@pytest.mark.parametrize("how", ["dotdot", "absolute", "subdir"])
def test_manifest_pointing_outside_the_folder_is_refused(tmp_path: Path, scene_yaml: str, reference: Path,
                                                         capsys: pytest.CaptureFixture[str], how: str) -> None:
    out = _copy(reference, tmp_path)
    outside = _point_outside(out, tmp_path, how)
    before, outside_bytes = folder_bytes(out), outside.read_bytes()
    for args in (generate_args(scene_yaml, out, 12, "--resume"), ["verify", str(out)], ["inspect", str(out)],
                 generate_args(scene_yaml, out, 2, "--overwrite")):
        rc = main(args)
        if args[-1] == "--overwrite":  # replaces the dataset's own files only: the outside file stays
            assert rc == 0
            continue
        assert rc == 2, args
        _one_line(capsys, "plain file name inside the dataset folder", "Received")
        assert folder_bytes(out) == before
    assert outside.read_bytes() == outside_bytes


def test_symlinked_shard_outside_is_dropped_on_resume_never_its_target(
        tmp_path: Path, scene_yaml: str, reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _copy(reference, tmp_path)
    outside = tmp_path / "outside.h5"
    shutil.move(out / "shard-00002.h5", outside)
    (out / "shard-00002.h5").symlink_to(outside)  # same bytes, so the checksum matches
    assert main(["verify", str(out)]) == 2
    _one_line(capsys, "outside the dataset folder")
    target = outside.read_bytes()
    assert main(generate_args(scene_yaml, out, 12, "--resume")) == 0
    assert not (out / "shard-00002.h5").is_symlink() and outside.read_bytes() == target
    assert_same_dataset(out, reference)


@pytest.mark.parametrize("edit, needle", [
    (lambda m: m.update(schema_version=9), "schema_version 9 is not supported"),
    (lambda m: m.update(format="something-else"), "not an rvsim dataset manifest"),
    (lambda m: m["shards"][1].update(first_index=1), "overlaps"),
])
def test_bad_manifest_is_refused_and_left_alone(tmp_path: Path, scene_yaml: str, reference: Path,
                                                capsys: pytest.CaptureFixture[str], edit: Any, needle: str) -> None:
    out = _copy(reference, tmp_path)
    m = _manifest(out)
    edit(m)
    (out / "manifest.json").write_text(json.dumps(m, indent=2))
    before = folder_bytes(out)
    for args in (generate_args(scene_yaml, out, 12, "--resume"), ["verify", str(out)]):
        assert main(args) == 2, args
        _one_line(capsys, needle, "Received")
        assert folder_bytes(out) == before


@pytest.mark.parametrize("flags, needle", [(["--seed", "8"], "seed 7 in the dataset vs 8 requested"),
                                           (["--shard-size", "3"], "shard_size 2 in the dataset vs 3"),
                                           (["--num-samples", "13"], "num_samples 12 in the dataset vs 13")])
def test_resume_with_other_settings_is_refused(tmp_path: Path, scene_yaml: str, reference: Path,
                                               capsys: pytest.CaptureFixture[str], flags: list[str],
                                               needle: str) -> None:
    out = _copy(reference, tmp_path)
    before = folder_bytes(out)
    args = generate_args(scene_yaml, out, 12, "--resume")
    for flag, value in zip(flags[::2], flags[1::2]):
        args[args.index(flag) + 1] = value
    assert main(args) == 2
    _one_line(capsys, "cannot resume", needle)
    assert folder_bytes(out) == before


def test_killed_while_writing_the_first_manifest(tmp_path: Path, scene_yaml: str, reference: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ds"
    out.mkdir()
    (out / "manifest.json.tmp").write_text('{"format": "rvsim-dat')  # all a kill -9 left
    assert main(generate_args(scene_yaml, out, 4)) == 2  # without --resume the folder is not touched
    _one_line(capsys, "not empty")
    assert main(generate_args(scene_yaml, out, 4, "--resume")) == 0
    assert_same_dataset(out, reference, prefix=True)


def test_resume_never_empties_a_folder_with_other_files(tmp_path: Path, scene_yaml: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ds"
    out.mkdir()
    (out / "manifest.json.tmp").write_text("{")
    (out / "notes.txt").write_text("mine")
    before = folder_bytes(out)
    assert main(generate_args(scene_yaml, out, 4, "--resume")) == 2
    _one_line(capsys, "holds no rvsim dataset")
    assert folder_bytes(out) == before
