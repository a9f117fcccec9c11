"""Cross-modal self-supervised objectives: each is a Keras layer ``loss(z_radio, z_vision) -> scalar``.

``OBJECTIVES`` maps the names used in training configs (``"infonce"``, ``"vicreg"``, ``"barlow"``) to the
classes; :func:`build_objective` makes one by name.
"""

from __future__ import annotations

from typing import Any

from rvsim.errors import ConfigError
from rvsim.objectives.barlow_twins_loss import BarlowTwinsLoss
from rvsim.objectives.info_nce_loss import InfoNCELoss
from rvsim.objectives.vicreg_loss import VICRegLoss

__all__ = ["InfoNCELoss", "VICRegLoss", "BarlowTwinsLoss", "OBJECTIVES", "build_objective"]

#: Objective name -> loss layer class.
OBJECTIVES: dict[str, type] = {"infonce": InfoNCELoss, "vicreg": VICRegLoss, "barlow": BarlowTwinsLoss}


def build_objective(name: str, **kwargs: Any) -> InfoNCELoss | VICRegLoss | BarlowTwinsLoss:
    """Make the objective ``name`` (one of :data:`OBJECTIVES`) with keyword arguments for its class."""
    if name not in OBJECTIVES:
        raise ConfigError(f"unknown objective; expected one of {sorted(OBJECTIVES)}. Received: objective={name!r}")
    return OBJECTIVES[name](**kwargs)  # type: ignore[no-any-return]
