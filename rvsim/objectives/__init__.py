"""Cross-modal self-supervised objectives: each is a Keras layer ``loss(z_radio, z_vision) -> scalar``.

``OBJECTIVES`` maps the names used in training configs (``"infonce"``, ``"vicreg"``, ``"barlow"``) to the
classes; :func:`build_objective` makes one by name. :class:`DenseInfoNCELoss` is the spatially aligned
objective over azimuth sectors, added to the global one by ``TrainConfig.dense_weight``.
:class:`TemporalInfoNCELoss` is the temporal objective over windows of frames of sequences (the radio window
against the camera window, and the radio now against the camera a few frames ahead).
"""

from __future__ import annotations

from typing import Any

from rvsim.errors import ConfigError
from rvsim.objectives.barlow_twins_loss import BarlowTwinsLoss
from rvsim.objectives.dense_info_nce_loss import DenseInfoNCELoss
from rvsim.objectives.info_nce_loss import InfoNCELoss
from rvsim.objectives.temporal_info_nce_loss import TemporalInfoNCELoss
from rvsim.objectives.vicreg_loss import VICRegLoss

__all__ = ["DENSE_OBJECTIVES", "InfoNCELoss", "DenseInfoNCELoss", "TemporalInfoNCELoss", "VICRegLoss",
           "BarlowTwinsLoss", "OBJECTIVES", "build_objective"]

#: Objective name -> loss layer class.
OBJECTIVES: dict[str, type] = {"infonce": InfoNCELoss, "vicreg": VICRegLoss, "barlow": BarlowTwinsLoss}

#: Objectives over azimuth sectors (``loss(c_radio (B, K, d), c_vision (B, K, d))``), joined to a global one.
DENSE_OBJECTIVES: dict[str, type] = {"dense_infonce": DenseInfoNCELoss}


def build_objective(name: str, **kwargs: Any) -> InfoNCELoss | VICRegLoss | BarlowTwinsLoss:
    """Make the objective ``name`` (one of :data:`OBJECTIVES` or :data:`DENSE_OBJECTIVES`) with keyword
    arguments for its class."""
    table = {**OBJECTIVES, **DENSE_OBJECTIVES}
    if name not in table:
        raise ConfigError(f"unknown objective; expected one of {sorted(table)}. Received: objective={name!r}")
    return table[name](**kwargs)  # type: ignore[no-any-return]
