from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.real.deepsense import load_scenario
from rvsim.radio.receiver_noise import (
    add_receiver_noise,
    estimate_noise_floor,
    noise_floor_for_snr,
    normalise_beam_power,
    peak_snr_db,
)


def test_normalise_is_db_relative_to_the_peak_and_clipped() -> None:
    p = np.array([[1.0, 0.5, 0.1, 1e-6], [0.0, 0.0, 0.0, 0.0]])
    out = normalise_beam_power(p, floor_db=-20.0)
    assert out.dtype == np.float32 and out.shape == (2, 4)
    assert np.allclose(out[0], [0.0, 10 * np.log10(0.5), -10.0, -20.0], atol=1e-5)
    assert np.all(out[1] == -20.0)  # nothing received: the floor everywhere
    # invariant to the capture's arbitrary scale
    assert np.allclose(normalise_beam_power(p[:1] * 123.4, floor_db=-20.0), out[:1])


@pytest.mark.parametrize(
    "p, kwargs, match",
    [
        (np.array([1.0, -0.1]), {}, "non-negative"),
        (np.array([1.0, np.nan]), {}, "finite"),
        (np.array(1.0), {}, "beam axis"),
        (np.ones(3), {"floor_db": 0.0}, "floor_db must be negative"),
    ],
)
def test_normalise_rejects_bad_input(p: np.ndarray, kwargs: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        normalise_beam_power(p, **kwargs)


def test_receiver_noise_statistics_and_seeding() -> None:
    p = np.zeros((2000, 64))
    noisy = add_receiver_noise(p, 0.5, 7, cv=0.05)
    assert noisy.mean() == pytest.approx(0.5, rel=0.01)
    assert (noisy.std() / noisy.mean()) == pytest.approx(0.05, rel=0.05)
    assert np.array_equal(noisy, add_receiver_noise(p, 0.5, np.random.default_rng(7), cv=0.05))
    assert not np.array_equal(noisy, add_receiver_noise(p, 0.5, 8, cv=0.05))
    # a per-sample floor broadcasts along beams
    floors = np.array([[1.0], [100.0]])
    two = add_receiver_noise(np.zeros((2, 64)), floors, 0)
    assert two[1].mean() / two[0].mean() == pytest.approx(100.0, rel=0.05)
    with pytest.raises(InputError, match="broadcast"):
        add_receiver_noise(np.zeros((2, 64)), np.ones(3), 0)
    with pytest.raises(InputError, match="cv"):
        add_receiver_noise(p, 1.0, 0, cv=0.0)


def test_noise_floor_for_snr_sets_the_peak_snr() -> None:
    rng = np.random.default_rng(1)
    p = rng.exponential(size=(5, 64))
    snr = np.array([0.0, 3.0, 6.0, 9.0, 12.0])
    floor = noise_floor_for_snr(p, snr)
    assert floor.shape == (5, 1)
    for i in range(5):
        assert peak_snr_db(p[i], float(floor[i, 0])) == pytest.approx(snr[i])


def test_estimate_noise_floor_on_noise_only_data() -> None:
    noise = add_receiver_noise(np.zeros((500, 64)), 0.07, 3)
    assert estimate_noise_floor(noise) == pytest.approx(0.07 * (1 - 1.645 * 0.05), rel=0.02)


def test_default_floor_does_not_clip_the_blockage_set(deepsense_root: Path) -> None:
    from rvsim.real.deepsense import load_blockage

    norm = normalise_beam_power(load_blockage(deepsense_root).power)
    assert norm.min() > -30.0


def test_real_vectors_sit_on_a_flat_noise_floor(deepsense_root: Path) -> None:
    sc = load_scenario(deepsense_root, 5)
    floor = estimate_noise_floor(sc.power)
    assert 0 < floor < np.median(sc.power)
    per_beam = np.quantile(sc.power, 0.05, axis=0)
    assert np.all(np.abs(10 * np.log10(per_beam[2:62] / floor)) < 0.5)  # flat within 0.5 dB (edge beams lower)
    snr = peak_snr_db(sc.power, floor)
    assert 0 < np.median(snr) < 15
    norm = normalise_beam_power(sc.power)
    assert norm.max() == 0 and norm.min() > -20  # the default floor (-30 dB) never clips real data
