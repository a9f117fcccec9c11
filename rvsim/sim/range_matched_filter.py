"""The range matched filter of an OFDM sensing radio: one matrix from subcarriers to range bins.

An echo at delay ``τ`` rotates subcarrier ``f`` by ``exp(-j 2π f τ)``; correlating the CFR with
``w_f exp(+j 2π f τ_r)`` (a Hann window ``w`` over the subcarriers) at the delays ``τ_r = 2 r / c`` of the range
bins ``r`` (monostatic round trip) is a windowed inverse DFT evaluated at the range bins. The range–angle map
(:mod:`rvsim.sim.range_angle_map`) and the range–Doppler map (:mod:`rvsim.sim.range_doppler_map`) both use it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rvsim.config.radio_spec import SPEED_OF_LIGHT
from rvsim.radio.antenna_array import hann_taper

__all__ = ["range_matched_filter"]


def range_matched_filter(frequencies_hz: ArrayLike, range_bins_m: ArrayLike) -> np.ndarray:
    """The matched-filter matrix from subcarriers to range bins.

    Args:
        frequencies_hz: Absolute subcarrier frequencies [Hz], shape ``(num_subcarriers,)``.
        range_bins_m: Ranges to evaluate [m], shape ``(num_range_bins,)``.

    Returns:
        complex128 ``(num_subcarriers, num_range_bins)``: ``cfr @ matrix`` is the range profile.
    """
    f = np.asarray(frequencies_hz, dtype=np.float64)
    tau = 2.0 * np.asarray(range_bins_m, dtype=np.float64) / SPEED_OF_LIGHT
    window = hann_taper(f.shape[0])
    return (window[:, None] * np.exp(2j * np.pi * np.outer(f, tau))).astype(np.complex128)
