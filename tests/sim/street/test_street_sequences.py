"""Street sequences: vehicles drive along their lanes, pedestrians walk along the sidewalks, blockers cross the link."""

from __future__ import annotations

import numpy as np
import pytest

from rvsim.config import load_scene_spec, scene_spec_from_dict
from rvsim.errors import ConfigError
from rvsim.sim.motion import sequence_seed
from rvsim.sim.street.street_motion import street_sequence
from rvsim.sim.street.street_sampler import StreetSampler

from .test_street_family import _tiny

FRAMES, RATE = 8, 10.0


def _moving(d: dict) -> dict:
    d["sequence"] = {"num_frames": FRAMES, "frame_rate_hz": RATE}
    for name, speed in (("car", [8.0, 12.0]), ("truck", [6.0, 8.0]), ("person", [1.0, 1.5])):
        if name in d["classes"]:
            d["classes"][name]["motion"] = {"speed_mps": speed}
    return d


def test_street_frames_move_along_lanes_and_sidewalks_without_collisions() -> None:
    spec = scene_spec_from_dict(_moving(_tiny()))
    sampler = StreetSampler(spec)
    lanes, gap = sampler.layout.lanes_x, spec.street.min_gap_m
    zones = [spec.street.zones[n] for n in spec.class_names]
    moved = 0
    for s in range(8):
        states, vel = street_sequence(sampler, spec, np.random.default_rng(sequence_seed(1, s)), FRAMES, RATE)
        again, _ = street_sequence(sampler, spec, np.random.default_rng(sequence_seed(1, s)), FRAMES, RATE)
        for a, b in zip(states, again):
            np.testing.assert_array_equal(a.objects.positions, b.objects.positions)
        for f in range(FRAMES - 1):
            now, nxt = states[f].objects, states[f + 1].objects
            np.testing.assert_allclose(nxt.positions - now.positions, vel[f] / RATE, atol=1e-12)
            assert np.all(vel[f][:, 0] == 0) and np.all(vel[f][:, 2] == 0)  # along y only
            moved += int(np.sum(vel[f][:, 1] != 0))
            if states[f].tx_object >= 0:  # the transmitter rides its car
                np.testing.assert_allclose(states[f].tx_position[:2], now.positions[states[f].tx_object, :2])
            for k in range(nxt.num_objects):
                zone = zones[int(nxt.class_ids[k])]
                if zone == "lane":
                    lane = int(np.argmin(np.abs(lanes - nxt.positions[k, 0])))
                    direction = np.sin(sampler.layout.lane_heading(lane))
                    assert vel[f][k, 1] == 0 or np.sign(vel[f][k, 1]) == direction  # with the traffic
                    for j in range(nxt.num_objects):  # no two vehicles of a lane overlap
                        if j != k and zones[int(nxt.class_ids[j])] == "lane" and \
                                int(np.argmin(np.abs(lanes - nxt.positions[j, 0]))) == lane:
                            dy = abs(nxt.positions[j, 1] - nxt.positions[k, 1])
                            assert dy >= (nxt.sizes[j, 0] + nxt.sizes[k, 0]) / 2, (s, f, j, k)
    assert moved > 50


def test_doppler_is_refused_in_the_street() -> None:
    d = _moving(_tiny())
    d["sequence"]["doppler"] = {"num_time_steps": 8}
    with pytest.raises(ConfigError, match="sequence.doppler .* needs layout hall"):
        scene_spec_from_dict(d)


@pytest.mark.rt
def test_street_blockage_sequences_show_blockers_crossing_the_link() -> None:
    """The built-in blockage street, sampled into sequences: vehicles crossing the line of sight make the link
    go blocked and clear again within sequences; frames carry their sequence labels."""
    from rvsim.sim.sample_generator import SampleGenerator

    d = _moving(load_scene_spec("street_blockage").to_dict())
    d["solver"]["samples_per_src"] = 2000
    d["camera"].update(width=32, height=18, spp=1)
    spec = scene_spec_from_dict(d)
    gen = SampleGenerator(spec, seed=3, num_threads=1)
    a = gen.generate(np.arange(0, 3 * FRAMES))
    np.testing.assert_array_equal(a["meta/sequence"], np.repeat([0, 1, 2], FRAMES))
    blocked = a["labels/los_blocked"].reshape(3, FRAMES)
    assert np.any(np.diff(blocked.astype(int), axis=1) != 0), blocked  # a blocker crosses the link
    speed = np.linalg.norm(a["labels/obj_velocity"], axis=-1)
    assert speed.max() >= 8.0  # a car at its class speed
    alone = SampleGenerator(spec, seed=3, num_threads=1).generate(np.array([FRAMES + 3]))
    for name, array in alone.items():
        np.testing.assert_array_equal(array[0], a[name][FRAMES + 3], err_msg=name)
