"""Reading scene families: a YAML file or a built-in family by name, into a validated :class:`SceneSpec`.

Every key, type and value is checked by the spec models (:mod:`rvsim.config.scene_spec`); any problem raises
one :class:`~rvsim.errors.ConfigError` whose single line names where the data came from, the key path, the
problem and the value received (:func:`~rvsim.config.validation_message.format_validation_error`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml
from pydantic import ValidationError

from rvsim.config.scene_spec import SceneSpec
from rvsim.config.validation_message import format_validation_error
from rvsim.errors import ConfigError

__all__ = ["builtin_scene_names", "load_scene_spec", "scene_spec_from_dict"]


def builtin_scene_names() -> list[str]:
    """Names of the scene families shipped with rvsim (``rvsim/scenes/*.yaml``)."""
    folder = resources.files("rvsim") / "scenes"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_scene_spec(path_or_name: str | os.PathLike[str]) -> SceneSpec:
    """Read a scene family from a YAML file, or a built-in family by name (``"factory"``).

    Args:
        path_or_name: Path of a YAML file, or the name of a built-in family.

    Returns:
        The validated, resolved :class:`SceneSpec`.

    Raises:
        ConfigError: if the file is missing, is not YAML, or any key, type or value is invalid.
    """
    text_path = os.fspath(path_or_name)
    if os.path.isfile(text_path):
        source = text_path
        with open(text_path, encoding="utf-8") as fh:
            text = fh.read()
        base_dir = os.path.dirname(os.path.abspath(text_path))
    elif os.sep not in text_path and not text_path.endswith((".yaml", ".yml")) \
            and text_path in builtin_scene_names():
        source = f"built-in scene {text_path!r}"
        text = (resources.files("rvsim") / "scenes" / f"{text_path}.yaml").read_text(encoding="utf-8")
        base_dir = str(resources.files("rvsim") / "scenes")
    else:
        raise ConfigError(
            f"scene file not found (and not a built-in scene: {', '.join(builtin_scene_names())}). "
            f"Received: {text_path!r}")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{source} is not valid YAML ({first}). Received: {text_path!r}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source} must hold a mapping of settings. Received: {type(data).__name__}")
    return scene_spec_from_dict(data, source=source, base_dir=base_dir)


def scene_spec_from_dict(data: Mapping[str, Any], source: str = "scene spec",
                         base_dir: str | os.PathLike[str] | None = None) -> SceneSpec:
    """Build and validate a :class:`SceneSpec` from plain data (as read from YAML, or a manifest's ``scene``).

    Args:
        data: Nested mappings; missing keys take their defaults.
        source: Where the data came from, for error messages.
        base_dir: Folder that relative file paths in the data (``radio.codebook.path``) are relative to
            (the YAML file's folder); None: the current directory. The returned spec holds absolute paths.

    Raises:
        ConfigError: naming the key, the problem and what was received.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: the file must be a mapping. Received: {data!r}")
    try:
        return SceneSpec.model_validate(dict(data), context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, SceneSpec, source)) from None
