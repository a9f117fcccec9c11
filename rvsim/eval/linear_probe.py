"""The linear probe: L2-regularised multinomial logistic regression on standardised frozen features."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from rvsim.errors import InputError

__all__ = ["LinearProbe", "DEFAULT_CS"]

#: Inverse regularisation strengths tried when ``C`` is not given.
DEFAULT_CS: tuple[float, ...] = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)

#: ``C`` used when the labelled set is too small to hold out a validation part.
_FALLBACK_C = 1.0


def check_features(x: Any, name: str = "x") -> np.ndarray:
    """``x`` as a finite float64 matrix ``(n, d)`` (trailing axes flattened)."""
    arr = np.asarray(x)
    if arr.ndim < 1 or arr.dtype.kind not in "biuf":
        raise InputError(f"{name} must be a numeric array (n_samples, ...). Received: shape={arr.shape}, dtype={arr.dtype}")
    arr = arr.reshape(arr.shape[0], -1).astype(np.float64)
    if not np.isfinite(arr).all():
        raise InputError(f"{name} must be finite (no NaN or inf). Received: {int((~np.isfinite(arr)).sum())} bad values")
    return arr


def check_labels(y: Any, n: int) -> np.ndarray:
    """``y`` as int64 ``(n,)``."""
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.shape[0] != n or (arr.size and arr.dtype.kind not in "iu"):
        raise InputError(
            f"y must be 1-D integer labels, one per sample ({n}). Received: shape={arr.shape}, dtype={arr.dtype}"
        )
    return arr.astype(np.int64)


def _check_c(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"{name} must be a positive number. Received: {name}={value!r}")
    c = float(value)
    if not (math.isfinite(c) and c > 0):
        raise InputError(f"{name} must be a positive finite number. Received: {name}={value!r}")
    return c


class LinearProbe:
    """Multinomial logistic regression with an L2 penalty on standardised features (scikit-learn style).

    The features are standardised (zero mean, unit variance per dimension; constant dimensions are left
    centred) with statistics of the data it is fitted on, then scikit-learn's ``LogisticRegression`` (lbfgs,
    multinomial loss for 3+ classes) is fitted. When ``C`` is ``None``, the inverse regularisation strength is
    chosen among ``Cs`` on a held-out validation part of the training data (``val_fraction`` of it, stratified
    by class when every class has at least two samples, else a plain seeded random split): the candidate with
    the best validation accuracy wins (ties: lower validation log-loss, then the smaller ``C``), and the probe
    is then refitted on all the data with it. With fewer than 4 samples, or when the training part would hold a
    single class, ``C_ = 1.0``.

    Args:
        C: Fixed inverse regularisation strength; ``None`` chooses it on validation.
        Cs: Candidate values of ``C`` (positive).
        val_fraction: Fraction of the training data held out to choose ``C``, in ``(0, 1)``.
        max_iter: Iteration limit of the lbfgs solver.
        seed: Seed of the validation split and the solver.

    Attributes:
        classes_: Sorted class labels seen in ``fit`` ``(n_classes,)``.
        C_: The inverse regularisation strength used for the final fit.
        val_scores_: ``{C: validation accuracy}`` of every candidate (empty when ``C`` was given or the data
            were too few).
        scaler_: The fitted ``StandardScaler``.
        model_: The fitted ``LogisticRegression`` (``None`` when only one class was seen: it then always
            predicts that class).
        n_features_in_: Feature dimension ``d``.
    """

    def __init__(
        self,
        C: float | None = None,
        Cs: Sequence[float] = DEFAULT_CS,
        val_fraction: float = 0.2,
        max_iter: int = 1000,
        seed: int = 0,
    ) -> None:
        self.C = C
        self.Cs = Cs
        self.val_fraction = val_fraction
        self.max_iter = max_iter
        self.seed = seed

    # ------------------------------------------------------------------ parameters
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn convention)."""
        return {"C": self.C, "Cs": self.Cs, "val_fraction": self.val_fraction, "max_iter": self.max_iter, "seed": self.seed}

    def set_params(self, **params: Any) -> LinearProbe:
        """Set constructor parameters; returns ``self``."""
        for key, value in params.items():
            if key not in self.get_params():
                raise InputError(f"unknown parameter; LinearProbe takes {sorted(self.get_params())}. Received: {key!r}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"LinearProbe({args})"

    def _validate_params(self) -> tuple[float | None, tuple[float, ...]]:
        c = None if self.C is None else _check_c(self.C, "C")
        try:
            cs = tuple(_check_c(v, "Cs") for v in self.Cs)
        except TypeError as exc:
            raise InputError(f"Cs must be a sequence of positive numbers. Received: Cs={self.Cs!r}") from exc
        if c is None and not cs:
            raise InputError(f"Cs must hold at least one value when C is None. Received: Cs={self.Cs!r}")
        vf = self.val_fraction
        if isinstance(vf, bool) or not isinstance(vf, (int, float)) or not 0.0 < float(vf) < 1.0:
            raise InputError(f"val_fraction must be in (0, 1). Received: val_fraction={vf!r}")
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise InputError(f"max_iter must be an integer >= 1. Received: max_iter={self.max_iter!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise InputError(f"seed must be an integer >= 0. Received: seed={self.seed!r}")
        return c, cs

    # ------------------------------------------------------------------ fitting
    def _fit_one(self, x: np.ndarray, y: np.ndarray, c: float) -> tuple[Any, Any]:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler().fit(x)
        if np.unique(y).size < 2:
            return scaler, None
        model = LogisticRegression(C=c, max_iter=int(self.max_iter), random_state=int(self.seed))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(scaler.transform(x), y)
        return scaler, model

    def _split(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Positions of the training and validation parts, or ``None`` if no useful split exists."""
        n = y.size
        if n < 4:
            return None
        n_val = min(n - 2, max(1, int(round(float(self.val_fraction) * n))))
        classes, counts = np.unique(y, return_counts=True)
        rng = np.random.default_rng(int(self.seed))
        if counts.min() >= 2 and classes.size <= n_val and classes.size <= n - n_val:
            from sklearn.model_selection import StratifiedShuffleSplit

            sss = StratifiedShuffleSplit(n_splits=1, test_size=n_val, random_state=int(self.seed))
            train, val = next(sss.split(np.zeros((n, 1)), y))
        else:
            perm = rng.permutation(n)
            val, train = perm[:n_val], perm[n_val:]
        if np.unique(y[train]).size < 2:
            return None
        return np.sort(train), np.sort(val)

    def fit(self, x: np.ndarray, y: np.ndarray) -> LinearProbe:
        """Choose ``C`` (unless given) and fit the probe.

        Args:
            x: Features ``(n, d)`` (trailing axes are flattened).
            y: Integer class labels ``(n,)``.

        Returns:
            ``self``.

        Raises:
            InputError: On bad parameters, non-finite features, mismatched shapes, or no samples.
        """
        c_fixed, cs = self._validate_params()
        x = check_features(x)
        y = check_labels(y, x.shape[0])
        if x.shape[0] == 0:
            raise InputError(f"cannot fit a probe on zero samples. Received: x.shape={x.shape}")
        self.classes_ = np.unique(y)
        self.n_features_in_ = int(x.shape[1])
        self.val_scores_: dict[float, float] = {}
        if c_fixed is not None:
            self.C_ = c_fixed
        else:
            split = self._split(y) if self.classes_.size >= 2 else None
            if split is None:
                self.C_ = _FALLBACK_C
            else:
                self.C_ = self._choose_c(x, y, *split, cs)
        self.scaler_, self.model_ = self._fit_one(x, y, self.C_)
        return self

    def _choose_c(self, x: np.ndarray, y: np.ndarray, train: np.ndarray, val: np.ndarray, cs: tuple[float, ...]) -> float:
        best: tuple[float, float, float] | None = None  # (-accuracy, log-loss, C)
        for c in sorted(set(cs)):
            scaler, model = self._fit_one(x[train], y[train], c)
            proba = model.predict_proba(scaler.transform(x[val]))
            pred = model.classes_[np.argmax(proba, axis=1)]
            acc = float(np.mean(pred == y[val]))
            col = np.searchsorted(model.classes_, y[val])
            known = (col < model.classes_.size) & (model.classes_[np.minimum(col, model.classes_.size - 1)] == y[val])
            p_true = np.where(known, proba[np.arange(val.size), np.minimum(col, model.classes_.size - 1)], 0.0)
            loss = float(np.mean(-np.log(np.clip(p_true, 1e-15, 1.0))))
            self.val_scores_[c] = acc
            key = (-acc, loss, c)
            if best is None or key < best:
                best = key
        assert best is not None
        return best[2]

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self, x: Any) -> np.ndarray:
        if not hasattr(self, "classes_"):
            raise InputError("this LinearProbe is not fitted yet; call fit(x, y) first. Received: an unfitted probe")
        feats = check_features(x)
        if feats.shape[1] != self.n_features_in_:
            raise InputError(
                f"x must have the {self.n_features_in_} features the probe was fitted on. Received: {feats.shape[1]}"
            )
        return feats

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities ``(n, n_classes)`` in the order of ``classes_``."""
        feats = self._check_fitted(x)
        if self.model_ is None:
            return np.ones((feats.shape[0], 1))
        return self.model_.predict_proba(self.scaler_.transform(feats))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted class labels ``(n,)`` int64."""
        proba = self.predict_proba(x)
        return self.classes_[np.argmax(proba, axis=1)].astype(np.int64)

    def score(self, x: np.ndarray, y: np.ndarray) -> float:
        """Accuracy of :meth:`predict` on ``(x, y)`` in ``[0, 1]``."""
        pred = self.predict(x)
        truth = check_labels(y, pred.size)
        return float(np.mean(pred == truth)) if pred.size else float("nan")
