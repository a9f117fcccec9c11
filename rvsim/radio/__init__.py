"""Radio physics shared by the simulator and real data: angles, beam codebooks, beam power, receiver noise.

Importing this package needs numpy and scipy only. Modules: :mod:`~rvsim.radio.angles` (angle wrapping),
:mod:`~rvsim.radio.beam_codebook` (measured and DFT codebooks, their angle frames),
:mod:`~rvsim.radio.beam_power` (the power paths deliver to each beam), :mod:`~rvsim.radio.receiver_noise`
(the receiver's noise floor and per-sample normalisation), :mod:`~rvsim.radio.antenna_array` (uniform
linear arrays: element positions, steering vectors, tapers) and :mod:`~rvsim.radio.array_files` (``.npy`` /
``.npz`` files loaded without unpickling).
"""

from __future__ import annotations

from rvsim.radio.angles import wrap_deg
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
    "wrap_deg",
    "BROADSIDE_PATTERN_DEG",
    "MEASURED_CODEBOOK_FILE",
    "BeamCodebook",
    "bearing_from_pattern_angle",
    "dft_codebook",
    "find_measured_codebook",
    "load_codebook",
    "pattern_angle_from_bearing",
    "beam_power",
    "beam_power_from_bearing",
    "DEFAULT_FLOOR_DB",
    "DEFAULT_NOISE_CV",
    "add_receiver_noise",
    "estimate_noise_floor",
    "noise_floor_for_snr",
    "normalise_beam_power",
    "peak_snr_db",
]
