"""Radio and vision encoders, projection heads, and the cross-modal self-supervised model."""

from __future__ import annotations

from rvsim.models.cross_modal_model import CrossModalModel
from rvsim.models.projection_head import ProjectionHead
from rvsim.models.radio_encoder import build_radio_encoder
from rvsim.models.radio_normalization import RadioNormalization
from rvsim.models.vision_encoder import build_vision_encoder

__all__ = ["build_radio_encoder", "RadioNormalization", "build_vision_encoder", "ProjectionHead", "CrossModalModel"]
