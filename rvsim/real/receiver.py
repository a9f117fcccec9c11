"""Moved to :mod:`rvsim.radio.receiver_noise` (shared by simulation and real data).

A thin re-export kept for the modules that still import it from here; removed by the eval-protocol change.
"""

from __future__ import annotations

from rvsim.radio.receiver_noise import (
    DEFAULT_FLOOR_DB,
    DEFAULT_NOISE_CV,
    add_receiver_noise,
    estimate_noise_floor,
    noise_floor_for_snr,
    normalise_beam_power,
    peak_snr_db,
)

__all__ = [
    "normalise_beam_power",
    "add_receiver_noise",
    "noise_floor_for_snr",
    "estimate_noise_floor",
    "peak_snr_db",
    "DEFAULT_FLOOR_DB",
    "DEFAULT_NOISE_CV",
]
