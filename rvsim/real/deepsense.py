"""Loaders for DeepSense 6G captures: car drive-by scenarios (testbed 1) and the scenario-17 blockage set.

Beam order: every power array returned here keeps the **column order of the DeepSense files**, which is the
order of the measured beam patterns (:mod:`rvsim.radio.beam_codebook`): beam ``b`` = column ``b`` = pattern
``built_in_beam_pattern_b``; the best beam index grows as the transmitter moves to the array's left. The
official DeepSense label is the reverse, ``unit1_beam_64 = 64 − b`` (:func:`official_beam_label`).

Geometry: positions are turned into east/north metres around the base station (equirectangular, see
:mod:`rvsim.real.geodesy`); ``range_m`` is the horizontal distance and ``bearing_deg`` the azimuth from the
array broadside, positive to the array's left, as in the simulated labels. The broadside direction of a site
is not in the files: :func:`fit_beam_bearing` estimates it from the data (with a GPS time shift), see
``docs/real_data.md`` for the method and the fit on every scenario.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import circmean

from rvsim.errors import DatasetError, InputError
from rvsim.radio.angles import wrap_deg
from rvsim.radio.array_files import check_array, load_npy, load_npz
from rvsim.radio.beam_codebook import BeamCodebook, dft_codebook, find_measured_codebook, load_codebook
from rvsim.radio.receiver_noise import estimate_noise_floor, peak_snr_db
from rvsim.real.geodesy import heading_deg, latlon_to_enu

__all__ = [
    "RealScenario",
    "RealBlockage",
    "RealBlockageSeries",
    "load_blockage_series",
    "BLOCKAGE_HORIZONS",
    "SERIES_LENGTH",
    "BeamBearingFit",
    "load_scenario",
    "load_blockage",
    "fit_beam_bearing",
    "shift_within_sequences",
    "official_beam_label",
    "scenario_files",
    "BLOCKAGE_FILE",
    "NUM_BEAMS",
]

#: Beams of the DeepSense testbed-1 receiver.
NUM_BEAMS: int = 64

#: The scenario-17 blockage file, looked up in ``DIR``, ``DIR/blockage_s17``.
BLOCKAGE_FILE: str = "s17_dev_pwr64_blockage.npz"

_FILE_PATTERNS: dict[str, str] = {
    "power": "scenario{s}_unit1_pwr_60ghz_1-{n}.npy",
    "bs_loc": "scenario{s}_unit1_loc_1-{n}.npy",
    "car_loc": "scenario{s}_unit2_loc_1-{n}.npy",
    "car_loc_cal": "scenario{s}_unit2_loc_cal_1-{n}.npy",
    "seq_index": "scenario{s}_seq_index_1-{n}.npy",
}


def official_beam_label(power: np.ndarray) -> np.ndarray:
    """DeepSense's official ``unit1_beam_64`` label (1..64) of rvsim-ordered power vectors.

    Args:
        power: ``(..., 64)`` beam powers in file/codebook column order.

    Returns:
        ``(...)`` int64 ``64 − argmax``.
    """
    return NUM_BEAMS - np.argmax(np.asarray(power), axis=-1).astype(np.int64)


@dataclasses.dataclass(frozen=True)
class BeamBearingFit:
    """How the best beam relates to the GPS bearing of one scenario, after fitting the site's broadside.

    Attributes:
        broadside_heading_deg: Compass heading of the array broadside (clockwise from north) [deg].
        gps_shift_samples: The GPS time shift applied: row ``i``'s position is the GPS position ``k`` rows
            later in its drive-by sequence (interpolated / extrapolated linearly); 0 when not aligned.
        num_used: Rows used by the fit (peak ≥ ``min_snr_db`` above the noise floor, best beam a regular,
            non-edge beam of the codebook).
        spearman: Spearman rank correlation of best beam index and GPS bearing on those rows (positive:
            beam index grows to the array's left).
        median_abs_error_deg: Median of the absolute difference GPS bearing − peak bearing of the best beam [deg].
        within_5deg: Fraction of those rows with an error ≤ 5°.
        slope_beams_per_deg: Least-squares slope of best beam index on GPS bearing, rows with
            ``|bearing| ≤ 35°`` [beams/deg] (the codebook's own slope is ≈ 0.72).
        codebook: Name of the codebook whose beam peaks were used.
    """

    broadside_heading_deg: float
    gps_shift_samples: int
    num_used: int
    spearman: float
    median_abs_error_deg: float
    within_5deg: float
    slope_beams_per_deg: float
    codebook: str

    def to_dict(self) -> dict[str, Any]:
        """Return the fit as a JSON-able dict."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, eq=False)
class RealScenario:
    """One DeepSense drive-by scenario.

    Attributes:
        scenario: Scenario number.
        power: ``(N, 64)`` float64 linear received power per beam (file/codebook column order).
        bs_latlon: ``(N, 2)`` base station latitude, longitude [deg].
        car_latlon: ``(N, 2)`` car latitude, longitude [deg] (calibrated when the file exists).
        car_calibrated: Whether ``car_latlon`` comes from the ``*_unit2_loc_cal_*`` file.
        car_enu: ``(N, 2)`` car east, north from the base station [m], after the GPS time shift.
        range_m: ``(N,)`` horizontal distance base station → car [m].
        bearing_deg: ``(N,)`` car azimuth from the array broadside, positive to the left [deg].
        seq_index: ``(N,)`` int64 drive-by sequence id.
        index: ``(N,)`` int64 DeepSense sample index (row + 1).
        fit: The beam/bearing fit that set the broadside and GPS shift (on ``fit_rows``).
        noise_floor: Estimated noise floor of ``power[fit_rows]`` (:func:`~rvsim.radio.receiver_noise.estimate_noise_floor`).
        files: ``{role: path}`` of the files read.
        fit_rows: ``(m,)`` rows the calibration was fitted on.
    """

    scenario: int
    power: np.ndarray
    bs_latlon: np.ndarray
    car_latlon: np.ndarray
    car_calibrated: bool
    car_enu: np.ndarray
    range_m: np.ndarray
    bearing_deg: np.ndarray
    seq_index: np.ndarray
    index: np.ndarray
    fit: BeamBearingFit
    noise_floor: float
    files: dict[str, str]
    fit_rows: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def num_samples(self) -> int:
        """Rows ``N``."""
        return int(self.power.shape[0])

    @property
    def best_beam(self) -> np.ndarray:
        """``(N,)`` int64 argmax beam (column order)."""
        return np.argmax(self.power, axis=1).astype(np.int64)

    @property
    def official_beam_label(self) -> np.ndarray:
        """``(N,)`` int64 official DeepSense ``unit1_beam_64`` label, ``64 − best_beam``."""
        return official_beam_label(self.power)

    def summary(self) -> dict[str, Any]:
        """A JSON-able summary: sizes, range/bearing spans, fit."""
        return {
            "scenario": self.scenario,
            "num_samples": self.num_samples,
            "num_sequences": int(np.unique(self.seq_index).size),
            "car_calibrated": self.car_calibrated,
            "range_m": [float(self.range_m.min()), float(self.range_m.max())],
            "bearing_deg": [float(self.bearing_deg.min()), float(self.bearing_deg.max())],
            "noise_floor": self.noise_floor,
            "fit": self.fit.to_dict(),
            "fit_rows": int(self.fit_rows.size),
        }


@dataclasses.dataclass(frozen=True, eq=False)
class RealBlockage:
    """DeepSense scenario 17: a static link with passing blockers, samples consecutive in time (~10 Hz).

    Attributes:
        power: ``(N, 64)`` float64 linear received power per beam (file column order).
        blockage: ``(N,)`` int64, 1 when the line of sight is blocked.
        index: ``(N,)`` int64 sample index of the file.
        path: The file read.
    """

    power: np.ndarray
    blockage: np.ndarray
    index: np.ndarray
    path: str

    @property
    def num_samples(self) -> int:
        """Rows ``N``."""
        return int(self.power.shape[0])


def _check_scenario_number(scenario: object) -> int:
    if isinstance(scenario, bool) or not isinstance(scenario, (int, np.integer)) or int(scenario) < 0:
        raise InputError(f"scenario must be a non-negative integer. Received: scenario={scenario!r}")
    return int(scenario)


def _scenario_folder(data_dir: Path, s: int) -> Path:
    if not data_dir.is_dir():
        raise DatasetError(f"DeepSense data folder {data_dir} does not exist. Received: data_dir={str(data_dir)!r}")
    for folder in (data_dir / "scenarios", data_dir):
        if folder.is_dir() and any(folder.glob(f"scenario{s}_unit1_pwr_60ghz_1-*.npy")):
            return folder
    return data_dir / "scenarios" if (data_dir / "scenarios").is_dir() else data_dir


def scenario_files(data_dir: str | Path, scenario: int) -> dict[str, Path]:
    """Find the files of one scenario, discovering its sample count ``N`` from the power file's name.

    Files are looked up in ``data_dir/scenarios`` or ``data_dir``. ``car_loc_cal`` is included only when
    present.

    Args:
        data_dir: The DeepSense folder (or its ``scenarios/`` folder).
        scenario: Scenario number.

    Returns:
        ``{role: path}`` with roles ``power``, ``bs_loc``, ``car_loc``, ``seq_index`` and maybe ``car_loc_cal``.

    Raises:
        DatasetError: No or several power files, or a required file missing for that ``N``.
    """
    s = _check_scenario_number(scenario)
    folder = _scenario_folder(Path(data_dir), s)
    regex = re.compile(rf"^scenario{s}_unit1_pwr_60ghz_1-(\d+)\.npy$")
    matches = sorted(p for p in folder.glob(f"scenario{s}_unit1_pwr_60ghz_1-*.npy") if regex.match(p.name))
    if not matches:
        present = sorted(p.name for p in folder.glob(f"scenario{s}_*"))[:8]
        raise DatasetError(
            f"No power file scenario{s}_unit1_pwr_60ghz_1-N.npy for scenario {s} in {folder}. "
            f"Received: files={present}"
        )
    if len(matches) > 1:
        raise DatasetError(
            f"Several power files for scenario {s} in {folder}; keep one. Received: {[p.name for p in matches]}"
        )
    m = regex.match(matches[0].name)
    assert m is not None
    n = int(m.group(1))
    files: dict[str, Path] = {}
    for role, pattern in _FILE_PATTERNS.items():
        path = folder / pattern.format(s=s, n=n)
        if path.is_file():
            files[role] = path
            continue
        if role == "car_loc_cal":
            continue
        stem = pattern.format(s=s, n="*")
        others = sorted(p.name for p in folder.glob(stem))
        if others:
            raise DatasetError(
                f"{path.name} is missing: its sample count must match the power file's N={n}. Received: {others}"
            )
        raise DatasetError(f"{path.name} is missing from {folder}. Received: no file matching {stem}")
    return files


def shift_within_sequences(enu: np.ndarray, seq_index: np.ndarray, shift: int) -> np.ndarray:
    """Move positions ``shift`` rows along their own drive-by sequence.

    Row ``i`` gets the position of row ``i + shift`` of the same sequence (rows of a sequence in row order);
    beyond a sequence's ends the position is extrapolated linearly from the last two rows.

    Args:
        enu: ``(N, 2)`` positions [m].
        seq_index: ``(N,)`` sequence ids.
        shift: Rows to shift (any sign).

    Returns:
        ``(N, 2)`` shifted positions [m].
    """
    out = np.array(enu, dtype=np.float64, copy=True)
    if shift == 0:
        return out
    for q in np.unique(seq_index):
        rows = np.flatnonzero(seq_index == q)
        n = rows.size
        if n < 2:
            continue
        pos = enu[rows]
        t = np.arange(n, dtype=np.float64) + shift
        k = np.clip(np.floor(t).astype(np.int64), 0, n - 2)
        w = (t - k)[:, None]
        out[rows] = pos[k] * (1.0 - w) + pos[k + 1] * w
    return out


def _usable_beams(codebook: BeamCodebook, edge: int = 2) -> np.ndarray:
    gains = codebook.peak_gains
    regular = np.flatnonzero(gains >= 0.5 * np.median(gains))
    mask = np.zeros(codebook.num_beams, dtype=bool)
    if regular.size > 2 * edge:
        mask[regular[edge:-edge]] = True
    else:
        mask[regular] = True
    return mask


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    from scipy.stats import spearmanr

    if x.size < 3 or np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(spearmanr(x, y).statistic)


def fit_beam_bearing(
    power: np.ndarray,
    car_enu: np.ndarray,
    seq_index: np.ndarray,
    codebook: BeamCodebook,
    *,
    max_gps_shift: int = 20,
    broadside_heading_deg: float | None = None,
    min_snr_db: float = 1.0,
) -> tuple[BeamBearingFit, np.ndarray]:
    """Estimate a site's broadside heading (and a GPS time shift) from best beams and GPS positions.

    Each usable row predicts the car's bearing as the peak bearing of its best beam in ``codebook``. For
    every GPS shift ``k`` in ``[−max_gps_shift, max_gps_shift]`` rows (:func:`shift_within_sequences`), the
    broadside heading is the circular median of ``heading(car) + predicted bearing``; the shift with the
    smallest median absolute bearing error wins (ties: the smaller ``|k|``). Only two numbers are fitted on
    thousands of rows; bearing *classes* (quantile bins) do not depend on the broadside at all.

    Args:
        power: ``(N, 64)`` linear beam powers (codebook column order).
        car_enu: ``(N, 2)`` car east/north from the base station [m], unshifted.
        seq_index: ``(N,)`` drive-by sequence ids.
        codebook: Beam patterns giving each beam's peak bearing.
        max_gps_shift: Largest GPS shift tried [rows]; 0 disables the shift.
        broadside_heading_deg: Use this broadside heading instead of fitting it (the shift is still fitted).
        min_snr_db: Rows whose peak is less than this above the noise floor are not used [dB].

    Returns:
        The fit and the ``(N, 2)`` shifted car positions [m].

    Raises:
        DatasetError: Fewer than 10 usable rows.
    """
    best = np.argmax(power, axis=1)
    usable_beam = _usable_beams(codebook)
    snr = peak_snr_db(power, estimate_noise_floor(power))
    used = usable_beam[best] & (snr >= min_snr_db)
    if used.sum() < 10:
        raise DatasetError(
            f"Too few rows to relate beams to GPS bearings (need 10 with a clear peak on a regular beam). "
            f"Received: {int(used.sum())} usable row(s) of {power.shape[0]}"
        )
    predicted = codebook.peak_bearings_deg[best[used]]
    best_cost, best_k, best_h0 = np.inf, 0, 0.0
    shifts = sorted(range(-max_gps_shift, max_gps_shift + 1), key=abs)
    for k in shifts:
        heading = heading_deg(shift_within_sequences(car_enu, seq_index, k)[used])
        if broadside_heading_deg is None:
            sums = heading + predicted
            ref = float(circmean(sums, high=180.0, low=-180.0))
            h0 = float(np.mod(ref + np.median(wrap_deg(sums - ref, closed="upper")), 360.0))
        else:
            h0 = float(np.mod(broadside_heading_deg, 360.0))
        cost = float(np.median(np.abs(wrap_deg(h0 - heading - predicted, closed="upper"))))
        if cost < best_cost - 1e-9:
            best_cost, best_k, best_h0 = cost, k, h0
    enu = shift_within_sequences(car_enu, seq_index, best_k)
    bearing = wrap_deg(best_h0 - heading_deg(enu), closed="upper")
    err = np.abs(wrap_deg(bearing[used] - predicted, closed="upper"))
    central = used & (np.abs(bearing) <= 35.0)
    slope = float(np.polyfit(bearing[central], best[central], 1)[0]) if central.sum() >= 3 else float("nan")
    fit = BeamBearingFit(
        broadside_heading_deg=best_h0,
        gps_shift_samples=int(best_k),
        num_used=int(used.sum()),
        spearman=_spearman(best[used].astype(np.float64), bearing[used]),
        median_abs_error_deg=float(np.median(err)),
        within_5deg=float(np.mean(err <= 5.0)),
        slope_beams_per_deg=slope,
        codebook=codebook.name,
    )
    return fit, enu


def load_scenario(
    data_dir: str | Path,
    scenario: int,
    *,
    codebook: BeamCodebook | None = None,
    align_gps: bool = True,
    max_gps_shift: int = 20,
    broadside_heading_deg: float | None = None,
    prefer_calibrated: bool = True,
    fit_rows: np.ndarray | None = None,
) -> RealScenario:
    """Load one DeepSense drive-by scenario and compute range and bearing of the car.

    The site calibration — broadside heading and GPS time shift (:func:`fit_beam_bearing`) and the noise
    floor it uses — is fitted on ``fit_rows`` only, then applied to every row. An evaluation passes its
    training rows, so that no test row (its radio or its position) shapes any label; the default, every row,
    is for looking at a scenario as a whole.

    Works for any scenario number whose files follow ``scenario{s}_unit1_pwr_60ghz_1-N.npy``,
    ``scenario{s}_unit1_loc_1-N.npy``, ``scenario{s}_unit2_loc_1-N.npy``, ``scenario{s}_seq_index_1-N.npy``
    (and optionally ``scenario{s}_unit2_loc_cal_1-N.npy``, preferred when present) in ``data_dir/scenarios``
    or ``data_dir``; ``N`` is read from the power file's name. Arrays are loaded without unpickling.

    Args:
        data_dir: The DeepSense folder (holding ``scenarios/``) or the scenarios folder itself.
        scenario: Scenario number.
        codebook: Beam patterns for the broadside fit; default: the measured patterns found next to the data
            (:func:`~rvsim.radio.beam_codebook.find_measured_codebook`), else :func:`~rvsim.radio.beam_codebook.dft_codebook`.
        align_gps: Fit a GPS time shift of up to ``max_gps_shift`` rows (see :func:`fit_beam_bearing`).
        max_gps_shift: Largest GPS shift tried [rows].
        broadside_heading_deg: Fix the broadside heading (compass, clockwise from north) instead of fitting it.
        prefer_calibrated: Use ``*_unit2_loc_cal_*`` when it exists.
        fit_rows: Rows the calibration is fitted on (e.g. the training split); ``None``: every row. Sequences
            are shifted as wholes, so pass whole sequences.

    Returns:
        The scenario.

    Raises:
        DatasetError: Missing files, files whose ``N`` differ, wrong shapes or dtypes, non-finite values,
            negative powers, impossible coordinates, or object arrays.
    """
    s = _check_scenario_number(scenario)
    files = scenario_files(data_dir, s)
    n = int(re.findall(r"_1-(\d+)\.npy$", files["power"].name)[0])
    power = check_array(load_npy(files["power"]), name=files["power"].name, kind="float", shape=(n, NUM_BEAMS))
    if np.any(power < 0):
        raise DatasetError(f"{files['power'].name} must hold non-negative linear powers. Received: min={power.min():.3g}")
    bs = check_array(load_npy(files["bs_loc"]), name=files["bs_loc"].name, kind="float", shape=(n, 2))
    use_cal = prefer_calibrated and "car_loc_cal" in files
    car_role = "car_loc_cal" if use_cal else "car_loc"
    car = check_array(load_npy(files[car_role]), name=files[car_role].name, kind="float", shape=(n, 2))
    seq = check_array(load_npy(files["seq_index"]), name=files["seq_index"].name, kind="int", shape=(n,))
    for role, arr in (("bs_loc", bs), (car_role, car)):
        if np.any(np.abs(arr[:, 0]) > 90.0) or np.any(np.abs(arr[:, 1]) > 180.0):
            raise DatasetError(
                f"{files[role].name} must hold latitude, longitude in degrees. "
                f"Received: lat range [{arr[:, 0].min():.4g}, {arr[:, 0].max():.4g}], "
                f"lon range [{arr[:, 1].min():.4g}, {arr[:, 1].max():.4g}]"
            )
    if codebook is None:
        found = find_measured_codebook(files["power"].parent)
        if found is None:
            found = find_measured_codebook(Path(data_dir))
        codebook = load_codebook(found) if found is not None else dft_codebook()
    enu0 = latlon_to_enu(bs, car)
    rows = np.arange(n, dtype=np.int64) if fit_rows is None else np.asarray(fit_rows, dtype=np.int64)
    if rows.ndim != 1 or rows.size < 1 or rows.min() < 0 or rows.max() >= n:
        raise InputError(f"fit_rows must be row indices in [0, {n}). Received: shape={rows.shape}")
    fit, _ = fit_beam_bearing(
        power[rows], enu0[rows], seq[rows], codebook,
        max_gps_shift=max_gps_shift if align_gps else 0,
        broadside_heading_deg=broadside_heading_deg,
    )
    enu = shift_within_sequences(enu0, seq, fit.gps_shift_samples)
    return RealScenario(
        scenario=s,
        power=power,
        bs_latlon=bs,
        car_latlon=car,
        car_calibrated=bool(use_cal),
        car_enu=enu,
        range_m=np.hypot(enu[:, 0], enu[:, 1]),
        bearing_deg=wrap_deg(fit.broadside_heading_deg - heading_deg(enu), closed="upper"),
        seq_index=seq,
        index=np.arange(1, n + 1, dtype=np.int64),
        fit=fit,
        noise_floor=estimate_noise_floor(power[rows]),
        files={role: str(path) for role, path in files.items()},
        fit_rows=np.sort(rows),
    )


def _blockage_path(data_dir: Path) -> Path:
    if data_dir.is_file():
        return data_dir
    for candidate in (data_dir / "blockage_s17" / BLOCKAGE_FILE, data_dir / BLOCKAGE_FILE):
        if candidate.is_file():
            return candidate
    raise DatasetError(
        f"No {BLOCKAGE_FILE} in {data_dir} or {data_dir / 'blockage_s17'}. Received: data_dir={str(data_dir)!r}"
    )


def load_blockage(data_dir: str | Path) -> RealBlockage:
    """Load the DeepSense scenario-17 blockage set (``blockage_s17/s17_dev_pwr64_blockage.npz``).

    Args:
        data_dir: The DeepSense folder, its ``blockage_s17/`` folder, or the ``.npz`` file.

    Returns:
        The blockage set, rows in time order.

    Raises:
        DatasetError: Missing file or keys, wrong shapes or dtypes, non-finite or negative powers, labels
            other than 0/1, or object arrays.
    """
    path = _blockage_path(Path(data_dir))
    arrays = load_npz(path, ["index", "pwr_60ghz", "blockage"])
    n = int(np.asarray(arrays["pwr_60ghz"]).shape[0]) if np.asarray(arrays["pwr_60ghz"]).ndim >= 1 else 0
    power = check_array(arrays["pwr_60ghz"], name=f"{path.name}['pwr_60ghz']", kind="float", shape=(None, NUM_BEAMS))
    if np.any(power < 0):
        raise DatasetError(f"{path.name}['pwr_60ghz'] must be non-negative linear powers. Received: min={power.min():.3g}")
    index = check_array(arrays["index"], name=f"{path.name}['index']", kind="int", shape=(n,))
    blockage = check_array(arrays["blockage"], name=f"{path.name}['blockage']", kind="int", shape=(n,))
    if n < 2:
        raise DatasetError(f"{path.name} must hold at least 2 samples. Received: {n}")
    bad = np.setdiff1d(np.unique(blockage), [0, 1])
    if bad.size:
        raise DatasetError(f"{path.name}['blockage'] must be 0 or 1. Received: values {bad[:5].tolist()}")
    return RealBlockage(power=power, blockage=blockage, index=index, path=str(path))


#: DeepSense's future-blockage series file, looked up next to :data:`BLOCKAGE_FILE`.
BLOCKAGE_SERIES_FILE: str = "s17_dev_future_series.npz"

#: Past sweeps per series of the future-blockage task.
SERIES_LENGTH: int = 8

#: Horizons of the official future-blockage series.
BLOCKAGE_HORIZONS: tuple[int, ...] = (1, 5, 10)


@dataclasses.dataclass(frozen=True, eq=False)
class RealBlockageSeries:
    """DeepSense's standard future-blockage task on scenario 17: 8 past sweeps, is the link blocked within the
    next ``horizon`` sweeps.

    Attributes:
        horizon: Sweeps ahead ``K``.
        power: ``(n, 8, 64)`` float64 linear beam powers of the 8 past sweeps of every series, in time order.
        blocked: ``(n,)`` int64, 1 when any of the next ``K`` sweeps is blocked (``next.max(axis=1)``).
        start: ``(n,)`` DeepSense index of the first past sweep.
        part: ``(n,)`` the official part of every series: ``"train"``, ``"val"`` or ``"test"``.
        path: The series file read.
    """

    horizon: int
    power: np.ndarray
    blocked: np.ndarray
    start: np.ndarray
    part: np.ndarray
    path: str

    @property
    def num_series(self) -> int:
        """Series ``n``."""
        return int(self.power.shape[0])


def load_blockage_series(data_dir: str | Path, horizon: int) -> RealBlockageSeries:
    """Load the official future-blockage series of horizon ``K`` (``blockage_s17/s17_dev_future_series.npz``),
    their sweeps looked up by DeepSense index in :data:`BLOCKAGE_FILE`.

    Raises:
        InputError: A horizon without official series.
        DatasetError: Missing files or keys, a series whose sweeps are not all in the sweep file, labels other
            than 0/1, or object arrays.
    """
    if horizon not in BLOCKAGE_HORIZONS:
        raise InputError(f"horizon must be one of {list(BLOCKAGE_HORIZONS)} (the official series). Received: horizon={horizon!r}")
    sweeps = load_blockage(data_dir)
    path = Path(sweeps.path).parent / BLOCKAGE_SERIES_FILE
    parts = ("train", "val", "test")
    keys = [f"future{horizon}_{p}_{k}" for p in parts for k in ("start", "next")]
    arrays = load_npz(path, keys)
    row_of = {int(ix): r for r, ix in enumerate(sweeps.index)}
    power, blocked, start, part = [], [], [], []
    for p in parts:
        st = check_array(arrays[f"future{horizon}_{p}_start"], name=f"{path.name}['future{horizon}_{p}_start']", kind="int",
                         shape=(None,))
        nxt = check_array(arrays[f"future{horizon}_{p}_next"], name=f"{path.name}['future{horizon}_{p}_next']", kind="int",
                          shape=(st.size, horizon))
        if np.setdiff1d(np.unique(nxt), [0, 1]).size:
            raise DatasetError(f"{path.name}['future{horizon}_{p}_next'] must be 0 or 1. Received: {np.unique(nxt)[:5].tolist()}")
        missing = [int(s) + j for s in st for j in range(SERIES_LENGTH) if int(s) + j not in row_of]
        if missing:
            raise DatasetError(f"{path.name}: series sweeps missing from {BLOCKAGE_FILE}. Received: indices {missing[:5]}")
        rows = np.array([[row_of[int(s) + j] for j in range(SERIES_LENGTH)] for s in st], dtype=np.int64).reshape(-1, SERIES_LENGTH)
        power.append(sweeps.power[rows])
        blocked.append(nxt.max(axis=1).astype(np.int64))
        start.append(st.astype(np.int64))
        part.append(np.full(st.size, p))
    return RealBlockageSeries(horizon=int(horizon), power=np.concatenate(power), blocked=np.concatenate(blocked),
                              start=np.concatenate(start), part=np.concatenate(part), path=str(path))
