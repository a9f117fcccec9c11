"""Scenes that move: the motion of an object class and the sampling of a scene family into sequences of frames.

A family with a ``sequence`` section generates *sequences*: sample ``i`` is frame ``i % num_frames`` of
sequence ``i // num_frames``; the sequence's first frame is drawn like a still scene from the sequence's seed,
and every later frame follows from it by the classes' motion (:mod:`rvsim.sim.motion`), so a frame depends only
on (spec, dataset seed, sequence index, frame index). Without the section every sample is an independent still
scene, as before.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from rvsim.config.spec_model import Number, Pair, SpecModel, require

__all__ = ["MotionSpec", "DopplerSpec", "SequenceSpec"]


class MotionSpec(SpecModel):
    """How the objects of a class move in a sequence (ignored in still scenes).

    Each object draws a speed uniformly from ``speed_mps`` and a turn rate uniformly from
    ``turn_rate_deg_s`` (with a random sign) when its sequence starts; it moves forward along its heading
    (its yaw) and turns at that rate. A step that would take it into a wall, a rack or another object's
    footprint is not taken: the object turns around instead (and stands still for that frame).

    Attributes:
        speed_mps: Range ``[min, max]`` of speeds [m/s], ``0 <= min <= max``; ``[0, 0]``: the class stands still.
        turn_rate_deg_s: Range ``[min, max]`` of turn-rate magnitudes [deg/s], ``0 <= min <= max``.
    """

    speed_mps: Pair = (0.0, 0.0)
    turn_rate_deg_s: Pair = (0.0, 0.0)

    @model_validator(mode="after")
    def _ranges(self) -> MotionSpec:
        for name in ("speed_mps", "turn_rate_deg_s"):
            lo, hi = getattr(self, name)
            require(0 <= lo <= hi, f"motion.{name} must be [min, max] with 0 <= min <= max. "
                                   f"Received: {[lo, hi]}")
        return self

    @property
    def moves(self) -> bool:
        """Whether objects of the class ever move."""
        return self.speed_mps[1] > 0 or self.turn_rate_deg_s[1] > 0


class DopplerSpec(SpecModel):
    """The range–Doppler map of each frame: ``num_time_steps`` repetitions of the sensing symbol at
    ``sampling_frequency_hz`` within the frame's coherent processing interval (objects at the frame's pose,
    each path shifted by the Doppler of the objects it touches).

    Attributes:
        num_time_steps: Slow-time samples per map (>= 2): the velocity bins.
        sampling_frequency_hz: Slow-time rate [Hz]; radial speeds up to ``f_s c / (4 f_c)`` are unambiguous.
    """

    num_time_steps: int = Field(default=16, ge=2, le=1024)
    sampling_frequency_hz: Number = Field(default=2000.0, gt=0)


class SequenceSpec(SpecModel):
    """Sampling a scene family into sequences of frames.

    Attributes:
        num_frames: Frames per sequence (>= 2). Datasets hold whole sequences: ``num_samples`` and the shard
            size must be multiples of it.
        frame_rate_hz: Frames per second.
        doppler: The per-frame range–Doppler map (field ``radio/range_doppler``); ``None``: no Doppler field.
    """

    num_frames: int = Field(ge=2, le=10000)
    frame_rate_hz: Number = Field(gt=0, le=1000)
    doppler: DopplerSpec | None = None
