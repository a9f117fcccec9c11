"""The dataset manifest (``manifest.json``): what a dataset holds and which shard files make it up.

:class:`Manifest` is the parsed, validated form; :class:`ShardInfo` one entry of its shard list. Reading
validates everything a reader relies on (format, schema version, keys, types, shard names inside the folder,
shard ranges that do not overlap and add up) and raises :class:`~rvsim.errors.DatasetError` with a message
that ends with the file it read. Writing is atomic (temporary file, fsync, ``os.replace``).

While a dataset is being generated, shards finished after the first are not recorded by rewriting the whole
manifest (a cost that grows with the number of shards, so quadratically over a run) but by appending one line
to the *shard journal* ``shards.jsonl`` beside it (:func:`append_journal`: one ``write`` of one line, fsync).
:meth:`Manifest.read` merges the journal into the shard list; a last line cut short by a crash (no newline) is
ignored, so the shard it named is simply written again on resume. A full rewrite (first shard, resume,
completion) folds the journal into ``manifest.json`` and removes it, so a complete dataset has no journal.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rvsim.data.schema import (FORMAT, SUPPORTED_SCHEMA_VERSIONS, FieldSpec, fields_from_json, fields_to_json,
                               schema_version_of)
from rvsim.errors import DatasetError

__all__ = [
    "MANIFEST_NAME",
    "ShardInfo",
    "Manifest",
    "sha256_file",
    "check_shard_file_name",
    "write_json_atomic",
    "fsync_dir",
    "JOURNAL_NAME",
    "append_journal",
    "read_journal",
    "remove_journal",
]

#: File name of the manifest inside a dataset folder.
MANIFEST_NAME: str = "manifest.json"

#: File name of the shard journal beside the manifest (shards recorded since the manifest was last written).
JOURNAL_NAME: str = "shards.jsonl"

_SHA256 = re.compile(r"^[0-9a-f]{64}$")

_REQUIRED_KEYS: tuple[str, ...] = (
    "format",
    "schema_version",
    "complete",
    "scene",
    "seed",
    "num_samples",
    "shard_size",
    "class_names",
    "versions",
    "fields",
    "attrs",
    "shards",
)


def sha256_file(path: str | os.PathLike[str], *, chunk_bytes: int = 1 << 20) -> str:
    """Hex sha256 digest of a file's bytes, read in chunks of ``chunk_bytes``."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            block = f.read(chunk_bytes)
            if not block:
                break
            digest.update(block)
    return digest.hexdigest()


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """fsync a directory so that a rename inside it is durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` atomically: ``path.tmp``, fsync, ``os.replace``."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    text = json.dumps(data, indent=2, allow_nan=False) + "\n"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def check_shard_file_name(name: Any, *, source: str = "") -> str:
    """Validate a shard file name from a manifest: a plain file name inside the dataset folder.

    Rejects names that are empty, absolute, contain a path separator, or are ``.``/``..``, so that a manifest
    can never point a reader or writer outside its folder.
    """
    ok = (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and "/" not in name
        and "\\" not in name
        and "\x00" not in name
        and not os.path.isabs(name)
        and os.path.basename(name) == name
    )
    if not ok:
        raise DatasetError(
            "a shard file must be a plain file name inside the dataset folder (no path separator, no '..', "
            f"not absolute). Received: file={name!r}" + (f" in {source}" if source else "")
        )
    return str(name)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class ShardInfo:
    """One shard file of a dataset.

    Attributes:
        file: File name inside the dataset folder, e.g. ``"shard-00000.h5"``.
        first_index: Dataset index of the shard's first sample.
        count: Number of consecutive samples in the shard.
        sha256: Hex sha256 digest of the file.
    """

    file: str
    first_index: int
    count: int
    sha256: str

    @property
    def stop_index(self) -> int:
        """One past the dataset index of the shard's last sample."""
        return self.first_index + self.count

    def to_json(self) -> dict[str, Any]:
        """The manifest form ``{"file", "first_index", "count", "sha256"}``."""
        return {"file": self.file, "first_index": self.first_index, "count": self.count, "sha256": self.sha256}

    @classmethod
    def from_json(cls, value: Any, *, source: str = "") -> ShardInfo:
        """Parse and validate one manifest shard entry."""
        where = f" in {source}" if source else ""
        if not isinstance(value, Mapping):
            raise DatasetError(f"a shard entry must be an object. Received: {value!r}{where}")
        missing = [k for k in ("file", "first_index", "count", "sha256") if k not in value]
        if missing:
            raise DatasetError(f"a shard entry is missing keys {missing}. Received: {dict(value)!r}{where}")
        file = check_shard_file_name(value["file"], source=source)
        first, count, sha = value["first_index"], value["count"], value["sha256"]
        if not _is_int(first) or first < 0:
            raise DatasetError(f"shard {file}: first_index must be an integer >= 0. Received: {first!r}{where}")
        if not _is_int(count) or count < 1:
            raise DatasetError(f"shard {file}: count must be an integer >= 1. Received: {count!r}{where}")
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise DatasetError(f"shard {file}: sha256 must be 64 lowercase hex digits. Received: {sha!r}{where}")
        return cls(file=file, first_index=first, count=count, sha256=sha)


@dataclass
class Manifest:
    """The parsed ``manifest.json`` of a dataset folder (see ``docs/dataset_schema.md``).

    Attributes:
        scene: The resolved scene spec (JSON object); ``scene.get("name")`` is the scene family.
        seed: Dataset seed.
        num_samples: Total samples in the dataset.
        shard_size: Samples per shard (the last shard may hold fewer).
        class_names: Object class names; class id ``k`` is ``class_names[k]``.
        versions: Package versions that wrote the dataset.
        fields: ``"group/name" -> FieldSpec``; empty until the first shard is recorded.
        attrs: ``"group/name" -> {attribute: JSON value}``: units and axis values of each field.
        shards: Recorded shards, in index order.
        complete: Whether every shard has been written and recorded.
        created: ISO 8601 time the dataset was started (UTC).
        schema_version: Layout version: 1 for still scenes, 2 (:data:`~rvsim.data.schema.SCHEMA_VERSION`) for frames
            of sequences.
        format: Always :data:`~rvsim.data.schema.FORMAT`.
    """

    scene: dict[str, Any]
    seed: int
    num_samples: int
    shard_size: int
    class_names: list[str]
    versions: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    attrs: dict[str, dict[str, Any]] = field(default_factory=dict)
    shards: list[ShardInfo] = field(default_factory=list)
    complete: bool = False
    created: str = ""
    schema_version: int = 1
    format: str = FORMAT

    @property
    def num_shards(self) -> int:
        """Number of shards a complete dataset has: ``ceil(num_samples / shard_size)``."""
        return -(-self.num_samples // self.shard_size)

    @property
    def samples_recorded(self) -> int:
        """Samples held by the recorded shards."""
        return sum(s.count for s in self.shards)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written to ``manifest.json``."""
        return {
            "format": self.format,
            "schema_version": self.schema_version,
            "complete": self.complete,
            "created": self.created,
            "scene": copy.deepcopy(self.scene),
            "seed": self.seed,
            "num_samples": self.num_samples,
            "shard_size": self.shard_size,
            "class_names": list(self.class_names),
            "versions": dict(self.versions),
            "fields": fields_to_json(self.fields),
            "attrs": {k: copy.deepcopy(self.attrs[k]) for k in sorted(self.attrs)},
            "shards": [s.to_json() for s in self.shards],
        }

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "") -> Manifest:
        """Parse and validate a manifest's JSON object.

        Args:
            data: The decoded JSON.
            source: Where it came from (named at the end of error messages).

        Raises:
            DatasetError: On a wrong format, an unsupported ``schema_version``, missing keys, wrong types,
                shard names outside the folder, or shard ranges that overlap, leave the sample range, or do not
                add up to ``num_samples`` in a complete dataset.
        """
        src = source or "manifest"
        if not isinstance(data, Mapping):
            raise DatasetError(f"a manifest must be a JSON object. Received: {type(data).__name__} in {src}")
        if data.get("format") != FORMAT:
            raise DatasetError(
                f"not an rvsim dataset manifest (format must be {FORMAT!r}). "
                f"Received: format={data.get('format')!r} in {src}"
            )
        version = data.get("schema_version")
        if not _is_int(version) or version not in SUPPORTED_SCHEMA_VERSIONS:
            raise DatasetError(
                f"dataset schema_version {version} is not supported by this rvsim (supports "
                f"{', '.join(map(str, SUPPORTED_SCHEMA_VERSIONS))}). Received: {src}"
            )
        missing = [k for k in _REQUIRED_KEYS if k not in data]
        if missing:
            raise DatasetError(f"manifest is missing keys {missing}. Received: {src}")

        def bad(key: str, what: str) -> DatasetError:
            return DatasetError(f"manifest {key!r} must be {what}. Received: {key}={data[key]!r} in {src}")

        if not isinstance(data["complete"], bool):
            raise bad("complete", "true or false")
        if not isinstance(data["scene"], Mapping):
            raise bad("scene", "an object")
        if not _is_int(data["seed"]):
            raise bad("seed", "an integer")
        if not _is_int(data["num_samples"]) or data["num_samples"] < 1:
            raise bad("num_samples", "an integer >= 1")
        if not _is_int(data["shard_size"]) or data["shard_size"] < 1:
            raise bad("shard_size", "an integer >= 1")
        names = data["class_names"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise bad("class_names", "a list of strings")
        if not isinstance(data["versions"], Mapping):
            raise bad("versions", "an object")
        if not isinstance(data["attrs"], Mapping) or not all(
            isinstance(v, Mapping) for v in data["attrs"].values()
        ):
            raise bad("attrs", "an object of objects")
        if not isinstance(data["shards"], list):
            raise bad("shards", "a list")
        created = data.get("created", "")
        if not isinstance(created, str):
            raise bad("created", "a string")
        try:
            fields = fields_from_json(data["fields"])
        except DatasetError as exc:
            raise DatasetError(f"{exc} in {src}") from exc

        manifest = cls(
            scene=copy.deepcopy(dict(data["scene"])),
            seed=int(data["seed"]),
            num_samples=int(data["num_samples"]),
            shard_size=int(data["shard_size"]),
            class_names=list(names),
            versions=dict(data["versions"]),
            fields=fields,
            attrs={str(k): copy.deepcopy(dict(v)) for k, v in data["attrs"].items()},
            shards=[ShardInfo.from_json(s, source=src) for s in data["shards"]],
            complete=bool(data["complete"]),
            created=created,
            schema_version=int(version),
        )
        if fields and schema_version_of(fields) != manifest.schema_version:
            raise DatasetError(f"manifest schema_version {version} does not match its fields (version 2 is exactly "
                               f"the datasets with meta/sequence). Received: {src}")
        manifest.check_shards(source=src)
        return manifest

    def check_shards(self, *, source: str = "") -> None:
        """Check that the shard list is ordered, inside ``[0, num_samples)``, without overlap or repeated files,
        and (for a complete dataset) covers every sample exactly once.

        Raises:
            DatasetError: naming the first offending shard.
        """
        src = source or "manifest"
        seen: set[str] = set()
        stop = 0
        for s in self.shards:
            if s.file in seen:
                raise DatasetError(f"shard file {s.file} is listed twice. Received: {src}")
            seen.add(s.file)
            if s.count > self.shard_size:
                raise DatasetError(
                    f"shard {s.file} holds {s.count} samples, more than shard_size={self.shard_size}. "
                    f"Received: {src}"
                )
            if s.stop_index > self.num_samples:
                raise DatasetError(
                    f"shard {s.file} covers samples [{s.first_index}, {s.stop_index}) beyond "
                    f"num_samples={self.num_samples}. Received: {src}"
                )
            if s.first_index < stop:
                raise DatasetError(
                    f"shard {s.file} (first_index={s.first_index}) overlaps or is out of order with the shard "
                    f"before it (which ends at {stop}). Received: {src}"
                )
            stop = s.stop_index
        if self.complete:
            total = self.samples_recorded
            if total != self.num_samples:
                raise DatasetError(
                    f"the shards of a complete dataset hold {total} samples, but num_samples="
                    f"{self.num_samples}. Received: {src}"
                )

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Manifest:
        """Read and validate ``manifest.json`` (``path`` is the file or the dataset folder), with the shards of
        the journal beside it (:func:`read_journal`) merged in.

        Raises:
            DatasetError: If the file is missing, is not valid JSON, or fails validation (the journal's
                shards included).
        """
        path = Path(path)
        if path.is_dir():
            path = path / MANIFEST_NAME
        if not path.is_file():
            raise DatasetError(f"no rvsim dataset here: {MANIFEST_NAME} not found. Received: {path}")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DatasetError(f"cannot read the manifest ({exc}). Received: {path}") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"manifest is not valid JSON ({exc}). Received: {path}") from exc
        manifest = cls.from_dict(data, source=str(path))
        journal = read_journal(path.parent)
        if journal:
            merged = {s.file: s for s in manifest.shards}
            merged.update((s.file, s) for s in journal)  # the journal is newer than the manifest
            manifest.shards = sorted(merged.values(), key=lambda s: s.first_index)
            manifest.check_shards(source=f"{path} with {path.parent / JOURNAL_NAME}")
        return manifest

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the manifest atomically (``path`` is the file or the dataset folder); return the file path."""
        path = Path(path)
        if path.is_dir():
            path = path / MANIFEST_NAME
        self.check_shards(source=str(path))
        write_json_atomic(path, self.to_dict())
        return path


def read_journal(folder: str | os.PathLike[str]) -> list[ShardInfo]:
    """The shards recorded in ``folder/shards.jsonl`` (empty when there is none), in the order appended.

    A shard recorded twice keeps its last line. A last line without its newline is the trace of a crash during
    the append and is ignored.

    Raises:
        DatasetError: If a complete line is not a valid shard entry, naming the line.
    """
    path = Path(folder) / JOURNAL_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise DatasetError(f"cannot read the shard journal ({exc}). Received: {path}") from exc
    lines = raw.split(b"\n")[:-1]  # the part after the last newline is empty or an unfinished append
    out: dict[str, ShardInfo] = {}
    for number, line in enumerate(lines, start=1):
        try:
            value = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DatasetError(f"shard journal line {number} is not valid JSON ({exc}). Received: {path}") from exc
        info = ShardInfo.from_json(value, source=f"{path} line {number}")
        out.pop(info.file, None)
        out[info.file] = info
    return list(out.values())


def append_journal(folder: str | os.PathLike[str], info: ShardInfo) -> None:
    """Record a finished shard by appending one line to ``folder/shards.jsonl`` (one ``write``, then fsync).

    The line is complete on disk when this returns; after a crash during the call the line is either whole or
    an unterminated tail that :func:`read_journal` ignores.
    """
    path = Path(folder) / JOURNAL_NAME
    line = (json.dumps(info.to_json(), separators=(",", ":")) + "\n").encode("utf-8")
    new = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":  # an earlier append was cut short: drop its tail
            tail = min(size, 4096)
            block = os.pread(fd, tail, size - tail)
            cut = block.rfind(b"\n")
            os.ftruncate(fd, size - tail + cut + 1 if cut >= 0 else (0 if tail == size else size))
        written = os.write(fd, line)
        if written != len(line):
            raise DatasetError(f"short write to the shard journal ({written} of {len(line)} bytes). Received: {path}")
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        fsync_dir(path.parent)


def remove_journal(folder: str | os.PathLike[str]) -> None:
    """Remove ``folder/shards.jsonl`` once a manifest holding all of its shards has been written."""
    path = Path(folder) / JOURNAL_NAME
    if path.exists() or path.is_symlink():
        path.unlink()
        fsync_dir(path.parent)
