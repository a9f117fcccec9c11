"""rvsim: ray-traced paired radio–camera datasets and self-supervised radio-visual learning for 6G sensing.

Importing rvsim is light: it does not import TensorFlow, Keras or Sionna RT. Those are imported by the
modules that need them.
"""

from __future__ import annotations

from rvsim.errors import ConfigError, DatasetError, InputError

__version__ = "0.1.0"

__all__ = ["__version__", "InputError", "ConfigError", "DatasetError"]
