"""``rvsim probe``: the evaluation protocol (:mod:`rvsim.eval.protocol`) on a simulated dataset.

The self-supervised runs given (one per training seed; they must share the dataset and the split) define the
split: the encoders saw the training split's radio and images without labels and never the test split;
their ``val`` split is not used (its labels would be supervision beyond the label budget). Simulated scenes
are i.i.d., so every training sample is its own group in the probes' cross-validation and the supervised
baseline's validation hold-out. The task is fitted on the training split (thresholds such as
``occupancy``'s near/far range come from it alone).

Everything is validated, and every result computed, before the output folder is written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rvsim.data.split import sample_groups
from rvsim.errors import ConfigError, DatasetError, InputError
from rvsim.eval.probe_report import PROBE_JSON, write_probe_report
from rvsim.eval.probe_results import PROBE_RESULTS_FORMAT, PROBE_SCHEMA_VERSION, validate_probe_results
from rvsim.eval.protocol import EvalSplit, ProtocolConfig, ProtocolEncoders, run_protocol

__all__ = [
    "EMBEDDING_MAP_PNG",
    "RETRIEVALS_PNG",
    "run_probe",
    "check_probe_output_dir",
    "is_probe_dir",
]

EMBEDDING_MAP_PNG = "embedding_map.png"
RETRIEVALS_PNG = "retrievals.png"

#: Files the runner writes into the output folder.
_OUTPUT_FILES = (PROBE_JSON, "probe.md", "probe_accuracy.png", EMBEDDING_MAP_PNG, RETRIEVALS_PNG)


def is_probe_dir(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder holding a ``probe.json`` of rvsim (a previous probe output, any version)."""
    try:
        doc = json.loads((Path(path) / PROBE_JSON).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and doc.get("format") == PROBE_RESULTS_FORMAT


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
            f"--out is a non-empty folder that is not a probe output (no rvsim {PROBE_JSON}); refusing to write "
            f"into it. Received: {out}"
        )


def _check_split(split: dict[str, np.ndarray], num_samples: int, run_dir: Path) -> None:
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


def _load_runs(ds: Any, run_dirs: Sequence[Path], test_fraction: float | None = None,
               split_seed: int = 0) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Configs of the runs and the split to evaluate on.

    Without ``test_fraction`` every run must be a self-supervised run of ``ds`` and they must share their
    split, which is used. With it, ``ds`` is a dataset the runs never saw: it is split by sample (by sequence for
    a dataset of sequences), seeded by
    ``split_seed`` (``test_fraction`` of it to test, the rest to train).
    """
    from rvsim.train import load_run_config, load_split

    docs: list[dict[str, Any]] = []
    split: dict[str, np.ndarray] | None = None
    for run in run_dirs:
        if not run.is_dir():
            raise InputError(f"the encoder run folder does not exist. Received: --encoder {run}")
        doc = load_run_config(run)
        data = doc.get("data", {}) if isinstance(doc.get("data"), dict) else {}
        if not isinstance(doc.get("config"), dict):
            raise InputError(f"the run's config.json has no training config. Received: {run}")
        for key in ("radio_field", "image_fields", "image_size"):
            if docs and data.get(key) != docs[0]["data"].get(key):
                raise InputError(f"every run of one comparison must use the same {key}. Received: {data.get(key)!r} in "
                                 f"{run} vs {docs[0]['data'].get(key)!r}")
        docs.append(doc)
        if test_fraction is not None:
            same = data.get("seed") == ds.seed and Path(str(data.get("path", ""))).resolve() == Path(ds.path).resolve()
            if same:
                raise InputError("--test-fraction splits a dataset the runs never saw, but the run was trained on this "
                                 f"one; leave it out to use the run's own split. Received: {run}")
            continue
        diffs = [f"{k} {data[k]!r} in the run vs {v!r} in --data" for k, v in (("num_samples", len(ds)), ("seed", ds.seed))
                 if k in data and data[k] != v]
        if diffs:
            raise DatasetError("the run was trained on a different dataset (" + "; ".join(diffs) + "); to evaluate on "
                               f"a dataset the runs never saw, pass --test-fraction. Received: {run}")
        s = load_split(run)
        _check_split(s, len(ds), run)
        if split is not None and not all(np.array_equal(split[k], s[k]) for k in ("train", "test")):
            raise InputError(f"every run of one comparison must share the train/test split. Received: {run} differs "
                             f"from {run_dirs[0]}")
        split = split or s
    if test_fraction is not None:
        if not 0.0 < float(test_fraction) < 1.0:
            raise InputError(f"--test-fraction must be in (0, 1). Received: {test_fraction}")
        groups = sample_groups(ds)
        if groups is None:
            perm = np.random.default_rng(split_seed).permutation(len(ds)).astype(np.int64)
            n_test = int(np.clip(round(float(test_fraction) * len(ds)), 1, len(ds) - 1))
            split = {"train": np.sort(perm[n_test:]), "val": np.zeros(0, np.int64), "test": np.sort(perm[:n_test])}
        else:  # whole sequences to each side
            from rvsim.real.splits import split_by_sequence

            parts = split_by_sequence(groups, test_fraction=float(test_fraction), seed=split_seed)
            split = {"train": parts["train"], "val": np.zeros(0, np.int64), "test": parts["test"]}
    assert split is not None
    return docs, split


def _retrieval(run: Path, vision: Any, images: np.ndarray, radio_emb: np.ndarray,
               batch_size: int) -> tuple[dict[str, Any], tuple[np.ndarray, np.ndarray]]:
    """Radio → image retrieval on the test split in the run's projection space (if its heads are saved), with the
    run's vision encoder ``vision`` (already loaded for the ``vision`` method)."""
    import keras

    import rvsim.models  # noqa: F401  (registers the custom layers)
    from rvsim.eval.embedding import embed
    from rvsim.eval.retrieval import retrieval_topk

    image_emb = embed(vision, images, batch_size)
    heads = (run / "radio_head.keras", run / "vision_head.keras")
    space = "embedding"
    if all(p.is_file() for p in heads):
        radio_head, vision_head = (keras.models.load_model(p, safe_mode=True, compile=False) for p in heads)
        radio_emb, image_emb = embed(radio_head, radio_emb, batch_size), embed(vision_head, image_emb, batch_size)
        space = "projection"
    return {**retrieval_topk(radio_emb, image_emb, ks=(1, 5)), "space": space}, (radio_emb, image_emb)


def run_probe(
    data_dir: str | os.PathLike[str],
    run_dirs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    task: str,
    out_dir: str | os.PathLike[str],
    config: ProtocolConfig | None = None,
    *,
    plots: bool = True,
    test_fraction: float | None = None,
    split_seed: int = 0,
    command: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the evaluation protocol for the self-supervised runs of a simulated dataset on a task.

    Args:
        data_dir: The dataset folder the runs were trained on.
        run_dirs: One or more self-supervised run folders (training seeds; ``config.json``, ``split.json``,
            ``radio_encoder.keras``, and ``vision_encoder.keras`` for ``vision`` and retrieval).
        task: Task name (see :mod:`rvsim.tasks`).
        out_dir: Output folder: missing, empty, or a previous probe output (its files are replaced).
        config: Protocol settings (default ``ProtocolConfig()``).
        plots: Also draw ``embedding_map.png`` and ``retrievals.png`` (first run).
        test_fraction: Evaluate on a dataset the runs never saw (e.g. another seed of the family), split by sample
            with ``split_seed``; ``None``: ``data_dir`` is the runs' dataset and their split is used.
        split_seed: Seed of that split.
        command: The command line, recorded in the report.
        progress: Called with short progress lines.

    Returns:
        The ``probe.json`` document (also written to ``out_dir`` with ``probe.md`` and ``probe_accuracy.png``).

    Raises:
        InputError: (incl. ``ConfigError``, ``DatasetError``) for bad settings, a missing or unsuitable dataset or
            run, an unknown task, or an unusable ``out_dir``; nothing is written then.
    """
    config = config or ProtocolConfig()
    if not isinstance(config, ProtocolConfig):
        raise ConfigError(f"config must be a ProtocolConfig. Received: {type(config).__name__}")
    say = progress or (lambda line: None)
    runs = [Path(run_dirs)] if isinstance(run_dirs, (str, os.PathLike)) else [Path(r) for r in run_dirs]
    if not runs:
        raise InputError("at least one encoder run is needed. Received: none")
    if len({r.resolve() for r in runs}) != len(runs):
        raise InputError(f"each encoder run may be given once. Received: {[str(r) for r in runs]}")
    out = Path(out_dir)
    check_probe_output_dir(out)
    from rvsim.data import Dataset
    from rvsim.tasks import get_task

    task_def = get_task(task)  # unknown names fail before anything heavy
    ds = Dataset(data_dir)
    try:
        docs, split = _load_runs(ds, runs, test_fraction, split_seed)
        from rvsim.train import load_encoder, radio_input, vision_input

        fitted = task_def.fit(ds, split["train"])
        y_train, y_test = fitted.targets(ds, split["train"]), fitted.targets(ds, split["test"])
        train_idx, test_idx = split["train"][y_train.valid], split["test"][y_test.valid]
        y_train, y_test = y_train.take(np.flatnonzero(y_train.valid)), y_test.take(np.flatnonzero(y_test.valid))
        seq_groups = sample_groups(ds)
        if train_idx.size < 1 or test_idx.size < 1:
            raise InputError(f"task {task!r} is defined on no training or no test sample of this dataset. Received: "
                             f"{train_idx.size} and {test_idx.size}")
        say(f"reading {train_idx.size} training and {test_idx.size} test samples")
        x_train = radio_input(ds, train_idx, run_dir=runs[0])
        x_test = radio_input(ds, test_idx, run_dir=runs[0])
        ssl = [(r.name, load_encoder(r, "radio")) for r in runs]
        has_vision = all((r / "vision_encoder.keras").is_file() for r in runs)
        images: tuple[np.ndarray, np.ndarray] | None = None
        vision: list[tuple[str, Any]] = []
        if has_vision and ("vision" in config.methods or plots) and "image/rgb" in ds.fields:
            images = (vision_input(ds, train_idx, run_dir=runs[0]), vision_input(ds, test_idx, run_dir=runs[0]))
            vision = [(r.name, load_encoder(r, "vision")) for r in runs]
        eval_split = EvalSplit(
            x_train=x_train, x_test=x_test, y_train=y_train, y_test=y_test,
            # i.i.d. simulated scenes: each sample its own group; frames of sequences: by sequence
            groups_train=np.arange(train_idx.size) if seq_groups is None else seq_groups[train_idx],
            split_seed=int(split_seed if test_fraction is not None else docs[0]["config"].get("split_seed", 0)),
            images_train=None if images is None else images[0], images_test=None if images is None else images[1],
            description={"train": int(train_idx.size), "test": int(test_idx.size), "grouping": "by sample (i.i.d. scenes)" if seq_groups is None
                         else "by sequence",
                         "source": "the runs' split" if test_fraction is None else
                         f"a dataset the runs never saw, {test_fraction:g} to test"},
        )
        protocol = run_protocol([eval_split], ProtocolEncoders(ssl=ssl, vision=vision), config, progress=say)

        retrieval: dict[str, Any] | None = None
        plot_pairs: tuple[np.ndarray, np.ndarray] | None = None
        if has_vision and images is not None:
            from rvsim.eval.embedding import embed

            say("radio -> image retrieval on the test split")
            retrieval = {}
            for k, (r, (_, enc), (_, vis)) in enumerate(zip(runs, ssl, vision)):
                retrieval[r.name], pair = _retrieval(r, vis, images[1], embed(enc, x_test, config.batch_size),
                                                     config.batch_size)
                if k == 0:
                    plot_pairs = pair
        from rvsim import __version__

        chance_runs = protocol.pop("chance")
        chance_score = float(np.mean([c["score"] for c in chance_runs.values()]))
        doc: dict[str, Any] = {
            "format": PROBE_RESULTS_FORMAT,
            "schema_version": PROBE_SCHEMA_VERSION,
            "task": {**fitted_description(fitted), **y_train.describe()},
            "chance": {"score": chance_score, "rule": _chance_rule(y_train.kind), "per_split": chance_runs},
            "data": {"path": str(Path(data_dir).resolve()), "num_samples": len(ds), "seed": ds.seed,
                     "radio_field": docs[0]["data"].get("radio_field")},
            "encoders": {"ssl": [str(r.resolve()) for r in runs]},
            "splits": [{"split_seed": eval_split.split_seed, **eval_split.description}],
            "config": config.to_dict(),
            "retrieval": retrieval,
            "rvsim_version": __version__,
            **({"command": command} if command else {}),
            **protocol,
        }
        validate_probe_results(doc)
        check_probe_output_dir(out)  # still usable after the (long) computation
        out.mkdir(parents=True, exist_ok=True)
        for name in _OUTPUT_FILES:  # stale files of a previous probe output
            (out / name).unlink(missing_ok=True)
        write_probe_report(doc, out)
        if plots:
            _plots(ds, fitted, ssl[0][1], x_test, y_test, test_idx, plot_pairs, out, config.batch_size,
                   docs[0]["data"].get("radio_field", ""))
        say(f"wrote {out / PROBE_JSON}")
        return doc
    finally:
        ds.close()


def fitted_description(task: Any) -> dict[str, Any]:
    """Name, kind and description of a task."""
    return {"name": task.name, "kind": task.kind, "description": task.description}


def _chance_rule(kind: str) -> str:
    return {"multiclass": "majority class of the training split", "multilabel": "each label's training positive rate",
            "regression": "the training split's median"}[kind]


def _plots(ds: Any, task: Any, encoder: Any, x_test: np.ndarray, y_test: Any, test_idx: np.ndarray,
           pair: tuple[np.ndarray, np.ndarray] | None, out: Path, batch_size: int, radio_field: str) -> None:
    from rvsim.eval.embedding import embed
    from rvsim.eval.embedding_map import plot_embedding_map
    from rvsim.eval.retrieval import retrieve
    from rvsim.eval.retrieval_grid import plot_retrievals

    test_emb = embed(encoder, x_test, batch_size)
    if test_emb.shape[0] >= 3 and task.kind == "multiclass":
        plot_embedding_map(test_emb, y_test.values, out / EMBEDDING_MAP_PNG, class_names=list(task.class_names),
                           title=f"SSL radio embeddings, test split (t-SNE)\ncoloured by {task.name}", seed=0)
    if pair is None or "image/rgb" not in ds.fields:
        return
    radio_emb, image_emb = pair
    rows = min(6, test_idx.size)
    queries = np.sort(np.random.default_rng(0).choice(test_idx.size, size=rows, replace=False))
    topk = retrieve(radio_emb[queries], image_emb, k=5)
    needed = np.unique(topk)
    images = ds.read("image/rgb", test_idx[needed])
    remap = np.searchsorted(needed, topk)
    own = np.searchsorted(needed, queries)
    own = np.where((own < needed.size) & (needed[np.minimum(own, needed.size - 1)] == queries), own, -1)
    attrs = ds.attrs(radio_field) if radio_field in ds.fields else {}
    plot_retrievals(x_test[queries], images, remap, own, out / RETRIEVALS_PNG, range_bins_m=attrs.get("range_bins_m"),
                    angle_bins_deg=attrs.get("angle_bins_deg"),
                    title="radio → image retrieval on the test split (own image outlined in green)")
