"""Scenes that move: hall sequences from YAML, their motion, their labels and the range–Doppler field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from rvsim.cli import main
from rvsim.config import scene_spec_from_dict
from rvsim.errors import ConfigError
from rvsim.sim.hall.hall_sampler import HallSampler
from rvsim.sim.motion import hall_sequence, sequence_seed

FRAMES, RATE = 4, 10.0
SPEED = 2.0  # m/s, every crate


def sequence_dict(tiny: dict[str, Any], *, doppler: bool = True, frames: int = FRAMES) -> dict[str, Any]:
    """The tiny hall with crates moving at SPEED and still people, sampled into sequences."""
    d = copy.deepcopy(tiny)
    d["sequence"] = {"num_frames": frames, "frame_rate_hz": RATE}
    if doppler:
        d["sequence"]["doppler"] = {"num_time_steps": 32, "sampling_frequency_hz": 2000.0}
    d["classes"]["crate"]["motion"] = {"speed_mps": [SPEED, SPEED], "turn_rate_deg_s": [0.0, 20.0]}
    return d


def test_still_specs_resolve_as_before(tiny_spec) -> None:
    d = tiny_spec.to_dict()
    assert "sequence" not in d and all("motion" not in c for c in d["classes"].values())


def test_bad_sequence_sections_are_refused(tiny_scene_dict) -> None:
    d = sequence_dict(tiny_scene_dict)
    d["sequence"]["num_frames"] = 1
    with pytest.raises(ConfigError, match="num_frames"):
        scene_spec_from_dict(d)
    d = sequence_dict(tiny_scene_dict)
    d["classes"]["crate"]["motion"]["speed_mps"] = [2.0, 1.0]
    with pytest.raises(ConfigError, match=r"motion.speed_mps must be \[min, max\].*Received: \[2.0, 1.0\]"):
        scene_spec_from_dict(d)


def test_frames_move_at_the_class_speed_and_never_overlap(tiny_scene_dict) -> None:
    spec = scene_spec_from_dict(sequence_dict(tiny_scene_dict, frames=40))
    sampler = HallSampler(spec)
    crate = spec.class_names.index("crate")
    moved = 0
    for s in range(6):
        frames = hall_sequence(sampler, spec, np.random.default_rng(sequence_seed(5, s)), 40, RATE)
        again = hall_sequence(sampler, spec, np.random.default_rng(sequence_seed(5, s)), 40, RATE)
        for a, b in zip(frames.states, again.states):  # reproducible from the sequence seed alone
            np.testing.assert_array_equal(a.positions, b.positions)
            np.testing.assert_array_equal(a.yaws, b.yaws)
        for f in range(39):
            now, nxt, v = frames.states[f], frames.states[f + 1], frames.velocities[f]
            step = nxt.positions - now.positions
            np.testing.assert_allclose(step, v / RATE, atol=1e-12)  # the velocity is the step to the next frame
            speed = np.linalg.norm(v, axis=1)
            is_crate = now.class_ids == crate
            assert np.all((np.isclose(speed[is_crate], SPEED)) | (speed[is_crate] == 0))  # moving or blocked
            assert np.all(speed[~is_crate] == 0)  # people stand still
            moved += int(np.sum(speed > 0))
            radii = 0.5 * np.hypot(now.sizes[:, 0], now.sizes[:, 1])
            for k in range(now.num_objects):  # every frame is a valid placement
                others = [p for j, p in enumerate(nxt.positions) if j != k]
                assert sampler.fits(nxt.positions[k, :2], float(radii[k]), others,
                                    [float(r) for j, r in enumerate(radii) if j != k])
    assert moved > 100


@pytest.mark.rt
def test_generated_frames_carry_sequence_labels_and_do_not_depend_on_grouping(tiny_scene_dict) -> None:
    from rvsim.sim.sample_generator import SampleGenerator

    spec = scene_spec_from_dict(sequence_dict(tiny_scene_dict, doppler=False))
    gen = SampleGenerator(spec, seed=3, num_threads=1)
    whole = gen.generate(np.arange(0, 2 * FRAMES))
    np.testing.assert_array_equal(whole["meta/sequence"], np.repeat([0, 1], FRAMES))
    np.testing.assert_array_equal(whole["meta/frame"], np.tile(np.arange(FRAMES), 2))
    assert whole["labels/obj_velocity"].shape == (2 * FRAMES, spec.max_objects, 3)
    frames = hall_sequence(HallSampler(spec), spec, np.random.default_rng(sequence_seed(3, 1)), FRAMES, RATE)
    for f in range(FRAMES):
        k = frames.states[f].num_objects
        np.testing.assert_allclose(whole["labels/obj_position"][FRAMES + f, :k], frames.states[f].positions, atol=1e-6)
        np.testing.assert_allclose(whole["labels/obj_velocity"][FRAMES + f, :k], frames.velocities[f], atol=1e-6)
    fresh = SampleGenerator(spec, seed=3, num_threads=1)
    alone = fresh.generate(np.array([FRAMES + 2]))  # one frame, generated on its own in a new generator
    for name, array in alone.items():
        np.testing.assert_array_equal(array[0], whole[name][FRAMES + 2], err_msg=name)


@pytest.mark.rt
def test_range_doppler_field_of_a_box_moving_at_a_known_speed(tiny_scene_dict) -> None:
    """One crate crossing the hall at 2 m/s: the frame's range–Doppler peak sits at the crate's slant range and
    at its velocity projected on the line of sight."""
    from rvsim.sim.sample_generator import SampleGenerator

    d = sequence_dict(tiny_scene_dict)
    d["classes"]["person"]["count"] = [0, 0]
    d["classes"]["crate"]["count"] = [1, 1]
    d["classes"]["crate"]["motion"]["turn_rate_deg_s"] = [0.0, 0.0]
    spec = scene_spec_from_dict(d)
    sampler = HallSampler(spec)
    bs = np.asarray(spec.base_station.position_m)
    # the first frame whose crate moves with a range rate of at least 1 m/s (static clutter sits at 0 m/s)
    pick = None
    for s in range(20):
        frames = hall_sequence(sampler, spec, np.random.default_rng(sequence_seed(9, s)), FRAMES, RATE)
        for f in range(FRAMES):
            st, v = frames.states[f], frames.velocities[f][0]
            centre = st.positions[0] + np.array([0.0, 0.0, st.sizes[0, 2] / 2])
            line = (centre - bs) / np.linalg.norm(centre - bs)
            if abs(float(v @ line)) >= 1.0:
                pick = (s * FRAMES + f, float(np.linalg.norm(centre - bs)), float(v @ line))
                break
        if pick:
            break
    assert pick is not None
    index, slant, radial = pick
    gen = SampleGenerator(spec, seed=9, num_threads=1)
    a = gen.generate(np.array([index]))
    assert np.isclose(np.linalg.norm(a["labels/obj_velocity"][0, 0]), SPEED)
    m = a["radio/range_doppler"][0]
    rdm = gen.range_doppler
    assert m.shape == (rdm.range_bins_m.size, 32)
    k, j = np.unravel_index(np.argmax(m), m.shape)
    assert abs(rdm.range_bins_m[k] - slant) <= 0.6, (rdm.range_bins_m[k], slant)
    assert abs(rdm.velocity_bins_mps[j] - radial) <= rdm.velocity_resolution_mps, (rdm.velocity_bins_mps[j], radial)
    attrs = gen.field_attrs()["radio/range_doppler"]
    assert attrs["velocity_bins_mps"] == pytest.approx(rdm.velocity_bins_mps.tolist())


@pytest.mark.rt
def test_rvsim_generate_writes_a_sequence_dataset(tmp_path: Path, tiny_scene_dict, capsys) -> None:
    from rvsim.data import Dataset

    scene = tmp_path / "moving.yaml"
    scene.write_text(yaml.safe_dump(sequence_dict(tiny_scene_dict, doppler=False)))
    out = tmp_path / "ds"
    assert main(["generate", "--scene", str(scene), "--num-samples", "8", "--shard-size", "6", "--seed", "1",
                 "--out", str(out), "--quiet"]) == 2
    assert "shard_size must be a multiple of the family's sequence.num_frames=4" in capsys.readouterr().err
    assert not out.exists()
    assert main(["generate", "--scene", str(scene), "--num-samples", "8", "--shard-size", "4", "--seed", "1",
                 "--out", str(out), "--quiet"]) == 0
    with Dataset(out) as ds:
        assert ds.manifest["schema_version"] == 2
        assert {"meta/sequence", "meta/frame", "labels/obj_velocity"} <= set(ds.fields)
        assert ds.verify() == []
        np.testing.assert_array_equal(ds.read("meta/sequence", np.arange(8)), np.repeat([0, 1], 4))
    assert main(["verify", str(out)]) == 0
    strip = tmp_path / "strip.png"
    capsys.readouterr()
    assert main(["inspect", str(out), "--filmstrip", str(strip), "--sequence", "1"]) == 0
    text = capsys.readouterr().out
    assert "sequences: 2 of 4 frames at 10 Hz (schema version 2)" in text and strip.stat().st_size > 1000
    assert main(["inspect", str(out), "--filmstrip", str(strip), "--sequence", "2"]) == 2
    assert "sequence must be an id in [0, 2). Received: sequence=2" in capsys.readouterr().err


@pytest.mark.rt
def test_filmstrip_of_a_doppler_sequence_and_of_a_still_dataset(tmp_path: Path, tiny_scene_dict, capsys) -> None:
    from rvsim.data import Dataset
    from rvsim.data.sample_grid import plot_filmstrip

    scene = tmp_path / "moving.yaml"
    scene.write_text(yaml.safe_dump(sequence_dict(tiny_scene_dict)))
    out = tmp_path / "ds"
    assert main(["generate", "--scene", str(scene), "--num-samples", "4", "--shard-size", "4", "--out", str(out),
                 "--quiet"]) == 0
    with Dataset(out) as ds:
        assert "radio/range_doppler" in ds.fields
        path = plot_filmstrip(ds, 0, tmp_path / "rd.png", max_frames=3)
        assert path.stat().st_size > 1000
    still_yaml, still = tmp_path / "still.yaml", tmp_path / "still"
    still_yaml.write_text(yaml.safe_dump(tiny_scene_dict))
    assert main(["generate", "--scene", str(still_yaml), "--num-samples", "2", "--shard-size", "2",
                 "--out", str(still), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["inspect", str(still), "--filmstrip", str(tmp_path / "no.png")]) == 2
    assert "--filmstrip needs a dataset of sequences" in capsys.readouterr().err
    assert not (tmp_path / "no.png").exists()
