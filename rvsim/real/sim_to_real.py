"""Linear-probe evaluation of radio encoders on real DeepSense captures (the ``rvsim real`` protocol).

Protocol: the real rows are split into train/test (scenarios by drive-by sequence, the blockage time series
by contiguous blocks); labels are the real tasks of :mod:`rvsim.real.real_tasks` (bins from the training
split). For every seed, nested stratified subsets of the training split at each label fraction
(:func:`rvsim.eval.nested_stratified_subsets`) train:

* ``ssl``: a :class:`~rvsim.eval.LinearProbe` on the frozen encoder's embeddings;
* ``raw``: the probe on the normalised dB beam powers themselves (standardised by the probe);
* ``random``: the probe on a randomly initialised encoder of the same architecture (initialiser seed
  ``RANDOM_SEED_OFFSET + seed``);
* ``supervised``: the same architecture plus a linear head trained end to end on the labelled subset;
* ``zero-shot``: the probe trained on the embeddings of a simulated dataset with simulated labels (binned with
  the real training edges), tested on the real test split with no real label (recorded as label fraction
  1.0 of the simulated labels);
* ``zero-shot-raw``: the same on raw normalised beam powers.

All inputs, real and simulated, are :func:`rvsim.real.receiver.normalise_beam_power` vectors [dB]: the
encoder's own first layer (``RadioNormalization``) then standardises them as in training.

The supervised baseline is trained here (:func:`train_supervised_classifier`, with
:func:`rvsim.train.build_classifier`) because ``rvsim.train.train_supervised`` reads a dataset folder and a
dataset task, while the real labels are arrays.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from rvsim.errors import ConfigError, DatasetError, InputError
from rvsim.real.deepsense import NUM_BEAMS, load_blockage, load_scenario
from rvsim.real.real_tasks import REAL_TASKS, RealTaskLabels, apply_bins, make_real_task
from rvsim.real.receiver import DEFAULT_FLOOR_DB, normalise_beam_power
from rvsim.real.splits import split_by_sequence, split_contiguous_blocks

__all__ = [
    "METHODS",
    "ENCODER_METHODS",
    "STREET_PRETRAINED",
    "STREET_PRETRAINED_FILE",
    "SIM_LABEL_FIELDS",
    "RealEvalConfig",
    "RealEvalData",
    "SimData",
    "prepare_real_data",
    "resolve_encoder",
    "load_real_encoder",
    "load_sim_data",
    "beam_input",
    "random_encoder_like",
    "train_supervised_classifier",
    "evaluate_real",
    "methods_needing",
    "RANDOM_SEED_OFFSET",
]

#: Every method, in report order.
METHODS: tuple[str, ...] = ("ssl", "supervised", "random", "raw", "zero-shot", "zero-shot-raw")

#: Methods that need the encoder (its embeddings or its architecture).
ENCODER_METHODS: tuple[str, ...] = ("ssl", "supervised", "random", "zero-shot")

#: ``--encoder`` value naming the encoder shipped with rvsim (pre-trained on the simulated street family).
STREET_PRETRAINED: str = "street-pretrained"

#: File name of that encoder in ``rvsim/assets/``.
STREET_PRETRAINED_FILE: str = "street_encoder.keras"

#: Simulated label field of each real task (street family, ``labels/`` group).
SIM_LABEL_FIELDS: dict[str, str] = {
    "bearing": "labels/tx_bearing",
    "range": "labels/tx_range",
    "blockage": "labels/los_blocked",
}

#: Added to the seed of the ``random`` and ``supervised`` encoders' initialisation, so they differ from an
#: SSL encoder's own initialisation with a small seed.
RANDOM_SEED_OFFSET: int = 10_000

#: Simulated radio field the real beam vectors correspond to.
SIM_RADIO_FIELD: str = "radio/beam_power"


@dataclasses.dataclass(frozen=True)
class RealEvalConfig:
    """Settings of the real-data evaluation.

    Attributes:
        task: ``"bearing"``, ``"range"`` or ``"blockage"``.
        fractions: Label fractions of the real training split, in ``(0, 1]``.
        seeds: Number of seeds (0, 1, ..., seeds − 1).
        methods: Methods to run (subset of :data:`METHODS`); zero-shot ones need simulated data.
        test_fraction: Fraction of sequences (scenarios) or time blocks (blockage) held out for test.
        split_seed: Seed of the train/test split.
        num_blocks: Time blocks of the blockage split.
        guard: Rows dropped between train and test blocks (blockage).
        floor_db: Floor of :func:`~rvsim.real.receiver.normalise_beam_power` [dB].
        supervised_steps: Gradient steps of the supervised baseline.
        supervised_batch_size: Its batch size.
        supervised_lr: Its Adam learning rate.
        max_sim_samples: Simulated samples used at most (a seeded random subset beyond it).
    """

    task: str
    fractions: tuple[float, ...] = (0.01, 0.1, 1.0)
    seeds: int = 3
    methods: tuple[str, ...] = METHODS
    test_fraction: float = 0.2
    split_seed: int = 0
    num_blocks: int = 20
    guard: int = 10
    floor_db: float = DEFAULT_FLOOR_DB
    supervised_steps: int = 300
    supervised_batch_size: int = 64
    supervised_lr: float = 1e-3
    max_sim_samples: int = 20000

    def __post_init__(self) -> None:
        from rvsim.eval.label_subsets import check_fractions

        if self.task not in REAL_TASKS:
            raise ConfigError(f"task must be one of {list(REAL_TASKS)}. Received: task={self.task!r}")
        object.__setattr__(self, "fractions", check_fractions(self.fractions))
        object.__setattr__(self, "methods", tuple(self.methods))
        bad = [m for m in self.methods if m not in METHODS]
        if bad or not self.methods:
            raise ConfigError(f"methods must be a non-empty subset of {list(METHODS)}. Received: methods={list(self.methods)}")
        for name in ("seeds", "supervised_steps", "supervised_batch_size", "max_sim_samples", "num_blocks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ConfigError(f"{name} must be a positive integer. Received: {name}={value!r}")
        if isinstance(self.guard, bool) or not isinstance(self.guard, (int, np.integer)) or self.guard < 0:
            raise ConfigError(f"guard must be a non-negative integer. Received: guard={self.guard!r}")
        if not 0.0 < float(self.test_fraction) < 1.0:
            raise ConfigError(f"test_fraction must be in (0, 1). Received: test_fraction={self.test_fraction!r}")
        if not (math.isfinite(float(self.supervised_lr)) and float(self.supervised_lr) > 0):
            raise ConfigError(f"supervised_lr must be positive. Received: supervised_lr={self.supervised_lr!r}")
        if not float(self.floor_db) < 0:
            raise ConfigError(f"floor_db must be negative. Received: floor_db={self.floor_db!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able settings."""
        d = dataclasses.asdict(self)
        d["fractions"] = list(self.fractions)
        d["methods"] = list(self.methods)
        return d


@dataclasses.dataclass(frozen=True, eq=False)
class RealEvalData:
    """The real inputs, labels and split of one evaluation.

    Attributes:
        x: ``(N, 64)`` float32 normalised beam powers [dB].
        power: ``(N, 64)`` float64 linear beam powers as loaded.
        task: The labels.
        split: ``{"train": rows, "test": rows}``.
        description: JSON-able description of the data (source, scenario fit, sizes).
    """

    x: np.ndarray
    power: np.ndarray
    task: RealTaskLabels
    split: dict[str, np.ndarray]
    description: dict[str, Any]


@dataclasses.dataclass(frozen=True, eq=False)
class SimData:
    """Simulated samples for zero-shot transfer and statistics.

    Attributes:
        x: ``(n, 64)`` float32 normalised beam powers [dB].
        values: ``(n,)`` the task's raw label values (bearing [deg], range [m], or 0/1 blockage).
        path: The dataset folder.
    """

    x: np.ndarray
    values: np.ndarray
    path: str


def prepare_real_data(
    data_dir: str | Path, config: RealEvalConfig, *, scenario: int | None = None
) -> RealEvalData:
    """Load the real data of a task, split it and label it.

    Args:
        data_dir: The DeepSense folder.
        config: Evaluation settings (task, split).
        scenario: Scenario number (bearing, range); ignored for blockage.

    Returns:
        The prepared data.

    Raises:
        InputError: Missing scenario for a scenario task; DatasetError for bad files.
    """
    if config.task == "blockage":
        blockage = load_blockage(data_dir)
        split = split_contiguous_blocks(
            blockage.num_samples, test_fraction=config.test_fraction, num_blocks=config.num_blocks,
            guard=config.guard, seed=config.split_seed, labels=blockage.blockage,
        )
        task = make_real_task("blockage", blockage)
        power = blockage.power
        description: dict[str, Any] = {"source": blockage.path, "num_samples": blockage.num_samples,
                                       "num_blocked": int(blockage.blockage.sum())}
    else:
        if scenario is None:
            raise InputError(f"Task {config.task!r} needs a scenario number (--scenario). Received: scenario=None")
        sc = load_scenario(data_dir, scenario)
        split = split_by_sequence(sc.seq_index, test_fraction=config.test_fraction, seed=config.split_seed)
        task = make_real_task(config.task, sc, split["train"])
        power = sc.power
        description = sc.summary()
        description["source"] = str(Path(sc.files["power"]).parent)
    description["split"] = {k: int(v.size) for k, v in split.items()}
    description["task"] = task.to_dict()
    x = normalise_beam_power(power, floor_db=config.floor_db)
    return RealEvalData(x=x, power=power, task=task, split=split, description=description)


def resolve_encoder(spec: str) -> Path:
    """Path of the encoder named on the command line.

    Args:
        spec: A run folder, a ``.keras`` file, or :data:`STREET_PRETRAINED`.

    Returns:
        The run folder or file.

    Raises:
        InputError: The file or folder does not exist, or the shipped encoder is not installed.
    """
    if spec == STREET_PRETRAINED:
        asset = resources.files("rvsim").joinpath("assets", STREET_PRETRAINED_FILE)
        path = Path(str(asset))
        if not path.is_file():
            raise InputError(
                f"The {STREET_PRETRAINED} encoder is not shipped with this rvsim install (rvsim/assets/"
                f"{STREET_PRETRAINED_FILE} is missing); pass a run folder or a .keras file. Received: --encoder {spec}"
            )
        return path
    path = Path(spec)
    if path.is_dir():
        if not (path / "radio_encoder.keras").is_file():
            raise InputError(f"The run folder has no radio_encoder.keras. Received: --encoder {spec}")
        return path
    if not path.is_file():
        raise InputError(f"The encoder must be a run folder, a .keras file or {STREET_PRETRAINED!r}. Received: --encoder {spec}")
    if path.suffix != ".keras":
        raise InputError(f"The encoder file must be a .keras file. Received: --encoder {spec}")
    return path


def load_real_encoder(spec: str) -> Any:
    """Load an encoder for 64-beam inputs (``safe_mode=True``) and check its input shape.

    Args:
        spec: See :func:`resolve_encoder`.

    Returns:
        The ``keras.Model``.

    Raises:
        InputError: Not found, not loadable, or an input shape other than ``(64,)``.
    """
    from rvsim.train.run_folder import load_encoder

    path = resolve_encoder(spec)
    try:
        encoder = load_encoder(path)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any Keras loading failure is bad input here
        raise InputError(f"The encoder could not be loaded ({type(exc).__name__}: {exc}). Received: --encoder {spec}") from None
    shape = tuple(encoder.input_shape[1:]) if hasattr(encoder, "input_shape") else None
    if shape != (NUM_BEAMS,):
        raise InputError(
            f"The encoder must take 64-beam power vectors, input shape (64,), to run on DeepSense data. "
            f"Received: input shape {shape} from --encoder {spec}"
        )
    return encoder


def beam_input(values: np.ndarray, *, units: str, floor_db: float = DEFAULT_FLOOR_DB) -> np.ndarray:
    """Normalised beam input from a stored beam-power field, whatever its units.

    Args:
        values: ``(n, 64)`` beam powers, linear (``units`` not ``"dB"``) or in dB.
        units: The field's ``units`` attribute.
        floor_db: Floor [dB].

    Returns:
        ``(n, 64)`` float32 :func:`~rvsim.real.receiver.normalise_beam_power` output [dB].
    """
    v = np.asarray(values, dtype=np.float64)
    if str(units).strip() == "dB":
        if not np.all(np.isfinite(v) | (v == -np.inf)):
            raise DatasetError(f"The beam powers in dB hold NaN or +inf. Received: {int(np.sum(np.isnan(v)))} NaN")
        v = 10.0 ** (v / 10.0)
    return normalise_beam_power(v, floor_db=floor_db)


def load_sim_data(sim_dir: str | Path, config: RealEvalConfig, *, seed: int = 0) -> SimData:
    """Read the simulated beam powers and the task's label values from an rvsim dataset.

    Args:
        sim_dir: A dataset folder of the street family (``radio/beam_power`` and the labels of
            :data:`SIM_LABEL_FIELDS`).
        config: Evaluation settings (task, ``max_sim_samples``, ``floor_db``).
        seed: Seed of the subset drawn when the dataset is larger than ``max_sim_samples``.

    Returns:
        The simulated data.

    Raises:
        DatasetError: Not a dataset, or a required field missing or of the wrong shape.
    """
    from rvsim.data import Dataset

    label_field = SIM_LABEL_FIELDS[config.task]
    ds = Dataset(sim_dir)
    try:
        for field in (SIM_RADIO_FIELD, label_field):
            if field not in ds.fields:
                raise DatasetError(
                    f"The simulated dataset lacks {field!r} (needed for task {config.task!r}). "
                    f"Received: fields {sorted(ds.fields)}"
                )
        if tuple(ds.fields[SIM_RADIO_FIELD].shape) != (NUM_BEAMS,):
            raise DatasetError(
                f"The simulated {SIM_RADIO_FIELD} must be (64,) per sample. Received: {tuple(ds.fields[SIM_RADIO_FIELD].shape)}"
            )
        if tuple(ds.fields[label_field].shape) not in ((), (1,)):
            raise DatasetError(f"The simulated {label_field} must be one value per sample. Received: {tuple(ds.fields[label_field].shape)}")
        n = len(ds)
        if n < 2:
            raise DatasetError(f"The simulated dataset must hold at least 2 samples. Received: {n}")
        idx = np.arange(n, dtype=np.int64)
        if n > config.max_sim_samples:
            idx = np.sort(np.random.default_rng(seed).choice(n, size=config.max_sim_samples, replace=False))
        units = str(ds.attrs(SIM_RADIO_FIELD).get("units", ""))
        x = beam_input(ds.read(SIM_RADIO_FIELD, idx), units=units, floor_db=config.floor_db)
        values = np.asarray(ds.read(label_field, idx), dtype=np.float64).reshape(idx.size)
        return SimData(x=x, values=values, path=str(ds.path))
    finally:
        ds.close()


def _architecture(encoder: Any) -> dict[str, Any] | None:
    """Width, embedding size and input normalisation of an encoder made by ``build_radio_encoder``."""
    import keras

    from rvsim.models.radio_normalization import RadioNormalization

    norm = None
    width = None
    for layer in encoder.layers:
        if isinstance(layer, RadioNormalization) and norm is None:
            norm = layer.get_config()
        if isinstance(layer, keras.layers.Conv1D) and width is None:
            width = int(layer.filters)
    dim = encoder.output_shape[-1] if isinstance(encoder.output_shape, tuple) else None
    if width is None or not isinstance(dim, int):
        return None
    return {"width": width, "embedding_dim": dim, "normalization": norm}


def random_encoder_like(encoder: Any, seed: int, *, fit_x: np.ndarray | None = None) -> Any:
    """A freshly initialised encoder of the same architecture (seeded).

    Encoders made by :func:`rvsim.models.build_radio_encoder` are rebuilt with their width, embedding size and
    input normalisation and ``seed``; any other model is cloned with its layers' own initialisers.

    Args:
        encoder: The reference encoder.
        seed: Seed of the weight initialisers.
        fit_x: ``(n, 64)`` inputs [dB]: when the normalisation is in ``"dataset"`` mode, its mean and std are
            refitted on them (as the supervised trainer fits them on its training split).

    Returns:
        The untrained ``keras.Model``.
    """
    import keras

    from rvsim.models import build_radio_encoder
    from rvsim.models.radio_normalization import RadioNormalization

    arch = _architecture(encoder)
    if arch is None:
        return keras.models.clone_model(encoder)
    norm = arch["normalization"]
    layer = None
    if norm is not None:
        layer = RadioNormalization.from_config({k: v for k, v in norm.items() if k != "name"})
        if layer.mode == "dataset" and fit_x is not None and len(fit_x):
            floored = np.asarray(layer.floor(np.asarray(fit_x, dtype=np.float32)), dtype=np.float64)
            layer = RadioNormalization(
                mode="dataset", mean=float(floored.mean()), std=max(float(floored.std()), 1e-6),
                dynamic_range_db=layer.dynamic_range_db,
            )
    return build_radio_encoder(
        (NUM_BEAMS,), width=arch["width"], embedding_dim=arch["embedding_dim"], seed=int(seed), normalization=layer
    )


def train_supervised_classifier(
    x: np.ndarray,
    y: np.ndarray,
    num_classes: int,
    *,
    encoder_like: Any,
    seed: int,
    steps: int = 300,
    batch_size: int = 64,
    lr: float = 1e-3,
) -> Any:
    """Train the encoder architecture plus a linear head end to end on labelled real samples.

    The array-level counterpart of :func:`rvsim.train.train_supervised` (which reads a dataset folder and a
    dataset task): same classifier (:func:`rvsim.train.build_classifier`), "dataset"-mode normalisation
    refitted on ``x``, Adam on the cross-entropy for a fixed number of steps (no augmentation).

    Args:
        x: ``(n, 64)`` float32 inputs [dB].
        y: ``(n,)`` int labels in ``[0, num_classes)``.
        num_classes: Classes.
        encoder_like: Encoder whose architecture to use (see :func:`random_encoder_like`).
        seed: Seed of the initialisation and the batch order.
        steps: Gradient steps.
        batch_size: Batch size (at most ``n``).
        lr: Learning rate.

    Returns:
        The classifier ``keras.Model`` mapping ``(batch, 64)`` to logits ``(batch, num_classes)``.
    """
    import keras

    from rvsim.train import build_classifier

    encoder = random_encoder_like(encoder_like, seed, fit_x=x)
    model = build_classifier(encoder, num_classes, seed=int(seed) + 4000)
    model.compile(
        optimizer=keras.optimizers.Adam(float(lr)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=False,
    )
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    bs = int(min(batch_size, n))
    order = rng.permutation(n)
    pos = 0
    for _ in range(int(steps)):
        if pos + bs > n:
            order, pos = rng.permutation(n), 0
        rows = order[pos : pos + bs]
        pos += bs
        model.train_on_batch(x[rows], y[rows])
    return model


def _scores(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[float, float]:
    from sklearn.metrics import f1_score

    acc = float(np.mean(y_true == y_pred))
    f1 = float(f1_score(y_true, y_pred, average="macro", zero_division=0))
    return acc, f1


def evaluate_real(
    data: RealEvalData,
    config: RealEvalConfig,
    *,
    encoder: Any | None = None,
    sim: SimData | None = None,
    encoder_name: str = "",
) -> dict[str, Any]:
    """Run the protocol and return a results document in the ``probe.json`` schema.

    Args:
        data: Real inputs, labels and split (:func:`prepare_real_data`).
        config: Settings; methods needing an encoder are skipped without ``encoder``, zero-shot ones without
            ``sim`` (the skips are listed in ``config.skipped``).
        encoder: The frozen SSL encoder.
        sim: Simulated data for the zero-shot methods.
        encoder_name: How the report names the encoder.

    Returns:
        ``{"format", "task", "chance", "chance_rule", "num_classes", "class_names", "split", "data", "encoder",
        "config", "results": [...]}`` (validated with :func:`rvsim.eval.probe_results.validate_probe_results`).
    """
    from rvsim.eval.embedding import embed
    from rvsim.eval.label_subsets import nested_stratified_subsets
    from rvsim.eval.linear_probe import LinearProbe
    from rvsim.eval.probe_results import PROBE_RESULTS_FORMAT, chance_accuracy, validate_probe_results

    y = data.task.labels
    train, test = data.split["train"], data.split["test"]
    skipped: dict[str, str] = {}
    methods: list[str] = []
    for m in config.methods:
        if m in ENCODER_METHODS and encoder is None:
            skipped[m] = "no encoder given"
        elif m.startswith("zero-shot") and sim is None:
            skipped[m] = "no simulated dataset given (--sim-data)"
        else:
            methods.append(m)
    results: list[dict[str, Any]] = []

    def record(method: str, fraction: float, seed: int, pred: np.ndarray, n_labelled: int, c: float | None) -> None:
        acc, f1 = _scores(y[test], pred)
        entry: dict[str, Any] = {"method": method, "label_fraction": float(fraction), "seed": int(seed),
                                 "accuracy": acc, "macro_f1": f1, "num_labelled": int(n_labelled)}
        if c is not None:
            entry["C"] = float(c)
        results.append(entry)

    features: dict[str, np.ndarray] = {"raw": data.x}
    if encoder is not None and ("ssl" in methods or "zero-shot" in methods):
        features["ssl"] = embed(encoder, data.x)
    sim_features: dict[str, np.ndarray] = {}
    sim_labels = None
    if sim is not None and any(m.startswith("zero-shot") for m in methods):
        sim_labels = sim.values.astype(np.int64) if data.task.edges is None else apply_bins(sim.values, data.task.edges)
        sim_features["zero-shot-raw"] = sim.x
        if "zero-shot" in methods and encoder is not None:
            sim_features["zero-shot"] = embed(encoder, sim.x)

    for seed in range(config.seeds):
        subsets = nested_stratified_subsets(y[train], config.fractions, seed=seed)
        random_feats = (
            embed(random_encoder_like(encoder, RANDOM_SEED_OFFSET + seed), data.x) if "random" in methods else None
        )
        for fraction in config.fractions:
            rows = train[subsets[fraction]]
            for method in ("ssl", "random", "raw"):
                if method not in methods:
                    continue
                feats = random_feats if method == "random" else features[method]
                assert feats is not None
                probe = LinearProbe(seed=seed).fit(feats[rows], y[rows])
                record(method, fraction, seed, probe.predict(feats[test]), rows.size, probe.C_)
            if "supervised" in methods:
                model = train_supervised_classifier(
                    data.x[rows], y[rows], data.task.num_classes, encoder_like=encoder, seed=RANDOM_SEED_OFFSET + seed,
                    steps=config.supervised_steps, batch_size=config.supervised_batch_size, lr=config.supervised_lr,
                )
                logits = model.predict(data.x[test], batch_size=1024, verbose=0)
                record("supervised", fraction, seed, np.argmax(logits, axis=1).astype(np.int64), rows.size, None)
        for method in ("zero-shot", "zero-shot-raw"):
            if method in methods and sim_labels is not None:
                real_feats = features["ssl"] if method == "zero-shot" else data.x
                probe = LinearProbe(seed=seed).fit(sim_features[method], sim_labels)
                record(method, 1.0, seed, probe.predict(real_feats[test]), sim_labels.size, probe.C_)

    doc: dict[str, Any] = {
        "format": PROBE_RESULTS_FORMAT,
        "task": f"real-{data.task.name}",
        "chance": chance_accuracy(y[train], y[test], "majority"),
        "chance_rule": "majority",
        "num_classes": data.task.num_classes,
        "class_names": list(data.task.class_names),
        "split": {k: int(v.size) for k, v in data.split.items()},
        "data": str(data.description.get("source", "")),
        "encoder": encoder_name,
        "config": {
            "settings": config.to_dict(),
            "real_data": data.description,
            "sim_data": None if sim is None else {"path": sim.path, "num_samples": int(sim.x.shape[0])},
            "methods_run": methods,
            "skipped": skipped,
            "zero_shot_label_fraction": "zero-shot rows use no real label: label_fraction 1.0 means all "
            "simulated training labels (num_labelled counts them)",
        },
        "results": results,
    }
    if results:
        validate_probe_results(doc)
    return doc


def methods_needing(methods: Sequence[str]) -> dict[str, bool]:
    """Which inputs a method list needs: ``{"encoder": bool, "sim": bool}``."""
    return {"encoder": any(m in ENCODER_METHODS for m in methods), "sim": any(m.startswith("zero-shot") for m in methods)}
