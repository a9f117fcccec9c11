"""The street scene family: spec, placement, beam powers, blockage labels and generation, for real (Sionna RT)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from rvsim.config import load_scene_spec, scene_spec_from_dict
from rvsim.errors import ConfigError
from rvsim.sim.scene_state import SceneState, sample_seed
from rvsim.sim.street.street_sampler import StreetSampler, StreetState

MEASURED = Path(__file__).resolve().parents[4] / "shared" / "realdata" / "deepsense6g" / "codebook" / \
    "deepsense_testbed1_measured_beam_patterns.npz"

TINY_STREET: dict[str, Any] = {
    "name": "tiny_street",
    "layout": "street",
    "radio": {"frequency_hz": 60.0e9, "codebook": {"kind": "dft"},
              "receiver": {"noise_floor_db": [-112.0, -108.0]}},
    "solver": {"max_depth": 1, "samples_per_src": 2000, "diffuse_reflection": False},
    "base_station": {"position_m": [0.0, 0.0, 3.0]},
    "camera": {"width": 48, "height": 27, "fov_deg": 87.0, "pitch_deg": -25.0, "spp": 1},
    "street": {
        "length_m": 120.0, "lanes_x_m": [12.0, 15.5], "lane_width_m": 3.5, "sidewalk_width_m": 3.0,
        "near_buildings": {"enabled": False},
        "far_buildings": {"setback_m": 4.0, "height_m": [5.0, 8.0]},
        "zones": {"car": "lane", "truck": "lane", "person": "sidewalk", "tree": "curb"},
        "object_y_range_m": [-20.0, 20.0],
        "tx": {"bearing_deg": [-40.0, 40.0]},
    },
    "materials": {
        "road": {"itu_type": "concrete", "thickness_m": 0.2, "scattering_coefficient": 0.1},
        "ground": {"itu_type": "concrete", "thickness_m": 0.2, "scattering_coefficient": 0.2},
        "building": {"itu_type": "concrete", "thickness_m": 0.3, "scattering_coefficient": 0.2},
        "steel": {"itu_type": "metal", "thickness_m": 0.01, "color": [0.8, 0.1, 0.1]},
        "skin": {"relative_permittivity": 8.0, "conductivity": 36.0, "thickness_m": 0.05},
        "foliage": {"itu_type": "wood", "thickness_m": 0.1},
    },
    "classes": {
        "car": {"shape": "car", "size_m": {"length": [4.2, 4.8], "width": [1.8, 1.9], "height": [1.45, 1.55]},
                "material": "steel", "count": [1, 3]},
        "truck": {"shape": "truck", "size_m": {"length": [7.0, 8.0], "width": [2.3, 2.5], "height": [3.2, 3.6]},
                  "material": "steel", "count": [0, 1]},
        "person": {"shape": "person", "size_m": {"length": [0.3, 0.4], "width": [0.45, 0.55],
                                                     "height": [1.6, 1.9]}, "material": "skin", "count": [0, 2]},
        "tree": {"shape": "tree", "size_m": {"length": [2.0, 3.0], "width": [2.0, 3.0], "height": [4.0, 6.0]},
                 "material": "foliage", "count": [0, 1]},
    },
}


def _tiny() -> dict[str, Any]:
    return copy.deepcopy(TINY_STREET)


@pytest.fixture(scope="module")
def street_generator() -> Any:
    from rvsim.sim.sample_generator import SampleGenerator

    return SampleGenerator(scene_spec_from_dict(copy.deepcopy(TINY_STREET)), seed=3, num_threads=1)


def _state(spec, parts: list[tuple[str, float, float]], tx: int = 0) -> StreetState:
    """Objects ``(class, lane index, y)`` on lanes; object ``tx`` carries the transmitter."""
    st = spec.street
    cls, pos, yaws, sizes = [], [], [], []
    for name, lane, y in parts:
        c = spec.classes[name]
        cls.append(spec.class_names.index(name))
        pos.append([st.lanes_x_m[lane], y, 0.0])
        yaws.append(np.pi / 2)
        sizes.append([c.size_m.length[1], c.size_m.width[1], c.size_m.height[1]])
    objects = SceneState(np.asarray(cls, np.int32), np.asarray(pos, float), np.asarray(yaws), np.asarray(sizes))
    tx_pos = np.array([pos[tx][0], pos[tx][1], sizes[tx][2] + st.tx.antenna_offset_m])
    return StreetState(objects, tx_pos, tx)


# ----------------------------------------------------------------------------------------------------------
# Spec


def test_builtin_street_families_load_and_round_trip() -> None:
    for name in ("street", "street_blockage"):
        spec = load_scene_spec(name)
        assert spec.layout == "street" and spec.radio.mode == "uplink"
        d = spec.to_dict()
        assert "room" not in d and "placement" not in d and "range_angle" not in d["radio"]
        assert d["layout"] == "street" and d["street"]["zones"]
        assert scene_spec_from_dict(d).to_dict() == d
    assert load_scene_spec("street").street.tx.placement == "car"
    assert load_scene_spec("street_blockage").street.tx.placement == "fixed"
    hall = load_scene_spec("factory").to_dict()
    assert not {"layout", "street"} & set(hall) and not {"mode", "codebook", "receiver"} & set(hall["radio"])


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.update(room={"length_m": 10.0}), "room applies only to layout hall"),
        (lambda d: d["street"]["zones"].pop("tree"), "street.zones must give every class a zone"),
        (lambda d: d["street"]["zones"].update(tree="roof"), "street.zones.tree must be one of"),
        (lambda d: d["classes"]["car"].update(count=[0, 2]), "street.tx.car_class must be a lane class"),
        (lambda d: d["street"].update(lanes_x_m=[12.0, 13.0]), "street.lanes_x_m must increase"),
        (lambda d: d["base_station"].update(position_m=[11.0, 0.0, 3.0]), "base_station.position_m must stand"),
        (lambda d: d["street"]["tx"].update(bearing_deg=[-80.0, 80.0]), "street.tx.bearing_deg"),
        (lambda d: d["classes"]["car"].update(count=[1, 30]), "more vehicles than fit on the lanes"),
        (lambda d: d["radio"].update(mode="monostatic"), "radio.mode must be uplink"),
        (lambda d: d["radio"]["codebook"].update(kind="fft"), "radio.codebook.kind must be dft or measured"),
        (lambda d: d["street"]["tx"].update(placement="fixed", position_m=[14.0, 0.0, 1.0]),
         "street.tx.position_m must not stand on the road"),
    ],
)
def test_bad_street_values_name_key_and_received_value(edit, message) -> None:
    d = _tiny()
    edit(d)
    with pytest.raises(ConfigError) as err:
        scene_spec_from_dict(d)
    text = str(err.value)
    assert message in text and "Received:" in text and "\n" not in text


def test_street_keys_are_refused_in_a_hall(tiny_scene_dict) -> None:
    tiny_scene_dict["street"] = {"length_m": 100.0}
    with pytest.raises(ConfigError, match="street applies only to layout street"):
        scene_spec_from_dict(tiny_scene_dict)


def test_measured_codebook_path_is_resolved_next_to_the_yaml(tmp_path) -> None:
    angles = np.linspace(np.radians(-4.0), np.radians(176.0), 211)
    peaks = np.radians(np.linspace(135.0, 45.0, 64))
    patterns = np.exp(-0.5 * ((angles[None] - peaks[:, None]) / np.radians(3.0)) ** 2)
    (tmp_path / "cb").mkdir()
    np.savez(tmp_path / "cb" / "patterns.npz", beam_pattern=patterns, angle_rad=angles)
    d = _tiny()
    d["radio"]["codebook"] = {"kind": "measured", "path": "cb/patterns.npz"}
    path = tmp_path / "scene.yaml"
    path.write_text(yaml.safe_dump(d))
    spec = load_scene_spec(path)
    assert spec.radio.codebook.path == str(tmp_path / "cb" / "patterns.npz")
    assert scene_spec_from_dict(spec.to_dict()).radio.codebook.path == spec.radio.codebook.path


def test_missing_measured_codebook_is_one_config_error(tmp_path, capsys) -> None:
    from rvsim.cli import main

    d = _tiny()
    d["radio"]["codebook"] = {"kind": "measured", "path": "nowhere/patterns.npz"}
    path = tmp_path / "scene.yaml"
    path.write_text(yaml.safe_dump(d))
    with pytest.raises(ConfigError) as err:
        load_scene_spec(path)
    assert "radio.codebook.path: file not found" in str(err.value) and "\n" not in str(err.value)
    assert str(tmp_path / "nowhere" / "patterns.npz") in str(err.value)
    out = tmp_path / "ds"
    rc = main(["generate", "--scene", str(path), "--num-samples", "2", "--out", str(out), "--quiet"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and "file not found" in lines[0] and not out.exists()


@pytest.mark.rt
def test_malformed_measured_codebook_fails_before_anything_is_written(tmp_path, capsys) -> None:
    """The file exists (the spec loads) but is no beam-pattern file: the street family's own check refuses it
    before the manifest is written."""
    from rvsim.cli import main
    from rvsim.sim import check_scene_spec

    np.savez(tmp_path / "patterns.npz", something_else=np.zeros(3))
    d = _tiny()
    d["radio"]["codebook"] = {"kind": "measured", "path": "patterns.npz"}
    path = tmp_path / "scene.yaml"
    path.write_text(yaml.safe_dump(d))
    spec = load_scene_spec(path)
    with pytest.raises(ConfigError, match=r"radio.codebook.path: .*Received: .*patterns.npz"):
        check_scene_spec(spec)
    out = tmp_path / "ds"
    rc = main(["generate", "--scene", str(path), "--num-samples", "2", "--out", str(out), "--quiet"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and "radio.codebook.path" in lines[0] and not out.exists()


# ----------------------------------------------------------------------------------------------------------
# Placement (no ray tracing)


def test_sampler_places_objects_in_their_zones() -> None:
    spec = scene_spec_from_dict(_tiny())
    sampler = StreetSampler(spec)
    lay, st = sampler.layout, spec.street
    bs = np.asarray(spec.base_station.position_m)
    for i in range(40):
        s = sampler.sample(np.random.default_rng(sample_seed(1, i)))
        o = s.objects
        assert s.tx_object == 0 and spec.class_names[o.class_ids[0]] == "car"  # first car, first in class order
        np.testing.assert_allclose(s.tx_position[:2], o.positions[0, :2])
        assert s.tx_position[2] == pytest.approx(o.sizes[0, 2] + st.tx.antenna_offset_m)
        b = np.degrees(np.arctan2(s.tx_position[1] - bs[1], s.tx_position[0] - bs[0]))
        assert st.tx.bearing_deg[0] - 1e-9 <= b <= st.tx.bearing_deg[1] + 1e-9
        assert (np.diff(o.class_ids) >= 0).all()
        intervals: dict[int, list[tuple[float, float]]] = {}
        for k in range(o.num_objects):
            zone = st.zones[spec.class_names[o.class_ids[k]]]
            x, y = o.positions[k, :2]
            if zone == "lane":
                lane = int(np.argmin(np.abs(lay.lanes_x - x)))
                assert abs(x - lay.lanes_x[lane]) <= st.lane_jitter_m + 1e-9
                assert abs(abs(o.yaws[k]) - np.pi / 2) < np.radians(3.01)
                intervals.setdefault(lane, []).append((y - o.sizes[k, 0] / 2, y + o.sizes[k, 0] / 2))
            elif zone == "sidewalk":
                assert lay.near_sidewalk_x[0] <= x <= lay.near_sidewalk_x[1] or \
                    lay.far_sidewalk_x[0] <= x <= lay.far_sidewalk_x[1]
            else:
                assert x in lay.curb_x
            if k != s.tx_object:
                assert st.object_y_range_m[0] <= y <= st.object_y_range_m[1]
        for spans in intervals.values():  # no two vehicles overlap on a lane
            spans.sort()
            assert all(b0 >= a1 + st.min_gap_m - 1e-9 for (_, a1), (b0, _) in zip(spans, spans[1:]))


def test_street_layout_is_the_same_for_every_sample() -> None:
    from rvsim.sim.street.street_layout import StreetLayout

    spec = scene_spec_from_dict(_tiny())
    a, b = StreetLayout(spec), StreetLayout(spec)
    assert a.buildings == b.buildings and len(a.buildings) > 2
    assert all(bl.x0 >= a.far_sidewalk_x[1] for bl in a.buildings)  # only the far row is enabled
    assert all(5.0 <= bl.height <= 8.0 for bl in a.buildings)


# ----------------------------------------------------------------------------------------------------------
# Ray tracing


@pytest.mark.rt
@pytest.mark.parametrize("lane, bearing", [(0, 0.0), (1, 25.0), (0, -30.0), (1, -12.0), (0, 38.0)])
def test_best_beam_points_at_the_transmitter(street_generator, lane, bearing) -> None:
    spec = street_generator.spec
    fam = street_generator._family
    x = spec.street.lanes_x_m[lane]
    state = _state(spec, [("car", lane, x * np.tan(np.radians(bearing)))])
    p = fam.beam_power_linear(state)
    peaks = fam.receiver.codebook.peak_bearings_deg
    step = np.median(np.abs(np.diff(peaks)))
    assert abs(peaks[int(np.argmax(p))] - bearing) <= 1.5 * step, (peaks[int(np.argmax(p))], bearing)


@pytest.mark.rt
@pytest.mark.skipif(not MEASURED.is_file(), reason="DeepSense measured codebook not available")
def test_best_beam_with_the_measured_codebook() -> None:
    from rvsim.sim.street.link_engine import LinkEngine
    from rvsim.sim.street.street_receiver import StreetReceiver

    d = _tiny()
    d["radio"]["codebook"] = {"kind": "measured", "path": str(MEASURED)}
    spec = scene_spec_from_dict(d)
    engine, receiver = LinkEngine(spec, num_threads=1), StreetReceiver(spec)
    peaks = receiver.codebook.peak_bearings_deg[1:63]  # beams 0 and 63 are not usable beams
    for bearing in (-30.0, 0.0, 20.0):
        state = _state(spec, [("car", 1, 15.5 * np.tan(np.radians(bearing)))])
        paths = engine.paths(state.objects, state.tx_position)
        p = receiver.linear(paths.a[0], engine.arrival_bearing_deg(paths))[1:63]
        assert abs(peaks[int(np.argmax(p))] - bearing) <= 3.0, (peaks[int(np.argmax(p))], bearing)


@pytest.mark.rt
def test_truck_between_blocks_the_line_of_sight(street_generator) -> None:
    spec = street_generator.spec
    fam = street_generator._family
    clear = _state(spec, [("car", 1, 0.0), ("truck", 0, 30.0)])
    blocked = _state(spec, [("car", 1, 0.0), ("truck", 0, 0.0)])
    assert not fam.radio.los_blocked(clear.objects, clear.tx_position)
    assert fam.radio.los_blocked(blocked.objects, blocked.tx_position)
    # without the line of sight far less power reaches the beam that looks at the car
    assert fam.beam_power_linear(blocked).max() < 0.1 * fam.beam_power_linear(clear).max()
    # and the solver's line-of-sight path (delay = distance / c) is gone
    for state, present in ((clear, True), (blocked, False)):
        paths = fam.radio.paths(state.objects, state.tx_position)
        dist = np.linalg.norm(state.tx_position - np.asarray(spec.base_station.position_m))
        assert bool(np.any(np.abs(paths.tau * 299_792_458.0 - dist) < 1e-3)) == present


@pytest.mark.rt
def test_generated_labels_and_beam_powers(street_generator) -> None:
    spec = street_generator.spec
    out = street_generator.generate([0, 1, 2, 5])
    n = 4
    bs = np.asarray(spec.base_station.position_m)
    tx = out["labels/tx_position"].astype(float)
    d = tx[:, :2] - bs[None, :2]
    np.testing.assert_allclose(out["labels/tx_range"], np.hypot(d[:, 0], d[:, 1]), rtol=1e-5)
    np.testing.assert_allclose(out["labels/tx_bearing"], np.degrees(np.arctan2(d[:, 1], d[:, 0])), atol=1e-4)
    for i in range(n):
        k = out["labels/tx_object"][i]
        assert out["labels/obj_class"][i, k] == spec.class_names.index("car")
        np.testing.assert_allclose(out["labels/obj_position"][i, k, :2], tx[i, :2], atol=1e-5)
        assert tx[i, 2] == pytest.approx(out["labels/obj_size"][i, k, 2] + spec.street.tx.antenna_offset_m, abs=1e-5)
        ids = set(np.unique(out["image/segmentation"][i])) - {0}
        assert ids == {j + 1 for j in range(out["labels/num_objects"][i]) if out["labels/obj_visible"][i, j]}
    bp = out["radio/beam_power"]
    assert bp.dtype == np.float32 and bp.shape == (n, 64)
    floor = spec.radio.receiver.floor_db
    assert (bp >= floor).all() and (bp <= 0).all() and (bp.max(axis=1) == 0).all()
    assert out["radio/beam_power_linear"].shape == (n, 64) and (out["radio/beam_power_linear"] >= 0).all()
    assert out["labels/los_blocked"].dtype == np.uint8 and set(np.unique(out["labels/los_blocked"])) <= {0, 1}
    assert out["image/rgb"].shape == (n, 27, 48, 3)
    assert np.isfinite(out["labels/snr_db"]).all()
    attrs = street_generator.field_attrs()
    assert set(attrs) <= set(out) and attrs["radio/beam_power"]["codebook"] == "dft16x64"


@pytest.mark.rt
def test_street_samples_reproducible_from_seed_and_index(street_generator) -> None:
    from rvsim.sim.sample_generator import SampleGenerator

    a = street_generator.generate([3, 4])
    b = street_generator.generate([4])
    for key in a:
        np.testing.assert_array_equal(a[key][1:], b[key], err_msg=key)
    other = SampleGenerator(street_generator.spec, seed=3, num_threads=1).generate([3])
    for key in a:
        np.testing.assert_array_equal(a[key][:1], other[key], err_msg=key)
    c = SampleGenerator(street_generator.spec, seed=4, num_threads=1).generate([3])
    assert not np.array_equal(a["labels/tx_position"][:1], c["labels/tx_position"])


@pytest.mark.rt
@pytest.mark.parametrize("scene", ["street", "street_blockage"])
def test_builtin_street_families_generate_through_the_cli(tmp_path, scene) -> None:
    from rvsim.cli import main
    from rvsim.data import Dataset

    out = tmp_path / scene
    assert main(["generate", "--scene", scene, "--num-samples", "2", "--out", str(out), "--quiet"]) == 0
    with Dataset(out) as ds:
        assert len(ds) == 2 and ds.verify() == []
        assert ds.fields["radio/beam_power"].shape == (64,)
        assert ds.manifest["scene"]["layout"] == "street"
        batch = ds.batch(np.arange(2))
        assert (batch["radio/beam_power"].max(axis=1) == 0).all()
        if scene == "street_blockage":
            np.testing.assert_allclose(batch["labels/tx_position"], [[28.0, 0.0, 1.2]] * 2, atol=1e-6)
            assert (batch["labels/tx_object"] == -1).all()
