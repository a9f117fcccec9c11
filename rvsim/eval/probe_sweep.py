"""The label-budget sweep: every method scored on the test set for every label fraction and seed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rvsim.errors import InputError
from rvsim.eval.knn_probe import KNNProbe
from rvsim.eval.label_subsets import check_fractions, nested_stratified_subsets
from rvsim.eval.linear_probe import DEFAULT_CS, LinearProbe

__all__ = ["ProbeMethod", "probe_sweep", "classification_scores", "CLASSIFIERS"]

#: How a method turns labelled training samples into test predictions.
CLASSIFIERS: tuple[str, ...] = ("linear", "knn", "end_to_end")

#: ``seed -> (train features (n_train, d), test features (n_test, d))``.
FeatureFn = Callable[[int], tuple[np.ndarray, np.ndarray]]
#: ``(positions into the training split (m,), seed) -> test predictions (n_test,)``.
TrainPredictFn = Callable[[np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class ProbeMethod:
    """One method of the comparison.

    Attributes:
        name: Method name written to the results (e.g. ``"ssl"``).
        classifier: ``"linear"`` (:class:`LinearProbe` on ``features``), ``"knn"`` (:class:`KNNProbe` on
            ``features``) or ``"end_to_end"`` (``train_predict`` trains a model on the labelled subset).
        features: For ``"linear"``/``"knn"``: ``seed -> (train features, test features)``, rows in the order of
            the training and test splits.
        per_seed: Whether ``features`` depends on the seed (e.g. a random encoder); otherwise it is called once.
        train_predict: For ``"end_to_end"``: ``(training positions, seed) -> test predictions``.
    """

    name: str
    classifier: str = "linear"
    features: FeatureFn | None = None
    per_seed: bool = False
    train_predict: TrainPredictFn | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"a method needs a non-empty name. Received: name={self.name!r}")
        if self.classifier not in CLASSIFIERS:
            raise InputError(f"classifier must be one of {CLASSIFIERS}. Received: classifier={self.classifier!r}")
        if self.classifier == "end_to_end" and self.train_predict is None:
            raise InputError(f"method {self.name!r}: an end-to-end method needs train_predict. Received: None")
        if self.classifier != "end_to_end" and self.features is None:
            raise InputError(f"method {self.name!r}: a {self.classifier} probe needs features. Received: None")


def classification_scores(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[float, float]:
    """Accuracy and macro F1 of predictions.

    Macro F1 is the unweighted mean of per-class F1 over the classes that occur in ``y_true`` or ``y_pred``
    (scikit-learn's ``f1_score(average="macro")``; a class never predicted scores 0).

    Args:
        y_true: True labels ``(n,)``.
        y_pred: Predicted labels ``(n,)``.

    Returns:
        ``(accuracy, macro_f1)``, both in ``[0, 1]``.
    """
    from sklearn.metrics import f1_score

    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != p.shape or t.ndim != 1 or t.size == 0:
        raise InputError(f"y_true and y_pred must be equal-length non-empty 1-D arrays. Received: {t.shape}, {p.shape}")
    return float(np.mean(t == p)), float(f1_score(t, p, average="macro", zero_division=0))


def _check_rows(name: str, x: np.ndarray, n: int, which: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim < 1 or arr.shape[0] != n:
        raise InputError(f"method {name!r}: {which} features must have {n} rows. Received: shape={arr.shape}")
    return arr.reshape(n, -1)


def probe_sweep(
    methods: Sequence[ProbeMethod],
    y_train: np.ndarray,
    y_test: np.ndarray,
    *,
    fractions: Sequence[float] = (0.01, 0.1, 1.0),
    seeds: Sequence[int] = (0, 1, 2),
    Cs: Sequence[float] = DEFAULT_CS,
    max_iter: int = 1000,
    knn_k: int = 20,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, float | int | str | None]]:
    """Score every method on the test set for every label fraction of the training set and every seed.

    For each seed, :func:`~rvsim.eval.label_subsets.nested_stratified_subsets` draws the labelled subsets of
    the training set (stratified, nested across fractions, at least one sample per class); all methods see the
    same subsets. Linear probes choose their ``C`` on a validation part of the labelled subset only.

    Args:
        methods: The methods to compare.
        y_train: Labels of the training set ``(n_train,)``.
        y_test: Labels of the test set ``(n_test,)``.
        fractions: Label fractions in ``(0, 1]``.
        seeds: Seeds (integers >= 0): of the subsets, the probes, and seeded features or models.
        Cs: Candidate inverse regularisation strengths of the linear probes.
        max_iter: Solver iterations of the linear probes.
        knn_k: Neighbours of the kNN probes.
        progress: Called with a short line after each result.

    Returns:
        One dict per (method, fraction, seed): ``{"method", "label_fraction", "seed", "accuracy", "macro_f1",
        "num_labelled", "C"}`` (``C`` is ``None`` except for linear probes), ordered by seed, fraction, method.
    """
    y_tr = np.asarray(y_train)
    y_te = np.asarray(y_test)
    if y_tr.ndim != 1 or y_te.ndim != 1 or y_tr.size == 0 or y_te.size == 0:
        raise InputError(f"y_train and y_test must be non-empty 1-D label arrays. Received: {y_tr.shape}, {y_te.shape}")
    fr = check_fractions(fractions)
    seed_list = [int(s) for s in seeds]
    if not seed_list or any(s < 0 for s in seed_list) or len(set(seed_list)) != len(seed_list):
        raise InputError(f"seeds must be distinct integers >= 0. Received: seeds={list(seeds)!r}")
    names = [m.name for m in methods]
    if not names or len(set(names)) != len(names):
        raise InputError(f"methods must be a non-empty list with distinct names. Received: {names}")

    cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def features_of(method: ProbeMethod, seed: int) -> tuple[np.ndarray, np.ndarray]:
        if not method.per_seed and method.name in cache:
            return cache[method.name]
        assert method.features is not None
        train, test = method.features(seed)
        pair = (_check_rows(method.name, train, y_tr.size, "training"), _check_rows(method.name, test, y_te.size, "test"))
        if not method.per_seed:
            cache[method.name] = pair
        return pair

    out: list[dict[str, float | int | str | None]] = []
    for seed in seed_list:
        subsets = nested_stratified_subsets(y_tr, fr, seed)
        per_seed_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for f in fr:
            pos = subsets[f]
            for method in methods:
                c_used: float | None = None
                if method.classifier == "end_to_end":
                    assert method.train_predict is not None
                    pred = np.asarray(method.train_predict(pos, seed)).reshape(-1)
                    if pred.shape != y_te.shape:
                        raise InputError(
                            f"method {method.name!r}: train_predict must return {y_te.size} test predictions. "
                            f"Received: shape={pred.shape}"
                        )
                else:
                    if method.name not in per_seed_cache:
                        per_seed_cache[method.name] = features_of(method, seed)
                    x_train, x_test = per_seed_cache[method.name]
                    if method.classifier == "linear":
                        probe = LinearProbe(Cs=tuple(Cs), max_iter=max_iter, seed=seed).fit(x_train[pos], y_tr[pos])
                        c_used = float(probe.C_)
                    else:
                        probe = KNNProbe(k=knn_k).fit(x_train[pos], y_tr[pos])
                    pred = probe.predict(x_test)
                acc, f1 = classification_scores(y_te, pred)
                out.append(
                    {
                        "method": method.name,
                        "label_fraction": float(f),
                        "seed": seed,
                        "accuracy": acc,
                        "macro_f1": f1,
                        "num_labelled": int(pos.size),
                        "C": c_used,
                    }
                )
                if progress is not None:
                    progress(f"seed {seed} fraction {f:g} ({pos.size} labels) {method.name}: accuracy {acc:.3f}, macro F1 {f1:.3f}")
    return out
