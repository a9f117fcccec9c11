"""rvsim: ray-traced paired radio–camera datasets and self-supervised radio-visual learning for 6G sensing.

Importing rvsim is light: it does not import TensorFlow, Keras or Sionna RT. Those are imported by the
modules that need them (:mod:`rvsim.sim`, :mod:`rvsim.train`, :mod:`rvsim.models`, :mod:`rvsim.eval`).
"""

from __future__ import annotations

from rvsim.config import SceneSpec, load_scene_spec, scene_spec_from_dict
from rvsim.data import Dataset, DatasetWriter, split_indices
from rvsim.errors import ConfigError, DatasetError, InputError

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "SceneSpec",
    "load_scene_spec",
    "scene_spec_from_dict",
    "Dataset",
    "DatasetWriter",
    "split_indices",
    "InputError",
    "ConfigError",
    "DatasetError",
]
