from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from rvsim.errors import DatasetError, InputError
from rvsim.real.deepsense import (
    load_blockage,
    load_scenario,
    official_beam_label,
    scenario_files,
    shift_within_sequences,
)


@pytest.fixture(scope="module")
def scenarios(deepsense_root: Path) -> dict:
    return {s: load_scenario(deepsense_root, s) for s in (1, 2, 3, 4, 5, 6)}


def test_scenarios_load_with_consistent_shapes(scenarios: dict) -> None:
    expected = {1: 2422, 2: 2974, 3: 1487, 4: 1867, 5: 2300, 6: 915}
    for s, sc in scenarios.items():
        n = expected[s]
        assert sc.num_samples == n and sc.power.shape == (n, 64)
        assert sc.range_m.shape == sc.bearing_deg.shape == sc.seq_index.shape == (n,)
        assert sc.index[0] == 1 and sc.index[-1] == n
        assert sc.car_calibrated == (s in (3, 4))


@pytest.mark.parametrize("s", [1, 2, 3, 4, 5, 6])
def test_range_from_gps_is_plausible(scenarios: dict, s: int) -> None:
    r = scenarios[s].range_m
    assert r.min() > 5.0 and r.max() < 80.0


@pytest.mark.parametrize("s", [1, 5])
def test_best_beam_follows_the_bearing(scenarios: dict, s: int) -> None:
    sc = scenarios[s]
    # rvsim convention: beam index (file column) grows to the array's left, where bearing is positive
    assert spearmanr(sc.best_beam, sc.bearing_deg).statistic > 0.9
    assert spearmanr(sc.official_beam_label, sc.bearing_deg).statistic < -0.9
    assert sc.fit.spearman > 0.95 and sc.fit.median_abs_error_deg < 5.0
    # the fitted broadside puts the cars on both sides of it
    assert sc.bearing_deg.min() < -30 and sc.bearing_deg.max() > 30


def test_sites_shared_by_two_scenarios_get_the_same_broadside(scenarios: dict) -> None:
    def gap(a: float, b: float) -> float:
        return abs((a - b + 180) % 360 - 180)

    assert gap(scenarios[1].fit.broadside_heading_deg, scenarios[2].fit.broadside_heading_deg) < 10
    assert gap(scenarios[3].fit.broadside_heading_deg, scenarios[4].fit.broadside_heading_deg) < 10


def test_gps_alignment_does_not_hurt_the_fit(deepsense_root: Path, scenarios: dict) -> None:
    plain = load_scenario(deepsense_root, 3, align_gps=False)
    assert plain.fit.gps_shift_samples == 0
    assert scenarios[3].fit.median_abs_error_deg <= plain.fit.median_abs_error_deg
    fixed = load_scenario(deepsense_root, 3, broadside_heading_deg=scenarios[3].fit.broadside_heading_deg)
    assert np.allclose(fixed.bearing_deg, scenarios[3].bearing_deg)


def test_official_beam_label_matches_the_deepsense_csv(deepsense_root: Path, scenarios: dict) -> None:
    for s in (5, 6):
        with open(deepsense_root / "scenarios" / f"scenario{s}_index_to_image.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        idx = np.array([int(r["index"]) for r in rows])
        label = np.array([int(r["unit1_beam_64"]) for r in rows])
        assert np.array_equal(scenarios[s].official_beam_label[idx - 1], label)
    assert official_beam_label(np.eye(64)[[0, 63]]).tolist() == [64, 1]


def test_unseen_scenario_number_from_a_renamed_copy(tmp_path: Path, scenario_copy, scenarios: dict) -> None:
    n = scenario_copy(5, tmp_path, 9, rows=slice(0, 600))
    sc = load_scenario(tmp_path, 9)
    assert sc.scenario == 9 and sc.num_samples == n == 600
    assert np.array_equal(sc.power, scenarios[5].power[:600])
    assert sc.fit.codebook == "deepsense_testbed1_measured_beam_patterns"
    # the scenarios folder itself, and no codebook next to it (falls back to the DFT codebook)
    bare = tmp_path / "bare"
    scenario_copy(5, bare, 12, rows=slice(0, 600), with_codebook=False)
    sc12 = load_scenario(bare / "scenarios", 12)
    assert sc12.fit.codebook == "dft16x64" and sc12.num_samples == 600
    # scenario 1 must not pick up scenario 12's files
    with pytest.raises(DatasetError, match="No power file scenario1_"):
        load_scenario(bare, 1)


@pytest.fixture()
def copy9(tmp_path: Path, scenario_copy) -> Path:
    scenario_copy(5, tmp_path, 9, rows=slice(0, 300), with_codebook=False)
    return tmp_path / "scenarios"


def test_missing_file(copy9: Path) -> None:
    (copy9 / "scenario9_seq_index_1-300.npy").unlink()
    with pytest.raises(DatasetError, match=r"scenario9_seq_index_1-300\.npy is missing"):
        load_scenario(copy9, 9)


def test_mismatched_sample_counts(copy9: Path) -> None:
    seq = np.load(copy9 / "scenario9_seq_index_1-300.npy")
    (copy9 / "scenario9_seq_index_1-300.npy").unlink()
    np.save(copy9 / "scenario9_seq_index_1-299.npy", seq[:299])
    with pytest.raises(DatasetError, match=r"must match the power file's N=300\. Received: \['scenario9_seq_index_1-299"):
        load_scenario(copy9, 9)


def test_array_length_must_match_the_file_name(copy9: Path) -> None:
    seq = np.load(copy9 / "scenario9_seq_index_1-300.npy")
    np.save(copy9 / "scenario9_seq_index_1-300.npy", seq[:250])
    with pytest.raises(DatasetError, match=r"scenario9_seq_index_1-300\.npy must have shape \(300,\)\. Received: shape=\(250,\)"):
        load_scenario(copy9, 9)


def test_wrong_shape(copy9: Path) -> None:
    p = np.load(copy9 / "scenario9_unit1_pwr_60ghz_1-300.npy")
    np.save(copy9 / "scenario9_unit1_pwr_60ghz_1-300.npy", p[:, :63])
    with pytest.raises(DatasetError, match=r"must have shape \(300, 64\)\. Received: shape=\(300, 63\)"):
        load_scenario(copy9, 9)


def test_wrong_dtype(copy9: Path) -> None:
    seq = np.load(copy9 / "scenario9_seq_index_1-300.npy")
    np.save(copy9 / "scenario9_seq_index_1-300.npy", seq.astype(np.float64))
    with pytest.raises(DatasetError, match=r"seq_index_1-300\.npy must hold integers\. Received: dtype=float64"):
        load_scenario(copy9, 9)
    np.save(copy9 / "scenario9_seq_index_1-300.npy", seq)
    p = np.load(copy9 / "scenario9_unit1_pwr_60ghz_1-300.npy")
    np.save(copy9 / "scenario9_unit1_pwr_60ghz_1-300.npy", p.astype(np.complex128))
    with pytest.raises(DatasetError, match="must hold real numbers. Received: dtype=complex128"):
        load_scenario(copy9, 9)


def test_nan_values(copy9: Path) -> None:
    loc = np.load(copy9 / "scenario9_unit2_loc_1-300.npy")
    loc[17, 0] = np.nan
    np.save(copy9 / "scenario9_unit2_loc_1-300.npy", loc)
    with pytest.raises(DatasetError, match=r"scenario9_unit2_loc_1-300\.npy holds non-finite values"):
        load_scenario(copy9, 9)


def test_impossible_coordinates_and_negative_power(copy9: Path) -> None:
    loc = np.load(copy9 / "scenario9_unit1_loc_1-300.npy")
    np.save(copy9 / "scenario9_unit1_loc_1-300.npy", loc[:, ::-1] * 10)
    with pytest.raises(DatasetError, match="latitude, longitude"):
        load_scenario(copy9, 9)
    np.save(copy9 / "scenario9_unit1_loc_1-300.npy", loc)
    p = np.load(copy9 / "scenario9_unit1_pwr_60ghz_1-300.npy")
    np.save(copy9 / "scenario9_unit1_pwr_60ghz_1-300.npy", -p)
    with pytest.raises(DatasetError, match="non-negative"):
        load_scenario(copy9, 9)


def test_pickled_object_array_is_refused(copy9: Path) -> None:
    obj = np.empty(300, dtype=object)
    obj[:] = [{"evil": i} for i in range(300)]
    np.save(copy9 / "scenario9_seq_index_1-300.npy", obj, allow_pickle=True)
    with pytest.raises(DatasetError, match="object .pickled. array"):
        load_scenario(copy9, 9)


def test_corrupt_and_ambiguous_files(copy9: Path) -> None:
    (copy9 / "scenario9_unit2_loc_1-300.npy").write_bytes(b"garbage")
    with pytest.raises(DatasetError, match="not a readable .npy"):
        load_scenario(copy9, 9)
    shutil.copy(copy9 / "scenario9_unit1_pwr_60ghz_1-300.npy", copy9 / "scenario9_unit1_pwr_60ghz_1-299.npy")
    with pytest.raises(DatasetError, match="Several power files"):
        scenario_files(copy9, 9)


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="scenario must be a non-negative integer"):
        load_scenario(tmp_path, -1)
    with pytest.raises(InputError, match="scenario must be"):
        load_scenario(tmp_path, "5")  # type: ignore[arg-type]
    with pytest.raises(DatasetError, match="does not exist"):
        load_scenario(tmp_path / "nowhere", 5)
    with pytest.raises(DatasetError, match="No power file"):
        load_scenario(tmp_path, 5)


def test_shift_within_sequences_interpolates_and_extrapolates() -> None:
    enu = np.array([[0.0, 0], [1, 0], [2, 0], [10, 5], [10, 6]])
    seq = np.array([1, 1, 1, 2, 2])
    out = shift_within_sequences(enu, seq, 2)
    assert np.allclose(out[:3, 0], [2, 3, 4])  # extrapolated along the last step
    assert np.allclose(out[3:], [[10, 7], [10, 8]])
    assert np.allclose(shift_within_sequences(enu, seq, -1)[:3, 0], [-1, 0, 1])
    assert np.array_equal(shift_within_sequences(enu, seq, 0), enu)


def test_load_blockage(deepsense_root: Path) -> None:
    b = load_blockage(deepsense_root)
    assert b.power.shape == (9522, 64) and b.blockage.shape == (9522,)
    assert int(b.blockage.sum()) == 1210
    assert np.all(np.diff(b.index) > 0)
    # blocked samples are weaker at the best beam
    peak_db = 10 * np.log10(b.power.max(axis=1))
    assert np.median(peak_db[b.blockage == 0]) - np.median(peak_db[b.blockage == 1]) > 5
    assert load_blockage(deepsense_root / "blockage_s17").num_samples == 9522


@pytest.mark.parametrize(
    "arrays, match",
    [
        ({"index": np.arange(4), "pwr_60ghz": np.ones((4, 64))}, r"lacks key\(s\) \['blockage'\]"),
        ({"index": np.arange(4), "pwr_60ghz": np.ones((4, 32)), "blockage": np.zeros(4, int)}, r"shape \(N, 64\)"),
        ({"index": np.arange(4), "pwr_60ghz": np.ones((4, 64)), "blockage": np.array([0, 1, 2, 0])}, "must be 0 or 1"),
        ({"index": np.arange(3), "pwr_60ghz": np.ones((4, 64)), "blockage": np.zeros(4, int)}, r"\['index'\] must have shape \(4,\)"),
        ({"index": np.arange(4), "pwr_60ghz": np.full((4, 64), np.nan), "blockage": np.zeros(4, int)}, "non-finite"),
    ],
)
def test_load_blockage_rejects_malformed_files(tmp_path: Path, arrays: dict, match: str) -> None:
    np.savez(tmp_path / "s17_dev_pwr64_blockage.npz", **arrays)
    with pytest.raises(DatasetError, match=match):
        load_blockage(tmp_path)


def test_load_blockage_refuses_pickles_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="No s17_dev_pwr64_blockage.npz"):
        load_blockage(tmp_path)
    obj = np.empty(4, dtype=object)
    obj[:] = [0, 1, 0, {"x": 1}]
    np.savez(tmp_path / "s17_dev_pwr64_blockage.npz", index=np.arange(4), pwr_60ghz=np.ones((4, 64)), blockage=obj)
    with pytest.raises(DatasetError, match="object .pickled. array"):
        load_blockage(tmp_path)
