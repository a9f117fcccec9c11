"""The probe runner behind ``rvsim probe``: how much do self-supervised radio features help when labels are few?

For each label fraction of the run's training split and each seed, four methods are scored on the run's test
split (``docs/probe_results.md``):

* ``ssl`` — a linear probe on the frozen self-supervised radio encoder of the run;
* ``supervised`` — the same encoder architecture trained end to end on the same labelled subset
  (:func:`rvsim.train.train_supervised`);
* ``random`` — a linear probe on a randomly initialised encoder of the same architecture (seeded);
* ``raw`` — a linear probe on the raw radio input (flattened, standardised);

and optionally ``ssl_knn`` — a cosine kNN on the SSL embeddings. The split is the run's ``split.json``: the SSL
encoder saw the training split's radio and images (no labels) and never the test split. The run's ``val``
split is not used: its labels would be supervision beyond the label budget.

Everything is validated, and every result computed, before the output folder is written.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rvsim.errors import ConfigError, DatasetError, InputError
from rvsim.eval.embedding import embed
from rvsim.eval.label_subsets import check_fractions
from rvsim.eval.linear_probe import DEFAULT_CS
from rvsim.eval.probe_report import PROBE_JSON, write_probe_report
from rvsim.eval.probe_results import PROBE_RESULTS_FORMAT, chance_accuracy, validate_probe_results
from rvsim.eval.probe_sweep import ProbeMethod, probe_sweep
from rvsim.eval.random_encoder import reinitialized_encoder
from rvsim.eval.retrieval import retrieval_topk, retrieve

__all__ = [
    "ProbeConfig",
    "PROBE_METHODS",
    "EMBEDDING_MAP_PNG",
    "RETRIEVALS_PNG",
    "run_probe",
    "check_probe_output_dir",
    "is_probe_dir",
]

#: Methods the runner knows, in display order.
PROBE_METHODS: tuple[str, ...] = ("ssl", "ssl_knn", "supervised", "random", "raw")

EMBEDDING_MAP_PNG = "embedding_map.png"
RETRIEVALS_PNG = "retrievals.png"

#: Files the runner writes into the output folder.
_OUTPUT_FILES = (PROBE_JSON, "probe.md", "probe_accuracy.png", EMBEDDING_MAP_PNG, RETRIEVALS_PNG)


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


@dataclass(frozen=True)
class ProbeConfig:
    """Settings of a probe comparison.

    Attributes:
        fractions: Label fractions of the training split, each in ``(0, 1]``.
        seeds: Number of seeds (seeds ``0 .. seeds-1``): subsets, probes, random encoders, supervised runs.
        methods: Methods to run, a subset of :data:`PROBE_METHODS`.
        Cs: Candidate inverse regularisation strengths of the linear probes.
        max_iter: Solver iterations of the linear probes.
        knn_k: Neighbours of the ``ssl_knn`` method.
        batch_size: Samples per encoder forward pass.
        supervised_epochs: Epochs of the supervised baseline; ``None``: the run's ``epochs``.
        supervised_min_steps: Least optimiser steps of the supervised baseline (see
            :func:`rvsim.train.train_supervised`; small label fractions get more epochs).
        plots: Whether to draw ``embedding_map.png`` and ``retrievals.png`` (``probe_accuracy.png`` always is).
        tsne_max_points: Most test samples in the t-SNE map.
        retrieval_rows: Queries shown in ``retrievals.png``.
        retrieval_k: Retrieved images per query in ``retrievals.png``.
    """

    fractions: tuple[float, ...] = (0.01, 0.1, 1.0)
    seeds: int = 3
    methods: tuple[str, ...] = ("ssl", "supervised", "random", "raw")
    Cs: tuple[float, ...] = DEFAULT_CS
    max_iter: int = 1000
    knn_k: int = 20
    batch_size: int = 256
    supervised_epochs: int | None = None
    supervised_min_steps: int = 200
    plots: bool = True
    tsne_max_points: int = 1000
    retrieval_rows: int = 6
    retrieval_k: int = 5

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "fractions", check_fractions(self.fractions))
        except InputError as exc:
            raise ConfigError(str(exc)) from None
        if not _is_int(self.seeds) or self.seeds < 1:
            raise ConfigError(f"seeds must be an integer >= 1. Received: seeds={self.seeds!r}")
        methods = (self.methods,) if isinstance(self.methods, str) else tuple(self.methods)
        unknown = [m for m in methods if m not in PROBE_METHODS]
        if not methods or unknown or len(set(methods)) != len(methods):
            raise ConfigError(f"methods must be distinct names among {list(PROBE_METHODS)}. Received: methods={list(methods)}")
        object.__setattr__(self, "methods", methods)
        cs = tuple(self.Cs) if isinstance(self.Cs, (list, tuple)) else ()
        if not cs or not all(isinstance(c, (int, float)) and not isinstance(c, bool) and np.isfinite(c) and c > 0 for c in cs):
            raise ConfigError(f"Cs must be positive numbers. Received: Cs={self.Cs!r}")
        object.__setattr__(self, "Cs", tuple(float(c) for c in cs))
        for name in ("max_iter", "knn_k", "batch_size", "tsne_max_points", "retrieval_rows", "retrieval_k"):
            value = getattr(self, name)
            if not _is_int(value) or value < 1:
                raise ConfigError(f"{name} must be an integer >= 1. Received: {name}={value!r}")
        if self.supervised_epochs is not None and (not _is_int(self.supervised_epochs) or self.supervised_epochs < 1):
            raise ConfigError(f"supervised_epochs must be null or an integer >= 1. Received: {self.supervised_epochs!r}")
        if not _is_int(self.supervised_min_steps) or self.supervised_min_steps < 0:
            raise ConfigError(f"supervised_min_steps must be an integer >= 0. Received: {self.supervised_min_steps!r}")
        if not isinstance(self.plots, bool):
            raise ConfigError(f"plots must be true or false. Received: plots={self.plots!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict of every setting (tuples as lists)."""
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v for f in dataclasses.fields(self)}


# ---------------------------------------------------------------------------------------------- output folder
def is_probe_dir(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder holding a valid ``probe.json`` (a previous probe output)."""
    try:
        doc = json.loads((Path(path) / PROBE_JSON).read_text())
        validate_probe_results(doc)
    except (OSError, ValueError):
        return False
    return True


def check_probe_output_dir(out_dir: str | os.PathLike[str]) -> None:
    """Check that the probe may write into ``out_dir``: missing, empty, or a previous probe output (overwritten).

    Raises:
        InputError: If ``out_dir`` is a file, or a non-empty folder that is not a probe output.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out is a file, not a folder. Received: {out}")
    if out.is_dir() and any(out.iterdir()) and not is_probe_dir(out):
        raise InputError(
            f"--out is a non-empty folder that is not a probe output (no valid {PROBE_JSON}); refusing to write "
            f"into it. Received: {out}"
        )


# ---------------------------------------------------------------------------------------------- run inputs
@dataclass
class _RunInputs:
    """What a probe reads: the dataset, task, run, split, labels and radio inputs of both splits."""

    ds: Any
    task: Any
    run_doc: dict[str, Any]
    split: dict[str, np.ndarray]
    ssl_encoder: Any
    has_vision: bool
    y_train: np.ndarray
    y_test: np.ndarray
    x_train: np.ndarray
    x_test: np.ndarray
    batch_size: int
    ssl_embeddings: tuple[np.ndarray, np.ndarray] | None = None
    retrieval_embeddings: tuple[np.ndarray, np.ndarray] | None = None

    def ssl_features(self, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """SSL embeddings of the training and test splits (computed once)."""
        if self.ssl_embeddings is None:
            self.ssl_embeddings = (
                embed(self.ssl_encoder, self.x_train, self.batch_size),
                embed(self.ssl_encoder, self.x_test, self.batch_size),
            )
        return self.ssl_embeddings


def _check_split(split: Mapping[str, np.ndarray], num_samples: int, run_dir: Path) -> None:
    for name in ("train", "val", "test"):
        idx = split[name]
        if idx.ndim != 1 or (idx.size and (idx.min() < 0 or idx.max() >= num_samples)):
            raise InputError(
                f"the run's split.json names samples outside the dataset's [0, {num_samples}) in {name!r}; is --data "
                f"the dataset the run was trained on? Received: {run_dir}"
            )
    if np.intersect1d(split["train"], split["test"]).size:
        raise InputError(f"the run's train and test splits overlap. Received: {run_dir}")
    if split["train"].size < 1 or split["test"].size < 1:
        raise InputError(
            f"the run's split needs training and test samples. Received: train {split['train'].size}, "
            f"test {split['test'].size} in {run_dir}"
        )


def _load_inputs(data_dir: Path, run_dir: Path, task_name: str, batch_size: int) -> _RunInputs:
    from rvsim.data import Dataset
    from rvsim.tasks import get_task

    task = get_task(task_name)  # unknown names fail before anything heavy
    if not run_dir.is_dir():
        raise InputError(f"the encoder run folder does not exist. Received: --encoder {run_dir}")
    ds = Dataset(data_dir)
    from rvsim.train import load_encoder, load_run_config, load_split, radio_input

    run_doc = load_run_config(run_dir)
    data_info = run_doc.get("data", {}) if isinstance(run_doc.get("data"), dict) else {}
    diffs = [
        f"{k} {data_info[k]!r} in the run vs {v!r} in --data"
        for k, v in (("num_samples", len(ds)), ("seed", ds.seed))
        if k in data_info and data_info[k] != v
    ]
    if diffs:
        raise DatasetError(
            "the run was trained on a different dataset (" + "; ".join(diffs) + f"). Received: --data {data_dir}"
        )
    split = load_split(run_dir)
    _check_split(split, len(ds), run_dir)
    task = task.for_dataset(ds)
    y_train = task.labels(ds, split["train"])
    y_test = task.labels(ds, split["test"])
    if not isinstance(run_doc.get("config"), dict):
        raise InputError(f"the run's config.json has no training config. Received: {run_dir}")
    encoder = load_encoder(run_dir, "radio")
    has_vision = (run_dir / "vision_encoder.keras").is_file()
    x_train = radio_input(ds, split["train"], run_dir=run_dir)
    x_test = radio_input(ds, split["test"], run_dir=run_dir)
    return _RunInputs(ds, task, run_doc, split, encoder, has_vision, y_train, y_test, x_train, x_test, batch_size)


# ---------------------------------------------------------------------------------------------- methods
def _finite_floor(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Replace non-finite raw values (e.g. -inf dB) by the smallest finite training value."""
    finite = train[np.isfinite(train)]
    floor = float(finite.min()) if finite.size else 0.0
    return (np.where(np.isfinite(train), train, floor), np.where(np.isfinite(test), test, floor))


def _build_methods(inputs: _RunInputs, run_dir: Path, config: ProbeConfig, progress: Callable[[str], None]) -> list[ProbeMethod]:
    from rvsim.train import TrainConfig, train_supervised

    ds, split = inputs.ds, inputs.split
    x_train, x_test = inputs.x_train, inputs.x_test
    bs = config.batch_size

    def ssl_features(seed: int) -> tuple[np.ndarray, np.ndarray]:
        if inputs.ssl_embeddings is None:
            progress("embedding the training and test splits with the SSL radio encoder")
        return inputs.ssl_features()

    def random_features(seed: int) -> tuple[np.ndarray, np.ndarray]:
        encoder = reinitialized_encoder(inputs.ssl_encoder, seed)
        return embed(encoder, x_train, bs), embed(encoder, x_test, bs)

    def raw_features(seed: int) -> tuple[np.ndarray, np.ndarray]:
        return _finite_floor(x_train.reshape(x_train.shape[0], -1), x_test.reshape(x_test.shape[0], -1))

    run_config = TrainConfig.from_dict(inputs.run_doc["config"])
    radio_field = inputs.run_doc.get("data", {}).get("radio_field")
    if radio_field:
        run_config = run_config.replace(radio_field=radio_field)
    if config.supervised_epochs is not None:
        run_config = run_config.replace(epochs=config.supervised_epochs)

    def supervised(positions: np.ndarray, seed: int) -> np.ndarray:
        model = train_supervised(
            ds,
            inputs.task,
            split["train"][positions],
            config=run_config.replace(seed=seed),
            min_steps=config.supervised_min_steps,
            verbose=0,
        )
        return np.argmax(embed(model, x_test, bs), axis=1).astype(np.int64)

    table = {
        "ssl": ProbeMethod("ssl", "linear", features=ssl_features),
        "ssl_knn": ProbeMethod("ssl_knn", "knn", features=ssl_features),
        "supervised": ProbeMethod("supervised", "end_to_end", train_predict=supervised),
        "random": ProbeMethod("random", "linear", features=random_features, per_seed=True),
        "raw": ProbeMethod("raw", "linear", features=raw_features),
    }
    return [table[m] for m in config.methods]


# ---------------------------------------------------------------------------------------------- retrieval
def _retrieval(inputs: _RunInputs, run_dir: Path, config: ProbeConfig, progress: Callable[[str], None]) -> dict[str, Any] | None:
    """Radio → image retrieval on the test split with the run's encoders, or ``None`` without a vision encoder."""
    if not inputs.has_vision:
        return None
    from rvsim.train import load_encoder, vision_input

    progress("radio -> image retrieval on the test split")
    test = inputs.split["test"]
    vision = load_encoder(run_dir, "vision")
    images = vision_input(inputs.ds, test, run_dir=run_dir)
    radio_emb = inputs.ssl_features()[1]
    image_emb = embed(vision, images, config.batch_size)
    heads = _projection_heads(run_dir, inputs.run_doc, inputs.ssl_encoder, vision)
    if heads is not None:
        radio_emb = embed(heads[0], radio_emb, config.batch_size)
        image_emb = embed(heads[1], image_emb, config.batch_size)
    inputs.retrieval_embeddings = (radio_emb, image_emb)
    return {**retrieval_topk(radio_emb, image_emb, ks=(1, 5)), "space": "projection" if heads else "embedding"}


def _projection_heads(run_dir: Path, run_doc: Mapping[str, Any], radio: Any, vision: Any) -> tuple[Any, Any] | None:
    """The run's radio and vision projection heads, or ``None`` if they cannot be recovered.

    The cross-modal objective compares projections, so retrieval is scored there. The heads are taken from
    ``radio_head.keras`` / ``vision_head.keras`` if the run saved them, else from the run's last checkpoint
    (the cross-modal model rebuilt from ``config.json`` with the checkpoint's weights loaded), used only
    if its encoder weights equal the saved encoders' (so the heads belong to them).
    """
    import keras

    import rvsim.models  # noqa: F401  (registers the custom layers)

    paths = (run_dir / "radio_head.keras", run_dir / "vision_head.keras")
    if all(p.is_file() for p in paths):
        return tuple(keras.models.load_model(p, safe_mode=True, compile=False) for p in paths)  # type: ignore[return-value]
    if run_doc.get("kind") != "ssl":
        return None
    from rvsim.train.checkpoint_state import read_checkpoint

    try:
        state = read_checkpoint(run_dir / "checkpoint")
    except InputError:
        return None
    if state is None:
        return None
    weights = run_dir / "checkpoint" / state.weights
    from rvsim.models import RadioNormalization
    from rvsim.train import TrainConfig, build_ssl_model

    try:
        data = run_doc["data"]
        model = build_ssl_model(
            TrainConfig.from_dict(run_doc["config"]),
            tuple(data["radio_shape"]),
            tuple(data["image_shape"]),
            RadioNormalization.from_config(data["radio_normalization"]),
        )
        model.load_weights(weights)
    except (OSError, ValueError, KeyError, TypeError, InputError):
        return None

    def same(a: Any, b: Any) -> bool:
        wa, wb = a.get_weights(), b.get_weights()
        return len(wa) == len(wb) and all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(wa, wb))

    if not (same(model.radio_encoder, radio) and same(model.vision_encoder, vision)):
        return None
    return model.radio_head, model.vision_head


# ---------------------------------------------------------------------------------------------- plots
def _plots(inputs: _RunInputs, run_dir: Path, out: Path, config: ProbeConfig) -> None:
    from rvsim.eval.embedding_map import plot_embedding_map
    from rvsim.eval.retrieval_grid import plot_retrievals

    _, test_emb = inputs.ssl_features()
    if test_emb.shape[0] >= 3:
        plot_embedding_map(
            test_emb,
            inputs.y_test,
            out / EMBEDDING_MAP_PNG,
            class_names=list(inputs.task.class_names),
            title=f"SSL radio embeddings, test split (t-SNE)\ncoloured by {inputs.task.name}",
            max_points=config.tsne_max_points,
            seed=0,
        )
    pair = inputs.retrieval_embeddings
    if pair is None or "image/rgb" not in inputs.ds.fields:
        return
    radio_emb, image_emb = pair
    test = inputs.split["test"]
    rows = min(config.retrieval_rows, test.size)
    queries = np.sort(np.random.default_rng(0).choice(test.size, size=rows, replace=False))
    topk = retrieve(radio_emb[queries], image_emb, k=config.retrieval_k)
    needed = np.unique(topk)
    images = inputs.ds.read("image/rgb", test[needed])
    remap = np.searchsorted(needed, topk)
    own = np.searchsorted(needed, queries)
    own = np.where((own < needed.size) & (needed[np.minimum(own, needed.size - 1)] == queries), own, -1)
    radio_field = inputs.run_doc.get("data", {}).get("radio_field", "")
    attrs = inputs.ds.attrs(radio_field) if radio_field in inputs.ds.fields else {}
    plot_retrievals(
        inputs.x_test[queries],
        images,
        remap,
        own,
        out / RETRIEVALS_PNG,
        range_bins_m=attrs.get("range_bins_m"),
        angle_bins_deg=attrs.get("angle_bins_deg"),
        title="radio → image retrieval on the test split (own image outlined in green)",
    )


# ---------------------------------------------------------------------------------------------- entry point
def run_probe(
    data_dir: str | os.PathLike[str],
    run_dir: str | os.PathLike[str],
    task: str,
    out_dir: str | os.PathLike[str],
    config: ProbeConfig | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Compare the SSL encoder of a run with supervised, random-encoder and raw-input baselines on a task.

    Args:
        data_dir: The dataset folder the run was trained on.
        run_dir: The self-supervised run folder (``config.json``, ``split.json``, ``radio_encoder.keras``, and
            ``vision_encoder.keras`` for retrieval).
        task: Task name (see :mod:`rvsim.tasks`).
        out_dir: Output folder: missing, empty, or a previous probe output (its files are replaced).
        config: Probe settings (default ``ProbeConfig()``).
        progress: Called with short progress lines.

    Returns:
        The ``probe.json`` document (also written to ``out_dir`` with ``probe.md``, ``probe_accuracy.png``
        and, if ``config.plots``, ``embedding_map.png`` and (with a vision encoder) ``retrievals.png``).

    Raises:
        InputError: (incl. ``ConfigError``, ``DatasetError``) for a bad config, a missing or unsuitable dataset or
            run, an unknown task, or an unusable ``out_dir``; nothing is written then.
    """
    config = config or ProbeConfig()
    if not isinstance(config, ProbeConfig):
        raise ConfigError(f"config must be a ProbeConfig. Received: {type(config).__name__}")
    say = progress or (lambda line: None)
    out = Path(out_dir)
    run = Path(run_dir)
    check_probe_output_dir(out)
    inputs = _load_inputs(Path(data_dir), run, task, config.batch_size)

    methods = _build_methods(inputs, run, config, say)
    results = probe_sweep(
        methods,
        inputs.y_train,
        inputs.y_test,
        fractions=config.fractions,
        seeds=range(config.seeds),
        Cs=config.Cs,
        max_iter=config.max_iter,
        knn_k=config.knn_k,
        progress=say,
    )
    retrieval = _retrieval(inputs, run, config, say)
    from rvsim import __version__

    doc: dict[str, Any] = {
        "format": PROBE_RESULTS_FORMAT,
        "task": inputs.task.name,
        "chance": chance_accuracy(inputs.y_train, inputs.y_test, "majority"),
        "chance_rule": "majority",
        "num_classes": int(inputs.task.num_classes),
        "class_names": list(inputs.task.class_names),
        "split": {k: int(v.size) for k, v in inputs.split.items()},
        "data": str(Path(data_dir).resolve()),
        "encoder": str(run.resolve()),
        "retrieval": retrieval,
        "config": config.to_dict(),
        "rvsim_version": __version__,
        "results": results,
    }
    validate_probe_results(doc)
    check_probe_output_dir(out)  # still usable after the (long) computation
    out.mkdir(parents=True, exist_ok=True)
    for name in _OUTPUT_FILES:  # stale files of a previous probe output
        (out / name).unlink(missing_ok=True)
    write_probe_report(doc, out)
    if config.plots:
        _plots(inputs, run, out, config)
    say(f"wrote {out / PROBE_JSON}")
    inputs.ds.close()
    return doc
