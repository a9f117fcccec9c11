from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rvsim.cli import main
from rvsim.errors import InputError
from rvsim.radio import beam_power_from_bearing, load_codebook
from rvsim.radio import add_receiver_noise, noise_floor_for_snr

keras = pytest.importorskip("keras")


def _toy_street_dataset(out: Path, codebook_path: Path, n: int = 300, seed: int = 0) -> Path:
    """A tiny stand-in for the simulated street family: LoS + ground bounce through the measured patterns."""
    from rvsim.data import DatasetWriter, write_shard_file

    rng = np.random.default_rng(seed)
    cb = load_codebook(codebook_path)
    bearing = rng.uniform(-50, 50, n)
    rng_m = rng.uniform(8, 70, n)
    blocked = (rng.random(n) < 0.3).astype(np.uint8)
    los = 1.0 / rng_m * np.where(blocked == 1, 0.15, 1.0)
    amps = np.stack([los, 0.3 / rng_m], axis=1).astype(np.complex128)
    bearings = np.stack([bearing, bearing + rng.normal(0, 3, n)], axis=1)
    p = beam_power_from_bearing(amps, bearings, cb)
    p = add_receiver_noise(p, noise_floor_for_snr(p, 18 - 10 * np.log10(rng_m / 10)), rng)
    arrays = {
        "radio/beam_power": p.astype(np.float32),
        "labels/tx_bearing": bearing.astype(np.float32),
        "labels/tx_range": rng_m.astype(np.float32),
        "labels/los_blocked": blocked,
        "meta/index": np.arange(n, dtype=np.int64),
    }
    attrs = {"radio/beam_power": {"units": "linear", "codebook": cb.name}, "labels/tx_bearing": {"units": "deg"}}
    writer = DatasetWriter(out, scene={"name": "toy-street"}, seed=seed, num_samples=n, shard_size=n, class_names=["car"])
    for k, first, count in writer.pending_shards():
        writer.record(write_shard_file(writer.shard_path(k), arrays, attrs, first))
    writer.finalize()
    return out


@pytest.fixture(scope="module")
def encoder_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rvsim.models import build_radio_encoder

    path = tmp_path_factory.mktemp("enc") / "radio_encoder.keras"
    build_radio_encoder((64,), width=8, embedding_dim=16, seed=0).save(path)
    return path


@pytest.fixture()
def real9(tmp_path: Path, scenario_copy) -> Path:
    root = tmp_path / "deepsense"
    scenario_copy(5, root, 9, rows=slice(0, 700))
    return root


FAST_SUPERVISED = "supervised: {max_epochs: 2, patience: 1, default_epochs: 2, grid: [[0.001, 0.0001]]}\nbootstrap: 50\n"


@pytest.fixture()
def fast_protocol(tmp_path: Path) -> Path:
    path = tmp_path / "protocol.yaml"
    path.write_text(FAST_SUPERVISED)
    return path


def test_cli_end_to_end_with_zero_shot(tmp_path: Path, real9: Path, encoder_file: Path, deepsense_root: Path,
                                       fast_protocol: Path) -> None:
    sim = _toy_street_dataset(tmp_path / "sim", deepsense_root / "codebook")
    out = tmp_path / "out"
    code = main([
        "real", "--data", str(real9), "--scenario", "9", "--encoder", str(encoder_file), "--task", "bearing",
        "--out", str(out), "--fractions", "0.1", "1.0", "--subset-seeds", "1", "--split-seeds", "0", "1",
        "--protocol", str(fast_protocol), "--sim-data", str(sim), "--quiet",
    ])
    assert code == 0
    doc = json.loads((out / "probe.json").read_text())
    from rvsim.eval.probe_results import validate_probe_results

    validate_probe_results(doc)
    assert doc["task"]["name"] == "real-bearing" and len(doc["task"]["names"]) == 8
    methods = {(r["method"], r["label_fraction"], r["split_seed"]) for r in doc["results"]}
    for m in ("ssl", "supervised", "random", "raw"):
        for f in (0.1, 1.0):
            assert {(m, f, 0), (m, f, 1)} <= methods
    for m in ("zero-shot", "zero-shot-raw", "zero-shot-realbins"):
        assert (m, 0.0, 0) in methods and (m, 0.0, 1) in methods
    zs = next(r for r in doc["results"] if r["method"] == "zero-shot")
    assert zs["num_labelled"] == 0 and zs["external"]["num_sim_labels"] == 300
    assert zs["external"]["bins"] == "simulated labels' quantiles" and len(zs["external"]["sim_edges"]) == 9
    raw_full = [r for r in doc["results"] if r["method"] == "raw" and r["label_fraction"] == 1.0][0]
    assert raw_full["score"] > 2 * doc["chance"]["score"]  # the beams carry the bearing
    splits = doc["data"]["splits"]
    assert [s["split_seed"] for s in splits] == [0, 1] and splits[0]["calibration"]["spearman"] > 0.9
    assert splits[0]["train"] + splits[0]["test"] == 700
    assert {(c["baseline"], c["label_fraction"]) for c in doc["comparisons"]} >= {("supervised", 0.1), ("raw", 1.0)}
    for name in ("probe.md", "probe_accuracy.png", "beam_statistics.json", "beam_statistics.png"):
        assert (out / name).is_file()
    stats = json.loads((out / "beam_statistics.json").read_text())
    assert len(stats["real"]["mean_db"]) == 64 and stats["simulated"]["num_samples"] == 300
    # an existing report is not overwritten without --force
    again = ["real", "--data", str(real9), "--scenario", "9", "--task", "range", "--out", str(out),
             "--methods", "raw", "--subset-seeds", "1", "--split-seeds", "0", "--fractions", "1.0", "--quiet"]
    assert main(again) == 2
    assert main([*again, "--force"]) == 0
    assert json.loads((out / "probe.json").read_text())["task"]["name"] == "real-range"


def test_training_side_ignores_the_test_sequences(tmp_path: Path, deepsense_root: Path, scenario_copy,
                                                  encoder_file: Path) -> None:
    """Altering every test row (its radio and its GPS) leaves the calibration, the bins and the probes' C as they
    were: nothing the training side computes reads a test row."""
    from rvsim.eval.protocol import ProtocolConfig
    from rvsim.eval.real_probe import RealEvalConfig, real_splits, run_real
    from rvsim.real.splits import split_by_sequence

    a, b = tmp_path / "a", tmp_path / "b"
    scenario_copy(5, a, 9, rows=slice(0, 900))
    scenario_copy(5, b, 9, rows=slice(0, 900))
    seq = np.load(next((a / "scenarios").glob("scenario9_seq_index_*.npy")))
    test = np.zeros(seq.size, bool)
    for seed in (0, 1):
        test[split_by_sequence(seq, test_fraction=0.2, seed=seed)["test"]] = True
    # NB: a row can be in the test part of one split seed and the training part of the other; compare per seed
    config = RealEvalConfig(task="bearing", split_seeds=(0,), zero_shot=(),
                            protocol=ProtocolConfig(fractions=(0.2, 1.0), subset_seeds=1, methods=("ssl", "raw"),
                                                    bootstrap=20))
    test0 = split_by_sequence(seq, test_fraction=0.2, seed=0)["test"]
    rng = np.random.default_rng(0)
    for role in ("unit1_pwr_60ghz", "unit2_loc"):
        f = next((b / "scenarios").glob(f"scenario9_{role}_1-*.npy"))
        arr = np.load(f)
        if role == "unit1_pwr_60ghz":
            arr[test0] = rng.permutation(arr[test0], axis=1)  # other beams
        else:
            arr[test0] += rng.normal(0, 1e-4, arr[test0].shape)  # other positions (about 10 m)
        np.save(f, arr)
    da, db = real_splits(a, config, scenario=9), real_splits(b, config, scenario=9)
    sa, sb = da.description["splits"][0], db.description["splits"][0]
    assert sa["calibration"] == sb["calibration"] and sa["bins"] == sb["bins"] and sa["noise_floor"] == sb["noise_floor"]
    np.testing.assert_array_equal(da.splits[0].y_train.values, db.splits[0].y_train.values)
    ra = run_real(a, config, scenario=9, encoders=[str(encoder_file)], out_dir=tmp_path / "oa")
    rb = run_real(b, config, scenario=9, encoders=[str(encoder_file)], out_dir=tmp_path / "ob")
    assert [r.get("probe") for r in ra["results"]] == [r.get("probe") for r in rb["results"]]
    assert [r["score"] for r in ra["results"]] != [r["score"] for r in rb["results"]]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--task", "bearing"], "needs --scenario"),
        (["--task", "bearing", "--scenario", "9", "--encoder", "nope.keras"], "Received: --encoder nope.keras"),
        (["--task", "bearing", "--scenario", "9", "--encoder", "street-pretrained"], "No street-pretrained encoder"),
        (["--task", "bearing", "--scenario", "9", "--methods", "ssl"], "need --encoder"),
        (["--task", "bearing", "--scenario", "9", "--methods", "raw", "--fractions", "0"], "--fractions"),
        (["--task", "bearing", "--scenario", "9", "--methods", "telepathy"], "--methods must be"),
        (["--task", "bearing", "--scenario", "4", "--methods", "raw"], "No power file scenario4_"),
        (["--task", "range", "--scenario", "9", "--methods", "raw", "--sim-data", "SIMBAD"], "Received"),
    ],
)
def test_cli_bad_input_writes_nothing(
    tmp_path: Path, real9: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    extra = [str(tmp_path / "no_sim") if e == "SIMBAD" else e for e in extra]
    if "street-pretrained" in extra:  # an install without the shipped files
        import rvsim.eval.real_probe as real_probe

        monkeypatch.setattr(real_probe, "_shipped_encoders", lambda: [])
    code = main(["real", "--data", str(real9), "--out", str(out), *extra])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_refuses_an_encoder_for_other_inputs(tmp_path: Path, real9: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rvsim.models import build_radio_encoder

    path = tmp_path / "map_encoder.keras"
    build_radio_encoder((16, 16), width=4, embedding_dim=8, seed=0).save(path)
    code = main(["real", "--data", str(real9), "--scenario", "9", "--task", "bearing", "--encoder", str(path),
                 "--out", str(tmp_path / "out")])
    assert code == 2 and "input shape (64,)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_sim_dataset_without_the_task_label_is_refused(tmp_path: Path, deepsense_root: Path) -> None:
    from rvsim.data import DatasetWriter, write_shard_file
    from rvsim.eval.real_probe import RealEvalConfig, load_sim_data

    writer = DatasetWriter(tmp_path / "sim", scene={"name": "x"}, seed=0, num_samples=4, shard_size=4, class_names=["car"])
    writer.record(write_shard_file(writer.shard_path(0), {"radio/beam_power": np.ones((4, 64), np.float32)}, {}, 0))
    writer.finalize()
    with pytest.raises(InputError, match="lacks 'labels/tx_bearing'"):
        load_sim_data(tmp_path / "sim", RealEvalConfig(task="bearing"))


def test_blockage_protocol_raw(deepsense_root: Path, tmp_path: Path) -> None:
    from rvsim.eval.protocol import ProtocolConfig
    from rvsim.eval.real_probe import RealEvalConfig, real_splits, run_real

    config = RealEvalConfig(task="blockage", zero_shot=(),
                            protocol=ProtocolConfig(fractions=(0.05, 0.2), subset_seeds=1, methods=("raw",)))
    data = real_splits(deepsense_root, config)
    split = data.splits[0]
    assert set(split.y_test.values) == {0, 1}
    blocks = split.groups_train
    assert np.all(np.diff(blocks) >= 0) and np.unique(blocks).size > 10  # contiguous blocks of time
    doc = run_real(deepsense_root, config, out_dir=tmp_path / "out")
    assert doc["task"]["name"] == "real-blockage" and doc["task"]["names"] == ["clear", "blocked"]
    assert {r["label_fraction"] for r in doc["results"]} == {0.05, 0.2}
    assert max(r["metrics"]["macro_f1"] for r in doc["results"]) > 0.6  # blocked links are visibly weaker


def test_the_shipped_street_encoder_runs_on_real_data(tmp_path: Path, real9: Path) -> None:
    import hashlib

    from rvsim.eval.real_probe import load_real_encoder, resolve_encoders

    shipped = resolve_encoders(["street-pretrained"])
    assert shipped and sum(p.stat().st_size for _, p in shipped) <= 5 * 1024 * 1024
    for _, path in shipped:
        provenance = json.loads(path.with_suffix(".json").read_text())  # how it was trained, and its hash
        assert provenance["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert provenance["dataset"]["num_samples"] >= 10000
        assert tuple(load_real_encoder(path).input_shape[1:]) == (64,)
    out = tmp_path / "out"
    assert main(["real", "--data", str(real9), "--scenario", "9", "--task", "bearing", "--encoder", "street-pretrained",
                 "--methods", "ssl", "raw", "--fractions", "0.1", "1.0", "--subset-seeds", "1", "--split-seeds", "0",
                 "--out", str(out), "--quiet"]) == 0
    doc = json.loads((out / "probe.json").read_text())
    ssl = [r for r in doc["results"] if r["method"] == "ssl"]
    assert {r["label_fraction"] for r in ssl} == {0.1, 1.0}
    # Real bearing classes are learnable from the pretrained embeddings: well above the majority class.
    assert max(r["score"] for r in ssl) > doc["chance"]["score"] + 0.2


@pytest.mark.parametrize("series_split", ["official", "blocks"])
def test_future_blockage_from_the_command_line(tmp_path: Path, deepsense_root: Path, encoder_file: Path,
                                               fast_protocol: Path, series_split: str) -> None:
    out = tmp_path / "out"
    assert main(["real", "--data", str(deepsense_root), "--task", "blockage-future", "--horizon", "1", "--encoder",
                 str(encoder_file), "--methods", "ssl", "raw", "supervised", "--fractions", "1.0", "--subset-seeds", "1",
                 "--series-split", series_split, "--split-seeds", "0", "--protocol", str(fast_protocol),
                 "--out", str(out), "--quiet"]) == 0
    doc = json.loads((out / "probe.json").read_text())
    assert doc["task"]["name"] == "real-blockage-future-1" and doc["task"]["params"]["published_accuracy"]["beam_power"] == 0.864
    train, test = doc["splits"][0]["train"], doc["splits"][0]["test"]
    if series_split == "official":
        assert (train, test) == (380 + 162, 50)  # DeepSense's train + val series against its test series
    else:
        assert 0.1 < test / 592 < 0.35 and train + test <= 592  # (no sweep on both sides: test_real_splits_tasks)
    assert {r["method"] for r in doc["results"]} == {"ssl", "raw", "supervised"}
    sup = next(r for r in doc["results"] if r["method"] == "supervised")
    assert sup["budget"]["num_labelled"] == train  # the windowed model trained on every training series
