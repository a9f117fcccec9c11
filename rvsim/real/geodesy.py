"""Local east/north coordinates and compass headings for GPS positions a few tens of metres apart.

Angles are wrapped with :func:`rvsim.radio.angles.wrap_deg`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["EARTH_RADIUS_M", "latlon_to_enu", "heading_deg"]

#: Mean Earth radius [m] (IUGG).
EARTH_RADIUS_M: float = 6_371_008.8


def latlon_to_enu(origin_latlon: ArrayLike, latlon: ArrayLike) -> np.ndarray:
    """East/north offsets of points from an origin (equirectangular approximation).

    ``e = R·Δλ·cos φ₀``, ``n = R·Δφ``; over the < 100 m of a DeepSense site the error is far below GPS noise.

    Args:
        origin_latlon: ``(..., 2)`` origin latitude, longitude [deg] (broadcast against ``latlon``).
        latlon: ``(..., 2)`` latitude, longitude [deg].

    Returns:
        ``(..., 2)`` east, north [m].
    """
    o = np.asarray(origin_latlon, dtype=np.float64)
    p = np.asarray(latlon, dtype=np.float64)
    lat0 = np.radians(o[..., 0])
    east = np.radians(p[..., 1] - o[..., 1]) * np.cos(lat0) * EARTH_RADIUS_M
    north = np.radians(p[..., 0] - o[..., 0]) * EARTH_RADIUS_M
    return np.stack([east, north], axis=-1)


def heading_deg(enu: ArrayLike) -> np.ndarray:
    """Compass heading of east/north offsets: clockwise from north, in ``[0, 360)`` [deg].

    Args:
        enu: ``(..., 2)`` east, north [m].

    Returns:
        ``(...)`` heading [deg].
    """
    v = np.asarray(enu, dtype=np.float64)
    return np.mod(np.degrees(np.arctan2(v[..., 0], v[..., 1])), 360.0)
