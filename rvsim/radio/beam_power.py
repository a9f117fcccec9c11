"""The power a set of propagation paths delivers to every beam of a codebook (an incoherent sum over paths).

Shared by the simulator (ray-traced paths, :mod:`rvsim.sim.street.street_receiver`) and by real-data analysis
(:mod:`rvsim.real.deepsense`); the angle frames are :mod:`rvsim.radio.beam_codebook`'s.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rvsim.errors import InputError
from rvsim.radio.beam_codebook import BeamCodebook, pattern_angle_from_bearing

__all__ = ["beam_power", "beam_power_from_bearing"]


def beam_power(amplitudes: ArrayLike, azimuth_rad: ArrayLike, codebook: BeamCodebook) -> np.ndarray:
    """Received power on every beam from a set of paths (incoherent sum over paths).

    ``p_b = Σ_l |a_l|² · g_b(θ_l)²`` with ``g_b`` the codebook's amplitude gain linearly interpolated at the
    path's arrival azimuth ``θ_l`` in the **pattern** frame (broadside at 90°; use
    :func:`beam_power_from_bearing` for rvsim bearings). Paths behind the array contribute 0. Leading batch
    axes are allowed; a zero amplitude is a padded (absent) path.

    Args:
        amplitudes: ``(..., num_paths)`` complex (or real) path amplitudes; ``|a|²`` is the path power.
        azimuth_rad: ``(..., num_paths)`` arrival azimuth at the array in the pattern frame [rad].
        codebook: The beam patterns.

    Returns:
        ``(..., num_beams)`` float64 linear beam powers (same units as ``|a|²``).

    Raises:
        InputError: Shapes that do not match, or non-finite values.
    """
    a = np.asarray(amplitudes)
    theta = np.asarray(azimuth_rad, dtype=np.float64)
    if a.shape != theta.shape or a.ndim < 1:
        raise InputError(
            f"amplitudes and azimuth_rad must have the same shape (..., num_paths). "
            f"Received: amplitudes{a.shape}, azimuth_rad{theta.shape}"
        )
    power = np.abs(a).astype(np.float64) ** 2
    if not np.all(np.isfinite(power)):
        raise InputError("amplitudes must be finite. Received: NaN or inf values")
    gain = codebook.gain(theta)  # (..., L, B)
    return np.einsum("...l,...lb->...b", power, gain**2)


def beam_power_from_bearing(amplitudes: ArrayLike, bearing_deg: ArrayLike, codebook: BeamCodebook) -> np.ndarray:
    """:func:`beam_power` for arrival directions given as rvsim bearings.

    Args:
        amplitudes: ``(..., num_paths)`` complex path amplitudes.
        bearing_deg: ``(..., num_paths)`` arrival azimuth from the array broadside, positive to the array's
            left (counter-clockwise seen from above) [deg].
        codebook: The beam patterns.

    Returns:
        ``(..., num_beams)`` float64 linear beam powers.
    """
    return beam_power(amplitudes, np.radians(pattern_angle_from_bearing(bearing_deg)), codebook)
