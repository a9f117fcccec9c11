"""LinearProbe: separable features score ~1, shuffled labels ~chance; C chosen on validation; sklearn style."""

from __future__ import annotations

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.eval import DEFAULT_CS, LinearProbe


def blobs(n_per_class: int, num_classes: int, dim: int, sep: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(num_classes, dim)) * sep
    y = np.repeat(np.arange(num_classes), n_per_class)
    x = centres[y] + rng.normal(size=(y.size, dim))
    perm = rng.permutation(y.size)
    return x[perm], y[perm]


def test_separable_features_score_one() -> None:
    x, y = blobs(60, 4, 8, sep=10.0, seed=0)
    centres = np.random.default_rng(0).normal(size=(4, 8)) * 10.0  # the same centres as blobs(seed=0)
    yt = np.repeat(np.arange(4), 50)
    xt = centres[yt] + np.random.default_rng(1).normal(size=(yt.size, 8))
    probe = LinearProbe(seed=0).fit(x, y)
    assert probe.score(xt, yt) >= 0.99
    assert probe.C_ in DEFAULT_CS
    assert set(probe.val_scores_) == set(DEFAULT_CS)
    np.testing.assert_array_equal(probe.classes_, np.arange(4))
    assert probe.n_features_in_ == 8


def test_shuffled_labels_score_about_chance() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 16))
    y = rng.integers(0, 4, 1200)
    probe = LinearProbe(seed=0).fit(x[:600], y[:600])
    acc = probe.score(x[600:], y[600:])
    assert abs(acc - 0.25) < 0.07  # 600 test samples: std of chance accuracy ~0.018


def test_predict_proba_rows_sum_to_one_and_predict_is_argmax() -> None:
    x, y = blobs(30, 3, 5, sep=3.0, seed=2)
    probe = LinearProbe(C=1.0).fit(x, y)
    proba = probe.predict_proba(x)
    assert proba.shape == (90, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_array_equal(probe.predict(x), probe.classes_[np.argmax(proba, axis=1)])
    assert probe.val_scores_ == {} and probe.C_ == 1.0


def test_standardisation_makes_the_probe_scale_invariant() -> None:
    x, y = blobs(40, 3, 6, sep=2.0, seed=3)
    scaled = x * np.array([1e-4, 1e3, 1.0, 50.0, 1e-2, 7.0])
    a = LinearProbe(C=0.5).fit(x, y).predict_proba(x)
    b = LinearProbe(C=0.5).fit(scaled, y).predict_proba(scaled)
    np.testing.assert_allclose(a, b, atol=1e-4)


def test_seeded_and_deterministic() -> None:
    x, y = blobs(25, 3, 10, sep=1.0, seed=4)
    p1 = LinearProbe(seed=5).fit(x, y)
    p2 = LinearProbe(seed=5).fit(x, y)
    assert p1.C_ == p2.C_ and p1.val_scores_ == p2.val_scores_
    np.testing.assert_array_equal(p1.predict_proba(x), p2.predict_proba(x))


def test_c_is_chosen_by_validation_accuracy() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 40)
    x = rng.normal(size=(80, 200))
    x[:, 0] += 1.5 * (2 * y - 1)
    cs = (1e-3, 1e-1, 1e1, 1e3)
    probe = LinearProbe(Cs=cs, seed=0).fit(x, y)
    # reference: refit scikit-learn by hand on the same split
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    train, val = probe._split(y)  # noqa: SLF001
    scaler = StandardScaler().fit(x[train])
    for c in cs:
        ref = LogisticRegression(C=c, max_iter=1000, random_state=0).fit(scaler.transform(x[train]), y[train])
        assert probe.val_scores_[c] == pytest.approx(ref.score(scaler.transform(x[val]), y[val]))
    assert probe.val_scores_[probe.C_] == max(probe.val_scores_.values())
    final = LogisticRegression(C=probe.C_, max_iter=1000, random_state=0)
    final.fit(StandardScaler().fit_transform(x), y)
    np.testing.assert_allclose(probe.model_.coef_, final.coef_, rtol=1e-6, atol=1e-8)


def test_validation_split_is_stratified() -> None:
    y = np.array([0] * 50 + [1] * 10 + [2] * 20)
    train, val = LinearProbe(val_fraction=0.25, seed=0)._split(y)  # noqa: SLF001
    assert np.intersect1d(train, val).size == 0 and train.size + val.size == y.size
    counts = np.bincount(y[val], minlength=3)
    assert abs(counts[0] - 12.5) <= 1 and abs(counts[1] - 2.5) <= 1 and abs(counts[2] - 5) <= 1


def test_tiny_and_single_class_sets() -> None:
    x = np.arange(6, dtype=float).reshape(3, 2)
    probe = LinearProbe().fit(x, np.array([0, 1, 1]))  # < 4 samples: fallback C
    assert probe.C_ == 1.0 and probe.val_scores_ == {}
    single = LinearProbe().fit(x, np.array([2, 2, 2]))
    np.testing.assert_array_equal(single.predict(x), [2, 2, 2])
    assert single.model_ is None


@pytest.mark.parametrize(
    "kwargs",
    [{"C": -1.0}, {"C": 0}, {"Cs": ()}, {"Cs": (1.0, -2.0)}, {"val_fraction": 0.0}, {"val_fraction": 1.0},
     {"max_iter": 0}, {"seed": -1}],
)
def test_bad_parameters_raise(kwargs: dict) -> None:
    x, y = blobs(10, 2, 3, sep=3.0, seed=0)
    with pytest.raises(InputError, match="Received"):
        LinearProbe(**kwargs).fit(x, y)


def test_bad_data_raise() -> None:
    x, y = blobs(10, 2, 3, sep=3.0, seed=0)
    with pytest.raises(InputError, match="one per sample"):
        LinearProbe().fit(x, y[:-1])
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(InputError, match="finite"):
        LinearProbe().fit(bad, y)
    with pytest.raises(InputError, match="not fitted"):
        LinearProbe().predict(x)
    with pytest.raises(InputError, match="features"):
        LinearProbe().fit(x, y).predict(x[:, :2])


def test_get_set_params() -> None:
    probe = LinearProbe(C=2.0, seed=3)
    assert probe.get_params()["C"] == 2.0 and probe.get_params()["seed"] == 3
    assert probe.set_params(C=0.5) is probe and probe.C == 0.5
    with pytest.raises(InputError):
        probe.set_params(alpha=1.0)
    assert "LinearProbe(C=0.5" in repr(probe)
