"""Writing a dataset folder shard by shard, resumably.

:class:`DatasetWriter` owns the folder and its ``manifest.json``. It plans the shards (fixed ``shard_size``
consecutive samples each), records each shard as it is finished (re-hashing the file; the first shard by
rewriting the manifest atomically, the others by appending a line to the shard journal, so recording costs
the same at the thousandth shard as at the second) and marks the dataset complete at the end, folding the
journal into the manifest. Shards themselves are written by
:func:`~rvsim.data.shard_writer.write_shard_file`, possibly in other processes::

    writer = DatasetWriter(out_dir, scene=spec.to_dict(), seed=0, num_samples=1000, shard_size=64,
                           class_names=["person", "chair"], resume=True)
    for k, first, count in writer.pending_shards():
        arrays = generator.generate(np.arange(first, first + count))
        writer.record(write_shard_file(writer.shard_path(k), arrays, generator.field_attrs(), first))
    writer.finalize()
"""

from __future__ import annotations

import copy
import importlib.metadata
import json
import os
import threading
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rvsim.data.manifest import MANIFEST_NAME, Manifest, ShardInfo, append_journal, remove_journal, sha256_file
from rvsim.data.schema import field_problems
from rvsim.data.shard_writer import read_shard_header
from rvsim.errors import DatasetError, InputError

__all__ = ["DatasetWriter", "package_versions", "shard_file_name", "VERSIONED_PACKAGES"]

#: Distributions whose versions every manifest records.
VERSIONED_PACKAGES: tuple[str, ...] = ("rvsim", "sionna-rt", "mitsuba", "drjit", "numpy", "h5py")


def package_versions(packages: Sequence[str] = VERSIONED_PACKAGES) -> dict[str, str | None]:
    """Installed versions of ``packages`` from their distribution metadata (nothing is imported).

    Returns:
        ``{distribution name: version}``; ``None`` for a distribution that is not installed.
    """
    out: dict[str, str | None] = {}
    for name in packages:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def shard_file_name(k: int) -> str:
    """File name of shard ``k``: ``shard-00000.h5``, ``shard-00001.h5``, ..."""
    return f"shard-{k:05d}.h5"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_diff(a: Any, b: Any, prefix: str = "", limit: int = 5) -> list[str]:
    """Dotted paths at which two JSON values differ (at most ``limit``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b)):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in a or key not in b:
                out.append(path)
            else:
                out.extend(_json_diff(a[key], b[key], path, limit))
            if len(out) >= limit:
                break
        return out[:limit]
    return [] if a == b else [prefix or "(whole value)"]


class DatasetWriter:
    """Creates or resumes a dataset folder and keeps its manifest.

    Args:
        out_dir: Dataset folder: new, empty, or (with ``resume=True``) an existing rvsim dataset.
        scene: The resolved scene spec (JSON-able dict), stored as the manifest's ``"scene"``.
        seed: Dataset seed (integer >= 0).
        num_samples: Total samples (>= 1).
        shard_size: Samples per shard (>= 1); the last shard may hold fewer.
        class_names: Object class names; class id ``k`` is ``class_names[k]``.
        resume: Continue an existing dataset in ``out_dir``: shards already recorded whose sha256 still
            matches are kept, the others dropped, stray ``*.tmp`` files removed.

    Raises:
        InputError: For invalid arguments; if ``out_dir`` is a file, or a non-empty folder that is not an
            rvsim dataset (nothing there is touched); if it holds a dataset and ``resume`` is false; or if the
            dataset there was made with a different scene, seed, num_samples, shard_size or class names.
            Validation happens before anything is created or written.
    """

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        *,
        scene: dict[str, Any],
        seed: int,
        num_samples: int,
        shard_size: int,
        class_names: Sequence[str],
        resume: bool = False,
    ) -> None:
        if not _is_int(seed) or seed < 0:
            raise InputError(f"seed must be an integer >= 0. Received: seed={seed!r}")
        if not _is_int(num_samples) or num_samples < 1:
            raise InputError(f"num_samples must be an integer >= 1. Received: num_samples={num_samples!r}")
        if not _is_int(shard_size) or shard_size < 1:
            raise InputError(f"shard_size must be an integer >= 1. Received: shard_size={shard_size!r}")
        if isinstance(class_names, str) or not all(isinstance(c, str) and c for c in class_names):
            raise InputError(f"class_names must be a list of non-empty strings. Received: class_names={class_names!r}")
        names = list(class_names)
        if len(set(names)) != len(names):
            raise InputError(f"class_names must be unique. Received: class_names={names!r}")
        if not isinstance(scene, dict):
            raise InputError(f"scene must be a dict (the resolved scene spec). Received: {type(scene).__name__}")
        try:
            scene_json = json.loads(json.dumps(scene, allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise InputError(f"scene must be JSON-able ({exc}). Received: scene={scene!r}") from exc

        self._out_dir = Path(out_dir)
        self._lock = threading.Lock()
        out = self._out_dir
        if out.exists() and not out.is_dir():
            raise InputError(f"the output folder is a file. Received: {out}")
        existing: Manifest | None = None
        if out.is_dir() and any(out.iterdir()):
            if not (out / MANIFEST_NAME).is_file():
                raise InputError(
                    "the output folder is not empty and holds no rvsim dataset; refusing to write into it "
                    f"(use a new or empty folder). Received: {out}"
                )
            existing = Manifest.read(out)
            if not resume:
                raise InputError(
                    "the output folder already holds an rvsim dataset; use --resume to continue it or choose a "
                    f"new folder. Received: {out}"
                )
            diffs: list[str] = []
            scene_diff = _json_diff(existing.scene, scene_json)
            if scene_diff:
                diffs.append(f"scene differs at {', '.join(scene_diff)}")
            for key, new in (("seed", seed), ("num_samples", num_samples), ("shard_size", shard_size)):
                old = getattr(existing, key)
                if old != new:
                    diffs.append(f"{key} {old} in the dataset vs {new} requested")
            if existing.class_names != names:
                diffs.append(f"class_names {existing.class_names} in the dataset vs {names} requested")
            if diffs:
                raise InputError(
                    "cannot resume: the existing dataset was made with different settings ("
                    + "; ".join(diffs)
                    + f"). Received: {out}"
                )

        if existing is None:
            out.mkdir(parents=True, exist_ok=True)
            self._manifest = Manifest(
                scene=scene_json,
                seed=seed,
                num_samples=num_samples,
                shard_size=shard_size,
                class_names=names,
                versions=package_versions(),
                created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                schema_version=2 if "sequence" in scene_json else 1,  # frames of sequences: version 2
            )
        else:
            self._manifest = existing
            self._resume_cleanup()
        self._write_full()

    def _write_full(self, manifest: Manifest | None = None) -> None:
        """Write the whole manifest (the journal's shards included), then remove the journal; the writer's
        manifest becomes ``manifest`` only once it is on disk."""
        manifest = manifest or self._manifest
        manifest.write(self._out_dir)
        self._manifest = manifest
        remove_journal(self._out_dir)

    # ------------------------------------------------------------------ planning
    @property
    def out_dir(self) -> Path:
        """The dataset folder."""
        return self._out_dir

    @property
    def manifest(self) -> Manifest:
        """A copy of the manifest as last written."""
        return copy.deepcopy(self._manifest)

    @property
    def num_shards(self) -> int:
        """Number of shards of the complete dataset."""
        return self._manifest.num_shards

    def shard_ranges(self) -> list[tuple[int, int, int]]:
        """Every shard as ``(k, first_index, count)``, in index order."""
        n, size = self._manifest.num_samples, self._manifest.shard_size
        return [(k, k * size, min(size, n - k * size)) for k in range(self.num_shards)]

    def shard_path(self, k: int) -> Path:
        """Path of shard ``k`` (``0 <= k < num_shards``)."""
        if not _is_int(k) or not 0 <= k < self.num_shards:
            raise InputError(f"shard number must be in [0, {self.num_shards}). Received: k={k!r}")
        return self._out_dir / shard_file_name(k)

    def pending_shards(self) -> list[tuple[int, int, int]]:
        """Shards not yet recorded, as ``(k, first_index, count)``."""
        done = {s.file for s in self._manifest.shards}
        return [r for r in self.shard_ranges() if shard_file_name(r[0]) not in done]

    # ------------------------------------------------------------------ recording
    def record(self, info: ShardInfo) -> None:
        """Record a finished shard: check its place, re-hash the file, check its schema, record it on disk.

        The first recorded shard sets the manifest's ``fields`` and ``attrs`` (the manifest is rewritten); every
        later shard must match them and is appended to the shard journal.

        Raises:
            DatasetError: If the shard is not one of this dataset's planned shards, its file is missing, its
                sha256 differs from ``info.sha256``, or its arrays/attributes do not match the manifest.
        """
        m = self._manifest
        k, rem = divmod(info.first_index, m.shard_size)
        ranges = self.shard_ranges()
        if rem or not 0 <= k < len(ranges) or ranges[k][2] != info.count or info.file != shard_file_name(k):
            raise DatasetError(
                "the shard is not one of this dataset's planned shards (k, first_index, count, file). "
                f"Received: file={info.file!r}, first_index={info.first_index}, count={info.count}"
            )
        path = self._out_dir / info.file
        if not path.is_file():
            raise DatasetError(f"the shard file to record does not exist. Received: {path}")
        digest = sha256_file(path)
        if digest != info.sha256:
            raise DatasetError(
                f"shard {info.file} changed after it was written (sha256 {digest} on disk, {info.sha256} "
                f"reported). Received: {path}"
            )
        header = read_shard_header(path)
        root = header.root
        expected_root = {"schema_version": m.schema_version, "first_index": info.first_index, "count": info.count}
        if any(root.get(key) != value for key, value in expected_root.items()):
            raise DatasetError(f"shard root attributes {root} do not match {expected_root}. Received: {path}")
        with self._lock:
            fields = m.fields or header.fields
            attrs = m.attrs if m.fields else header.attrs
            problems = field_problems(header.arrays, fields, info.count)
            for name in sorted(set(fields) & set(header.attrs)):
                if header.attrs[name] != attrs.get(name, {}):
                    problems.append(f"{name}: attributes differ from the manifest's")
            if problems:
                raise DatasetError(
                    f"shard {info.file} does not match the dataset's fields: " + "; ".join(problems)
                    + f". Received: {path}"
                )
            recorded = ShardInfo(info.file, info.first_index, info.count, digest)
            shards = sorted([s for s in m.shards if s.file != info.file] + [recorded], key=lambda s: s.first_index)
            if not m.fields:  # the first shard sets fields and attrs: the whole manifest is rewritten
                new = copy.deepcopy(m)  # changed in memory only once it is on disk
                new.fields, new.attrs = dict(fields), copy.deepcopy(attrs)
                new.shards = shards
                new.complete = new.complete and len(new.shards) == new.num_shards
                self._write_full(new)
            else:
                append_journal(self._out_dir, recorded)
                m.shards = shards

    def finalize(self) -> Manifest:
        """Mark the dataset complete once every shard is recorded; return the final manifest.

        Raises:
            DatasetError: If shards are still pending.
        """
        with self._lock:
            pending = self.pending_shards()
            if pending:
                names = [shard_file_name(k) for k, _, _ in pending[:5]]
                raise DatasetError(
                    f"cannot finalize: {len(pending)} of {self.num_shards} shards are not recorded yet. "
                    f"Received: pending {names}{' ...' if len(pending) > 5 else ''} in {self._out_dir}"
                )
            new = copy.deepcopy(self._manifest)
            new.complete = True
            self._write_full(new)
            return self.manifest

    # ------------------------------------------------------------------ resume
    def _resume_cleanup(self) -> None:
        """Keep recorded shards whose file is in the folder and still hashes to its sha256; drop the rest (a link
        to a file outside is removed, never its target); remove stray ``*.tmp``."""
        m = self._manifest
        ranges = {shard_file_name(k): (first, count) for k, first, count in self.shard_ranges()}
        kept: list[ShardInfo] = []
        root = self._out_dir.resolve()
        for s in m.shards:
            path = self._out_dir / s.file
            good = (
                ranges.get(s.file) == (s.first_index, s.count)
                and path.is_file()
                and path.resolve().parent == root  # not a link to a file outside (readers refuse those)
                and sha256_file(path) == s.sha256
            )
            if good:
                kept.append(s)
            elif path.is_file() and s.file in ranges:
                path.unlink()  # a corrupted shard of this dataset: it will be written again
        m.shards = kept
        m.complete = m.complete and len(kept) == m.num_shards
        for stray in self._out_dir.glob("*.tmp"):
            if stray.is_file() and not stray.is_symlink():
                stray.unlink()
