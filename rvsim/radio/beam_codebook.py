"""Beam codebooks of a 64-beam receive array: measured patterns or a steered DFT codebook, and their angle frames.

Angle frames (see ``docs/real_data.md``):

* **Bearing** ``β`` (rvsim's frame, as in the dataset labels ``obj_bearing`` / ``tx_bearing``): azimuth of a
  direction from the array broadside, positive to the array's **left** (counter-clockwise seen from above)
  [deg].
* **Pattern angle** ``φ`` (the frame of the measured DeepSense patterns, ``angle_rad``): the array axis lies
  along ``φ = 0°`` / ``180°`` and the broadside at ``φ = 90°``. Beam 1 of the measured codebook peaks at
  131.4°, beam 62 at 46.6° (a linear fit gives ``132.2° − 1.39°·b``; mid-codebook 88.5°). Because the best
  beam index of the real captures grows as the car moves to the array's left (measured against GPS, see
  :mod:`rvsim.real.deepsense`), the two frames are related by

  ``φ = 90° − β``,  ``β = 90° − φ``.

  So beam 0 looks to the right (``β ≈ −42°``), beam 63 to the left (``β ≈ +43°``). Pattern angles outside
  the pattern's sampled range (``−4°..176°`` for the measured patterns, ``0°..180°`` for the DFT codebook)
  are behind the array: their gain is **0** (no back lobe).

Beam order: beam ``b`` of a codebook is column ``b`` of the DeepSense power files (official DeepSense label
``64 − b``), see :func:`rvsim.real.deepsense.official_beam_label`. The beam powers a set of paths produces
through a codebook are :mod:`rvsim.radio.beam_power`'s.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from scipy.interpolate import make_interp_spline

from rvsim.errors import DatasetError, InputError
from rvsim.radio.angles import wrap_deg
from rvsim.radio.array_files import check_array, load_npz

__all__ = [
    "BeamCodebook",
    "load_codebook",
    "find_measured_codebook",
    "dft_codebook",
    "pattern_angle_from_bearing",
    "bearing_from_pattern_angle",
    "BROADSIDE_PATTERN_DEG",
    "MEASURED_CODEBOOK_FILE",
]

#: Pattern-frame angle of the array broadside [deg].
BROADSIDE_PATTERN_DEG: float = 90.0

#: File name of the measured DeepSense testbed-1 beam patterns.
MEASURED_CODEBOOK_FILE: str = "deepsense_testbed1_measured_beam_patterns.npz"


def pattern_angle_from_bearing(bearing_deg: ArrayLike) -> np.ndarray:
    """Map a bearing (from broadside, positive to the array's left) to the beam-pattern angle frame.

    Args:
        bearing_deg: Bearing(s) [deg], any shape.

    Returns:
        Pattern angle ``90° − β`` [deg], same shape (not wrapped).
    """
    return BROADSIDE_PATTERN_DEG - np.asarray(bearing_deg, dtype=np.float64)


def bearing_from_pattern_angle(pattern_angle_deg: ArrayLike) -> np.ndarray:
    """Inverse of :func:`pattern_angle_from_bearing`, wrapped to ``(−180°, 180°]``.

    Args:
        pattern_angle_deg: Pattern-frame angle(s) [deg], any shape.

    Returns:
        Bearing ``90° − φ`` [deg], positive to the array's left, in ``(−180, 180]``.
    """
    return wrap_deg(BROADSIDE_PATTERN_DEG - np.asarray(pattern_angle_deg, dtype=np.float64), closed="upper")


@dataclasses.dataclass(frozen=True, eq=False)
class BeamCodebook:
    """Amplitude gain patterns of a beam codebook in the pattern angle frame.

    Attributes:
        patterns: ``(num_beams, num_angles)`` linear **amplitude** gain ``g_b(φ)`` (received power scales
            with ``g²``; checked on the real captures, whose −3 dB beam widths match ``g²``).
        angles_rad: ``(num_angles,)`` strictly increasing pattern-frame angles [rad].
        name: A short name (file stem or ``"dft16x64"``).
        weights: ``(num_beams, num_elements)`` complex beamforming weights when known (DFT codebook), else None.
    """

    patterns: np.ndarray
    angles_rad: np.ndarray
    name: str = "codebook"
    weights: np.ndarray | None = None

    def __post_init__(self) -> None:
        patterns = np.asarray(self.patterns, dtype=np.float64)
        angles = np.asarray(self.angles_rad, dtype=np.float64)
        if patterns.ndim != 2 or patterns.shape[0] < 1 or patterns.shape[1] < 2:
            raise InputError(f"patterns must have shape (num_beams, num_angles>=2). Received: shape={patterns.shape}")
        if angles.shape != (patterns.shape[1],):
            raise InputError(
                f"angles_rad must have shape ({patterns.shape[1]},) to match patterns. Received: shape={angles.shape}"
            )
        if not (np.all(np.isfinite(patterns)) and np.all(np.isfinite(angles))):
            raise InputError("patterns and angles_rad must be finite. Received: NaN or inf values")
        if np.any(patterns < 0):
            raise InputError(f"patterns must be non-negative amplitude gains. Received: min={patterns.min():.3g}")
        if np.any(np.diff(angles) <= 0):
            raise InputError("angles_rad must be strictly increasing. Received: a non-increasing angle axis")
        if angles[-1] - angles[0] > 2 * np.pi + 1e-9:
            raise InputError(f"angles_rad must span at most 360 deg. Received: span={np.degrees(angles[-1] - angles[0]):.1f} deg")
        patterns.setflags(write=False)
        angles.setflags(write=False)
        object.__setattr__(self, "patterns", patterns)
        object.__setattr__(self, "angles_rad", angles)
        # piecewise-linear gain of every beam between the sampled angles (a degree-1 B-spline)
        object.__setattr__(self, "_gain_spline", make_interp_spline(angles, patterns.T, k=1))

    @property
    def num_beams(self) -> int:
        """Number of beams."""
        return int(self.patterns.shape[0])

    @property
    def peak_angles_rad(self) -> np.ndarray:
        """``(num_beams,)`` pattern-frame angle of each beam's maximum gain [rad]."""
        return self.angles_rad[np.argmax(self.patterns, axis=1)]

    @property
    def peak_bearings_deg(self) -> np.ndarray:
        """``(num_beams,)`` bearing of each beam's maximum gain [deg] (positive to the array's left)."""
        return bearing_from_pattern_angle(np.degrees(self.peak_angles_rad))

    @property
    def peak_gains(self) -> np.ndarray:
        """``(num_beams,)`` maximum amplitude gain of each beam."""
        return self.patterns.max(axis=1)

    def gain(self, angle_rad: ArrayLike) -> np.ndarray:
        """Amplitude gain of every beam at pattern-frame angles, linearly interpolated.

        Angles are first wrapped into ``[angles_rad[0], angles_rad[0] + 2π)``; those outside the sampled
        range (behind the array) get gain 0.

        Args:
            angle_rad: Pattern-frame angles [rad], any shape ``S``.

        Returns:
            ``S + (num_beams,)`` amplitude gains.
        """
        x = np.asarray(angle_rad, dtype=np.float64)
        if not np.all(np.isfinite(x)):
            raise InputError("azimuths must be finite. Received: NaN or inf values")
        a0 = self.angles_rad[0]
        x = a0 + np.mod(x - a0, 2.0 * np.pi)
        inside = x <= self.angles_rad[-1]
        g = self._gain_spline(np.where(inside, x, a0))
        return np.where(inside[..., None], g, 0.0)


def find_measured_codebook(data_dir: str | Path) -> Path | None:
    """Locate the measured DeepSense patterns file under a data folder.

    Looks for :data:`MEASURED_CODEBOOK_FILE` in ``data_dir``, ``data_dir/codebook`` and
    ``data_dir/../codebook`` (so the DeepSense root or its ``scenarios/`` folder both work).

    Args:
        data_dir: A folder.

    Returns:
        The path, or None when absent.
    """
    d = Path(data_dir)
    for candidate in (d / MEASURED_CODEBOOK_FILE, d / "codebook" / MEASURED_CODEBOOK_FILE,
                      d.parent / "codebook" / MEASURED_CODEBOOK_FILE):
        if candidate.is_file():
            return candidate
    return None


def load_codebook(path: str | Path) -> BeamCodebook:
    """Load measured beam patterns from an ``.npz`` file (never unpickles).

    The file must hold ``beam_pattern`` ``(num_beams, num_angles)`` linear amplitude gain and ``angle_rad``
    ``(num_angles,)`` strictly increasing [rad] (DeepSense testbed 1: ``(64, 211)``, −4°..176°). A folder is
    accepted too: the measured file is looked up with :func:`find_measured_codebook`.

    Args:
        path: The ``.npz`` file, or a folder holding it.

    Returns:
        The codebook, named after the file stem.

    Raises:
        DatasetError: Missing file, missing keys, wrong shapes or dtypes, non-finite or negative values.
    """
    path = Path(path)
    if path.is_dir():
        found = find_measured_codebook(path)
        if found is None:
            raise DatasetError(f"No {MEASURED_CODEBOOK_FILE} in {path} or its codebook/ folder. Received: path={str(path)!r}")
        path = found
    arrays = load_npz(path, ["beam_pattern", "angle_rad"])
    patterns = check_array(arrays["beam_pattern"], name=f"{path.name}['beam_pattern']", kind="float", shape=(None, None))
    angles = check_array(arrays["angle_rad"], name=f"{path.name}['angle_rad']", kind="float", shape=(None,))
    if patterns.shape[1] != angles.shape[0] or patterns.shape[0] < 1 or angles.shape[0] < 2:
        raise DatasetError(
            f"{path.name}: beam_pattern must be (num_beams, num_angles) with num_angles = len(angle_rad) >= 2. "
            f"Received: beam_pattern{patterns.shape}, angle_rad{angles.shape}"
        )
    if np.any(patterns < 0):
        raise DatasetError(f"{path.name}['beam_pattern'] must be non-negative linear gains. Received: min={patterns.min():.3g}")
    if np.any(np.diff(angles) <= 0):
        raise DatasetError(f"{path.name}['angle_rad'] must be strictly increasing. Received: a non-increasing axis")
    return BeamCodebook(patterns=patterns, angles_rad=angles, name=path.stem)


def dft_codebook(
    num_elements: int = 16,
    num_beams: int = 64,
    fov_deg: float = 90.0,
    *,
    spacing: Literal["angle", "sine"] = "angle",
    element_spacing: float = 0.5,
    num_angles: int = 361,
) -> BeamCodebook:
    """A steered (DFT-type) codebook of a uniform linear array, in the measured codebook's frame and order.

    Element ``n`` sits at ``n·d`` along the array axis (pattern angle 0°); beam ``b`` is steered to bearing
    ``β_b`` running from ``−fov/2`` (beam 0, the array's right, pattern angle ``90° + fov/2``) to ``+fov/2``
    (last beam) like the measured DeepSense codebook. Weights ``w_b[n] = exp(j2π d n sin β_b)/√N``; the gain
    ``g_b(φ) = |w_bᴴ a(φ)|/√N`` with ``a_n(φ) = exp(j2π d n cos φ)`` peaks at 1. Elements are isotropic
    in front of a ground plane: the pattern is sampled on ``φ ∈ [0°, 180°]`` and is 0 behind the array.

    Args:
        num_elements: Array elements ``N``.
        num_beams: Beams.
        fov_deg: Span of the steering bearings [deg], in ``(0, 180)``.
        spacing: ``"angle"`` steers at bearings evenly spaced in angle (like the measured codebook, about
            1.4°/beam), ``"sine"`` evenly spaced in ``sin β`` (a true oversampled DFT grid).
        element_spacing: Element spacing ``d`` [wavelengths].
        num_angles: Pattern samples over ``[0°, 180°]``.

    Returns:
        The codebook, with ``weights`` ``(num_beams, num_elements)`` complex128.
    """
    if not isinstance(num_elements, (int, np.integer)) or num_elements < 1:
        raise InputError(f"num_elements must be a positive integer. Received: num_elements={num_elements!r}")
    if not isinstance(num_beams, (int, np.integer)) or num_beams < 1:
        raise InputError(f"num_beams must be a positive integer. Received: num_beams={num_beams!r}")
    if not 0.0 < float(fov_deg) < 180.0:
        raise InputError(f"fov_deg must be in (0, 180). Received: fov_deg={fov_deg!r}")
    if spacing not in ("angle", "sine"):
        raise InputError(f"spacing must be 'angle' or 'sine'. Received: spacing={spacing!r}")
    if not float(element_spacing) > 0.0:
        raise InputError(f"element_spacing must be positive. Received: element_spacing={element_spacing!r}")
    if not isinstance(num_angles, (int, np.integer)) or num_angles < 2:
        raise InputError(f"num_angles must be an integer >= 2. Received: num_angles={num_angles!r}")
    half = np.radians(float(fov_deg) / 2.0)
    if num_beams == 1:
        sin_steer = np.zeros(1)
    elif spacing == "angle":
        sin_steer = np.sin(np.linspace(-half, half, num_beams))
    else:
        sin_steer = np.linspace(-np.sin(half), np.sin(half), num_beams)
    n = np.arange(num_elements)
    weights = np.exp(2j * np.pi * element_spacing * np.outer(sin_steer, n)) / np.sqrt(num_elements)
    angles = np.linspace(0.0, np.pi, num_angles)
    response = np.exp(2j * np.pi * element_spacing * np.outer(n, np.cos(angles)))  # (N, A)
    patterns = np.abs(weights.conj() @ response) / np.sqrt(num_elements)
    return BeamCodebook(patterns=patterns, angles_rad=angles, name=f"dft{num_elements}x{num_beams}", weights=weights)
