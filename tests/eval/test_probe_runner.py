"""run_probe end to end on a tiny dataset with tiny encoders, and its bad-input paths (nothing written)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from rvsim.errors import ConfigError, DatasetError, InputError
from rvsim.eval.probe_results import validate_probe_results
from rvsim.eval.probe_runner import run_probe
from rvsim.eval.protocol import ProtocolConfig

from .conftest import write_dataset, write_run

SUPERVISED = {"max_epochs": 2, "patience": 1, "default_epochs": 1, "grid": [[1e-3, 1e-4]]}
FAST = dict(fractions=(0.1, 1.0), subset_seeds=1, supervised=SUPERVISED, bootstrap=50)


def _config(**kwargs):  # noqa: ANN003, ANN202 - the protocol settings of these tests
    return ProtocolConfig(**{**FAST, **kwargs})


def test_run_probe_end_to_end(probe_data: Path, probe_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    lines: list[str] = []
    second = write_run(tmp_path / "run1", probe_data, seed=1)
    config = _config(methods=("ssl", "supervised", "random", "raw", "vision"))
    doc = run_probe(probe_data, [probe_run, second], "count_person", out, config, progress=lines.append)
    assert {p.name for p in out.iterdir()} == {
        "probe.json", "probe.md", "probe_accuracy.png", "embedding_map.png", "retrievals.png"
    }
    on_disk = json.loads((out / "probe.json").read_text())
    validate_probe_results(on_disk)
    assert on_disk == json.loads(json.dumps(doc))
    assert doc["task"]["name"] == "count_person" and doc["task"]["names"] == ["0", "1", "2", "3+"]
    split = json.loads((probe_run / "split.json").read_text())
    assert doc["splits"][0]["train"] == len(split["train"]) and doc["splits"][0]["test"] == len(split["test"])
    # chance: the majority training class, scored on the test split
    from rvsim.data import Dataset
    from rvsim.tasks import get_task

    with Dataset(probe_data) as ds:
        y_train = get_task("count_person").labels(ds, np.array(split["train"]))
        y_test = get_task("count_person").labels(ds, np.array(split["test"]))
    assert doc["chance"]["score"] == pytest.approx(np.mean(y_test == np.bincount(y_train).argmax()))
    counts = {}
    for r in doc["results"]:
        counts[r["method"]] = counts.get(r["method"], 0) + 1
    assert counts == {"ssl": 4, "vision": 4, "supervised": 2, "random": 2, "raw": 2}  # 2 runs x 2 fractions
    assert {r["run"] for r in doc["results"] if r["method"] == "ssl"} == {probe_run.name, "run1"}
    labelled = {r["label_fraction"]: r["num_labelled"] for r in doc["results"]}
    assert labelled[1.0] == len(split["train"]) and 3 <= labelled[0.1] < labelled[1.0]
    raw_full = next(r for r in doc["results"] if r["method"] == "raw" and r["label_fraction"] == 1.0)
    assert raw_full["score"] > doc["chance"]["score"]  # the toy radio maps show the people
    assert {(c["baseline"], c["label_fraction"]) for c in doc["comparisons"]} == {
        (b, f) for b in ("supervised", "random", "raw", "vision") for f in (0.1, 1.0)}
    retrieval = doc["retrieval"][probe_run.name]
    assert retrieval["num_queries"] == len(split["test"]) and retrieval["space"] == "embedding"  # no saved heads
    assert retrieval["chance_top1"] == pytest.approx(1 / len(split["test"]))
    md = (out / "probe.md").read_text()
    assert "| `supervised` |" in md and "Chance" in md and "bootstrap interval" in md
    assert any("supervised" in line for line in lines)


def test_runs_must_share_their_split(probe_data: Path, probe_run: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(probe_run, other)
    split = json.loads((other / "split.json").read_text())
    split["train"], split["test"] = split["train"][1:], split["test"] + split["train"][:1]
    (other / "split.json").write_text(json.dumps(split))
    with pytest.raises(InputError, match="share the train/test split"):
        run_probe(probe_data, [probe_run, other], "count_person", tmp_path / "out", _config(methods=("raw",)))
    assert not (tmp_path / "out").exists()


def test_rerun_into_a_probe_output_replaces_it(probe_data: Path, probe_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "embedding_map.png").write_bytes(b"old")
    (out / "probe.json").write_text(json.dumps(  # an output of the previous schema is a probe output too
        {"format": "rvsim-probe", "task": "x", "chance": 0.5,
         "results": [{"method": "raw", "label_fraction": 1.0, "seed": 0, "accuracy": 0.5, "macro_f1": 0.5}]}))
    doc = run_probe(probe_data, probe_run, "num_objects", out, _config(methods=("raw",)), plots=False)
    assert doc["task"]["name"] == "num_objects"
    assert {p.name for p in out.iterdir()} == {"probe.json", "probe.md", "probe_accuracy.png"}  # stale plot removed
    assert doc["config"]["methods"] == ["raw"]


def test_same_seeds_give_same_probe_results(probe_data: Path, probe_run: Path, tmp_path: Path) -> None:
    config = _config(methods=("ssl", "random", "raw", "supervised"))
    a = run_probe(probe_data, probe_run, "count_person", tmp_path / "a", config, plots=False)
    b = run_probe(probe_data, probe_run, "count_person", tmp_path / "b", config, plots=False)
    strip = lambda doc: [{k: v for k, v in r.items() if k != "budget"} for r in doc["results"]]  # noqa: E731
    assert strip(a) == strip(b) and a["comparisons"] == b["comparisons"]


def _assert_nothing_written(out: Path, before: set[str] | None = None) -> None:
    if before is None:
        assert not out.exists()
    else:
        assert {p.name for p in out.iterdir()} == before


def test_bad_inputs_write_nothing(probe_data: Path, probe_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = _config(methods=("raw",))
    with pytest.raises(InputError, match="unknown task"):
        run_probe(probe_data, probe_run, "count_cats", out, config)
    _assert_nothing_written(out)
    with pytest.raises(InputError, match="run folder does not exist"):
        run_probe(probe_data, tmp_path / "nope", "count_person", out, config)
    _assert_nothing_written(out)
    with pytest.raises(DatasetError):
        run_probe(tmp_path / "no_data", probe_run, "count_person", out, config)
    _assert_nothing_written(out)
    with pytest.raises(InputError, match="not an rvsim run"):
        run_probe(probe_data, probe_data, "count_person", out, config)
    _assert_nothing_written(out)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not a probe output"):
        run_probe(probe_data, probe_run, "count_person", busy, config)
    _assert_nothing_written(busy, {"notes.txt"})
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file"):
        run_probe(probe_data, probe_run, "count_person", tmp_path / "file", config)


def test_run_on_another_dataset_is_refused(probe_run: Path, tmp_path: Path) -> None:
    other = write_dataset(tmp_path / "other", num_samples=40)
    with pytest.raises(DatasetError, match="different dataset"):
        run_probe(other, probe_run, "count_person", tmp_path / "out", _config(methods=("raw",)))
    assert not (tmp_path / "out").exists()


def test_split_outside_the_dataset_is_refused(probe_data: Path, probe_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(probe_run, run)
    split = json.loads((run / "split.json").read_text())
    split["test"].append(10_000)
    (run / "split.json").write_text(json.dumps(split))
    with pytest.raises(InputError, match="outside the dataset"):
        run_probe(probe_data, run, "count_person", tmp_path / "out", _config(methods=("raw",)))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "kwargs",
    [{"fractions": (0.0,)}, {"fractions": (1.5,)}, {"subset_seeds": 0}, {"model_seeds": 0},
     {"methods": ("ssl", "bogus")}, {"methods": ("raw", "raw")}, {"probe": {"Cs": ()}}, {"bootstrap": 0},
     {"confidence": 1.0}],
)
def test_bad_config(kwargs: dict) -> None:
    with pytest.raises(ConfigError, match="Received"):
        ProtocolConfig(**kwargs)


def test_bad_supervised_settings() -> None:
    with pytest.raises(ConfigError, match="Received"):
        ProtocolConfig(supervised={"grid": [[0.0, 1e-4]]}).supervised_config()
    with pytest.raises(ConfigError, match="unknown supervised settings"):
        ProtocolConfig(supervised={"epochs": 3}).supervised_config()


@pytest.mark.slow
def test_probe_of_a_trained_ssl_run(tmp_path: Path) -> None:
    """A real (short) self-supervised run: retrieval in its projection space agrees with the trained model."""
    import keras

    from rvsim.data import Dataset
    from rvsim.eval import embed, retrieval_topk
    from rvsim.models import RadioNormalization
    from rvsim.train import TrainConfig, build_ssl_model, load_run_config, radio_input, train_ssl, vision_input

    data = write_dataset(tmp_path / "data", num_samples=160)
    # keep="last": the run's encoders and its (last-epoch) checkpoint are the same model
    config = TrainConfig(epochs=3, batch_size=16, radio_width=4, vision_width=4, embedding_dim=16,
                         projection_hidden_dim=16, projection_dim=8, keep="last")
    train_ssl(data, tmp_path / "run", config, verbose=0)
    doc = run_probe(data, tmp_path / "run", "count_person", tmp_path / "out", _config(subset_seeds=2))
    validate_probe_results(doc)
    assert len(doc["results"]) == 4 * 2 * 2
    assert doc["retrieval"]["run"]["space"] == "projection"
    # reference: the trained cross-modal model rebuilt from the checkpoint, projections compared directly
    run_doc = load_run_config(tmp_path / "run")
    model = build_ssl_model(config, tuple(run_doc["data"]["radio_shape"]), tuple(run_doc["data"]["image_shape"]),
                            RadioNormalization.from_config(run_doc["data"]["radio_normalization"]))
    from rvsim.train.checkpoint_state import read_checkpoint

    state = read_checkpoint(tmp_path / "run" / "checkpoint")
    model.load_weights(tmp_path / "run" / "checkpoint" / state.weights)
    test = np.array(json.loads((tmp_path / "run" / "split.json").read_text())["test"])
    with Dataset(data) as ds:
        radio = radio_input(ds, test, run_dir=tmp_path / "run")
        images = vision_input(ds, test, run_dir=tmp_path / "run")
    z_radio, z_vision = model({"radio": radio, "vision": images}, training=False)
    ref = retrieval_topk(keras.ops.convert_to_numpy(z_radio), keras.ops.convert_to_numpy(z_vision))
    assert doc["retrieval"]["run"]["top1"] == pytest.approx(ref["top1"])
    assert doc["retrieval"]["run"]["top5"] == pytest.approx(ref["top5"])
    assert (tmp_path / "out" / "retrievals.png").is_file()
