from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rvsim.cli import main
from rvsim.errors import InputError
from rvsim.real.codebook import beam_power_from_bearing, load_codebook
from rvsim.real.receiver import add_receiver_noise, noise_floor_for_snr

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


def test_cli_end_to_end_with_zero_shot(tmp_path: Path, real9: Path, encoder_file: Path, deepsense_root: Path) -> None:
    sim = _toy_street_dataset(tmp_path / "sim", deepsense_root / "codebook")
    out = tmp_path / "out"
    code = main([
        "real", "--data", str(real9), "--scenario", "9", "--encoder", str(encoder_file), "--task", "bearing",
        "--out", str(out), "--fractions", "0.1", "1.0", "--seeds", "1", "--supervised-steps", "5",
        "--sim-data", str(sim),
    ])
    assert code == 0
    doc = json.loads((out / "real_report.json").read_text())
    from rvsim.eval.probe_results import validate_probe_results

    validate_probe_results(doc)
    assert doc["task"] == "real-bearing" and doc["num_classes"] == 8
    methods = {(r["method"], r["label_fraction"]) for r in doc["results"]}
    for m in ("ssl", "supervised", "random", "raw"):
        assert (m, 0.1) in methods and (m, 1.0) in methods
    assert ("zero-shot", 1.0) in methods and ("zero-shot-raw", 1.0) in methods
    zs = [r for r in doc["results"] if r["method"] == "zero-shot-raw"][0]
    assert zs["num_labelled"] == 300
    raw_full = [r for r in doc["results"] if r["method"] == "raw" and r["label_fraction"] == 1.0][0]
    assert raw_full["accuracy"] > 2 * doc["chance"]  # the beams carry the bearing
    assert doc["config"]["real_data"]["fit"]["spearman"] > 0.9
    for name in ("real_report.md", "beam_statistics.json", "beam_statistics.png", "accuracy_vs_fraction.png"):
        assert (out / name).is_file()
    stats = json.loads((out / "beam_statistics.json").read_text())
    assert len(stats["real"]["mean_db"]) == 64 and stats["simulated"]["num_samples"] == 300
    # an existing report is not overwritten without --force
    again = ["real", "--data", str(real9), "--scenario", "9", "--task", "range", "--out", str(out),
             "--methods", "raw", "--seeds", "1", "--fractions", "1.0"]
    assert main(again) == 2
    assert main([*again, "--force"]) == 0
    assert json.loads((out / "real_report.json").read_text())["task"] == "real-range"


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--task", "bearing"], "needs --scenario"),
        (["--task", "bearing", "--scenario", "9", "--encoder", "nope.keras"], "Received: --encoder nope.keras"),
        (["--task", "bearing", "--scenario", "9", "--encoder", "street-pretrained"], "street_encoder.keras is missing"),
        (["--task", "bearing", "--scenario", "9", "--methods", "ssl"], "need --encoder"),
        (["--task", "bearing", "--scenario", "9", "--methods", "raw", "--fractions", "0"], "label fractions"),
        (["--task", "bearing", "--scenario", "9", "--methods", "telepathy"], "methods must be"),
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
    if "street-pretrained" in extra:  # an install without the shipped file (the asset name points nowhere)
        import rvsim.real.sim_to_real as s2r

        monkeypatch.setattr(s2r, "STREET_PRETRAINED_FILE", "street_encoder.keras.missing")
        message = "street_encoder.keras.missing is missing"
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
    from rvsim.real.sim_to_real import RealEvalConfig, load_sim_data

    writer = DatasetWriter(tmp_path / "sim", scene={"name": "x"}, seed=0, num_samples=4, shard_size=4, class_names=["car"])
    writer.record(write_shard_file(writer.shard_path(0), {"radio/beam_power": np.ones((4, 64), np.float32)}, {}, 0))
    writer.finalize()
    with pytest.raises(InputError, match="lacks 'labels/tx_bearing'"):
        load_sim_data(tmp_path / "sim", RealEvalConfig(task="bearing"))


def test_blockage_protocol_raw(deepsense_root: Path) -> None:
    from rvsim.real.sim_to_real import RealEvalConfig, evaluate_real, prepare_real_data

    config = RealEvalConfig(task="blockage", fractions=(0.05, 0.2), seeds=1, methods=("raw",))
    data = prepare_real_data(deepsense_root, config)
    train, test = data.split["train"], data.split["test"]
    assert set(data.task.labels[test]) == {0, 1}
    assert np.min(np.abs(train[:, None] - test[None, ::50])) > 10  # guard between blocks
    doc = evaluate_real(data, config)
    assert doc["task"] == "real-blockage" and doc["num_classes"] == 2
    assert {r["label_fraction"] for r in doc["results"]} == {0.05, 0.2}
    assert doc["config"]["skipped"] == {}
    best = max(r["macro_f1"] for r in doc["results"])
    assert best > 0.6  # blocked links are visibly weaker


def test_random_encoder_and_supervised_baseline(encoder_file: Path) -> None:
    from rvsim.real.sim_to_real import load_real_encoder, random_encoder_like, train_supervised_classifier

    enc = load_real_encoder(str(encoder_file))
    a, b = random_encoder_like(enc, 1), random_encoder_like(enc, 1)
    c = random_encoder_like(enc, 2)
    assert a.count_params() == enc.count_params() and a.output_shape == enc.output_shape
    assert all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))
    assert not all(np.array_equal(x, y) for x, y in zip(a.get_weights(), c.get_weights()))
    # a separable toy problem: which half of the beams holds the peak
    rng = np.random.default_rng(0)
    peak = rng.integers(4, 60, 200)
    x = (-15.0 + 15.0 * np.exp(-((np.arange(64)[None] - peak[:, None]) / 4.0) ** 2)).astype(np.float32)
    y = (peak >= 32).astype(np.int64)
    model = train_supervised_classifier(x, y, 2, encoder_like=enc, seed=0, steps=60, batch_size=32)
    acc = np.mean(np.argmax(model.predict(x, verbose=0), axis=1) == y)
    assert acc > 0.8


def test_dataset_normalisation_is_refitted_for_the_supervised_encoder() -> None:
    from rvsim.models import RadioNormalization, build_radio_encoder
    from rvsim.real.sim_to_real import random_encoder_like

    enc = build_radio_encoder((64,), width=4, embedding_dim=8, seed=0,
                              normalization=RadioNormalization(mode="dataset", mean=50.0, std=3.0))
    x = np.random.default_rng(0).uniform(-12, 0, (50, 64)).astype(np.float32)
    kept = random_encoder_like(enc, 1)
    refit = random_encoder_like(enc, 1, fit_x=x)

    def norm(model):
        return next(layer for layer in model.layers if isinstance(layer, RadioNormalization))

    assert norm(kept).mean == 50.0
    assert norm(refit).mean == pytest.approx(float(x.mean()), abs=1e-4)
    assert norm(refit).std == pytest.approx(float(x.std()), rel=1e-4)


def test_the_shipped_street_encoder_runs_on_real_data(tmp_path: Path, real9: Path) -> None:
    from importlib import resources

    asset = Path(str(resources.files("rvsim").joinpath("assets", "street_encoder.keras")))
    assert asset.is_file(), "rvsim/assets/street_encoder.keras must ship with the package"
    assert asset.stat().st_size <= 5 * 1024 * 1024
    import hashlib

    provenance = json.loads(asset.with_suffix(".json").read_text())  # how it was trained, and its hash
    assert provenance["sha256"] == hashlib.sha256(asset.read_bytes()).hexdigest()
    assert provenance["dataset"]["num_samples"] >= 20000
    from rvsim.real.sim_to_real import load_real_encoder

    encoder = load_real_encoder("street-pretrained")
    assert tuple(encoder.input_shape[1:]) == (64,)
    out = tmp_path / "out"
    assert main(["real", "--data", str(real9), "--scenario", "9", "--task", "bearing", "--encoder", "street-pretrained",
                 "--methods", "ssl", "raw", "--fractions", "0.1", "1.0", "--seeds", "1", "--out", str(out)]) == 0
    doc = json.loads((out / "real_report.json").read_text())
    ssl = [r for r in doc["results"] if r["method"] == "ssl"]
    assert {r["label_fraction"] for r in ssl} == {0.1, 1.0}
    # Real bearing classes are learnable from the pretrained embeddings: well above the majority class.
    assert max(r["accuracy"] for r in ssl) > doc["chance"] + 0.2
