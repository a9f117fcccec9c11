"""The 60 GHz receiver's measurement model: per-sample normalisation and noise floor.

Real DeepSense beam powers are linear with an arbitrary, capture-dependent scale (the same site reads a
noise floor of 0.018 in scenario 1 and 0.068 in scenario 2). What carries over between captures and from
simulation is the *shape* of the 64-beam vector relative to its own peak, sitting on a flat noise floor
typically 3–9 dB below the peak (measured numbers in ``docs/real_data.md``). Both real and simulated vectors
therefore go through :func:`normalise_beam_power` (dB relative to the sample's peak, clipped at a floor);
simulated vectors first get a noise floor with :func:`add_receiver_noise`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rvsim.errors import InputError

__all__ = [
    "normalise_beam_power",
    "add_receiver_noise",
    "noise_floor_for_snr",
    "estimate_noise_floor",
    "peak_snr_db",
    "DEFAULT_FLOOR_DB",
    "DEFAULT_NOISE_CV",
]

#: Default clipping floor of :func:`normalise_beam_power` [dB relative to the peak]. Every real sample lies
#: above it (the deepest drive-by sample reaches −14.2 dB, the deepest blockage-set sample −24.5 dB), so for
#: real data it only guards against zeros; for simulation it bounds noise-free side lobes.
DEFAULT_FLOOR_DB: float = -30.0

#: Default coefficient of variation of the noise floor per beam and sample (measured 0.02–0.08 on noise-only
#: DeepSense samples, see docs/real_data.md).
DEFAULT_NOISE_CV: float = 0.05


def _as_power(p: ArrayLike, name: str = "p") -> np.ndarray:
    arr = np.asarray(p, dtype=np.float64)
    if arr.ndim < 1:
        raise InputError(f"{name} must have a beam axis (..., num_beams). Received: shape={arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} must be finite. Received: {int(np.sum(~np.isfinite(arr)))} NaN or inf value(s)")
    if np.any(arr < 0):
        raise InputError(f"{name} must be non-negative linear powers. Received: min={arr.min():.3g}")
    return arr


def normalise_beam_power(p: ArrayLike, *, floor_db: float = DEFAULT_FLOOR_DB) -> np.ndarray:
    """Per-sample normalisation shared by real and simulated beam-power vectors.

    ``10·log10(p_b / max_b p_b)`` clipped to ``[floor_db, 0]``. A vector of zeros (no path, no noise) maps to
    ``floor_db`` everywhere.

    Args:
        p: ``(..., num_beams)`` linear beam powers (any scale).
        floor_db: Clipping floor [dB relative to the sample's peak], negative.

    Returns:
        ``(..., num_beams)`` float32 normalised powers [dB], in ``[floor_db, 0]``.

    Raises:
        InputError: Negative or non-finite powers, or a non-negative floor.
    """
    if not float(floor_db) < 0.0:
        raise InputError(f"floor_db must be negative. Received: floor_db={floor_db!r}")
    arr = _as_power(p)
    peak = arr.max(axis=-1, keepdims=True)
    floor_lin = 10.0 ** (float(floor_db) / 10.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(peak > 0, arr / np.where(peak > 0, peak, 1.0), 0.0)
    out = 10.0 * np.log10(np.maximum(rel, floor_lin))
    return out.astype(np.float32)


def add_receiver_noise(
    p: ArrayLike,
    noise_floor: ArrayLike,
    rng: np.random.Generator | int | None,
    *,
    cv: float = DEFAULT_NOISE_CV,
) -> np.ndarray:
    """Add the receiver's noise floor to simulated linear beam powers.

    Each beam of each sample gets ``n ~ Gamma(k = 1/cv², θ = noise_floor·cv²)`` (mean ``noise_floor``,
    coefficient of variation ``cv``): the power of complex Gaussian noise averaged over ``k`` snapshots. The
    real receiver's noise floor is flat across beams (±0.1 dB, the two unused edge beams 0.6–1.2 dB lower).

    Args:
        p: ``(..., num_beams)`` noise-free linear beam powers.
        noise_floor: Mean noise power in the units of ``p``: a scalar or an array broadcastable to ``p``
            (e.g. ``(n, 1)`` per sample, see :func:`noise_floor_for_snr`).
        rng: A ``numpy.random.Generator`` or an integer seed.
        cv: Coefficient of variation of the noise power, in ``(0, 1]``.

    Returns:
        ``(..., num_beams)`` float64 noisy linear powers.
    """
    arr = _as_power(p)
    floor = np.asarray(noise_floor, dtype=np.float64)
    if not np.all(np.isfinite(floor)) or np.any(floor < 0):
        raise InputError(f"noise_floor must be finite and non-negative. Received: noise_floor={noise_floor!r}")
    if not 0.0 < float(cv) <= 1.0:
        raise InputError(f"cv must be in (0, 1]. Received: cv={cv!r}")
    try:
        floor = np.broadcast_to(floor, arr.shape)
    except ValueError:
        raise InputError(
            f"noise_floor must broadcast to p's shape {arr.shape}. Received: noise_floor shape={floor.shape}"
        ) from None
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    k = 1.0 / float(cv) ** 2
    return arr + gen.gamma(k, 1.0, size=arr.shape) * floor / k


def noise_floor_for_snr(p: ArrayLike, snr_db: ArrayLike) -> np.ndarray:
    """The noise floor that puts each sample's peak ``snr_db`` above it.

    Args:
        p: ``(..., num_beams)`` noise-free linear beam powers.
        snr_db: Peak-to-noise-floor ratio [dB], scalar or ``(...)`` per sample.

    Returns:
        ``(..., 1)`` noise floor in the units of ``p``, to pass to :func:`add_receiver_noise`.
    """
    arr = _as_power(p)
    snr = np.asarray(snr_db, dtype=np.float64)
    if not np.all(np.isfinite(snr)):
        raise InputError(f"snr_db must be finite. Received: snr_db={snr_db!r}")
    return arr.max(axis=-1, keepdims=True) / 10.0 ** (snr[..., None] / 10.0)


def estimate_noise_floor(power: ArrayLike, *, quantile: float = 0.05) -> float:
    """Noise floor of a real capture: median over beams of each beam's low quantile over samples.

    Args:
        power: ``(num_samples, num_beams)`` linear beam powers of one capture.
        quantile: The per-beam quantile over samples, in ``(0, 0.5]``.

    Returns:
        The noise floor in the units of ``power``.
    """
    arr = _as_power(power, "power")
    if arr.ndim != 2 or arr.shape[0] < 1:
        raise InputError(f"power must have shape (num_samples, num_beams). Received: shape={arr.shape}")
    if not 0.0 < float(quantile) <= 0.5:
        raise InputError(f"quantile must be in (0, 0.5]. Received: quantile={quantile!r}")
    return float(np.median(np.quantile(arr, quantile, axis=0)))


def peak_snr_db(power: ArrayLike, noise_floor: float) -> np.ndarray:
    """Peak-to-noise-floor ratio of each sample.

    Args:
        power: ``(..., num_beams)`` linear beam powers.
        noise_floor: Noise floor in the units of ``power`` (positive).

    Returns:
        ``(...)`` ``10·log10(max_b p_b / noise_floor)`` [dB].
    """
    arr = _as_power(power, "power")
    if not float(noise_floor) > 0.0:
        raise InputError(f"noise_floor must be positive. Received: noise_floor={noise_floor!r}")
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(arr.max(axis=-1) / float(noise_floor))
