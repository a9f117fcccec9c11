"""Moved to :mod:`rvsim.radio.beam_codebook` and :mod:`rvsim.radio.beam_power` (shared by simulation and real data).

A thin re-export kept for the modules that still import it from here; removed by the eval-protocol change.
"""

from __future__ import annotations

from rvsim.radio.beam_codebook import (
    BROADSIDE_PATTERN_DEG,
    MEASURED_CODEBOOK_FILE,
    BeamCodebook,
    bearing_from_pattern_angle,
    dft_codebook,
    find_measured_codebook,
    load_codebook,
    pattern_angle_from_bearing,
)
from rvsim.radio.beam_power import beam_power, beam_power_from_bearing

__all__ = [
    "BeamCodebook",
    "load_codebook",
    "find_measured_codebook",
    "dft_codebook",
    "beam_power",
    "beam_power_from_bearing",
    "pattern_angle_from_bearing",
    "bearing_from_pattern_angle",
    "BROADSIDE_PATTERN_DEG",
    "MEASURED_CODEBOOK_FILE",
]
