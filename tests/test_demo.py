"""``rvsim demo``: the whole pipeline on a tiny hall writes a report with every method at its fractions."""

from __future__ import annotations

import json

import pytest
import yaml

from rvsim.cli import main


def test_demo_refuses_a_non_empty_folder(tmp_path, capsys) -> None:
    out = tmp_path / "demo"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["demo", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not empty" in err and "Received" in err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_demo_rejects_a_bad_radio_width(tmp_path, capsys) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--radio-width", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--radio-width" in err and "Received: 0" in err
    assert not out.exists()


def test_demo_rejects_a_bad_fraction(tmp_path, capsys) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--fractions", "0.1", "1.5"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--fractions" in err and "1.5" in err
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.rt
def test_demo_end_to_end_on_a_tiny_hall(tmp_path, tiny_scene_dict) -> None:
    scene = tmp_path / "tiny.yaml"
    scene.write_text(yaml.safe_dump(tiny_scene_dict, sort_keys=False))
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--scene", str(scene), "--num-samples", "60", "--workers", "1",
                 "--epochs", "1", "--seeds", "1", "--radio-width", "4", "--quiet"]) == 0
    assert json.loads((out / "ssl" / "config.json").read_text())["config"]["radio_width"] == 4
    report = (out / "report.md").read_text()
    probe = json.loads((out / "probe" / "probe.json").read_text())
    methods = {(r["method"], r["label_fraction"]) for r in probe["results"]}
    assert methods == {(m, f) for m in ("ssl", "supervised", "random", "raw", "vision") for f in (0.01, 0.1)}
    assert report.startswith("# rvsim demo report") and "| `ssl` |" in report and "`ssl` − baseline" in report
    for name in ("grid.png", "probe/probe_accuracy.png", "data/manifest.json", "ssl/radio_encoder.keras"):
        assert (out / name).is_file(), name
