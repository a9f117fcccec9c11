"""Shared fixtures: tiny scene families that ray-trace in about a second; Sionna RT only for ``rt`` runs.

Dr.Jit segfaults when it is first imported after TensorFlow in the same process (measured with
tensorflow-cpu 2.21 and drjit 1.5), and test modules import TensorFlow at collection, so when the run selects
any test marked ``rt`` Sionna RT is imported before collection (:func:`pytest_configure`). A run that
deselects them (``-m "not rt"``) never imports Dr.Jit, and every test of such a run checks that it did not
(:func:`_no_dr_jit_without_rt`): a test that needs ray tracing and is not marked ``rt`` fails there.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# One Dr.Jit / BLAS thread keeps the tests predictable on the 2-core CI machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

#: Whether this run selects tests marked ``rt`` (set by :func:`pytest_configure`).
_RT_SELECTED = True


def _selects_rt(markexpr: str) -> bool:
    """Whether a ``-m`` expression can select a test marked ``rt`` (slow or not)."""
    if not markexpr:
        return True
    try:
        from _pytest.mark.expression import Expression
    except ImportError:  # pytest moved its expression parser: import Sionna RT to be safe
        return True
    expr = Expression.compile(markexpr)
    return any(expr.evaluate(lambda name, /, **kwargs: name == "rt" or (name == "slow" and slow))
               for slow in (False, True))


def pytest_configure(config: pytest.Config) -> None:
    """Import Sionna RT (before any test module imports TensorFlow) only if ``rt`` tests may run."""
    global _RT_SELECTED
    _RT_SELECTED = _selects_rt(config.getoption("markexpr", "") or "")
    if _RT_SELECTED:
        from rvsim.sim.sionna_import import import_sionna_rt

        import_sionna_rt()


@pytest.fixture(autouse=True)
def _no_dr_jit_without_rt(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a run without ``rt`` tests, fail any test that imports Dr.Jit (it needs the ``rt`` marker)."""
    yield
    if not _RT_SELECTED and "drjit" in sys.modules:
        pytest.fail(f"{request.node.nodeid} imported Dr.Jit (Sionna RT) but is not marked rt", pytrace=False)

TINY_SCENE: dict[str, Any] = {
    "name": "tiny",
    "description": "a small hall for tests",
    "radio": {
        "frequency_hz": 28.0e9,
        "bandwidth_hz": 800.0e6,
        "num_subcarriers": 128,
        "rx_array": {"num_rows": 1, "num_cols": 16},
        "range_angle": {"num_range_bins": 48, "max_range_m": 12.0, "num_angle_bins": 32, "angle_span_deg": 100.0},
    },
    "solver": {"max_depth": 1, "samples_per_src": 4000, "diffuse_reflection": True},
    "base_station": {"position_m": [0.3, 0.0, 2.5]},
    "camera": {"width": 64, "height": 32, "fov_deg": 100.0, "pitch_deg": -22.0, "spp": 1},
    "room": {"length_m": 12.0, "width_m": 10.0, "wall_height_m": 4.0,
             "racks": {"count_per_side": 1, "length_m": 2.0, "depth_m": 0.6, "height_m": 2.0}},
    "materials": {
        "floor": {"itu_type": "concrete", "thickness_m": 0.2, "scattering_coefficient": 0.2},
        "wall": {"itu_type": "concrete", "thickness_m": 0.2, "scattering_coefficient": 0.2},
        "rack": {"itu_type": "metal", "thickness_m": 0.01, "scattering_coefficient": 0.3},
        "steel": {"itu_type": "metal", "thickness_m": 0.01, "scattering_coefficient": 0.5,
                  "color": [0.9, 0.2, 0.1]},
        "skin": {"relative_permittivity": 15.0, "conductivity": 25.0, "thickness_m": 0.05,
                 "scattering_coefficient": 0.5, "color": [0.9, 0.6, 0.45]},
    },
    "classes": {
        "person": {"shape": "person", "size_m": {"length": [0.3, 0.4], "width": [0.45, 0.55],
                                                 "height": [1.6, 1.9]}, "material": "skin", "count": [0, 2]},
        "crate": {"shape": "box", "size_m": {"length": [0.5, 0.8], "width": [0.5, 0.8], "height": [0.8, 1.2]},
                  "material": "steel", "count": [0, 2]},
    },
    "placement": {"min_range_m": 3.0, "max_range_m": 9.0, "bearing_span_deg": 70.0},
}


#: The shared DeepSense folder, next to the repository (CI: ../shared/realdata/deepsense6g).
DEEPSENSE_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "realdata" / "deepsense6g"


@pytest.fixture(scope="session")
def deepsense_root() -> Path:
    """The shared DeepSense 6G folder (real captures); skips the test when it is absent."""
    if not (DEEPSENSE_ROOT / "scenarios").is_dir():
        pytest.skip(f"shared DeepSense data not found at {DEEPSENSE_ROOT} (expected ../shared/realdata/deepsense6g)")
    return DEEPSENSE_ROOT


def _swap_in_wrong_shapes(dataset_dir: Path, dst: Path) -> Path:
    """A copy of a dataset folder whose last shard is swapped for an HDF5 file of the wrong shapes.

    The copy's last shard keeps its name, root attributes and every other array, but its first array with a
    per-sample axis gets one element more on its last axis (a shard of another dataset, say). Its sha256 no
    longer matches the manifest's, which opening a dataset does not check (only ``rvsim verify`` does).

    Returns:
        ``dst``.
    """
    import shutil

    import h5py
    import numpy as np

    shutil.copytree(dataset_dir, dst)
    shard = sorted(dst.glob("shard-*.h5"))[-1]
    with h5py.File(shard, "r+") as f:
        names: list[str] = []
        f.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) and obj.ndim >= 2 else None)
        name = sorted(names)[0]
        old = f[name]
        shape, dtype, attrs = (*old.shape[:-1], old.shape[-1] + 1), old.dtype, dict(old.attrs)
        del f[name]
        new = f.create_dataset(name, data=np.zeros(shape, dtype))
        for key, value in attrs.items():
            new.attrs[key] = value
    return dst


@pytest.fixture
def swap_in_wrong_shapes() -> Any:
    """``swap_in_wrong_shapes(dataset_dir, dst) -> dst``: a copy of a dataset whose last shard is swapped for an
    HDF5 file of the wrong shapes (see :func:`_swap_in_wrong_shapes`)."""
    return _swap_in_wrong_shapes


@pytest.fixture
def tiny_scene_dict() -> dict[str, Any]:
    """A deep copy of the tiny scene family as plain data (edit freely)."""
    return copy.deepcopy(TINY_SCENE)


@pytest.fixture(scope="session")
def tiny_spec() -> Any:
    """The tiny scene family as a validated SceneSpec."""
    from rvsim.config import scene_spec_from_dict

    return scene_spec_from_dict(copy.deepcopy(TINY_SCENE))


@pytest.fixture(scope="session")
def tiny_generator(tiny_spec: Any) -> Any:
    """One SampleGenerator of the tiny family (dataset seed 7), shared by the tests of a session."""
    from rvsim.sim.sample_generator import SampleGenerator

    return SampleGenerator(tiny_spec, seed=7, num_threads=1)
