"""``rvsim train``: learn a radio encoder from paired radio–camera data without labels (or the supervised baseline)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "run", "EXIT_INTERRUPTED"]

#: Exit code when SIGTERM stopped training after a checkpoint (128 + SIGTERM, as if killed by it, so a
#: scheduler sees a preempted job, not a finished one); ``--resume`` continues the run.
EXIT_INTERRUPTED: int = 143


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``train`` subcommand."""
    p = subparsers.add_parser(
        "train",
        help="train a radio encoder self-supervised from vision (or the supervised baseline)",
        description="Self-supervised: train radio and vision encoders on a dataset's training split by "
        "maximising the cross-modal agreement of paired radio and camera views (InfoNCE, VICReg or Barlow "
        "Twins), with no labels, and write a run folder (config, split, encoders, checkpoint, metrics, "
        "TensorBoard logs). With --supervised: train the same radio encoder plus a linear head on the labels "
        "of a task, using a fraction of the training split's labels (rvsim.train.supervised_trainer: the config's "
        "learning rate and weight decay, at most --epochs epochs, early stopping on a validation part of those "
        "labels, then a refit on all of them; rvsim probe also searches learning rate and weight decay).",
    )
    p.add_argument("--data", required=True, metavar="DIR", help="dataset folder")
    p.add_argument("--out", required=True, metavar="RUN", help="run folder (new or empty; an existing run with --resume)")
    p.add_argument("--objective", default=None, metavar="{infonce,vicreg,barlow}", help="objective (default infonce)")
    p.add_argument("--epochs", type=int, default=None, metavar="E", help="training epochs (default 20)")
    p.add_argument("--batch-size", type=int, default=None, metavar="B", help="batch size (default 64)")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default 1e-3)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="seed of initialisation, shuffling, augmentation")
    p.add_argument("--config", default=None, metavar="YAML",
                   help="training settings (keys of rvsim.train.TrainConfig); flags override them")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in RUN from its checkpoint (epoch, step, weights, optimizer state)")
    p.add_argument("--strategy", default="default", choices=["default", "mirrored", "multiworker"],
                   help="tf.distribute strategy: default (one device), mirrored (all local GPUs, or the CPU), "
                   "multiworker (the machines in TF_CONFIG; see docs/training.md). Not part of the config: it does "
                   "not change results on one device (default: default)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "gpu"],
                   help="auto: a GPU if TensorFlow sees one, else the CPU; cpu hides GPUs; gpu fails without one "
                   "(default: auto)")
    p.add_argument("--checkpoint-every", type=int, default=None, metavar="N",
                   help="also checkpoint every N optimizer steps (default: at each epoch end only). SIGTERM always "
                   f"checkpoints at the next batch end and exits with code {EXIT_INTERRUPTED}")
    p.add_argument("--supervised", action="store_true", help="train the supervised baseline instead")
    p.add_argument("--task", default=None, metavar="T",
                   help="(--supervised) task (see rvsim.tasks: count_person, num_objects, occupancy, occupancy_grid, ...)")
    p.add_argument("--label-fraction", type=float, default=1.0, metavar="F",
                   help="(--supervised) fraction of the training split's labels used, in (0, 1] (default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _load_yaml(path: str) -> dict[str, Any]:
    import yaml

    from rvsim.errors import ConfigError

    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"--config file not found. Received: {path}")
    try:
        values = yaml.safe_load(file.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"--config is not valid YAML ({str(exc).splitlines()[0]}). Received: {path}") from exc
    if not isinstance(values, dict):
        raise ConfigError(f"--config must hold a mapping of training settings. Received: {type(values).__name__}")
    return values


def _config(args: argparse.Namespace) -> Any:
    """The resolved TrainConfig: the run's (--resume) or defaults, then --config, then flags."""
    from rvsim.train import TrainConfig, load_run_config

    values: dict[str, Any] = {}
    if args.resume:
        values = dict(load_run_config(args.out)["config"])
    if args.config is not None:
        values = _load_yaml(args.config)
    overrides = {
        "objective": args.objective,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "seed": args.seed,
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return TrainConfig.from_dict(values)


def run(args: argparse.Namespace) -> int:
    """Validate everything, train, print where the run is and its last metrics."""
    from rvsim.errors import InputError

    if not Path(args.data).is_dir():
        raise InputError(f"--data is not a dataset folder. Received: {args.data}")
    if args.epochs is not None and args.epochs < 0:
        raise InputError(f"--epochs must be >= 0. Received: {args.epochs}")
    if args.checkpoint_every is not None and args.checkpoint_every < 1:
        raise InputError(f"--checkpoint-every must be a number of steps >= 1. Received: {args.checkpoint_every}")
    if args.supervised:
        return _run_supervised(args)
    if args.task is not None:
        raise InputError(f"--task is only for --supervised. Received: --task {args.task}")

    from rvsim.train.run_folder import check_output_dir

    check_output_dir(args.out, resume=args.resume)
    config = _config(args)

    if args.strategy == "multiworker":
        from rvsim.train.distribution_strategy import worker_role

        worker_role()  # a bad TF_CONFIG is bad input
    from rvsim.train import TrainingInterrupted, train_ssl

    try:
        result = train_ssl(
            args.data,
            args.out,
            config,
            resume=args.resume,
            verbose=0 if args.quiet else 1,
            strategy=args.strategy,
            device=args.device,
            checkpoint_every=args.checkpoint_every,
        )
    except TrainingInterrupted as stop:
        sys.stdout.flush()
        sys.stderr.write(f"rvsim train: {stop}\n")
        return EXIT_INTERRUPTED
    last = result.history[-1] if result.history else {}
    summary = ", ".join(
        f"{k}={last[k]:.4g}" for k in ("loss", "val_loss", "val_retrieval_top1", "val_retrieval_chance")
        if isinstance(last.get(k), float)
    )
    print(f"trained {result.epochs_completed} epoch(s); run folder {result.run_dir}" + (f" ({summary})" if summary else ""))
    return 0


def _run_supervised(args: argparse.Namespace) -> int:
    import math

    from rvsim.errors import InputError

    if args.resume:
        raise InputError("--resume is not available with --supervised. Received: --supervised --resume")
    if args.strategy != "default":
        raise InputError(f"--strategy is only for self-supervised training. Received: --supervised --strategy {args.strategy}")
    if args.checkpoint_every is not None:
        raise InputError("--checkpoint-every is only for self-supervised training. Received: --supervised --checkpoint-every")
    if args.task is None:
        raise InputError("--supervised needs --task. Received: no --task")
    if not (math.isfinite(args.label_fraction) and 0.0 < args.label_fraction <= 1.0):
        raise InputError(f"--label-fraction must be in (0, 1]. Received: {args.label_fraction}")

    from rvsim.tasks import get_task
    from rvsim.train.run_folder import check_output_dir

    task = get_task(args.task)
    check_output_dir(args.out, resume=False)
    config = _config(args)

    from rvsim.train.training_device import select_training_device

    select_training_device(args.device)

    from rvsim.data import Dataset, split_indices
    from rvsim.data.split import sample_groups
    from rvsim.data.manifest import write_json_atomic
    from rvsim.eval.label_subsets import nested_stratified_subsets
    from rvsim.eval.protocol import subset_strata
    from rvsim.train import evaluate_classifier, train_supervised
    from rvsim.train.ssl_trainer import resolve_inputs
    from rvsim.train.supervised_trainer import SupervisedConfig

    ds = Dataset(args.data)
    layout = resolve_inputs(ds, config, need_images=False)
    split = split_indices(len(ds), config.split_fractions, config.split_seed, groups=sample_groups(ds))
    task = task.fit(ds, split["train"])
    targets = task.targets(ds, split["train"])
    pool = split["train"][targets.valid]
    positions = nested_stratified_subsets(subset_strata(targets.take(targets.valid.nonzero()[0])),
                                          [args.label_fraction], seed=config.seed)[float(args.label_fraction)]
    train_idx = pool[positions]
    epochs = max(1, config.epochs)
    supervised = SupervisedConfig(grid=((config.lr, config.weight_decay),), max_epochs=epochs, default_epochs=epochs,
                                  batch_size=config.batch_size, augmentation=config.augmentation)
    fit = train_supervised(ds, task, train_idx, config=config, supervised=supervised, out_dir=args.out,
                           test_indices=split["test"], verbose=0 if args.quiet else 1)
    scores = evaluate_classifier(fit, ds, task, split["test"], radio_field=layout.radio_field)
    scores.update(label_fraction=float(args.label_fraction), num_train=int(train_idx.size), seed=config.seed,
                  budget=fit.budget)
    write_json_atomic(
        Path(args.out) / "test_metrics.json",
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in scores.items()},
    )
    headline = {"multiclass": "accuracy", "multilabel": "mAP", "regression": "mae"}[task.kind]
    print(
        f"supervised {task.name} with {train_idx.size} labelled samples (fraction {args.label_fraction:g}): "
        f"test {headline} {scores[headline]:.3f}; run folder {args.out}"
    )
    return 0
