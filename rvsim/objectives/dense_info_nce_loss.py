"""Dense, spatially aligned InfoNCE: azimuth sectors of the radio map against the same sectors of the image.

The range–angle map's angle axis and the camera's horizontal axis see the same azimuths, so a radio
feature pooled over range in one azimuth sector and an image feature pooled over rows in the same sector
describe the same part of the scene. Every (sample, sector) of the radio batch is an anchor whose positive is
the same (sample, sector) of the image batch; the other sectors of the same sample and every sector of the
other samples are the negatives. With ``B`` samples and ``K`` sectors this is :class:`InfoNCELoss` over the
``B·K`` flattened sector embeddings, so the encoders must tell *where* in the scene things are, not only
*which* scene it is.

References:
    A. van den Oord, Y. Li, O. Vinyals, "Representation Learning with Contrastive Predictive Coding",
    arXiv:1807.03748, 2018.
    R. Arandjelović, A. Zisserman, "Objects that Sound", ECCV 2018 (dense audio-visual correspondence for
    localisation without labels).
    M. Alloulah, M. Arnold, "Look, Radiate, and Learn: Self-Supervised Localisation via Radio-Visual
    Correspondence", CVPR 2023 (the radio-visual version: label-free localisation).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from rvsim.objectives.info_nce_loss import InfoNCELoss

__all__ = ["DenseInfoNCELoss"]


@keras.saving.register_keras_serializable(package="rvsim")
class DenseInfoNCELoss(InfoNCELoss):
    """Symmetric InfoNCE over every (sample, azimuth sector) pair of a batch.

    Args:
        temperature: Initial (or fixed) temperature, > 0.
        learnable_temperature: Whether the temperature is trained.
        min_temperature: Lower clip of the temperature.
        max_temperature: Upper clip of the temperature.

    Call arguments:
        z_a: Sector embeddings of modality A (radio), ``(batch_size, num_sectors, dim)``.
        z_b: Sector embeddings of modality B (vision), ``(batch_size, num_sectors, dim)``, sector ``k`` of
            both covering the same azimuths.

    Returns:
        The scalar loss.
    """

    def call(self, z_a: Any, z_b: Any) -> Any:
        dim = ops.shape(z_a)[-1]
        return super().call(ops.reshape(z_a, (-1, dim)), ops.reshape(z_b, (-1, dim)))
