"""Ray tracing and rendering on a tiny hall, for real (Sionna RT on the CPU)."""

from __future__ import annotations

import numpy as np
import pytest

from rvsim.sim.hall.hall_sampler import HallSampler
from rvsim.sim.scene_state import SceneState, sample_seed

pytestmark = pytest.mark.rt


def _single(spec, cls: str, r: float, bearing_deg: float, size=(0.5, 0.5, 1.0)) -> SceneState:
    bs = np.asarray(spec.base_station.position_m)
    b = np.deg2rad(bearing_deg)
    xy = bs[:2] + r * np.array([np.cos(b), np.sin(b)])
    return SceneState(np.array([spec.class_names.index(cls)], np.int32), np.array([[xy[0], xy[1], 0.0]]),
                      np.array([0.4]), np.array([size], dtype=np.float64))


@pytest.mark.parametrize("r, bearing", [(4.0, 0.0), (6.0, 25.0), (8.0, -30.0), (5.0, -12.0)])
def test_range_angle_peak_at_the_object(tiny_generator, r, bearing) -> None:
    spec = tiny_generator.spec
    state = _single(spec, "crate", r, bearing)
    cfr = tiny_generator.radio.cfr(state)
    ram = tiny_generator.range_angle
    m = ram(cfr - tiny_generator.radio.background_cfr)
    k, a = np.unravel_index(np.argmax(m), m.shape)
    # where it should be: slant range from the array to the box's centre, bearing of its centre
    slant = np.hypot(r, spec.base_station.position_m[2] - 0.5)
    assert abs(ram.range_bins_m[k] - slant) <= 0.5, (ram.range_bins_m[k], slant)
    assert abs(ram.angle_bins_deg[a] - bearing) <= 5.0, (ram.angle_bins_deg[a], bearing)
    assert m.max() > np.median(m) + 30.0  # a clear peak above the rest of the map


def test_empty_hall_cancels_exactly(tiny_generator) -> None:
    radio = tiny_generator.radio
    again = radio.cfr(SceneState.empty())
    np.testing.assert_array_equal(again, radio.background_cfr)
    assert np.abs(radio.background_cfr).max() > 0  # the hall does reflect


def test_segmentation_covers_the_projected_object(tiny_generator) -> None:
    from rvsim.sim.camera_renderer import project_points

    spec = tiny_generator.spec
    for r, bearing in [(4.0, 20.0), (6.0, -25.0)]:
        state = _single(spec, "crate", r, bearing, size=(0.7, 0.7, 1.0))
        out = tiny_generator.camera.render([state])
        seg, depth = out["segmentation"][0], out["depth"][0]
        assert set(np.unique(seg)) == {0, 1}
        centre = state.positions[0] + np.array([0.0, 0.0, 0.5])
        col, row, front = project_points(spec, centre[None])
        assert front[0]
        c, rr = int(col[0]), int(row[0])
        assert seg[rr, c] == 1, "the object's centre projects onto its own mask"
        rows, cols = np.nonzero(seg == 1)
        assert abs(cols.mean() - col[0]) < 3 and abs(rows.mean() - row[0]) < 3
        # depth on the mask is the distance to the object's near side
        dist = np.linalg.norm(centre - np.asarray(spec.base_station.position_m))
        assert abs(np.median(depth[seg == 1]) - dist) < 0.6
        assert out["rgb"][0][seg == 1].mean(axis=0)[0] > out["rgb"][0][seg == 1].mean(axis=0)[2]  # red crate


def test_samples_reproducible_from_seed_and_index(tiny_generator, tiny_spec) -> None:
    from rvsim.sim.sample_generator import SampleGenerator

    a = tiny_generator.generate([3, 4])
    b = tiny_generator.generate([4])
    for key in a:
        np.testing.assert_array_equal(a[key][1:], b[key], err_msg=key)
    other = SampleGenerator(tiny_spec, seed=7, num_threads=1).generate([3])
    for key in a:
        np.testing.assert_array_equal(a[key][:1], other[key], err_msg=key)


def test_another_seed_gives_another_scene(tiny_spec) -> None:
    sampler = HallSampler(tiny_spec)
    s7 = [sampler.sample(np.random.default_rng(sample_seed(7, i))) for i in range(5)]
    s8 = [sampler.sample(np.random.default_rng(sample_seed(8, i))) for i in range(5)]
    assert any(x.num_objects != y.num_objects or not np.allclose(x.positions, y.positions)
               for x, y in zip(s7, s8))
    assert sample_seed(7, 0) != sample_seed(8, 0) and sample_seed(7, 0) != sample_seed(7, 1)


def test_labels_match_the_scene(tiny_generator) -> None:
    out = tiny_generator.generate([0, 1, 2, 5])
    spec = tiny_generator.spec
    n = out["labels/num_objects"]
    assert (out["labels/class_counts"].sum(axis=1) == n).all()
    for i in range(4):
        cls = out["labels/obj_class"][i]
        assert (cls[: n[i]] >= 0).all() and (cls[n[i]:] == -1).all()
        pos = out["labels/obj_position"][i, : n[i]]
        bs = np.asarray(spec.base_station.position_m)
        np.testing.assert_allclose(out["labels/obj_range"][i, : n[i]], np.hypot(*(pos[:, :2] - bs[:2]).T), rtol=1e-5)
        assert (np.abs(out["labels/obj_bearing"][i, : n[i]]) <= spec.placement.bearing_span_deg / 2 + 1e-3).all()
        ids = set(np.unique(out["image/segmentation"][i])) - {0}
        assert ids == {k + 1 for k in range(n[i]) if out["labels/obj_visible"][i, k]}
    assert out["radio/cfr"].dtype == np.complex64 and out["radio/cfr"].shape[1:] == (16, 128)
    assert out["radio/range_angle"].shape[1:] == (48, 32)
    assert out["image/rgb"].shape[1:] == (32, 64, 3) and out["image/rgb"].dtype == np.uint8
