"""Exceptions raised by rvsim.

Every problem with user input (a scene YAML, a dataset folder, a command-line argument, a data file) raises
:class:`InputError`. The command line turns it into one line on stderr and exit code 2.
"""

from __future__ import annotations

__all__ = ["InputError", "ConfigError", "DatasetError"]


class InputError(ValueError):
    """Bad user input: the message names the problem and what was received."""


class ConfigError(InputError):
    """An invalid scene, simulation, training or probe configuration."""


class DatasetError(InputError):
    """A dataset folder or file that is missing, malformed, or does not match the schema."""
