"""Exceptions raised by rvsim.

Every problem with user input (a scene YAML, a dataset folder, a command-line argument, a data file) raises
:class:`InputError`. The command line turns it into one line on stderr and exit code 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["InputError", "ConfigError", "DatasetError", "check_settings"]


class InputError(ValueError):
    """Bad user input: the message names the problem and what was received."""


class ConfigError(InputError):
    """An invalid scene, simulation, training or probe configuration."""


class DatasetError(InputError):
    """A dataset folder or file that is missing, malformed, or does not match the schema."""


def check_settings(values: Any, known: Any, what: str) -> dict[str, Any]:
    """``values`` as a dict after checking that it is a mapping whose keys are all in ``known``.

    Args:
        values: Settings read from YAML or JSON.
        known: The accepted keys (e.g. a dataclass's field names).
        what: What the settings are, for the message (``"training config keys"``).

    Raises:
        ConfigError: ``values`` is not a mapping, or holds unknown keys (named, with the accepted ones).
    """
    if not isinstance(values, Mapping):
        raise ConfigError(f"{what} must be a mapping. Received: {type(values).__name__}")
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"unknown {what}; expected some of {sorted(known)}. Received: {unknown}")
    return dict(values)
