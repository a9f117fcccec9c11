"""Properties of the one evaluation protocol (rvsim.eval.protocol), not only its outputs: no test information
on the training side, grouped validation, one input for every method, one supervised baseline for both
commands, paired intervals that mean what they say."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.eval.protocol import (
    EvalSplit,
    ExternalMethod,
    ProtocolConfig,
    ProtocolEncoders,
    paired_bootstrap,
    run_protocol,
)
from rvsim.tasks import TaskTargets

from .conftest import make_arrays, write_dataset, write_run

keras = pytest.importorskip("keras")

FAST_SUPERVISED = {"max_epochs": 3, "patience": 2, "default_epochs": 2, "grid": [[1e-3, 1e-4], [3e-4, 1e-4]]}


def _targets(y: np.ndarray) -> TaskTargets:
    return TaskTargets("t", "multiclass", y, np.ones(y.size, bool), ("a", "b", "c"))


def _toy_split(n_train: int = 240, n_test: int = 80, seed: int = 0, shift_test: float = 0.0) -> EvalSplit:
    rng = np.random.default_rng(seed)

    def make(n: int) -> tuple[np.ndarray, np.ndarray]:
        y = rng.integers(0, 3, n)
        x = rng.normal(size=(n, 64)).astype(np.float32) - 30
        x[np.arange(n), 8 + 20 * y] += 8
        return x, y

    (xtr, ytr), (xte, yte) = make(n_train), make(n_test)
    return EvalSplit(xtr, xte + shift_test, _targets(ytr), _targets(yte), np.arange(n_train) // 4, seed)


def _encoder(seed: int = 0, dynamic_range_db: float = 20.0):  # noqa: ANN202
    from rvsim.models import RadioNormalization, build_radio_encoder

    return build_radio_encoder((64,), width=4, embedding_dim=8, seed=seed,
                               normalization=RadioNormalization(dynamic_range_db=dynamic_range_db))


def _training_side(doc: dict) -> list[tuple]:
    """What the training side chose, per result: probes' C, the supervised baseline's settings and epochs."""
    out = []
    for r in doc["results"]:
        key = (r["method"], r["label_fraction"], r["subset_seed"], r["run"], r["model_seed"])
        out.append((*key, r.get("probe"), (r.get("budget") or {}).get("chosen"), (r.get("budget") or {}).get("tried")))
    return out


def test_test_radio_does_not_change_the_training_side() -> None:
    """Altering the radio of every test row changes scores, never what the training side chose."""
    encoders = ProtocolEncoders(ssl=[("a", _encoder(0)), ("b", _encoder(1))])
    # one fraction large enough to cross-validate (120 rows, 30 groups): the supervised grid and the probes' C
    # are chosen, and each fit costs a Keras compile, so one subset seed keeps this test short
    config = ProtocolConfig(fractions=(0.5,), subset_seeds=1, supervised=FAST_SUPERVISED, bootstrap=50)
    base = run_protocol([_toy_split()], encoders, config)
    flipped = _toy_split()  # (a constant shift of the test radio would be undone by the per-sample normalisation)
    flipped = EvalSplit(flipped.x_train, flipped.x_test[:, ::-1].copy(), flipped.y_train, flipped.y_test,
                        flipped.groups_train, flipped.split_seed)
    other = run_protocol([flipped], encoders, config)
    assert _training_side(base) == _training_side(other)
    assert {r["method"] for r in base["results"]} == {"ssl", "supervised", "random", "raw"}
    assert [r["score"] for r in base["results"]] != [r["score"] for r in other["results"]]
    assert any(r["probe"]["cv_used"] for r in base["results"] if "probe" in r)  # CV choices are compared too


def test_every_method_sees_the_same_normalised_input() -> None:
    """``raw`` is exactly the encoders' first layer's output; encoders with another normalisation are refused."""
    from rvsim.eval.protocol import _normalize, input_normalization

    split = _toy_split()
    enc = _encoder(0)
    layer = input_normalization(enc)
    raw = _normalize(split.x_train, layer, 1)
    np.testing.assert_allclose(raw, keras.ops.convert_to_numpy(layer(split.x_train)), rtol=1e-6)
    first = keras.Model(enc.inputs, enc.get_layer(layer.name).output)  # what the encoder's convolutions see
    np.testing.assert_allclose(raw, first.predict(split.x_train, verbose=0), rtol=1e-5, atol=1e-5)
    assert abs(raw.mean()) < 1e-3  # standardised, not the dB input
    doc = run_protocol([split], ProtocolEncoders(ssl=[("a", enc)]), ProtocolConfig(fractions=(1.0,), subset_seeds=1,
                                                                                     methods=("ssl", "raw")))
    assert doc["normalization"] == {"mode": "per_sample", "mean": 0.0, "std": 1.0, "dynamic_range_db": 20.0}
    with pytest.raises(InputError, match="share one input normalisation"):
        run_protocol([split], ProtocolEncoders(ssl=[("a", enc), ("b", _encoder(1, dynamic_range_db=40.0))]),
                     ProtocolConfig(fractions=(1.0,), subset_seeds=1, methods=("ssl",)))


def test_supervised_holdout_and_probe_folds_keep_groups_apart() -> None:
    from rvsim.data.split import grouped_holdout

    groups = np.repeat(np.arange(25), 6)
    labels = np.arange(150) % 3
    kept, held = grouped_holdout(150, fraction=0.2, groups=groups, labels=labels, seed=3)
    assert not set(groups[kept]) & set(groups[held])
    assert 0.1 < held.size / 150 < 0.3 and np.array_equal(np.sort(np.concatenate([kept, held])), np.arange(150))


def test_one_supervised_baseline_serves_both_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """``rvsim probe`` and ``rvsim real`` train the supervised baseline through the same function, and
    ``train_supervised`` (``rvsim train --supervised``) is a thin reader around it."""
    import inspect

    import rvsim.eval.probe_runner as probe_runner
    import rvsim.eval.protocol as protocol
    import rvsim.eval.real_probe as real_probe
    import rvsim.train.supervised_trainer as st

    calls: list[tuple] = []
    original = st.fit_supervised

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(kwargs.get("kind"))
        return original(*args, **kwargs)

    monkeypatch.setattr(st, "fit_supervised", spy)
    run_protocol([_toy_split()], ProtocolEncoders(reference=_encoder()),
                 ProtocolConfig(fractions=(1.0,), subset_seeds=1, methods=("supervised",), supervised=FAST_SUPERVISED))
    assert calls == ["multiclass"]
    assert "fit_supervised(" in inspect.getsource(st.train_supervised)
    for module in (protocol, probe_runner, real_probe):  # no second trainer anywhere in the evaluation
        source = inspect.getsource(module)
        assert "train_on_batch" not in source and ".fit(train" not in source


def test_paired_bootstrap() -> None:
    rng = np.random.default_rng(0)
    y = {0: rng.integers(0, 2, 400)}
    good = np.eye(2)[y[0]] * 0.9 + 0.05
    coin = np.eye(2)[rng.integers(0, 2, 400)]
    same = paired_bootstrap("multiclass", y, {(0, 0): [coin]}, {(0, 0): [coin]}, resamples=300)
    assert same["difference"] == 0.0 and same["ci_low"] == same["ci_high"] == 0.0
    better = paired_bootstrap("multiclass", y, {(0, 0): [good], (0, 1): [good]}, {(0, 0): [coin], (0, 1): [coin]},
                              resamples=300)
    assert better["difference"] == pytest.approx(1.0 - np.mean(coin.argmax(1) == y[0]))
    assert 0 < better["ci_low"] <= better["difference"] <= better["ci_high"] and better["units"] == 2
    with pytest.raises(InputError, match="units shared"):
        paired_bootstrap("multiclass", y, {(0, 0): [good]}, {(0, 5): [coin]})


def test_external_methods_are_scored_against_their_own_targets() -> None:
    split = _toy_split()
    own = np.zeros(split.y_test.values.size, np.int64)

    def predict(s: EvalSplit):  # noqa: ANN202
        return np.eye(3)[np.zeros(s.y_test.values.size, int)], {"num_labelled": 0}, own

    doc = run_protocol([split], ProtocolEncoders(), ProtocolConfig(fractions=(1.0,), subset_seeds=1, methods=("raw",)),
                       external=[ExternalMethod("zero-shot", predict)])
    row = next(r for r in doc["results"] if r["method"] == "zero-shot")
    assert row["label_fraction"] == 0.0 and row["subset_seed"] is None and row["score"] == 1.0


def test_training_side_of_a_simulated_dataset_ignores_its_test_split(tmp_path: Path) -> None:
    """``rvsim probe`` on a dataset whose test samples carry other radio maps and other objects: the occupancy
    threshold, every probe's C and the supervised choices are the same."""
    from rvsim.data import DatasetWriter, write_shard_file
    from rvsim.eval.probe_runner import run_probe

    data = write_dataset(tmp_path / "data", num_samples=200)
    run = write_run(tmp_path / "run", data)
    test = set(json.loads((run / "split.json").read_text())["test"])
    altered = tmp_path / "altered"
    writer = DatasetWriter(altered, scene={"name": "synthetic"}, seed=0, num_samples=200, shard_size=64,
                           class_names=["person", "crate"])
    for k, first, count in writer.shard_ranges():
        idx = np.arange(first, first + count)
        arrays = make_arrays(idx, 0)
        other = make_arrays(idx + 10_000, 0)  # other scenes
        for i, j in enumerate(idx):
            if int(j) in test:
                for name in arrays:
                    if name != "meta/index":
                        arrays[name][i] = other[name][i]
        attrs = {"radio/range_angle": {"units": "dB"}}
        writer.record(write_shard_file(writer.shard_path(k), arrays, attrs, first))
    writer.finalize()
    config = ProtocolConfig(fractions=(0.3, 1.0), subset_seeds=1, supervised=FAST_SUPERVISED, bootstrap=50,
                            methods=("ssl", "supervised", "random", "raw"))
    a = run_probe(data, run, "occupancy", tmp_path / "a", config, plots=False)
    b = run_probe(altered, run, "occupancy", tmp_path / "b", config, plots=False)
    assert a["task"]["params"] == b["task"]["params"] and "near_far_threshold_m" in a["task"]["params"]
    assert _training_side(a) == _training_side(b)
    assert [r["score"] for r in a["results"]] != [r["score"] for r in b["results"]]
