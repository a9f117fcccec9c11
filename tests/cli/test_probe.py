"""``rvsim probe`` end to end on a tiny dataset and run, and its bad-input paths (exit 2, nothing written)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from rvsim.cli import main


def _fixtures() -> ModuleType:
    """The tiny dataset/run builders of tests/eval (loaded by path: test folders are not a package tree)."""
    path = Path(__file__).resolve().parents[1] / "eval" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_rvsim_eval_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data_and_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    fx = _fixtures()
    root = tmp_path_factory.mktemp("cli_probe")
    data = fx.write_dataset(root / "data", num_samples=80)
    return data, fx.write_run(root / "run", data)


def test_probe_command_end_to_end(data_and_run: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, run = data_and_run
    out = tmp_path / "out"
    settings = tmp_path / "protocol.yaml"
    settings.write_text("supervised: {max_epochs: 1, default_epochs: 1, grid: [[0.001, 0.0001]]}\nbootstrap: 50\n")
    rc = main(["probe", "--data", str(data), "--encoder", str(run), "--task", "count_person", "--out", str(out),
               "--fractions", "0.2", "1.0", "--subset-seeds", "1", "--methods", "ssl", "supervised", "raw",
               "--protocol", str(settings), "--quiet"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "chance" in printed and "supervised" in printed and "retrieval" in printed and "probe.md" in printed
    assert "ssl - supervised" in printed  # the paired difference and its interval
    from rvsim.eval.probe_results import validate_probe_results

    doc = json.loads((out / "probe.json").read_text())
    validate_probe_results(doc)
    assert {(r["method"], r["label_fraction"]) for r in doc["results"]} == {
        (m, f) for m in ("ssl", "supervised", "raw") for f in (0.2, 1.0)
    }
    assert {p.name for p in out.iterdir()} >= {"probe.json", "probe.md", "probe_accuracy.png", "embedding_map.png",
                                               "retrievals.png"}


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"--data": "missing"}, "dataset folder does not exist"),
        ({"--encoder": "missing"}, "run folder does not exist"),
        ({"--task": "count_cats"}, "unknown task"),
        ({"--fractions": ["0"]}, "--fractions must be in"),
        ({"--fractions": ["0.5", "1.5"]}, "--fractions must be in"),
        ({"--seeds": ["0"]}, "--subset-seeds must be >= 1"),
        ({"--model-seeds": ["0"]}, "--model-seeds must be >= 1"),
        ({"--methods": ["ssl", "svm"]}, "methods must be"),
        ({"--protocol": "missing.yaml"}, "--protocol must be a readable YAML file"),
        ({"--test-fraction": "0.2"}, "the run was trained on this one"),
        ({"--out": "busy"}, "not a probe output"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    data_and_run: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict, match: str
) -> None:
    data, run = data_and_run
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("not a probe output")
    args = {"--data": str(data), "--encoder": str(run), "--task": "count_person", "--out": str(tmp_path / "out"),
            "--seeds": ["1"], "--methods": ["raw"]}
    for key, value in change.items():
        args[key] = str(tmp_path / value) if key in ("--data", "--encoder", "--out", "--protocol") else value
    argv = ["probe"]
    for key, value in args.items():
        argv += [key, *value] if isinstance(value, list) else [key, value]
    rc = main(argv)
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rvsim probe: error:") and match in err[0]
    assert not (tmp_path / "out").exists()
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    assert not any(p.name.endswith((".json", ".png", ".md")) for p in tmp_path.rglob("*") if p.parent == tmp_path)


def test_non_numeric_fraction_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["probe", "--data", "d", "--encoder", "r", "--task", "t", "--out", "o", "--fractions", "abc"])
    assert exc.value.code == 2


def test_swapped_shard_exits_2_and_writes_nothing(data_and_run: tuple[Path, Path], tmp_path: Path, swap_in_wrong_shapes,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A dataset with a shard swapped for an HDF5 file of the wrong shapes is refused when it opens."""
    data, run = data_and_run
    swapped = swap_in_wrong_shapes(data, tmp_path / "swapped")
    out = tmp_path / "out"
    rc = main(["probe", "--data", str(swapped), "--encoder", str(run), "--task", "count_person", "--out", str(out),
               "--seeds", "1", "--methods", "raw"])
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rvsim probe: error: shard ")
    assert "does not hold what the manifest says" in err[0]
    assert not out.exists()
