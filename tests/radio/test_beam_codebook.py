from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rvsim.errors import DatasetError, InputError
from rvsim.radio.beam_codebook import (
    BeamCodebook,
    bearing_from_pattern_angle,
    dft_codebook,
    load_codebook,
    pattern_angle_from_bearing,
)
from rvsim.radio.beam_power import beam_power, beam_power_from_bearing


@pytest.fixture(scope="module")
def measured(deepsense_root: Path) -> BeamCodebook:
    return load_codebook(deepsense_root / "codebook" / "deepsense_testbed1_measured_beam_patterns.npz")


def test_measured_codebook_shape_and_frame(measured: BeamCodebook, deepsense_root: Path) -> None:
    assert measured.patterns.shape == (64, 211)
    assert np.degrees(measured.angles_rad[[0, -1]]) == pytest.approx([-4.0, 176.0])
    # the folder form finds the same file
    assert load_codebook(deepsense_root).patterns.shape == (64, 211)
    peaks = np.degrees(measured.peak_angles_rad)
    assert peaks[1] == pytest.approx(131.4, abs=0.5) and peaks[62] == pytest.approx(46.6, abs=0.5)
    # beams 1..62 sweep from the array's right to its left in rvsim's bearing frame
    bearings = measured.peak_bearings_deg[1:63]
    assert bearings[0] < -35 and bearings[-1] > 35
    assert np.mean(np.diff(bearings) >= 0) > 0.9


def test_angle_frame_maps_and_inverts() -> None:
    assert pattern_angle_from_bearing(0.0) == pytest.approx(90.0)
    assert pattern_angle_from_bearing(30.0) == pytest.approx(60.0)  # left of broadside: smaller pattern angle
    b = np.array([-170.0, -45.0, 0.0, 12.5, 90.0, 180.0])
    assert np.allclose(bearing_from_pattern_angle(pattern_angle_from_bearing(b)), b)
    assert bearing_from_pattern_angle(-100.0) == pytest.approx(-170.0)  # wrapped to (-180, 180]


def test_single_path_peaks_at_the_beam_whose_pattern_peaks_there(measured: BeamCodebook) -> None:
    # equal-gain beams: exactly the beam whose pattern peaks at the path's angle
    angles = np.radians(np.linspace(0, 180, 181))
    centres = np.radians(np.linspace(135, 45, 8))
    synthetic = BeamCodebook(np.exp(-(((angles[None] - centres[:, None]) / 0.1) ** 2)), angles, "gauss")
    for b in range(8):
        p = beam_power(np.array([0.3 - 0.4j]), np.array([synthetic.peak_angles_rad[b]]), synthetic)
        assert int(np.argmax(p)) == b and p[b] == pytest.approx(0.25 * synthetic.patterns[b].max() ** 2)
    # measured beams have unequal peak gains (0.5-0.8), so a neighbour can win by a little: the winner's own
    # peak is within 4 deg and 3 beams of the path's angle
    for b in range(1, 63):
        theta = measured.peak_angles_rad[b]
        p = beam_power(np.array([0.3 - 0.4j]), np.array([theta]), measured)
        assert p.shape == (64,)
        assert p[b] == pytest.approx(0.25 * measured.patterns[b].max() ** 2)
        winner = int(np.argmax(p))
        assert abs(winner - b) <= 3
        assert abs(np.degrees(measured.peak_angles_rad[winner] - theta)) <= 4.0


def test_beam_power_matches_numpy_reference(measured: BeamCodebook) -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=3) + 1j * rng.normal(size=3)
    theta = np.radians([20.3, 91.7, 150.05])
    ref = np.zeros(64)
    for amp, t in zip(a, theta):
        g = np.array([np.interp(t, measured.angles_rad, measured.patterns[b]) for b in range(64)])
        ref += abs(amp) ** 2 * g**2
    assert np.allclose(beam_power(a, theta, measured), ref)


def test_beam_power_back_lobe_padding_and_batches(measured: BeamCodebook) -> None:
    # behind the array (bearing 180 deg) and just outside the sampled range: no power
    assert np.all(beam_power_from_bearing(np.array([1.0]), np.array([180.0]), measured) == 0)
    assert np.all(beam_power(np.array([1.0]), np.radians([-10.0]), measured) == 0)
    # angles wrap: 90 deg == 450 deg
    assert np.allclose(beam_power([1.0], np.radians([90.0]), measured), beam_power([1.0], np.radians([450.0]), measured))
    # a zero amplitude is an absent path
    one = beam_power_from_bearing(np.array([2.0]), np.array([5.0]), measured)
    padded = beam_power_from_bearing(np.array([2.0, 0.0]), np.array([5.0, -30.0]), measured)
    assert np.allclose(one, padded)
    # leading batch axes
    amps = np.ones((4, 3, 2), dtype=np.complex64)
    bearings = np.tile(np.array([5.0, -30.0]), (4, 3, 1))
    out = beam_power_from_bearing(amps, bearings, measured)
    assert out.shape == (4, 3, 64)
    assert np.allclose(out[2, 1], beam_power_from_bearing(amps[0, 0], bearings[0, 0], measured))


def test_beam_power_rejects_bad_input(measured: BeamCodebook) -> None:
    with pytest.raises(InputError, match="same shape"):
        beam_power(np.ones(3), np.zeros(2), measured)
    with pytest.raises(InputError, match="finite"):
        beam_power(np.ones(1), np.array([np.nan]), measured)


def test_dft_codebook_covers_the_field_of_view() -> None:
    cb = dft_codebook()
    assert cb.patterns.shape == (64, 361) and cb.weights is not None and cb.weights.shape == (64, 16)
    assert cb.peak_bearings_deg[0] == pytest.approx(-45.0, abs=0.5)
    assert cb.peak_bearings_deg[-1] == pytest.approx(45.0, abs=0.5)
    assert np.all(np.diff(cb.peak_bearings_deg) > 0)
    # same frame as the measured codebook: beam 0 looks right (pattern angle ~135 deg)
    assert np.degrees(cb.peak_angles_rad[0]) == pytest.approx(135.0, abs=0.5)
    # every bearing in +-45 deg has a beam within ~0.5 dB of the array's peak gain
    for bearing in np.linspace(-45, 45, 91):
        assert cb.gain(np.radians(pattern_angle_from_bearing(bearing))).max() > 0.94
    # a single path peaks at the beam steered there
    for b in (0, 17, 40, 63):
        p = beam_power_from_bearing([1.0], [cb.peak_bearings_deg[b]], cb)
        assert int(np.argmax(p)) == b and p[b] == pytest.approx(1.0, abs=1e-2)


def test_dft_codebook_beams_are_orthogonal_ish() -> None:
    n = 16
    cb = dft_codebook(n, 64, 90.0)
    w = cb.weights
    gram = np.abs(w.conj() @ w.T)
    assert np.allclose(np.diag(gram), 1.0)
    u = np.sin(np.radians(cb.peak_bearings_deg))
    far = np.abs(u[:, None] - u[None, :]) >= 2.0 / n  # beyond the main lobe's first null
    assert far.any() and gram[far].max() < 0.23  # first side lobe of a 16-element ULA is 0.22
    # a critically sampled DFT grid is exactly orthogonal
    fov = 2 * np.degrees(np.arcsin(15 / 16))
    crit = dft_codebook(n, 16, fov, spacing="sine")
    assert np.allclose(crit.weights.conj() @ crit.weights.T, np.eye(16), atol=1e-9)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"num_elements": 0}, "num_elements"),
        ({"num_beams": -1}, "num_beams"),
        ({"fov_deg": 180}, "fov_deg"),
        ({"spacing": "grid"}, "spacing"),
    ],
)
def test_dft_codebook_rejects_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        dft_codebook(**kwargs)


def _write_npz(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    "arrays, match",
    [
        ({"beam_pattern": np.ones((64, 5))}, r"lacks key\(s\) \['angle_rad'\]"),
        ({"beam_pattern": np.ones((64, 5)), "angle_rad": np.linspace(0, 3, 4)}, r"Received: beam_pattern\(64, 5\), angle_rad\(4,\)"),
        ({"beam_pattern": np.ones(5), "angle_rad": np.linspace(0, 3, 5)}, "must have shape"),
        ({"beam_pattern": np.full((64, 5), np.nan), "angle_rad": np.linspace(0, 3, 5)}, "non-finite"),
        ({"beam_pattern": np.ones((64, 5)).astype(str), "angle_rad": np.linspace(0, 3, 5)}, "dtype"),
        ({"beam_pattern": -np.ones((64, 5)), "angle_rad": np.linspace(0, 3, 5)}, "non-negative"),
        ({"beam_pattern": np.ones((64, 5)), "angle_rad": np.linspace(3, 0, 5)}, "strictly increasing"),
    ],
)
def test_load_codebook_rejects_malformed_files(tmp_path: Path, arrays: dict, match: str) -> None:
    path = _write_npz(tmp_path / "cb.npz", **arrays)
    with pytest.raises(DatasetError, match=match):
        load_codebook(path)


def test_load_codebook_refuses_pickles_and_missing_files(tmp_path: Path) -> None:
    obj = np.empty(2, dtype=object)
    obj[:] = [{"a": 1}, {"b": 2}]
    path = tmp_path / "pickled.npz"
    np.savez(path, beam_pattern=obj, angle_rad=np.linspace(0, 1, 2))
    with pytest.raises(DatasetError, match="object"):
        load_codebook(path)
    with pytest.raises(DatasetError, match="does not exist"):
        load_codebook(tmp_path / "nope.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(DatasetError, match="not a readable"):
        load_codebook(tmp_path / "junk.npz")
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    with pytest.raises(DatasetError, match="No deepsense_testbed1"):
        load_codebook(empty)


def test_codebook_validates_its_fields() -> None:
    with pytest.raises(InputError, match="angles_rad must have shape"):
        BeamCodebook(np.ones((2, 3)), np.zeros(2))
    with pytest.raises(InputError, match="strictly increasing"):
        BeamCodebook(np.ones((2, 3)), np.zeros(3))
