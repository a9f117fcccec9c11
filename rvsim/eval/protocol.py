"""The one evaluation protocol of rvsim, shared by ``rvsim probe`` (simulated data) and ``rvsim real`` (real
captures): how much does a radio encoder taught by vision help when labels are few?

Its rules are ``../shared/EVALUATION.md`` (in the repository's docs as ``docs/probe_results.md``). In short:

* **Splits.** Each :class:`EvalSplit` is one train/test split with the groups of its training rows (a
  drive-by sequence, a block of time, or one sample for i.i.d. simulated scenes). The test rows are touched
  once, to score; everything else — task parameters, calibration, probe regularisation, the supervised
  baseline's settings and epochs — comes from training rows only.
* **Label budgets.** For every subset seed, nested stratified subsets of the training rows at each label
  fraction (:func:`~rvsim.eval.label_subsets.nested_stratified_subsets`; strata: the class, the number of
  positive labels, or a quantile bin of the value); every method of a seed sees the same subset.
* **Methods**, all fed the same normalised radio input:

  * ``ssl`` — a :class:`~rvsim.eval.LinearProbe` on the frozen self-supervised encoder's embedding, one
    result per self-supervised training run (training seed);
  * ``supervised`` — the encoder architecture plus a linear head trained end to end on the labelled subset
    (:func:`rvsim.train.supervised_trainer.fit_supervised`: the same augmentation, settings and epochs
    chosen on a grouped validation part of the subset);
  * ``random`` — the probe on a freshly initialised encoder of the same architecture;
  * ``raw`` — the probe on the normalised radio input itself, flattened: exactly what every encoder's first
    layer (:class:`~rvsim.models.RadioNormalization`) outputs;
  * ``vision`` — (simulation) the probe on the frozen vision encoder's embedding of the camera image: the
    teacher's ceiling;
  * external methods (``zero-shot``): predictions made without any label of these data, scored on the
    same test rows (label fraction 0).

  ``supervised`` and ``random`` use ``model_seeds`` model seeds per subset seed.
* **Uncertainty.** Every cell gives mean ± std over all its results (training runs × subset seeds × split
  seeds), and for ``ssl`` against every other method the paired difference with a 95 % bootstrap interval
  (:func:`paired_bootstrap`): subsets (with their split) are resampled, training runs and model seeds
  within them, and test rows, the same test rows for both methods.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rvsim.errors import ConfigError, InputError
from rvsim.eval.embedding import embed
from rvsim.eval.label_subsets import check_fractions, nested_stratified_subsets
from rvsim.eval.linear_probe import DEFAULT_ALPHA, DEFAULT_ALPHAS, DEFAULT_C, DEFAULT_CS, LinearProbe
from rvsim.eval.random_encoder import reinitialized_encoder
from rvsim.tasks import TASK_KINDS, TaskTargets, check_prediction, task_metrics, weighted_scores

__all__ = [
    "PROTOCOL_METHODS",
    "ProbeSettings",
    "ProtocolConfig",
    "EvalSplit",
    "ProtocolEncoders",
    "ExternalMethod",
    "run_protocol",
    "paired_bootstrap",
    "chance_prediction",
    "input_normalization",
    "subset_strata",
    "RANDOM_SEED_OFFSET",
    "SUPERVISED_SEED_OFFSET",
]

#: Methods of the protocol, in report order.
PROTOCOL_METHODS: tuple[str, ...] = ("ssl", "supervised", "random", "raw", "vision")

#: Added to the model seeds of random encoders (so that they differ from an SSL encoder's initialisation).
RANDOM_SEED_OFFSET: int = 10_000

#: Added to the model seeds of the supervised baseline.
SUPERVISED_SEED_OFFSET: int = 20_000


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


# ================================================================================================ settings
@dataclass(frozen=True)
class ProbeSettings:
    """Settings of the linear probes (see :class:`~rvsim.eval.LinearProbe`)."""

    Cs: tuple[float, ...] = DEFAULT_CS
    alphas: tuple[float, ...] = DEFAULT_ALPHAS
    n_splits: int = 5
    min_cv_samples: int = 50
    min_cv_groups: int = 10
    default_C: float = DEFAULT_C
    default_alpha: float = DEFAULT_ALPHA
    max_iter: int = 1000
    tol: float = 1e-3

    def __post_init__(self) -> None:
        for name in ("Cs", "alphas"):
            values = tuple(getattr(self, name)) if isinstance(getattr(self, name), (list, tuple)) else ()
            if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0
                                     for v in values):
                raise ConfigError(f"probe.{name} must be positive numbers. Received: {name}={getattr(self, name)!r}")
            object.__setattr__(self, name, tuple(float(v) for v in values))
        for name in ("n_splits", "min_cv_samples", "min_cv_groups", "max_iter"):
            v = getattr(self, name)
            if not _is_int(v) or v < (2 if name == "n_splits" else 1):
                raise ConfigError(f"probe.{name} must be an integer >= {2 if name == 'n_splits' else 1}. Received: {name}={v!r}")

    def estimator(self, kind: str, seed: int) -> LinearProbe:
        """The probe of a task kind."""
        return LinearProbe(kind=kind, Cs=self.Cs, alphas=self.alphas, n_splits=self.n_splits,
                           min_cv_samples=self.min_cv_samples, min_cv_groups=self.min_cv_groups,
                           default_C=self.default_C, default_alpha=self.default_alpha, max_iter=self.max_iter,
                           tol=self.tol, random_state=int(seed))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able settings."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}


@dataclass(frozen=True)
class ProtocolConfig:
    """Settings of a comparison.

    Attributes:
        fractions: Label fractions of the training rows, in ``(0, 1]``.
        subset_seeds: Label-subset seeds ``0 .. subset_seeds-1``.
        model_seeds: Model seeds of ``supervised`` and ``random`` per subset seed (``1``: one model per subset,
            paired with it; ``3``: three per subset, crossed).
        methods: Methods to run, among :data:`PROTOCOL_METHODS` (empty: only external methods).
        probe: Linear-probe settings.
        supervised: Supervised-baseline settings (a :class:`rvsim.train.supervised_trainer.SupervisedConfig`
            or a mapping of its fields; ``None``: its defaults).
        bootstrap: Bootstrap resamples of the paired intervals.
        confidence: Level of the intervals.
        batch_size: Samples per encoder forward pass.
    """

    fractions: tuple[float, ...] = (0.01, 0.1, 1.0)
    subset_seeds: int = 3
    model_seeds: int = 1
    methods: tuple[str, ...] = ("ssl", "supervised", "random", "raw")
    probe: ProbeSettings = field(default_factory=ProbeSettings)
    supervised: Any = None
    bootstrap: int = 2000
    confidence: float = 0.95
    batch_size: int = 256

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "fractions", check_fractions(self.fractions))
        except InputError as exc:
            raise ConfigError(str(exc)) from None
        for name in ("subset_seeds", "model_seeds", "bootstrap", "batch_size"):
            v = getattr(self, name)
            if not _is_int(v) or v < 1:
                raise ConfigError(f"{name} must be an integer >= 1. Received: {name}={v!r}")
        methods = (self.methods,) if isinstance(self.methods, str) else tuple(self.methods)
        unknown = [m for m in methods if m not in PROTOCOL_METHODS]
        if unknown or len(set(methods)) != len(methods):
            raise ConfigError(f"methods must be distinct names among {list(PROTOCOL_METHODS)}. Received: methods={list(methods)}")
        object.__setattr__(self, "methods", tuple(m for m in PROTOCOL_METHODS if m in methods))
        if isinstance(self.probe, Mapping):
            object.__setattr__(self, "probe", ProbeSettings(**dict(self.probe)))
        if not isinstance(self.probe, ProbeSettings):
            raise ConfigError(f"probe must be a ProbeSettings or a mapping. Received: {self.probe!r}")
        if not isinstance(self.confidence, (int, float)) or not 0.5 <= float(self.confidence) < 1.0:
            raise ConfigError(f"confidence must be in [0.5, 1). Received: confidence={self.confidence!r}")

    def supervised_config(self) -> Any:
        """The :class:`~rvsim.train.supervised_trainer.SupervisedConfig` (imports Keras)."""
        from rvsim.train.supervised_trainer import SupervisedConfig

        if self.supervised is None:
            return SupervisedConfig()
        if isinstance(self.supervised, Mapping):
            return SupervisedConfig.from_dict(self.supervised)
        return self.supervised

    def to_dict(self) -> dict[str, Any]:
        """JSON-able settings."""
        sup = self.supervised
        if sup is not None and not isinstance(sup, Mapping):
            sup = sup.to_dict()
        return {
            "fractions": list(self.fractions),
            "subset_seeds": self.subset_seeds,
            "model_seeds": self.model_seeds,
            "methods": list(self.methods),
            "probe": self.probe.to_dict(),
            "supervised": dict(sup) if sup is not None else None,
            "bootstrap": self.bootstrap,
            "confidence": self.confidence,
            "batch_size": self.batch_size,
        }

    def replace(self, **changes: Any) -> ProtocolConfig:
        """A copy with ``changes`` applied (validated)."""
        return dataclasses.replace(self, **changes)


# ================================================================================================ inputs
@dataclass(frozen=True, eq=False)
class EvalSplit:
    """One train/test split of the labelled data.

    Attributes:
        x_train: ``(n_train, *input_shape)`` float32 encoder inputs (radio power [dB]), or windows of them
            ``(n_train, T, *input_shape)``.
        x_test: ``(n_test, ...)`` the same for the test rows.
        y_train: Targets of the training rows.
        y_test: Targets of the test rows (the same task, parameters from training rows only).
        groups_train: ``(n_train,)`` group of every training row (correlated rows share one).
        split_seed: Seed of this split (several splits: several seeds).
        images_train: ``(n_train, H, W, C)`` vision-encoder inputs, or ``None`` (no ``vision`` method).
        images_test: The same for the test rows.
        description: JSON-able description (sources, sizes, calibration, task parameters).
    """

    x_train: np.ndarray
    x_test: np.ndarray
    y_train: TaskTargets
    y_test: TaskTargets
    groups_train: np.ndarray
    split_seed: int = 0
    images_train: np.ndarray | None = None
    images_test: np.ndarray | None = None
    description: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n_tr, n_te = int(np.shape(self.x_train)[0]), int(np.shape(self.x_test)[0])
        if self.y_train.values.shape[0] != n_tr or np.shape(self.groups_train) != (n_tr,):
            raise InputError(f"x_train, y_train and groups_train must have the same rows. Received: {n_tr}, "
                             f"{self.y_train.values.shape[0]}, {np.shape(self.groups_train)}")
        if self.y_test.values.shape[0] != n_te:
            raise InputError(f"x_test and y_test must have the same rows. Received: {n_te}, {self.y_test.values.shape[0]}")
        if (self.y_train.kind, tuple(self.y_train.names)) != (self.y_test.kind, tuple(self.y_test.names)):
            raise InputError(f"train and test targets must be of one task. Received: {self.y_train.describe()} and "
                             f"{self.y_test.describe()}")
        for name, imgs, n in (("images_train", self.images_train, n_tr), ("images_test", self.images_test, n_te)):
            if imgs is not None and np.shape(imgs)[0] != n:
                raise InputError(f"{name} must have one image per row ({n}). Received: {np.shape(imgs)}")

    def valid(self) -> EvalSplit:
        """This split restricted to the rows on which the task is defined."""
        tr, te = np.flatnonzero(self.y_train.valid), np.flatnonzero(self.y_test.valid)
        if tr.size == self.y_train.valid.size and te.size == self.y_test.valid.size:
            return self
        return dataclasses.replace(
            self, x_train=self.x_train[tr], x_test=self.x_test[te], y_train=self.y_train.take(tr),
            y_test=self.y_test.take(te), groups_train=np.asarray(self.groups_train)[tr],
            images_train=None if self.images_train is None else self.images_train[tr],
            images_test=None if self.images_test is None else self.images_test[te],
        )


@dataclass(frozen=True, eq=False)
class ProtocolEncoders:
    """The encoders of a comparison.

    Attributes:
        ssl: ``(run name, frozen radio encoder)`` of every self-supervised training run (training seed).
        vision: ``(run name, frozen vision encoder)`` paired with ``ssl`` (the ``vision`` method), or empty.
        reference: The encoder whose architecture and input normalisation ``random`` and ``supervised`` use
            (default: the first SSL encoder).
    """

    ssl: Sequence[tuple[str, Any]] = ()
    vision: Sequence[tuple[str, Any]] = ()
    reference: Any = None

    @property
    def architecture(self) -> Any:
        """The reference encoder."""
        if self.reference is not None:
            return self.reference
        if self.ssl:
            return self.ssl[0][1]
        raise InputError("the random and supervised methods need an encoder architecture. Received: no encoder")


@dataclass(frozen=True)
class ExternalMethod:
    """A method that predicts the test rows without any label of these data (e.g. ``zero-shot``).

    Attributes:
        name: Method name in the results.
        predict: ``split -> (prediction, info, own targets)`` on the split's valid test rows: the prediction as
            :func:`rvsim.tasks.check_prediction` takes it; ``info`` a JSON-able dict recorded in the result
            (e.g. ``num_labelled``: simulated labels it was trained on); ``own targets`` ``None`` to be scored
            against the split's test targets, or the method's own test targets (same kind and number of
            classes, e.g. classes binned with edges that use no label of these data).
        description: One line for the report.
        run: The training run it belongs to (recorded in the result), or ``None``.
    """

    name: str
    predict: Callable[[EvalSplit], tuple[np.ndarray, dict[str, Any], np.ndarray | None]]
    description: str = ""
    run: str | None = None


# ================================================================================================ helpers
def input_normalization(encoder: Any) -> Any:
    """The encoder's input normalisation layer (:class:`~rvsim.models.RadioNormalization`), or ``None``."""
    from rvsim.models.radio_normalization import RadioNormalization

    for layer in getattr(encoder, "layers", []):
        if isinstance(layer, RadioNormalization):
            return layer
        if hasattr(layer, "layers"):
            inner = input_normalization(layer)
            if inner is not None:
                return inner
    return None


def _normalization_config(encoder: Any) -> dict[str, Any] | None:
    layer = input_normalization(encoder)
    if layer is None:
        return None
    return {k: v for k, v in layer.get_config().items() if k in ("mode", "mean", "std", "dynamic_range_db")}


def _normalize(x: np.ndarray, layer: Any, encoder_rank: int, batch_size: int = 4096) -> np.ndarray:
    """``layer`` applied to every encoder input of ``x`` (windows: every sweep), flattened per row."""
    import keras

    arr = np.asarray(x, dtype=np.float32)
    flat = arr.reshape(-1, *arr.shape[arr.ndim - encoder_rank :])
    if layer is None:
        out = flat
    else:
        out = np.concatenate([keras.ops.convert_to_numpy(layer(flat[i : i + batch_size]))
                              for i in range(0, max(flat.shape[0], 1), batch_size)], axis=0)[: flat.shape[0]]
    return out.reshape(arr.shape[0], -1)


def _embed(encoder: Any, x: np.ndarray, batch_size: int) -> np.ndarray:
    """Embeddings of encoder inputs ``(n, *input_shape)`` or of windows ``(n, T, *input_shape)`` (concatenated)."""
    rank = len(encoder.input_shape) - 1
    arr = np.asarray(x, dtype=np.float32)
    if arr.ndim == rank + 1:
        return embed(encoder, arr, batch_size)
    if arr.ndim == rank + 2:
        flat = embed(encoder, arr.reshape(-1, *arr.shape[2:]), batch_size)
        return flat.reshape(arr.shape[0], -1)
    raise InputError(f"inputs must be encoder inputs {tuple(encoder.input_shape[1:])} or windows of them. "
                     f"Received: per-row shape {arr.shape[1:]}")


def subset_strata(targets: TaskTargets) -> np.ndarray:
    """Strata of the label-subset draw: the class (multiclass), the number of positive labels capped at 3
    (multilabel), or one of 5 quantile bins of the training values (regression)."""
    v = targets.values
    if targets.kind == "multiclass":
        return v.astype(np.int64)
    if targets.kind == "multilabel":
        return np.minimum(v.sum(axis=1), 3).astype(np.int64)
    edges = np.quantile(v, [0.2, 0.4, 0.6, 0.8]) if v.size else np.zeros(0)
    return np.digitize(v, edges).astype(np.int64)


def chance_prediction(train: TaskTargets, n_test: int) -> np.ndarray:
    """The label-blind prediction: the training rows' majority class, per-label positive rate, or median."""
    if train.kind == "multiclass":
        counts = np.bincount(train.values, minlength=len(train.names))
        out = np.zeros((n_test, len(train.names)))
        out[:, int(np.argmax(counts))] = 1.0
        return out
    if train.kind == "multilabel":
        return np.tile(train.values.mean(axis=0), (n_test, 1)).astype(np.float64)
    return np.full(n_test, float(np.median(train.values)))


def _subset_key(rows: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(rows, dtype=np.int64).tobytes()).hexdigest()


# ================================================================================================ bootstrap
def paired_bootstrap(
    kind: str,
    y_test: Mapping[int, np.ndarray],
    a: Mapping[tuple[int, int], Sequence[np.ndarray]],
    b: Mapping[tuple[int, int], Sequence[np.ndarray]],
    *,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """Paired difference of two methods' scores with a percentile bootstrap interval.

    A unit is a (split seed, subset seed): both methods were trained on the same labelled rows there and
    scored on the same test rows. Each resample draws units with replacement, within every drawn unit one of
    each method's results (training runs / model seeds) with replacement, and test rows with replacement
    (multinomial counts, the same for both methods); the statistic is the mean score of ``a`` minus that of
    ``b`` over the drawn results.

    Args:
        kind: Task kind (the score is its headline metric, higher is better).
        y_test: ``{split seed: test targets}``.
        a: ``{(split seed, subset seed): [prediction of each of a's results]}``.
        b: The same for the baseline (its units must include ``a``'s).
        resamples: Bootstrap resamples.
        confidence: Interval level.
        seed: Seed of the resampling.

    Returns:
        ``{"difference", "ci_low", "ci_high", "confidence", "resamples", "units"}``: the mean difference over
        all results (``a``'s mean minus ``b``'s) and the interval.
    """
    units = sorted(set(a) & set(b))
    if not units:
        raise InputError("a paired bootstrap needs units shared by both methods. Received: none")
    rng = np.random.default_rng(seed)
    weights = {s: rng.multinomial(y.shape[0], np.full(y.shape[0], 1.0 / y.shape[0]), size=resamples).astype(np.float64)
               for s, y in y_test.items()}

    def scores(preds: Mapping[tuple[int, int], Sequence[np.ndarray]]) -> tuple[np.ndarray, np.ndarray, float]:
        """``(units, most results, resamples)`` resampled scores (nan-padded), results per unit, plain mean."""
        counts = np.array([len(preds[u]) for u in units])
        table = np.full((len(units), int(counts.max()), resamples), np.nan)
        plain = []
        for i, u in enumerate(units):
            y = y_test[u[0]]
            for r, p in enumerate(preds[u]):
                table[i, r] = weighted_scores(kind, y, p, weights[u[0]])
                plain.append(float(weighted_scores(kind, y, p, np.ones(y.shape[0]))[0]))
        return table, counts, float(np.mean(plain))

    table_a, runs_a, mean_a = scores(a)
    table_b, runs_b, mean_b = scores(b)
    pick = rng.integers(0, len(units), size=(resamples, len(units)))  # units drawn per resample
    cols = np.arange(resamples)[:, None]
    ra = (rng.random(pick.shape) * runs_a[pick]).astype(np.int64)  # one result of a per drawn unit
    rb = (rng.random(pick.shape) * runs_b[pick]).astype(np.int64)
    diff = np.mean(table_a[pick, ra, cols] - table_b[pick, rb, cols], axis=1)
    alpha = (1.0 - confidence) / 2
    lo, hi = np.nanquantile(diff, [alpha, 1 - alpha])
    return {"difference": mean_a - mean_b, "ci_low": float(lo), "ci_high": float(hi), "confidence": float(confidence),
            "resamples": int(resamples), "units": len(units)}


# ================================================================================================ protocol
@dataclass
class _Cell:
    """Predictions of one (method, fraction) for the comparisons: ``{(split, subset): [prediction, ...]}``."""

    predictions: dict[tuple[int, int], list[np.ndarray]] = field(default_factory=dict)


def run_protocol(
    splits: Sequence[EvalSplit],
    encoders: ProtocolEncoders,
    config: ProtocolConfig | None = None,
    *,
    external: Sequence[ExternalMethod] = (),
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Score every method at every label fraction, subset seed and split; compare ``ssl`` with the others.

    Args:
        splits: One or more train/test splits of one task (different split seeds).
        encoders: The encoders (``ssl`` needed for the ``ssl`` method, ``vision`` for ``vision``, an
            architecture for ``random`` and ``supervised``).
        config: Settings (default :class:`ProtocolConfig`).
        external: Methods that use no label of these data (scored once per split).
        progress: Called with short progress lines.

    Returns:
        ``{"results": [...], "comparisons": [...], "chance": {...}, "normalization": {...}, "skipped": {...}}``
        (the protocol part of a ``probe.json`` document, see ``docs/probe_results.md``).

    Raises:
        InputError: Inconsistent splits, missing encoders or inputs, encoders that do not share one input
            normalisation.
    """
    config = config or ProtocolConfig()
    say = progress or (lambda line: None)
    if not splits:
        raise InputError("the protocol needs at least one split. Received: none")
    seeds = [s.split_seed for s in splits]
    if len(set(seeds)) != len(seeds):
        raise InputError(f"split seeds must be distinct. Received: {seeds}")
    kind = splits[0].y_train.kind
    names = tuple(splits[0].y_train.names)
    if any((s.y_train.kind, len(s.y_train.names)) != (kind, len(names)) for s in splits):
        raise InputError("every split must hold the same task (kind and number of classes). Received: "
                         f"{sorted({(s.y_train.kind, len(s.y_train.names)) for s in splits})}")
    if kind not in TASK_KINDS:
        raise InputError(f"unknown task kind. Received: {kind!r}")
    num_outputs = 1 if kind == "regression" else len(names)

    methods = list(config.methods)
    skipped: dict[str, str] = {}
    if "ssl" in methods and not encoders.ssl:
        methods.remove("ssl")
        skipped["ssl"] = "no self-supervised encoder given"
    if "vision" in methods and (not encoders.vision or any(s.images_train is None for s in splits)):
        methods.remove("vision")
        skipped["vision"] = "no vision encoder or no images"
    if any(m in methods for m in ("random", "supervised")):
        try:
            reference = encoders.architecture
        except InputError:
            for m in ("random", "supervised"):
                if m in methods:
                    methods.remove(m)
                    skipped[m] = "no encoder architecture given"
            reference = None
    else:
        reference = encoders.reference or (encoders.ssl[0][1] if encoders.ssl else None)

    # ---- one input normalisation for every method
    norm_source = reference if reference is not None else (encoders.ssl[0][1] if encoders.ssl else None)
    norm_cfg = _normalization_config(norm_source) if norm_source is not None else None
    for name, enc in encoders.ssl:
        if _normalization_config(enc) != norm_cfg:
            raise InputError(
                "every encoder of a comparison must share one input normalisation, so that every method sees the "
                f"same input. Received: {_normalization_config(enc)} in {name!r} vs {norm_cfg}"
            )
    norm_layer = input_normalization(norm_source) if norm_source is not None else None
    encoder_rank = len(norm_source.input_shape) - 1 if norm_source is not None else np.ndim(splits[0].x_train) - 1

    sup_config = config.supervised_config() if "supervised" in methods else None
    results: list[dict[str, Any]] = []
    cells: dict[tuple[str, float], _Cell] = {}
    chance: dict[str, Any] = {}
    y_tests: dict[int, np.ndarray] = {}

    def record(method: str, fraction: float, split: EvalSplit, subset_seed: int | None, run: str | None,
               model_seed: int | None, n_labelled: int, prediction: np.ndarray, extra: Mapping[str, Any],
               y_true: np.ndarray | None = None) -> None:
        metrics = task_metrics(kind, split.y_test.values if y_true is None else y_true, prediction)
        results.append({
            "method": method, "label_fraction": float(fraction), "num_labelled": int(n_labelled),
            "split_seed": int(split.split_seed), "subset_seed": subset_seed, "run": run, "model_seed": model_seed,
            "score": float(metrics["score"]), "metrics": {k: float(v) for k, v in metrics.items() if k != "score"},
            **extra,
        })
        if subset_seed is not None:
            cells.setdefault((method, float(fraction)), _Cell()).predictions.setdefault(
                (int(split.split_seed), int(subset_seed)), []).append(prediction)
        say(f"split {split.split_seed} | {100 * fraction:g}% ({n_labelled} labels) | subset {subset_seed} | {method}"
            f"{'' if run is None else ' ' + run}{'' if model_seed is None else f' seed {model_seed}'}: "
            f"score {metrics['score']:.3f}")

    for split in splits:
        split = split.valid()
        y_tr, y_te = split.y_train, split.y_test
        if y_tr.values.shape[0] < 1 or y_te.values.shape[0] < 1:
            raise InputError(f"split {split.split_seed} needs training and test rows on which the task is defined. "
                             f"Received: {y_tr.values.shape[0]} and {y_te.values.shape[0]}")
        y_tests[int(split.split_seed)] = y_te.values
        base = chance_prediction(y_tr, y_te.values.shape[0])
        chance[str(split.split_seed)] = task_metrics(kind, y_te.values, base)
        groups = np.asarray(split.groups_train)

        # ---- features computed once per split
        feats: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        if "raw" in methods:
            feats[("raw", "")] = (_normalize(split.x_train, norm_layer, encoder_rank),
                                  _normalize(split.x_test, norm_layer, encoder_rank))
        if "ssl" in methods:
            say(f"split {split.split_seed}: embedding with {len(encoders.ssl)} self-supervised encoder(s)")
            for name, enc in encoders.ssl:
                feats[("ssl", name)] = (_embed(enc, split.x_train, config.batch_size), _embed(enc, split.x_test, config.batch_size))
        if "vision" in methods:
            assert split.images_train is not None and split.images_test is not None
            for name, enc in encoders.vision:
                feats[("vision", name)] = (embed(enc, split.images_train, config.batch_size),
                                           embed(enc, split.images_test, config.batch_size))

        strata = subset_strata(y_tr)
        probes_done: dict[tuple[str, str, str], tuple[np.ndarray, dict[str, Any]]] = {}
        for subset_seed in range(config.subset_seeds):
            subsets = nested_stratified_subsets(strata, config.fractions, seed=subset_seed)
            random_feats: dict[int, tuple[np.ndarray, np.ndarray]] = {}
            for fraction in config.fractions:
                rows = subsets[float(fraction)]
                key = _subset_key(rows)
                y_rows = y_tr.values[rows]
                for method in ("ssl", "vision", "raw"):
                    if method not in methods:
                        continue
                    for (m, run), (f_tr, f_te) in feats.items():
                        if m != method:
                            continue
                        cache = (method, run, key)
                        if cache not in probes_done:  # an identical subset of an earlier seed: the same result
                            probe = config.probe.estimator(kind, subset_seed).fit(f_tr[rows], y_rows, groups=groups[rows])
                            probes_done[cache] = (probe.prediction(f_te, num_outputs if kind == "multiclass" else None),
                                                  {"probe": {"C": float(probe.C_), "cv_used": bool(probe.cv_used_)}})
                        pred, info = probes_done[cache]
                        record(method, fraction, split, subset_seed, run or None, None, rows.size, pred, info)
                for j in range(config.model_seeds):
                    model_seed = subset_seed * config.model_seeds + j
                    if "random" in methods:
                        if model_seed not in random_feats:
                            enc = reinitialized_encoder(reference, RANDOM_SEED_OFFSET + model_seed)
                            random_feats[model_seed] = (_embed(enc, split.x_train, config.batch_size),
                                                        _embed(enc, split.x_test, config.batch_size))
                        f_tr, f_te = random_feats[model_seed]
                        probe = config.probe.estimator(kind, subset_seed).fit(f_tr[rows], y_rows, groups=groups[rows])
                        record("random", fraction, split, subset_seed, None, model_seed, rows.size,
                               probe.prediction(f_te, num_outputs if kind == "multiclass" else None),
                               {"probe": {"C": float(probe.C_), "cv_used": bool(probe.cv_used_)}})
                    if "supervised" in methods:
                        from rvsim.train.supervised_trainer import fit_supervised

                        fit = fit_supervised(
                            split.x_train[rows], y_rows, kind=kind, num_outputs=num_outputs,
                            encoder_factory=lambda s: reinitialized_encoder(reference, s),
                            seed=SUPERVISED_SEED_OFFSET + model_seed, groups=groups[rows], config=sup_config,
                        )
                        record("supervised", fraction, split, subset_seed, None, model_seed, rows.size,
                               fit.predict(split.x_test), {"budget": fit.budget})
        for ext in external:
            pred, info, own = ext.predict(split)
            pred = check_prediction(kind, pred, y_te.values.shape[0], num_outputs)
            if own is not None and np.shape(own) != np.shape(y_te.values):
                raise InputError(f"method {ext.name!r}: its own targets must match the test targets' shape "
                                 f"{np.shape(y_te.values)}. Received: {np.shape(own)}")
            record(ext.name, 0.0, split, None, ext.run, None, int(info.get("num_labelled", 0)), pred,
                   {"external": dict(info)}, y_true=None if own is None else np.asarray(own))

    # ---- paired comparisons: ssl against every other method, per fraction
    comparisons: list[dict[str, Any]] = []
    if "ssl" in methods:
        others = [m for m in methods if m != "ssl"]
        for fraction in config.fractions:
            a = cells.get(("ssl", float(fraction)))
            for other in others:
                b = cells.get((other, float(fraction)))
                if a is None or b is None:
                    continue
                comparisons.append({"method": "ssl", "baseline": other, "label_fraction": float(fraction),
                                    **paired_bootstrap(kind, y_tests, a.predictions, b.predictions,
                                                       resamples=config.bootstrap, confidence=config.confidence,
                                                       seed=int(round(fraction * 1e6)))})
    return {
        "results": results,
        "comparisons": comparisons,
        "chance": chance,
        "normalization": norm_cfg,
        "methods_run": methods + [e.name for e in external],
        "skipped": skipped,
        "external": {e.name: e.description for e in external},
    }
