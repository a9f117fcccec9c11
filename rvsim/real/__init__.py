"""Real radio captures (DeepSense 6G): loaders, real tasks and splits.

Numpy only: this package imports no TensorFlow or Keras. The evaluation of encoders on these captures is the
protocol of :mod:`rvsim.eval` (:mod:`rvsim.eval.real_probe`, the command ``rvsim real``). Beam codebooks and
the receiver model are radio physics shared with the simulator, in :mod:`rvsim.radio`.
"""

from __future__ import annotations

from rvsim.real.deepsense import (
    BeamBearingFit,
    RealBlockage,
    RealBlockageSeries,
    RealScenario,
    fit_beam_bearing,
    load_blockage,
    load_blockage_series,
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
from rvsim.real.splits import split_by_sequence, split_contiguous_blocks, split_series_by_time

__all__ = [
    "BeamBearingFit",
    "RealBlockage",
    "RealBlockageSeries",
    "load_blockage_series",
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
    "split_by_sequence",
    "split_contiguous_blocks",
    "split_series_by_time",
]
