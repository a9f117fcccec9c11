"""probe_sweep on toy features: informative features ~1.0, shuffled ~chance; shared nested subsets."""

from __future__ import annotations

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.eval import ProbeMethod, classification_scores, probe_sweep, validate_probe_results


def toy(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 10)) * 6.0
    y_train, y_test = rng.integers(0, 3, 600), rng.integers(0, 3, 300)
    return (centres[y_train] + rng.normal(size=(600, 10)), y_train,
            centres[y_test] + rng.normal(size=(300, 10)), y_test)


def test_informative_vs_noise_features_and_schema() -> None:
    x_train, y_train, x_test, y_test = toy()
    rng = np.random.default_rng(5)
    noise_train, noise_test = rng.normal(size=(600, 10)), rng.normal(size=(300, 10))
    seen: list[tuple[int, np.ndarray]] = []

    def oracle(positions: np.ndarray, seed: int) -> np.ndarray:
        seen.append((seed, positions.copy()))
        return y_test.copy()

    methods = [
        ProbeMethod("ssl", "linear", features=lambda s: (x_train, x_test)),
        ProbeMethod("ssl_knn", "knn", features=lambda s: (x_train, x_test)),
        ProbeMethod("random", "linear", features=lambda s: (noise_train, noise_test), per_seed=True),
        ProbeMethod("supervised", "end_to_end", train_predict=oracle),
    ]
    results = probe_sweep(methods, y_train, y_test, fractions=(0.05, 1.0), seeds=(0, 1), knn_k=5)
    assert len(results) == 2 * 2 * 4
    validate_probe_results({"task": "toy", "chance": 0.34, "results": results})
    by = {(r["method"], r["label_fraction"], r["seed"]): r for r in results}
    for seed in (0, 1):
        assert by[("ssl", 1.0, seed)]["accuracy"] >= 0.99
        assert by[("ssl", 0.05, seed)]["accuracy"] >= 0.95
        assert by[("ssl_knn", 1.0, seed)]["accuracy"] >= 0.99
        assert by[("random", 1.0, seed)]["accuracy"] < 0.45  # chance ~1/3
        assert by[("supervised", 1.0, seed)]["accuracy"] == 1.0
        assert by[("supervised", 1.0, seed)]["C"] is None and by[("ssl", 1.0, seed)]["C"] > 0
    # the end-to-end method got the nested subsets, the same per seed as the probes' num_labelled
    assert [s for s, _ in seen] == [0, 0, 1, 1]
    small, full = seen[0][1], seen[1][1]
    assert np.isin(small, full).all() and full.size == 600
    assert small.size == by[("ssl", 0.05, 0)]["num_labelled"]
    assert not np.array_equal(seen[0][1], seen[2][1])  # another seed, another subset


def test_features_are_computed_once_unless_per_seed() -> None:
    x_train, y_train, x_test, y_test = toy(1)
    calls = {"fixed": 0, "seeded": 0}

    def fixed(seed: int) -> tuple[np.ndarray, np.ndarray]:
        calls["fixed"] += 1
        return x_train, x_test

    def seeded(seed: int) -> tuple[np.ndarray, np.ndarray]:
        calls["seeded"] += 1
        return x_train, x_test

    methods = [ProbeMethod("a", features=fixed), ProbeMethod("b", features=seeded, per_seed=True)]
    probe_sweep(methods, y_train, y_test, fractions=(0.1, 1.0), seeds=(0, 1, 2))
    assert calls == {"fixed": 1, "seeded": 3}


def test_classification_scores() -> None:
    acc, f1 = classification_scores(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]))
    assert acc == 0.75
    # class 0: P=1, R=.5, F1=2/3; class 1: P=2/3, R=1, F1=0.8
    assert f1 == pytest.approx((2 / 3 + 0.8) / 2)


def test_errors() -> None:
    x_train, y_train, x_test, y_test = toy()
    good = [ProbeMethod("ssl", features=lambda s: (x_train, x_test))]
    with pytest.raises(InputError, match="end-to-end"):
        ProbeMethod("sup", "end_to_end")
    with pytest.raises(InputError, match="classifier"):
        ProbeMethod("x", "svm", features=lambda s: (x_train, x_test))
    with pytest.raises(InputError, match="seeds"):
        probe_sweep(good, y_train, y_test, seeds=())
    with pytest.raises(InputError, match="fractions"):
        probe_sweep(good, y_train, y_test, fractions=(0.0,))
    with pytest.raises(InputError, match="rows"):
        probe_sweep([ProbeMethod("bad", features=lambda s: (x_train[:5], x_test))], y_train, y_test)
    with pytest.raises(InputError, match="distinct names"):
        probe_sweep(good + good, y_train, y_test)
