"""A temporal cross-modal objective over windows of frames: the radio window agrees with the camera window, and
the radio *now* agrees with the camera a few frames *ahead*.

The second term asks the radio embedding of frame ``t`` to pick, among every camera frame of the batch, the
camera frame ``t + k`` of its own sequence: to do so it must carry what the camera is about to see (who walks
into the beam next), which is the anticipation that temporal sensing tasks such as future blockage need.

References:
    A. van den Oord, Y. Li, O. Vinyals, "Representation Learning with Contrastive Predictive Coding",
    arXiv:1807.03748, 2018 (predicting the future in latent space with InfoNCE).
    M. Alloulah, A. D. Singh, M. Arnold, "Self-Supervised Radio-Visual Representation Learning for 6G
    Sensing", IEEE ICC 2022, arXiv:2111.02887 (the radio-visual objective it extends in time).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from rvsim.errors import ConfigError
from rvsim.objectives.info_nce_loss import InfoNCELoss

__all__ = ["TemporalInfoNCELoss"]


def _normalise(z: Any) -> Any:
    return z / ops.maximum(ops.norm(z, axis=-1, keepdims=True), 1e-12)


def _symmetric_ce(logits: Any) -> Any:
    labels = ops.arange(ops.shape(logits)[0])
    a = keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    b = keras.losses.sparse_categorical_crossentropy(labels, ops.transpose(logits), from_logits=True)
    return 0.5 * (ops.mean(a) + ops.mean(b))


@keras.saving.register_keras_serializable(package="rvsim")
class TemporalInfoNCELoss(InfoNCELoss):
    """InfoNCE over windows of ``T`` frames of radio and camera embeddings of the same sequences.

    With L2-normalised embeddings ``r[b, t]`` (radio) and ``c[b, t]`` (camera) and temperature ``tau``:

    * **window** term: the mean over frames of each window, ``R_b = mean_t r[b, t]`` and ``C_b``, normalised
      again; symmetric InfoNCE over the batch, ``s_bb' = <R_b, C_b'> / tau`` (as :class:`InfoNCELoss`);
    * **ahead** term (``horizon = k >= 1``): every radio frame ``(b, t)``, ``t < T - k``, against every camera
      frame ``(b', t' + k)`` of the batch; the positive is ``(b, t + k)``; symmetric InfoNCE over the
      ``B (T - k)`` pairs, so frames of the same sequence at other times are negatives too.

    ``L = window_weight * L_window + ahead_weight * L_ahead``; one learnable temperature (as :class:`InfoNCELoss`).

    Args:
        horizon: Frames ahead ``k`` (>= 1) of the camera frame the radio frame must pick.
        window_weight: Weight of the window term (>= 0).
        ahead_weight: Weight of the ahead term (>= 0); the two weights may not both be 0.
        **kwargs: :class:`InfoNCELoss` arguments (temperature and its bounds).

    Call arguments:
        z_a: Radio embeddings of the frames of each window, shape ``(batch_size, T, dim)``.
        z_b: Camera embeddings of the same frames, shape ``(batch_size, T, dim)``; ``T > horizon``.

    Returns:
        The scalar loss.
    """

    def __init__(self, horizon: int = 2, window_weight: float = 1.0, ahead_weight: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
            raise ConfigError(f"TemporalInfoNCELoss needs an integer horizon >= 1. Received: horizon={horizon!r}")
        if window_weight < 0 or ahead_weight < 0 or window_weight + ahead_weight <= 0:
            raise ConfigError("TemporalInfoNCELoss weights must be >= 0 and not both 0. "
                              f"Received: window_weight={window_weight}, ahead_weight={ahead_weight}")
        self.horizon = int(horizon)
        self.window_weight = float(window_weight)
        self.ahead_weight = float(ahead_weight)

    def call(self, z_a: Any, z_b: Any) -> Any:
        r = _normalise(ops.cast(z_a, "float32"))
        c = _normalise(ops.cast(z_b, "float32"))
        if len(r.shape) != 3 or r.shape[1] is not None and r.shape[1] <= self.horizon:
            raise ConfigError(f"TemporalInfoNCELoss needs (batch, T, dim) embeddings with T > horizon={self.horizon}. "
                              f"Received: shape={tuple(r.shape)}")
        tau = self.temperature
        total = 0.0
        if self.window_weight:
            rw, cw = _normalise(ops.mean(r, axis=1)), _normalise(ops.mean(c, axis=1))
            total = total + self.window_weight * _symmetric_ce(ops.matmul(rw, ops.transpose(cw)) / tau)
        if self.ahead_weight:
            k, dim = self.horizon, ops.shape(r)[-1]
            now = ops.reshape(r[:, :-k], (-1, dim))     # (B (T - k), d): frame t of each window
            ahead = ops.reshape(c[:, k:], (-1, dim))    # (B (T - k), d): frame t + k, same order
            total = total + self.ahead_weight * _symmetric_ce(ops.matmul(now, ops.transpose(ahead)) / tau)
        return total

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(horizon=self.horizon, window_weight=self.window_weight, ahead_weight=self.ahead_weight)
        return config
