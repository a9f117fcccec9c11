"""Fixtures for the real-capture tests: small copies of the shared DeepSense folder in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

def write_scenario_copy(
    src_root: Path, src: int, dst_dir: Path, dst: int, rows: slice | None = None, with_codebook: bool = True
) -> int:
    """Copy (rows of) scenario ``src`` as scenario ``dst`` into ``dst_dir/scenarios``; return its N."""
    folder = src_root / "scenarios"
    power_file = next(folder.glob(f"scenario{src}_unit1_pwr_60ghz_1-*.npy"))
    n_src = int(power_file.stem.split("_1-")[-1])
    rows = rows or slice(0, n_src)
    out = dst_dir / "scenarios"
    out.mkdir(parents=True, exist_ok=True)
    n = None
    for role in ("unit1_pwr_60ghz", "unit1_loc", "unit2_loc", "unit2_loc_cal", "seq_index"):
        f = folder / f"scenario{src}_{role}_1-{n_src}.npy"
        if not f.is_file():
            continue
        arr = np.load(f, allow_pickle=False)[rows]
        n = arr.shape[0]
        np.save(out / f"scenario{dst}_{role}_1-{n}.npy", arr)
    if with_codebook:
        (dst_dir / "codebook").mkdir(exist_ok=True)
        shutil.copy(src_root / "codebook" / "deepsense_testbed1_measured_beam_patterns.npz", dst_dir / "codebook")
    assert n is not None
    return n


@pytest.fixture()
def scenario_copy(deepsense_root: Path):
    """``scenario_copy(src, dst_dir, dst, rows=None, with_codebook=True) -> N``: write a renamed copy."""

    def make(src: int, dst_dir: Path, dst: int, rows: slice | None = None, with_codebook: bool = True) -> int:
        return write_scenario_copy(deepsense_root, src, dst_dir, dst, rows, with_codebook)

    return make
