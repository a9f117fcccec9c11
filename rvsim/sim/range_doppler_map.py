"""Range–Doppler maps: a radio representation of moving objects, from a slow-time channel frequency response.

A monostatic sensing radio that repeats its OFDM symbol (or chirp) at the slow-time rate ``f_s`` sees a
moving object's echo rotate in phase from one repetition to the next by its Doppler shift
``f_D = -2 v_r f_c / c``, where ``v_r`` is the object's range rate (positive when it moves away from the base
station) and ``f_c`` the carrier. :func:`slow_time_cfr` ray-traces a scene state with per-object velocities
in Sionna RT (each path gets its Doppler shift from the velocities of the objects it touches) and returns the
CFR at ``num_time_steps`` slow-time instants; :class:`RangeDopplerMap` turns it into a power map over range
and radial velocity:

* range, as in :mod:`rvsim.sim.range_angle_map`: a Hann-windowed matched filter over the subcarriers evaluated
  at the range bins, ``r = c * tau / 2``;
* Doppler: a Hann-windowed FFT over slow time; bins ``f_D = k f_s / N`` for ``k = -N/2 .. N/2 - 1``, mapped
  to radial velocity ``v_r = -f_D c / (2 f_c)``;
* the receive antennas are combined incoherently (their powers are summed), or beamformed towards one
  bearing with ``angle_deg``.

The object meshes do not move over the slow-time window (Sionna RT's velocities only set Doppler shifts): keep
``num_time_steps / f_s`` short enough that ``|v_r| N / f_s`` is well below one range bin.

This representation is opt-in: a family with ``sequence.doppler`` (:mod:`rvsim.config.sequence_spec`) stores it
per frame as the field ``radio/range_doppler``; still datasets hold no Doppler.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rvsim.config import RadioSpec, SceneSpec
from rvsim.config.radio_spec import SPEED_OF_LIGHT
from rvsim.errors import InputError
from rvsim.radio.antenna_array import hann_taper, ula_positions, ula_steering
from rvsim.sim.path_data import PathData
from rvsim.sim.range_matched_filter import range_matched_filter
from rvsim.sim.scene_state import SceneState

__all__ = ["RangeDopplerMap", "slow_time_cfr", "moving_paths", "slow_time_from_paths", "radial_velocities",
           "doppler_from_range_rate"]


def doppler_from_range_rate(range_rate_mps: float | np.ndarray, frequency_hz: float) -> float | np.ndarray:
    """Monostatic Doppler shift ``f_D = -2 v_r f_c / c`` [Hz] of a range rate ``v_r`` [m/s].

    Args:
        range_rate_mps: Range rate [m/s], positive when the object moves away from the radio.
        frequency_hz: Carrier frequency ``f_c`` [Hz].

    Returns:
        The Doppler shift [Hz], same shape as ``range_rate_mps`` (negative for an object moving away).
    """
    return -2.0 * np.asarray(range_rate_mps, dtype=np.float64) * float(frequency_hz) / SPEED_OF_LIGHT


def _positive_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < low:
        raise InputError(f"{name} must be an integer >= {low}. Received: {name}={value!r}")
    return int(value)


def _positive_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)) or float(value) <= 0:
        raise InputError(f"{name} must be a positive number. Received: {name}={value!r}")
    return float(value)


class RangeDopplerMap:
    """Turns a slow-time CFR ``(num_rx_ant, num_time_steps, num_subcarriers)`` into a range–velocity power map.

    Args:
        radio: The radio settings: subcarrier frequencies, carrier, receive array, and the range axis
            (``radio.range_angle.num_range_bins`` bins from 0 to ``radio.range_angle.max_range_m``).
        num_time_steps: Slow-time samples ``N`` per map (>= 2), e.g. OFDM symbols or chirps.
        sampling_frequency_hz: Slow-time sampling rate ``f_s`` [Hz] (symbol or chirp repetition rate). The
            unambiguous radial velocities are ``|v_r| < f_s c / (4 f_c)`` and the velocity resolution is
            ``f_s c / (2 f_c N)``.
        angle_deg: ``None`` sums the power of the receive antennas (incoherent, every bearing at once); a
            bearing [deg] (positive to the array's left, as in :mod:`rvsim.sim.range_angle_map`) beamforms the
            array's columns towards it with a Hann taper first.
        floor_db: Values are clipped below this power [dB] (avoids ``-inf`` for empty maps).

    Attributes:
        range_bins_m: Range of each row [m], shape ``(num_range_bins,)``.
        velocity_bins_mps: Radial velocity (range rate, positive away from the radio) of each column [m/s],
            shape ``(num_time_steps,)``, ascending.
        doppler_bins_hz: Doppler shift of each column [Hz], shape ``(num_time_steps,)`` (descending, since
            ``f_D = -2 v_r f_c / c``).

    Raises:
        InputError: for a non-integer or too small ``num_time_steps`` or a non-positive sampling frequency.
    """

    def __init__(self, radio: RadioSpec, num_time_steps: int, sampling_frequency_hz: float,
                 angle_deg: float | None = None, floor_db: float = -200.0) -> None:
        self.num_time_steps = _positive_int("num_time_steps", num_time_steps, 2)
        self.sampling_frequency_hz = _positive_float("sampling_frequency_hz", sampling_frequency_hz)
        self.frequency_hz = float(radio.frequency_hz)
        self.floor_db = float(floor_db)
        self.angle_deg = None if angle_deg is None else float(angle_deg)
        self.num_rx_ant = int(radio.rx_array.num_antennas)
        ra = radio.range_angle
        self.frequencies = np.asarray(radio.subcarrier_frequencies(), dtype=np.float64)
        self.range_bins_m = np.linspace(0.0, ra.max_range_m, ra.num_range_bins)
        # (num_subcarriers, num_range_bins): matched filter for an echo at each range bin
        self._range_matrix = range_matched_filter(self.frequencies, self.range_bins_m)
        n = self.num_time_steps
        self._slow_window = hann_taper(n)
        doppler = np.fft.fftshift(np.fft.fftfreq(n, d=1.0 / self.sampling_frequency_hz))  # ascending f_D
        # ascending velocity = descending Doppler: reverse the shifted FFT axis
        self.doppler_bins_hz = doppler[::-1].copy()
        self.velocity_bins_mps = -self.doppler_bins_hz * SPEED_OF_LIGHT / (2.0 * self.frequency_hz)
        self._beam: np.ndarray | None = None
        if self.angle_deg is not None:
            cols = radio.rx_array.num_cols
            steer = ula_steering(ula_positions(cols, radio.rx_array.spacing_wavelengths), [self.angle_deg])[:, 0]
            taper = hann_taper(cols)
            # weights per receive antenna (rows of a planar array repeat the column weights)
            self._beam = np.tile(taper * steer, radio.rx_array.num_rows).astype(np.complex128)

    @property
    def velocity_resolution_mps(self) -> float:
        """Spacing of the velocity bins ``f_s c / (2 f_c N)`` [m/s]."""
        return self.sampling_frequency_hz * SPEED_OF_LIGHT / (2.0 * self.frequency_hz * self.num_time_steps)

    @property
    def max_velocity_mps(self) -> float:
        """Largest unambiguous radial speed ``f_s c / (4 f_c)`` [m/s]."""
        return self.sampling_frequency_hz * SPEED_OF_LIGHT / (4.0 * self.frequency_hz)

    def __call__(self, cfr: np.ndarray) -> np.ndarray:
        """Range–velocity power map.

        Args:
            cfr: Slow-time CFR, shape ``(num_rx_ant, num_time_steps, num_subcarriers)`` or batched
                ``(batch, num_rx_ant, num_time_steps, num_subcarriers)``. Static echoes fall in the zero-velocity
                column; subtract the empty scene's CFR first to remove them.

        Returns:
            float32 power [dB], shape ``(num_range_bins, num_time_steps)`` (rows: :attr:`range_bins_m`,
            columns: :attr:`velocity_bins_mps`); batched: with a leading batch axis.

        Raises:
            InputError: if the CFR's shape does not match the radio and ``num_time_steps``.
        """
        x = np.asarray(cfr)
        expect = (self.num_rx_ant, self.num_time_steps, self.frequencies.shape[0])
        if x.ndim not in (3, 4) or tuple(x.shape[-3:]) != expect:
            raise InputError("cfr must have shape (num_rx_ant, num_time_steps, num_subcarriers) = "
                             f"{expect}, optionally with a leading batch axis. Received: shape={x.shape}")
        x = x.astype(np.complex128, copy=False)
        profiles = x @ self._range_matrix                                   # (..., ant, time, range)
        spectrum = np.fft.fft(profiles * self._slow_window[:, None], axis=-2)  # (..., ant, doppler, range)
        spectrum = np.fft.fftshift(spectrum, axes=-2)[..., ::-1, :]         # ascending velocity
        if self._beam is None:
            power = np.sum(np.abs(spectrum) ** 2, axis=-3)                   # (..., velocity, range)
        else:
            power = np.abs(np.einsum("...avr,a->...vr", spectrum, self._beam.conj())) ** 2
        out = np.maximum(10.0 * np.log10(np.swapaxes(power, -1, -2) + 1e-30), self.floor_db)
        return out.astype(np.float32)


def radial_velocities(spec: SceneSpec, state: SceneState, range_rate_mps: float | np.ndarray) -> np.ndarray:
    """Horizontal velocity vectors that move each object straight away from (or towards) the base station.

    Args:
        spec: The scene family (for the base station's position).
        state: The scene state, with ``num_objects`` objects.
        range_rate_mps: Range rate per object [m/s], a scalar or shape ``(num_objects,)``; positive moves away.

    Returns:
        float64 velocities in the world frame [m/s], shape ``(num_objects, 3)`` (z = 0).
    """
    bs = np.asarray(spec.base_station.position_m, dtype=np.float64)
    d = np.asarray(state.positions, dtype=np.float64)[:, :2] - bs[None, :2]
    norm = np.linalg.norm(d, axis=1, keepdims=True)
    unit = d / np.maximum(norm, 1e-9)
    rate = np.broadcast_to(np.asarray(range_rate_mps, dtype=np.float64), (state.num_objects,))
    out = np.zeros((state.num_objects, 3))
    out[:, :2] = unit * rate[:, None]
    return out


def moving_paths(engine: Any, state: SceneState, velocities_mps: np.ndarray) -> PathData:
    """Ray-trace a scene state whose objects move: the paths, each with the Doppler shift of the objects it touches.

    Each object's velocity is given to its mesh slot in the engine's Sionna RT scene (``SceneObject.velocity``);
    the meshes do not move, so the paths (coefficients, delays, angles) are those of the still state. Velocities
    are reset to zero afterwards.

    Args:
        engine: A :class:`rvsim.sim.hall.radio_engine.RadioEngine` (hall layout).
        state: Object poses.
        velocities_mps: Velocity of each object of ``state`` in the world frame [m/s], shape ``(num_objects, 3)``.

    Returns:
        The :class:`~rvsim.sim.path_data.PathData`, with ``doppler``.

    Raises:
        InputError: for velocities of the wrong shape or not finite.
    """
    vel = np.asarray(velocities_mps, dtype=np.float64)
    if vel.shape != (state.num_objects, 3) or not np.all(np.isfinite(vel)):
        raise InputError("velocities_mps must be finite, shape (num_objects, 3) = "
                         f"({state.num_objects}, 3). Received: shape={vel.shape}")
    import mitsuba as mi

    from rvsim.sim.path_data import solve_paths

    slots = engine.slots.assign(state)
    objects = [engine.scene.objects[engine.slots.slot_names[int(j)]] for j in slots]
    try:
        for obj, v in zip(objects, vel):
            obj.velocity = mi.Vector3f(float(v[0]), float(v[1]), float(v[2]))
        engine.set_state(state)
        p = solve_paths(engine.solver, engine.scene, engine.spec.solver, los=False)
        return PathData.from_sionna(p, with_doppler=True)
    finally:
        for obj in objects:
            obj.velocity = mi.Vector3f(0.0, 0.0, 0.0)


def slow_time_from_paths(paths: PathData, frequencies_hz: np.ndarray, num_time_steps: int,
                         sampling_frequency_hz: float) -> np.ndarray:
    """The CFR over slow time of paths with Doppler shifts.

    ``H[n, t, f] = sum_p a[n, p] exp(j 2 pi f_D,p t / f_s) exp(-j 2 pi f tau_p)`` (absolute subcarrier
    frequencies, delays not normalised), so step 0 is the still CFR.

    Args:
        paths: Paths with ``doppler`` (:func:`moving_paths`).
        frequencies_hz: Subcarrier frequencies [Hz], shape ``(num_subcarriers,)``.
        num_time_steps: Slow-time samples ``N`` (>= 1).
        sampling_frequency_hz: Slow-time sampling rate ``f_s`` [Hz].

    Returns:
        complex64 array, shape ``(num_rx_ant, num_time_steps, num_subcarriers)``.
    """
    n_t = _positive_int("num_time_steps", num_time_steps, 1)
    fs = _positive_float("sampling_frequency_hz", sampling_frequency_hz)
    if paths.doppler is None:
        raise InputError("the paths carry no Doppler shifts (trace them with moving_paths). Received: doppler=None")
    a, tau = paths.a.astype(np.complex128), paths.tau
    doppler = np.asarray(paths.doppler, dtype=np.float64)
    freqs = np.asarray(frequencies_hz, dtype=np.float64)
    if tau.size == 0:
        return np.zeros((a.shape[0], n_t, freqs.shape[0]), np.complex64)
    t = np.arange(n_t, dtype=np.float64) / fs
    rotation = np.exp(2j * np.pi * np.outer(t, doppler))                # (time, paths)
    delay = np.exp(-2j * np.pi * np.outer(tau, freqs))                  # (paths, subcarriers)
    weighted = a[:, None, :] * rotation[None]                           # (rx_ant, time, paths)
    return (weighted @ delay).astype(np.complex64)


def slow_time_cfr(engine: Any, state: SceneState, velocities_mps: np.ndarray, num_time_steps: int,
                  sampling_frequency_hz: float) -> np.ndarray:
    """Ray-trace a scene state whose objects move, and return its CFR over slow time.

    :func:`moving_paths`, then :func:`slow_time_from_paths`: each object's velocity is given to its mesh slot
    in the engine's Sionna RT scene (``SceneObject.velocity``); Sionna RT assigns every path the Doppler shift
    ``f_D,p`` of the objects it interacts with (``Paths.doppler``). The CFR at slow-time step ``t`` is
    ``H[n, t, f] = sum_p a[n, p] exp(j 2 pi f_D,p t / f_s) exp(-j 2 pi f tau_p)``, so step 0 equals
    ``engine.cfr(state)``. The meshes themselves do not move.

    Args:
        engine: A :class:`rvsim.sim.hall.radio_engine.RadioEngine` (hall layout).
        state: Object poses.
        velocities_mps: Velocity of each object of ``state`` in the world frame [m/s], shape
            ``(num_objects, 3)`` (see :func:`radial_velocities`).
        num_time_steps: Slow-time samples ``N`` (>= 1).
        sampling_frequency_hz: Slow-time sampling rate ``f_s`` [Hz].

    Returns:
        complex64 array, shape ``(num_rx_ant, num_time_steps, num_subcarriers)``.

    Raises:
        InputError: for velocities of the wrong shape or not finite, or bad ``num_time_steps`` /
            ``sampling_frequency_hz``.
    """
    _positive_int("num_time_steps", num_time_steps, 1)
    _positive_float("sampling_frequency_hz", sampling_frequency_hz)
    paths = moving_paths(engine, state, velocities_mps)
    return slow_time_from_paths(paths, engine.frequencies, num_time_steps, sampling_frequency_hz)
