"""LinearProbe: separable features score ~1, shuffled labels ~chance; regularisation by grouped CV or the
documented default; the scikit-learn estimator contract; the three task kinds."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from rvsim.errors import InputError
from rvsim.eval import DEFAULT_CS, LinearProbe
from rvsim.eval.linear_probe import DEFAULT_C, grouped_splitter


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
    probe = LinearProbe(random_state=0).fit(x, y)
    assert probe.score(xt, yt) >= 0.99
    assert probe.cv_used_ and probe.C_ in DEFAULT_CS and set(probe.cv_scores_) == set(DEFAULT_CS)
    np.testing.assert_array_equal(probe.classes_, np.arange(4))
    assert probe.n_features_in_ == 8


def test_shuffled_labels_score_about_chance() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 16))
    y = rng.integers(0, 4, 1200)
    acc = LinearProbe(random_state=0).fit(x[:600], y[:600]).score(x[600:], y[600:])
    assert abs(acc - 0.25) < 0.07  # 600 test samples: std of chance accuracy ~0.018


def test_small_labelled_sets_use_the_documented_default() -> None:
    """Fewer than min_cv_samples samples or min_cv_groups groups: no choice on a handful of rows, C = 1."""
    x, y = blobs(10, 3, 5, sep=3.0, seed=2)  # 30 samples
    probe = LinearProbe().fit(x, y)
    assert not probe.cv_used_ and probe.C_ == DEFAULT_C == 1.0 and probe.cv_scores_ == {}
    x, y = blobs(40, 3, 5, sep=3.0, seed=2)  # 120 samples, but in 6 groups only
    probe = LinearProbe().fit(x, y, groups=np.arange(120) % 6)
    assert not probe.cv_used_ and probe.n_groups_ == 6
    assert LinearProbe(min_cv_groups=5).fit(x, y, groups=np.arange(120) % 6).cv_used_


def test_cross_validation_never_splits_a_group() -> None:
    """The folds GridSearchCV uses keep every group on one side, stratified for multiclass."""
    x, y = blobs(50, 3, 4, sep=2.0, seed=4)
    groups = np.repeat(np.arange(30), 5)
    for kind in ("multiclass", "regression"):
        splitter = grouped_splitter(kind, 5, seed=0, y=y)
        for train, val in splitter.split(x, y, groups):
            assert not set(groups[train]) & set(groups[val])


def test_chosen_regularisation_depends_on_the_groups() -> None:
    """Near-duplicate rows within a group: a row-wise split rewards memorising them (weak regularisation);
    the grouped split does not, so it chooses a C at least as strong."""
    rng = np.random.default_rng(0)
    g = np.repeat(np.arange(40), 10)
    y = rng.integers(0, 2, 40)[g]
    x = rng.normal(size=(40, 30))[g] + 0.01 * rng.normal(size=(400, 30))  # features: noise, shared per group
    grouped = LinearProbe(random_state=0).fit(x, y, groups=g)
    rowwise = LinearProbe(random_state=0).fit(x, y)
    assert grouped.cv_used_ and rowwise.cv_used_
    assert grouped.C_ <= rowwise.C_


def test_predict_proba_rows_sum_to_one_and_predict_is_argmax() -> None:
    x, y = blobs(30, 3, 5, sep=3.0, seed=2)
    probe = LinearProbe().fit(x, y)
    proba = probe.predict_proba(x)
    assert proba.shape == (90, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_array_equal(probe.predict(x), probe.classes_[np.argmax(proba, axis=1)])
    full = probe.prediction(x, num_classes=5)  # classes unseen in fit get probability 0
    assert full.shape == (90, 5) and not full[:, 3:].any()


def test_standardisation_makes_the_probe_scale_invariant() -> None:
    x, y = blobs(40, 3, 6, sep=2.0, seed=3)
    scaled = x * np.array([1e-4, 1e3, 1.0, 50.0, 1e-2, 7.0])
    a = LinearProbe().fit(x, y).predict_proba(x)
    b = LinearProbe().fit(scaled, y).predict_proba(scaled)
    np.testing.assert_allclose(a, b, atol=1e-3)


def test_seeded_and_deterministic() -> None:
    x, y = blobs(40, 3, 6, sep=1.0, seed=5)
    a = LinearProbe(random_state=3).fit(x, y)
    b = LinearProbe(random_state=3).fit(x, y)
    assert a.C_ == b.C_ and a.cv_scores_ == b.cv_scores_
    np.testing.assert_array_equal(a.predict_proba(x), b.predict_proba(x))


def test_multilabel_and_regression_kinds() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6))
    labels = np.stack([x[:, 0] > 0, x[:, 1] + x[:, 2] > 0, np.zeros(300, bool)], axis=1).astype(np.int64)
    ml = LinearProbe(kind="multilabel").fit(x[:200], labels[:200])  # a label never positive is allowed
    assert ml.predict_proba(x[200:]).shape == (100, 3) and ml.predict(x[200:]).shape == (100, 3)
    assert ml.score(x[200:], labels[200:]) > 0.9  # mAP over labels with a positive
    target = 3.0 * x[:, 0] - x[:, 3] + 0.1 * rng.normal(size=300)
    reg = LinearProbe(kind="regression").fit(x[:200], target[:200])
    assert reg.cv_used_ and reg.score(x[200:], target[200:]) > -0.2  # score = -MAE
    with pytest.raises(InputError, match="classification probes"):
        reg.predict_proba(x)


def test_single_class_set_predicts_it() -> None:
    x = np.random.default_rng(0).normal(size=(5, 3))
    probe = LinearProbe().fit(x, np.full(5, 2))
    assert probe.estimator_ is None and probe.predict(x).tolist() == [2] * 5


@pytest.mark.parametrize(
    "kwargs",
    [{"Cs": []}, {"Cs": [0.0]}, {"kind": "ordinal"}, {"n_splits": 1}, {"max_iter": 0}, {"random_state": -1},
     {"default_C": -1.0}],
)
def test_bad_parameters_raise(kwargs: dict) -> None:
    x, y = blobs(10, 2, 3, sep=2.0, seed=0)
    with pytest.raises(InputError, match="Received"):
        LinearProbe(**kwargs).fit(x, y)


def test_bad_data_raise() -> None:
    x, y = blobs(10, 2, 3, sep=2.0, seed=0)
    with pytest.raises(InputError, match="finite"):
        LinearProbe().fit(np.where(x > 1, np.nan, x), y)
    with pytest.raises(InputError, match="multiclass"):
        LinearProbe().fit(x, y.astype(float) + 0.5)
    with pytest.raises(InputError, match="groups"):
        LinearProbe().fit(x, y, groups=np.arange(3))
    with pytest.raises(InputError, match="not fitted"):
        LinearProbe().predict(x)
    with pytest.raises(InputError, match="3 features"):
        LinearProbe().fit(x, y).predict(x[:, :2])


def test_scikit_learn_contract() -> None:
    probe = LinearProbe(kind="regression", n_splits=3)
    assert probe.get_params()["n_splits"] == 3 and probe.get_params()["kind"] == "regression"
    copy = clone(probe).set_params(n_splits=4)
    assert copy.n_splits == 4 and probe.n_splits == 3 and not hasattr(copy, "estimator_")
