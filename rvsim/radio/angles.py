"""Angle wrapping, the one implementation for simulation and real data.

Two intervals are in use, and they differ only at exactly ±180°: ``[-180, 180)`` for the simulator's bearings
(labels, path arrival bearings) and ``(-180, 180]`` for bearings derived from real captures and beam-pattern
angles. Each keeps the arithmetic it has always had, so stored datasets and results do not change.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from rvsim.errors import InputError

__all__ = ["wrap_deg"]


def wrap_deg(angle_deg: ArrayLike, *, closed: Literal["lower", "upper"] = "lower") -> np.ndarray:
    """Wrap angles into one turn around 0 [deg].

    Args:
        angle_deg: Angles [deg], any shape.
        closed: Which end of the interval is closed: ``"lower"`` gives ``[-180, 180)``, ``"upper"`` gives
            ``(-180, 180]``.

    Returns:
        float64 wrapped angles [deg], same shape.

    Raises:
        InputError: for another value of ``closed``.
    """
    a = np.asarray(angle_deg, dtype=np.float64)
    if closed == "lower":
        return (a + 180.0) % 360.0 - 180.0
    if closed == "upper":
        return 180.0 - np.mod(180.0 - a, 360.0)
    raise InputError(f"closed must be 'lower' or 'upper'. Received: closed={closed!r}")
