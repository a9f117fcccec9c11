"""A freshly initialised copy of an encoder: the "random features" baseline of a linear-probe comparison."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from rvsim.errors import InputError

__all__ = ["reinitialized_encoder"]


def reinitialized_encoder(encoder: Any, seed: int) -> Any:
    """The same architecture as ``encoder`` (every layer and its configuration) with new, seeded random weights.

    The model is cloned layer by layer (``keras.models.clone_model``, nested models included); every weight
    initialiser that takes a seed gets a new one derived from ``seed`` (so different seeds give different
    encoders, and the same seed the same one), and non-trainable state (batch-norm moving statistics) starts
    fresh. Layers without initialisers, e.g. a fixed input normalisation, are copied with their configuration.

    Args:
        encoder: A functional or sequential ``keras.Model``.
        seed: Seed (>= 0).

    Returns:
        A new, built ``keras.Model`` with the same inputs and outputs shapes as ``encoder``.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be an integer >= 0. Received: seed={seed!r}")
    import keras

    counter = itertools.count()
    base = int(seed) * 100_003

    def clone_layer(layer: Any) -> Any:
        config = layer.get_config()
        for key, value in config.items():
            if key.endswith("_initializer") and isinstance(value, dict) and isinstance(value.get("config"), dict):
                if "seed" in value["config"]:
                    value["config"]["seed"] = (base + next(counter)) % (2**31 - 1)
        return layer.__class__.from_config(config)

    return keras.models.clone_model(encoder, clone_function=clone_layer, recursive=True)
