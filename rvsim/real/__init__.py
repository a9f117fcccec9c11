"""Real radio captures (DeepSense 6G): loaders, real tasks and splits.

Importing this package needs only numpy (no TensorFlow / Keras); the sim-to-real evaluation that runs
encoders lives in :mod:`rvsim.real.sim_to_real` and is imported on demand. Beam codebooks and the receiver
model are radio physics shared with the simulator, in :mod:`rvsim.radio`; their names are re-exported here
through the modules ``rvsim.real.codebook`` and ``rvsim.real.receiver`` until the eval-protocol change
removes them.
"""

from __future__ import annotations

from rvsim.real.codebook import (  # moved to rvsim.radio; re-exported until the eval-protocol change
    BROADSIDE_PATTERN_DEG,
    MEASURED_CODEBOOK_FILE,
    BeamCodebook,
    beam_power,
    beam_power_from_bearing,
    bearing_from_pattern_angle,
    dft_codebook,
    find_measured_codebook,
    load_codebook,
    pattern_angle_from_bearing,
)
from rvsim.real.deepsense import (
    BeamBearingFit,
    RealBlockage,
    RealScenario,
    fit_beam_bearing,
    load_blockage,
    load_scenario,
    official_beam_label,
)
from rvsim.real.real_tasks import (
    REAL_TASKS,
    RealTaskLabels,
    apply_bins,
    bearing_task,
    blockage_task,
    make_real_task,
    quantile_bins,
    range_task,
)
from rvsim.real.receiver import (  # moved to rvsim.radio; re-exported until the eval-protocol change
    DEFAULT_FLOOR_DB,
    DEFAULT_NOISE_CV,
    add_receiver_noise,
    estimate_noise_floor,
    noise_floor_for_snr,
    normalise_beam_power,
    peak_snr_db,
)
from rvsim.real.splits import split_by_sequence, split_contiguous_blocks

__all__ = [
    "BROADSIDE_PATTERN_DEG",
    "MEASURED_CODEBOOK_FILE",
    "BeamCodebook",
    "beam_power",
    "beam_power_from_bearing",
    "bearing_from_pattern_angle",
    "dft_codebook",
    "find_measured_codebook",
    "load_codebook",
    "pattern_angle_from_bearing",
    "BeamBearingFit",
    "RealBlockage",
    "RealScenario",
    "fit_beam_bearing",
    "load_blockage",
    "load_scenario",
    "official_beam_label",
    "REAL_TASKS",
    "RealTaskLabels",
    "apply_bins",
    "bearing_task",
    "blockage_task",
    "make_real_task",
    "quantile_bins",
    "range_task",
    "DEFAULT_FLOOR_DB",
    "DEFAULT_NOISE_CV",
    "add_receiver_noise",
    "estimate_noise_floor",
    "noise_floor_for_snr",
    "normalise_beam_power",
    "peak_snr_db",
    "split_by_sequence",
    "split_contiguous_blocks",
]
