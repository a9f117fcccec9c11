"""The same seed gives byte-identical shards: a tiny hall and a tiny street dataset against references.

The references (``tests/sim/data/*_14f2e03.json``) hold, for every array of every shard, its dtype, shape and the
sha256 of its bytes, plus the resolved scene and the field attributes of the manifest, as written by rvsim at
commit 14f2e03 (before the config, radio and sim packages were reorganised). A refactor that changes any
generated value fails here. Sionna RT's deterministic solver and the renderer were bitwise reproducible across
processes on the development machine; Dr.Jit compiles its kernels for the CPU it runs on, so on a CPU of
another instruction set regenerate the references with the code of that commit rather than loosen the test.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import yaml

from rvsim.cli import main

pytestmark = pytest.mark.rt

DATA = Path(__file__).resolve().parent / "data"


def dataset_digest(folder: Path) -> dict[str, Any]:
    """The manifest's scene, seed, sizes and attrs, and every shard array's dtype, shape and sha256."""
    manifest = json.loads((folder / "manifest.json").read_text())
    out: dict[str, Any] = {k: manifest[k] for k in ("scene", "seed", "num_samples", "shard_size", "attrs")}
    out["shards"] = {}
    for shard in manifest["shards"]:
        arrays: dict[str, Any] = {}
        with h5py.File(folder / shard["file"], "r") as f:
            def visit(name: str, obj: Any) -> None:
                if isinstance(obj, h5py.Dataset):
                    a = np.ascontiguousarray(obj[()])
                    arrays[name] = {"dtype": a.dtype.str, "shape": list(a.shape),
                                    "sha256": hashlib.sha256(a.tobytes()).hexdigest()}

            f.visititems(visit)
        out["shards"][shard["file"]] = {"first_index": shard["first_index"], "count": shard["count"], "arrays": arrays}
    return out


def _tiny_street() -> dict[str, Any]:
    """The tiny street family of tests/sim/street (loaded by path: test folders are not a package tree)."""
    path = Path(__file__).resolve().parent / "street" / "test_street_family.py"
    spec = importlib.util.spec_from_file_location("_rvsim_tiny_street", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return copy.deepcopy(module.TINY_STREET)


def _generate(tmp_path: Path, scene: dict[str, Any], num_samples: int, shard_size: int) -> Path:
    path = tmp_path / "scene.yaml"
    path.write_text(yaml.safe_dump(scene))
    out = tmp_path / "ds"
    assert main(["generate", "--scene", str(path), "--num-samples", str(num_samples), "--shard-size",
                 str(shard_size), "--seed", "11", "--out", str(out), "--quiet"]) == 0
    return out


def _assert_same(actual: dict[str, Any], reference: dict[str, Any]) -> None:
    assert actual["scene"] == reference["scene"]
    assert {k: actual[k] for k in ("seed", "num_samples", "shard_size")} == \
        {k: reference[k] for k in ("seed", "num_samples", "shard_size")}
    assert actual["attrs"] == reference["attrs"]
    assert sorted(actual["shards"]) == sorted(reference["shards"])
    for name, shard in reference["shards"].items():
        got = actual["shards"][name]
        assert (got["first_index"], got["count"]) == (shard["first_index"], shard["count"]), name
        assert sorted(got["arrays"]) == sorted(shard["arrays"]), name
        different = [field for field in shard["arrays"] if got["arrays"][field] != shard["arrays"][field]]
        assert different == [], f"{name}: arrays differ from the reference: {different}"


def test_tiny_hall_dataset_is_byte_identical_to_the_reference(tmp_path: Path, tiny_scene_dict) -> None:
    reference = json.loads((DATA / "tiny_seed11_14f2e03.json").read_text())
    out = _generate(tmp_path, tiny_scene_dict, num_samples=6, shard_size=4)
    _assert_same(dataset_digest(out), reference)


def test_tiny_street_dataset_is_byte_identical_to_the_reference(tmp_path: Path) -> None:
    reference = json.loads((DATA / "tiny_street_seed11_14f2e03.json").read_text())
    out = _generate(tmp_path, _tiny_street(), num_samples=5, shard_size=3)
    _assert_same(dataset_digest(out), reference)


def test_samples_do_not_depend_on_how_they_are_grouped(tiny_generator) -> None:
    """A shard is ray-traced and rendered in one group (one switch to the RGB variant); each sample must equal
    the sample generated in a group of its own or of other sizes."""
    whole = tiny_generator.generate(np.arange(0, 5))
    parts = [tiny_generator.generate(np.arange(a, b)) for a, b in ((0, 1), (1, 4), (4, 5))]
    for name, array in whole.items():
        assert np.array_equal(array, np.concatenate([p[name] for p in parts])), name
