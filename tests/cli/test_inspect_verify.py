"""``rvsim inspect`` and ``rvsim verify`` through rvsim.cli.main on tiny datasets written in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rvsim.cli import main
from rvsim.data import DatasetWriter, write_shard_file

CLASS_NAMES = ["person", "car"]


def make_dataset(out: Path, *, num_samples: int = 6, shard_size: int = 4, skip: tuple[int, ...] = ()) -> Path:
    writer = DatasetWriter(out, scene={"name": "room"}, seed=3, num_samples=num_samples, shard_size=shard_size,
                           class_names=CLASS_NAMES)
    attrs = {"radio/range_angle": {"range_bins_m": np.linspace(0.5, 4.0, 8), "angle_bins_deg": np.linspace(-60, 60, 6),
                                   "units": "dB"}}
    for k, first, count in writer.pending_shards():
        if k in skip:
            continue
        rng = np.random.default_rng(k)
        obj_class = np.array([[0, 1], [0, -1], [1, 1], [-1, -1]], np.int32)[:count]
        arrays = {
            "radio/range_angle": rng.normal(-40, 5, (count, 8, 6)).astype(np.float32),
            "image/rgb": rng.integers(0, 256, (count, 8, 8, 3), dtype=np.uint8),
            "image/depth": rng.uniform(1, 5, (count, 8, 8)).astype(np.float32),
            "image/segmentation": rng.integers(0, 3, (count, 8, 8)).astype(np.int32),
            "labels/class_counts": np.stack([(obj_class == c).sum(1) for c in range(2)], 1).astype(np.int32),
            "labels/obj_class": obj_class,
            "labels/obj_range": rng.uniform(0.5, 4, (count, 2)).astype(np.float32),
            "labels/obj_bearing": rng.uniform(-50, 50, (count, 2)).astype(np.float32),
            "meta/index": np.arange(first, first + count, dtype=np.int64),
        }
        writer.record(write_shard_file(writer.shard_path(k), arrays, attrs, first))
    if not skip:
        writer.finalize()
    return out


def test_inspect_prints_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ds = make_dataset(tmp_path / "ds")
    assert main(["inspect", str(ds)]) == 0
    out = capsys.readouterr().out
    assert "samples:  6 in 2 shards" in out
    assert "seed:     3" in out and "scene:    room" in out
    assert "radio/range_angle" in out and "float32" in out and "(8, 6)" in out
    # class totals: shard 0 has rows [0,1],[0,-1],[1,1],[-1,-1]; shard 1 rows [0,1],[0,-1]
    assert "person  4" in out and "car     4" in out
    assert "numpy " + np.__version__ in out


def test_inspect_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import matplotlib.image

    ds = make_dataset(tmp_path / "ds")
    png = tmp_path / "grid.png"
    assert main(["inspect", str(ds), "--png", str(png), "--num", "2"]) == 0
    assert f"wrote {png} (2 samples)" in capsys.readouterr().out
    img = matplotlib.image.imread(png)
    assert img.shape[0] > 100 and img[..., :3].std() > 0.05


@pytest.mark.parametrize("extra", [[], ["--num", "0"]])
def test_inspect_bad_input_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]) -> None:
    target = tmp_path / "nothing" if not extra else make_dataset(tmp_path / "ds")
    assert main(["inspect", str(target), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rvsim inspect: error:")


def test_inspect_incomplete_says_resume(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ds = make_dataset(tmp_path / "ds", skip=(1,))
    assert main(["inspect", str(ds)]) == 2
    assert "--resume" in capsys.readouterr().err


def test_verify_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ds = make_dataset(tmp_path / "ds")
    assert main(["verify", str(ds)]) == 0
    assert capsys.readouterr().out.startswith("OK: 6 samples in 2 shards")


def test_verify_bad_shard_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ds = make_dataset(tmp_path / "ds", num_samples=10)
    shard = ds / "shard-00001.h5"
    data = bytearray(shard.read_bytes())
    data[len(data) // 3] ^= 0x10
    shard.write_bytes(bytes(data))
    (ds / "shard-00002.h5").write_bytes(b"")
    assert main(["verify", str(ds)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("shard-00001.h5: sha256 mismatch")
    assert lines[1].startswith("shard-00002.h5: sha256 mismatch")
    assert lines[-1].startswith("FAILED: 2 problem(s)")


def test_verify_incomplete_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ds = make_dataset(tmp_path / "ds", skip=(0,))
    assert main(["verify", str(ds)]) == 1
    assert "incomplete: 2 of 6 samples" in capsys.readouterr().out


def test_verify_not_a_dataset_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path)]) == 2
    ds = make_dataset(tmp_path / "ds")
    data = json.loads((ds / "manifest.json").read_text())
    data["schema_version"] = 9
    (ds / "manifest.json").write_text(json.dumps(data))
    assert main(["verify", str(ds)]) == 2
    assert "schema_version 9 is not supported" in capsys.readouterr().err


def test_swapped_shard_inspect_exits_2_and_verify_reports_it(tmp_path: Path, swap_in_wrong_shapes,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Reading a dataset whose shard was swapped for an HDF5 file of the wrong shapes stops at the door with one
    line; ``rvsim verify`` still opens it and lists every problem."""
    ds = swap_in_wrong_shapes(make_dataset(tmp_path / "ds"), tmp_path / "swapped")
    png = tmp_path / "grid.png"
    assert main(["inspect", str(ds), "--png", str(png)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rvsim inspect: error: shard shard-00001.h5 does not hold what")
    assert not png.exists()
    assert main(["verify", str(ds)]) == 1
    out = capsys.readouterr().out
    assert "shard-00001.h5: sha256 mismatch" in out and "per-sample shape" in out
