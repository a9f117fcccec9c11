from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from rvsim.data import FieldSpec, Manifest, ShardInfo
from rvsim.data.manifest import check_shard_file_name, sha256_file, write_json_atomic
from rvsim.errors import DatasetError, InputError

SHA = "0" * 64


def manifest_dict(**changes: Any) -> dict[str, Any]:
    m = Manifest(
        scene={"name": "room"},
        seed=1,
        num_samples=10,
        shard_size=4,
        class_names=["person"],
        versions={"rvsim": "0.1.0"},
        fields={"labels/num_objects": FieldSpec("int32", ())},
        attrs={"labels/num_objects": {}},
        shards=[ShardInfo("shard-00000.h5", 0, 4, SHA), ShardInfo("shard-00001.h5", 4, 4, SHA),
                ShardInfo("shard-00002.h5", 8, 2, SHA)],
        complete=True,
        created="2024-01-01T00:00:00+00:00",
    ).to_dict()
    m.update(changes)
    return m


def write(tmp_path: Path, data: Any) -> Path:
    (tmp_path / "manifest.json").write_text(json.dumps(data))
    return tmp_path


def test_round_trip(tmp_path: Path) -> None:
    m = Manifest.from_dict(manifest_dict())
    path = m.write(tmp_path)
    assert path == tmp_path / "manifest.json"
    back = Manifest.read(tmp_path)
    assert back == m
    assert back.num_shards == 3 and back.samples_recorded == 10
    assert not list(tmp_path.glob("*.tmp"))


def test_schema_version_mismatch_message(tmp_path: Path) -> None:
    write(tmp_path, manifest_dict(schema_version=7))
    with pytest.raises(DatasetError) as exc:
        Manifest.read(tmp_path)
    assert str(exc.value) == (
        "dataset schema_version 7 is not supported by this rvsim (supports 1, 2). "
        f"Received: {tmp_path / 'manifest.json'}"
    )


def test_wrong_format_and_not_json(tmp_path: Path) -> None:
    write(tmp_path, manifest_dict(format="something-else"))
    with pytest.raises(DatasetError, match="not an rvsim dataset manifest"):
        Manifest.read(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(DatasetError, match="not valid JSON"):
        Manifest.read(tmp_path)
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(DatasetError, match="manifest.json not found"):
        Manifest.read(tmp_path)


def test_missing_keys_are_named(tmp_path: Path) -> None:
    data = manifest_dict()
    del data["seed"], data["complete"]
    with pytest.raises(DatasetError, match=r"missing keys \['complete', 'seed'\]"):
        Manifest.from_dict(data, source="x")


@pytest.mark.parametrize("name", ["../x.h5", "/etc/passwd", "sub/shard.h5", "..", "a\\b.h5", ""])
def test_shard_names_outside_the_folder_are_rejected(name: str) -> None:
    data = manifest_dict()
    data["shards"][0]["file"] = name
    with pytest.raises(DatasetError, match="plain file name inside the dataset folder"):
        Manifest.from_dict(data)
    with pytest.raises(InputError):
        check_shard_file_name(name)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda s: s[1].update(first_index=2), "overlaps"),
        (lambda s: s[2].update(first_index=9), "beyond num_samples"),
        (lambda s: s.pop(), "complete dataset hold 8 samples"),
        (lambda s: s[0].update(count=5), "more than shard_size"),
        (lambda s: s[1].update(file="shard-00000.h5"), "listed twice"),
        (lambda s: s[0].update(sha256="xyz"), "sha256"),
        (lambda s: s[0].update(count=0), "count must be"),
        (lambda s: s[0].pop("sha256"), "missing keys"),
    ],
)
def test_shard_counts_must_add_up(edit: Any, match: str) -> None:
    data = manifest_dict()
    edit(data["shards"])
    with pytest.raises(DatasetError, match=match):
        Manifest.from_dict(data)


def test_incomplete_manifest_may_have_gaps() -> None:
    data = manifest_dict(complete=False)
    del data["shards"][1]
    m = Manifest.from_dict(data)
    assert [s.first_index for s in m.shards] == [0, 8]


@pytest.mark.parametrize(
    "key, value", [("seed", "1"), ("num_samples", 0), ("shard_size", True), ("complete", 1), ("class_names", "ab")]
)
def test_wrong_types(key: str, value: Any) -> None:
    with pytest.raises(DatasetError, match=key):
        Manifest.from_dict(manifest_dict(**{key: value}))


def test_sha256_file_and_atomic_json(tmp_path: Path) -> None:
    f = tmp_path / "blob.bin"
    data = bytes(range(256)) * 5000
    f.write_bytes(data)
    assert sha256_file(f, chunk_bytes=1000) == hashlib.sha256(data).hexdigest()
    write_json_atomic(tmp_path / "x.json", {"a": 1})
    assert json.loads((tmp_path / "x.json").read_text()) == {"a": 1}
    with pytest.raises(ValueError):
        write_json_atomic(tmp_path / "x.json", {"a": float("nan")})
    assert json.loads((tmp_path / "x.json").read_text()) == {"a": 1}
    assert not list(tmp_path.glob("*.tmp"))
