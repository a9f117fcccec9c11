"""The linear probe: a scikit-learn linear model on standardised frozen features, regularisation chosen by
cross-validation grouped like the data.

The model matches the task's kind (:mod:`rvsim.tasks`): multinomial logistic regression (multiclass), one
logistic regression per label (multilabel), ridge regression (regression), each behind a
``StandardScaler`` in a :class:`sklearn.pipeline.Pipeline`. The inverse regularisation strength ``C`` (or
ridge's ``alpha``) is chosen by :class:`sklearn.model_selection.GridSearchCV` whose folds never split a group
(:class:`~sklearn.model_selection.StratifiedGroupKFold` for multiclass, else
:class:`~sklearn.model_selection.GroupKFold`): a drive-by sequence, a block of time, or, for i.i.d. simulated
scenes, a single sample. The CV score is the log-loss (classification) or the mean absolute error
(regression), both defined on every fold and smoother than accuracy on small folds.

Where the labelled set is too small to cross-validate honestly — fewer than ``min_cv_samples`` samples or
fewer than ``min_cv_groups`` groups — no choice is made: the documented default ``default_C = 1.0``
(scikit-learn's own default; ``default_alpha = 1.0`` for ridge) is used, instead of a choice made on a
handful of validation rows.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from rvsim.errors import InputError
from rvsim.tasks import TASK_KINDS, task_metrics

__all__ = ["LinearProbe", "DEFAULT_CS", "DEFAULT_ALPHAS", "DEFAULT_C", "DEFAULT_ALPHA", "grouped_splitter",
           "check_features"]

#: Inverse regularisation strengths tried by cross-validation (logistic regression).
DEFAULT_CS: tuple[float, ...] = (1e-3, 1e-2, 1e-1, 1.0, 10.0)

#: Regularisation strengths tried by cross-validation (ridge).
DEFAULT_ALPHAS: tuple[float, ...] = (1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0)

#: ``C`` used when the labelled set is too small to cross-validate (scikit-learn's default).
DEFAULT_C: float = 1.0

#: ``alpha`` used when the labelled set is too small to cross-validate (scikit-learn's default).
DEFAULT_ALPHA: float = 1.0


def check_features(x: Any, name: str = "x") -> np.ndarray:
    """``x`` as a finite float64 matrix ``(n, d)`` (trailing axes flattened)."""
    arr = np.asarray(x)
    if arr.ndim < 1 or arr.dtype.kind not in "biuf":
        raise InputError(f"{name} must be a numeric array (n_samples, ...). Received: shape={arr.shape}, dtype={arr.dtype}")
    arr = arr.reshape(arr.shape[0], -1).astype(np.float64)
    if not np.isfinite(arr).all():
        raise InputError(f"{name} must be finite (no NaN or inf). Received: {int((~np.isfinite(arr)).sum())} bad values")
    return arr


def _check_targets(kind: str, y: Any, n: int) -> np.ndarray:
    arr = np.asarray(y)
    if kind == "multiclass":
        ok = arr.ndim == 1 and (arr.size == 0 or arr.dtype.kind in "iu")
    elif kind == "multilabel":
        ok = arr.ndim == 2 and (arr.size == 0 or (arr.dtype.kind in "iub" and np.isin(arr, (0, 1)).all()))
    else:
        ok = arr.ndim == 1 and arr.dtype.kind in "iuf" and bool(np.isfinite(arr.astype(np.float64)).all())
    if not ok or arr.shape[0] != n:
        raise InputError(f"y does not fit a {kind} probe on {n} samples. Received: shape={arr.shape}, dtype={arr.dtype}")
    if kind == "regression":
        return arr.astype(np.float64)
    return arr.astype(np.int64)


def _positive(values: Any, name: str) -> tuple[float, ...]:
    try:
        out = tuple(float(v) for v in ([values] if isinstance(values, (int, float)) else values))
    except (TypeError, ValueError):
        raise InputError(f"{name} must be positive numbers. Received: {name}={values!r}") from None
    if not out or not all(math.isfinite(v) and v > 0 for v in out):
        raise InputError(f"{name} must be positive numbers. Received: {name}={values!r}")
    return out


def grouped_splitter(kind: str, n_splits: int, seed: int, y: np.ndarray | None = None) -> Any:
    """The CV splitter of a probe: folds never split a group; stratified by class for multiclass (unless every
    class of ``y`` has fewer samples than folds)."""
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

    if kind == "multiclass" and (y is None or np.unique(y, return_counts=True)[1].max() >= n_splits):
        return StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)


def _neg_log_loss(estimator: Any, x: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-loss on a fold, defined even for classes the fold's training part did not see."""
    proba = np.asarray(estimator.predict_proba(x), dtype=np.float64)
    if y.ndim == 2:  # multilabel: mean binary cross-entropy over labels
        p = np.clip(proba, 1e-15, 1 - 1e-15)
        return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    classes = np.asarray(estimator.classes_)
    col = np.searchsorted(classes, y)
    col_c = np.minimum(col, classes.size - 1)
    known = (col < classes.size) & (classes[col_c] == y)
    p_true = np.where(known, proba[np.arange(y.size), col_c], 0.0)
    return float(np.mean(np.log(np.clip(p_true, 1e-15, 1.0))))


def _neg_mae(estimator: Any, x: np.ndarray, y: np.ndarray) -> float:
    return -float(np.mean(np.abs(estimator.predict(x) - y)))


class LinearProbe(BaseEstimator):
    """A linear model on standardised frozen features, its regularisation chosen by grouped cross-validation.

    Follows the scikit-learn estimator contract: ``__init__`` stores the parameters, :meth:`fit` returns
    ``self``, fitted attributes end in ``_``.

    Args:
        kind: ``"multiclass"``, ``"multilabel"`` or ``"regression"`` (see :mod:`rvsim.tasks`).
        Cs: Candidate inverse regularisation strengths (logistic regression).
        alphas: Candidate ridge strengths (regression).
        n_splits: Folds of the grouped cross-validation (at most the number of groups).
        min_cv_samples: Fewer labelled samples than this: no cross-validation, the default is used.
        min_cv_groups: Fewer groups than this: no cross-validation, the default is used.
        default_C: ``C`` used without cross-validation.
        default_alpha: ``alpha`` used without cross-validation.
        max_iter: Iteration limit of the lbfgs solver.
        tol: Stopping tolerance of the lbfgs solver (1e-3: a few times fewer iterations than scikit-learn's 1e-4
            for the same choice of ``C`` on the probes measured).
        random_state: Seed of the fold assignment and the solver.

    Attributes:
        estimator_: The fitted ``Pipeline(StandardScaler, model)`` (``None`` when the multiclass training
            labels hold one class: the probe then always predicts it).
        classes_: Sorted classes seen in ``fit`` (multiclass), else ``None``.
        C_: The ``C`` (or ``alpha``) of the final fit.
        cv_used_: Whether the regularisation was chosen by cross-validation.
        cv_scores_: ``{value: mean CV score}`` (empty without cross-validation).
        n_groups_: Distinct groups in the training data.
        n_features_in_: Feature dimension ``d``.
    """

    def __init__(
        self,
        kind: str = "multiclass",
        Cs: Sequence[float] = DEFAULT_CS,
        alphas: Sequence[float] = DEFAULT_ALPHAS,
        n_splits: int = 5,
        min_cv_samples: int = 50,
        min_cv_groups: int = 10,
        default_C: float = DEFAULT_C,
        default_alpha: float = DEFAULT_ALPHA,
        max_iter: int = 1000,
        tol: float = 1e-3,
        random_state: int = 0,
    ) -> None:
        self.kind = kind
        self.Cs = Cs
        self.alphas = alphas
        self.n_splits = n_splits
        self.min_cv_samples = min_cv_samples
        self.min_cv_groups = min_cv_groups
        self.default_C = default_C
        self.default_alpha = default_alpha
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    # ------------------------------------------------------------------ building blocks
    def _check_params(self) -> None:
        if self.kind not in TASK_KINDS:
            raise InputError(f"kind must be one of {TASK_KINDS}. Received: kind={self.kind!r}")
        for name in ("n_splits", "min_cv_samples", "min_cv_groups", "max_iter"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < (2 if name == "n_splits" else 1):
                raise InputError(f"{name} must be an integer >= {2 if name == 'n_splits' else 1}. Received: {name}={v!r}")
        if isinstance(self.random_state, bool) or not isinstance(self.random_state, (int, np.integer)) or self.random_state < 0:
            raise InputError(f"random_state must be an integer >= 0. Received: random_state={self.random_state!r}")
        _positive(self.Cs, "Cs")
        _positive(self.alphas, "alphas")
        _positive(self.default_C, "default_C")
        _positive(self.default_alpha, "default_alpha")
        _positive(self.tol, "tol")

    def _pipeline(self, value: float) -> Any:
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        if self.kind == "regression":
            model: Any = Ridge(alpha=value)
        else:
            model = LogisticRegression(C=value, max_iter=int(self.max_iter), tol=float(self.tol),
                                       random_state=int(self.random_state))
            if self.kind == "multilabel":
                model = OneVsRestClassifier(model)
        return Pipeline([("scale", StandardScaler()), ("model", model)])

    def _param_name(self) -> str:
        if self.kind == "regression":
            return "model__alpha"
        return "model__estimator__C" if self.kind == "multilabel" else "model__C"

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any, groups: Any = None) -> LinearProbe:
        """Choose the regularisation (grouped CV, or the default when too small) and fit on all of ``X``.

        Args:
            X: Features ``(n, d)`` (trailing axes are flattened).
            y: Targets of the probe's kind: ``(n,)`` int, ``(n, L)`` 0/1, or ``(n,)`` float.
            groups: ``(n,)`` group of every sample (rows of one group are never split across folds); ``None``:
                every sample its own group (i.i.d. data).

        Returns:
            ``self``.
        """
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.model_selection import GridSearchCV

        self._check_params()
        x = check_features(X, "X")
        n = x.shape[0]
        if n == 0:
            raise InputError(f"cannot fit a probe on zero samples. Received: X.shape={x.shape}")
        target = _check_targets(self.kind, y, n)
        g = np.arange(n) if groups is None else np.asarray(groups)
        if g.shape != (n,):
            raise InputError(f"groups must have one entry per sample ({n}). Received: shape={g.shape}")
        self.n_features_in_ = int(x.shape[1])
        self.n_groups_ = int(np.unique(g).size)
        self.classes_ = np.unique(target) if self.kind == "multiclass" else None
        self.cv_scores_: dict[float, float] = {}
        candidates = _positive(self.alphas if self.kind == "regression" else self.Cs, "candidates")
        default = float(self.default_alpha if self.kind == "regression" else self.default_C)
        if self.kind == "multiclass" and self.classes_ is not None and self.classes_.size < 2:
            self.estimator_, self.C_, self.cv_used_ = None, default, False
            return self
        self.cv_used_ = bool(n >= self.min_cv_samples and self.n_groups_ >= self.min_cv_groups)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)  # constant labels in a fold, small classes
            if self.cv_used_:
                search = GridSearchCV(
                    self._pipeline(candidates[0]),
                    {self._param_name(): list(candidates)},
                    scoring=_neg_mae if self.kind == "regression" else _neg_log_loss,
                    cv=grouped_splitter(self.kind, min(int(self.n_splits), self.n_groups_), int(self.random_state),
                                        target),
                    refit=True,
                    error_score="raise",
                )
                search.fit(x, target, groups=g)
                self.estimator_ = search.best_estimator_
                self.C_ = float(search.best_params_[self._param_name()])
                means = search.cv_results_["mean_test_score"]
                self.cv_scores_ = {float(c): float(s) for c, s in zip(search.cv_results_[f"param_{self._param_name()}"], means)}
            else:
                self.C_ = default
                self.estimator_ = self._pipeline(default).fit(x, target)
        return self

    # ------------------------------------------------------------------ prediction
    def _features(self, X: Any) -> np.ndarray:
        if not hasattr(self, "estimator_"):
            raise InputError("this LinearProbe is not fitted yet; call fit(X, y) first. Received: an unfitted probe")
        x = check_features(X, "X")
        if x.shape[1] != self.n_features_in_:
            raise InputError(f"X must have the {self.n_features_in_} features the probe was fitted on. Received: {x.shape[1]}")
        return x

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``(n, len(classes_))`` (multiclass) or label probabilities ``(n, L)`` (multilabel)."""
        if self.kind == "regression":
            raise InputError("predict_proba is for classification probes. Received: kind='regression'")
        x = self._features(X)
        if self.estimator_ is None:
            return np.ones((x.shape[0], 1))
        return np.asarray(self.estimator_.predict_proba(x), dtype=np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """Classes ``(n,)`` int64, labels ``(n, L)`` 0/1, or values ``(n,)`` float64."""
        x = self._features(X)
        if self.kind == "regression":
            return np.asarray(self.estimator_.predict(x), dtype=np.float64)
        proba = self.predict_proba(x)
        if self.kind == "multilabel":
            return (proba >= 0.5).astype(np.int64)
        assert self.classes_ is not None
        return self.classes_[np.argmax(proba, axis=1)].astype(np.int64)

    def prediction(self, X: Any, num_classes: int | None = None) -> np.ndarray:
        """What :func:`rvsim.tasks.task_metrics` scores: probabilities over all ``num_classes`` classes
        (multiclass; classes unseen in ``fit`` get 0), label probabilities (multilabel), values (regression)."""
        if self.kind != "multiclass":
            return self.predict_proba(X) if self.kind == "multilabel" else self.predict(X)
        proba = self.predict_proba(X)
        assert self.classes_ is not None
        k = int(num_classes) if num_classes is not None else int(self.classes_.max()) + 1
        if self.classes_.size and (self.classes_.min() < 0 or self.classes_.max() >= k):
            raise InputError(f"num_classes must exceed every class seen in fit. Received: num_classes={k}, classes {self.classes_}")
        full = np.zeros((proba.shape[0], k))
        full[:, self.classes_] = proba
        return full

    def score(self, X: Any, y: Any) -> float:
        """The task's headline score on ``(X, y)``: accuracy, mAP, or ``-MAE`` (higher is better)."""
        x = self._features(X)
        target = _check_targets(self.kind, y, x.shape[0])
        k = None
        if self.kind == "multiclass":
            assert self.classes_ is not None
            k = int(max(self.classes_.max(), target.max() if target.size else 0)) + 1
        return float(task_metrics(self.kind, target, self.prediction(x, k))["score"])
