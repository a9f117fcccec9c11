"""Range–Doppler maps: a synthetic point target in numpy, then a moving box ray-traced by Sionna RT for real."""

from __future__ import annotations

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.sim.range_angle_map import SPEED_OF_LIGHT
from rvsim.sim.range_doppler_map import RangeDopplerMap, doppler_from_range_rate, radial_velocities, slow_time_cfr
from rvsim.sim.scene_state import SceneState

NUM_STEPS = 64
SLOW_RATE_HZ = 4000.0  # 28 GHz: 0.33 m/s velocity bins, +-10.7 m/s unambiguous


def _point_target(rdm: RangeDopplerMap, num_ant: int, range_m: float, range_rate: float, bearing_deg: float = 0.0,
                  spacing: float = 0.5) -> np.ndarray:
    """CFR (ant, time, subcarrier) of one ideal point echo, built from the definitions (no ray tracing)."""
    tau = 2.0 * range_m / SPEED_OF_LIGHT
    f_d = doppler_from_range_rate(range_rate, rdm.frequency_hz)
    t = np.arange(rdm.num_time_steps) / rdm.sampling_frequency_hz
    y = (np.arange(num_ant) - (num_ant - 1) / 2) * spacing
    ant = np.exp(2j * np.pi * y * np.sin(np.deg2rad(bearing_deg)))
    return (ant[:, None, None] * np.exp(2j * np.pi * f_d * t)[None, :, None]
            * np.exp(-2j * np.pi * rdm.frequencies * tau)[None, None, :]).astype(np.complex64)


def test_axes_and_resolution(tiny_spec) -> None:
    rdm = RangeDopplerMap(tiny_spec.radio, NUM_STEPS, SLOW_RATE_HZ)
    v = rdm.velocity_bins_mps
    assert v.shape == (NUM_STEPS,) and np.all(np.diff(v) > 0)
    np.testing.assert_allclose(np.diff(v), rdm.velocity_resolution_mps, rtol=1e-9)
    lam = SPEED_OF_LIGHT / tiny_spec.radio.frequency_hz
    np.testing.assert_allclose(rdm.velocity_resolution_mps, SLOW_RATE_HZ * lam / (2 * NUM_STEPS))
    np.testing.assert_allclose(rdm.max_velocity_mps, SLOW_RATE_HZ * lam / 4)
    np.testing.assert_allclose(rdm.doppler_bins_hz, doppler_from_range_rate(v, tiny_spec.radio.frequency_hz), atol=1e-6)
    assert 0.0 in v  # the zero-Doppler column exists (static clutter goes there)
    np.testing.assert_allclose(rdm.range_bins_m[[0, -1]], [0.0, tiny_spec.radio.range_angle.max_range_m])


@pytest.mark.parametrize("range_m, range_rate, angle", [(4.0, 3.0, None), (7.5, -2.0, None), (6.0, 5.5, 20.0)])
def test_point_target_peak(tiny_spec, range_m, range_rate, angle) -> None:
    rdm = RangeDopplerMap(tiny_spec.radio, NUM_STEPS, SLOW_RATE_HZ, angle_deg=angle)
    cfr = _point_target(rdm, 16, range_m, range_rate, bearing_deg=angle or 0.0)
    m = rdm(cfr)
    assert m.shape == (rdm.range_bins_m.size, NUM_STEPS) and m.dtype == np.float32
    k, j = np.unravel_index(np.argmax(m), m.shape)
    assert abs(rdm.range_bins_m[k] - range_m) <= rdm.range_bins_m[1]
    assert abs(rdm.velocity_bins_mps[j] - range_rate) <= rdm.velocity_resolution_mps / 2 + 1e-9
    # batched input gives the same maps
    np.testing.assert_allclose(rdm(np.stack([cfr, cfr]))[1], m, atol=1e-4)


def test_beamforming_rejects_another_bearing(tiny_spec) -> None:
    cfr = None
    powers = []
    for angle in (25.0, -25.0):
        rdm = RangeDopplerMap(tiny_spec.radio, NUM_STEPS, SLOW_RATE_HZ, angle_deg=angle)
        cfr = _point_target(rdm, 16, 5.0, 1.0, bearing_deg=25.0) if cfr is None else cfr
        powers.append(rdm(cfr).max())
    assert powers[0] > powers[1] + 20.0


def test_bad_input_is_refused(tiny_spec) -> None:
    with pytest.raises(InputError, match="num_time_steps.*Received: num_time_steps=1"):
        RangeDopplerMap(tiny_spec.radio, 1, SLOW_RATE_HZ)
    with pytest.raises(InputError, match="sampling_frequency_hz.*Received"):
        RangeDopplerMap(tiny_spec.radio, 8, -1.0)
    rdm = RangeDopplerMap(tiny_spec.radio, 8, SLOW_RATE_HZ)
    with pytest.raises(InputError, match=r"Received: shape=\(16, 128\)"):
        rdm(np.zeros((16, 128), np.complex64))


def _single_box(spec, r: float, bearing_deg: float) -> SceneState:
    bs = np.asarray(spec.base_station.position_m)
    b = np.deg2rad(bearing_deg)
    xy = bs[:2] + r * np.array([np.cos(b), np.sin(b)])
    return SceneState(np.array([spec.class_names.index("crate")], np.int32), np.array([[xy[0], xy[1], 0.0]]),
                      np.array([0.4]), np.array([[0.5, 0.5, 1.0]]))


@pytest.mark.rt
@pytest.mark.parametrize("r, bearing, range_rate", [(5.0, 10.0, 3.0), (6.0, -20.0, -2.0)])
def test_moving_box_peak(tiny_generator, r, bearing, range_rate) -> None:
    """A box moving away (+3 m/s) or towards (-2 m/s) the base station: the peak is at its range and speed."""
    spec, engine = tiny_generator.spec, tiny_generator.radio
    state = _single_box(spec, r, bearing)
    velocities = radial_velocities(spec, state, range_rate)
    np.testing.assert_allclose(np.linalg.norm(velocities, axis=1), abs(range_rate))
    cfr = slow_time_cfr(engine, state, velocities, NUM_STEPS, SLOW_RATE_HZ)
    assert cfr.shape == (16, NUM_STEPS, spec.radio.num_subcarriers) and cfr.dtype == np.complex64
    # slow-time step 0 is the ordinary CFR of the state (same deterministic solver)
    np.testing.assert_allclose(cfr[:, 0], engine.cfr(state), atol=1e-6 * np.abs(cfr).max())
    rdm = RangeDopplerMap(spec.radio, NUM_STEPS, SLOW_RATE_HZ)
    m = rdm(cfr - engine.background_cfr[:, None, :])
    k, j = np.unravel_index(np.argmax(m), m.shape)
    h = spec.base_station.position_m[2] - 0.5
    slant = np.hypot(r, h)
    # the echo's range rate is the horizontal motion projected on the slant line of sight
    expected = range_rate * r / slant
    assert abs(rdm.range_bins_m[k] - slant) <= 0.5, (rdm.range_bins_m[k], slant)
    assert abs(rdm.velocity_bins_mps[j] - expected) <= rdm.velocity_resolution_mps, (rdm.velocity_bins_mps[j], expected)
    assert np.sign(rdm.velocity_bins_mps[j]) == np.sign(range_rate)
    assert m.max() > np.median(m) + 30.0


@pytest.mark.rt
def test_velocities_are_reset(tiny_generator) -> None:
    spec, engine = tiny_generator.spec, tiny_generator.radio
    state = _single_box(spec, 4.0, 0.0)
    slow_time_cfr(engine, state, radial_velocities(spec, state, 4.0), 8, SLOW_RATE_HZ)
    still = slow_time_cfr(engine, state, np.zeros((1, 3)), 8, SLOW_RATE_HZ)
    # no motion: every slow-time step is the same CFR
    np.testing.assert_allclose(still, np.repeat(still[:, :1], 8, axis=1), atol=1e-6 * np.abs(still).max())
    for name in engine.slots.slot_names:
        v = engine.scene.objects[name].velocity
        assert float(v.x[0]) == 0.0 and float(v.y[0]) == 0.0 and float(v.z[0]) == 0.0
    with pytest.raises(InputError, match=r"Received: shape=\(2, 3\)"):
        slow_time_cfr(engine, state, np.zeros((2, 3)), 8, SLOW_RATE_HZ)
