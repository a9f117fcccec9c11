"""``rvsim real``: the evaluation protocol (:mod:`rvsim.eval.protocol`) on real DeepSense 6G captures.

For each split seed the real rows are split into train/test — drive-by scenarios by whole sequences,
the scenario-17 time series by contiguous blocks with a guard gap — and only then is anything fitted:
the site calibration (broadside heading, GPS time shift, noise floor: ``load_scenario(..., fit_rows=train)``)
and the task's bin edges come from the training rows alone. The probes' cross-validation and the supervised
baseline's validation hold-out are grouped by drive-by sequence (scenarios) or by contiguous blocks of
``cv_block_rows`` rows (scenario 17).

Every method gets the same input: :func:`rvsim.radio.receiver_noise.normalise_beam_power` vectors [dB] (real and
simulated alike), then the encoders' own first layer; ``raw`` is that layer's output.

Methods without any real label (``--sim-data``): ``zero-shot`` trains the probe on a simulated dataset's
embeddings with classes binned from the *simulated* labels alone, and is scored against the real test values
binned with those same edges; ``zero-shot-raw`` does so on the raw input; ``zero-shot-realbins`` bins the
simulated labels with the real training split's edges (so it borrows the real labels' distribution, not
their values) and is scored against the standard real test classes.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from rvsim.errors import ConfigError, DatasetError, InputError
from rvsim.eval.protocol import (
    EvalSplit,
    ExternalMethod,
    ProtocolConfig,
    ProtocolEncoders,
    input_normalization,
    run_protocol,
)
from rvsim.tasks import TaskTargets

__all__ = [
    "REAL_PROTOCOL_METHODS",
    "ZERO_SHOT_METHODS",
    "STREET_PRETRAINED",
    "SIM_LABEL_FIELDS",
    "RealEvalConfig",
    "RealData",
    "SimData",
    "real_splits",
    "resolve_encoders",
    "load_real_encoder",
    "load_sim_data",
    "beam_input",
    "zero_shot_methods",
    "run_real",
]

#: Protocol methods available on real data (no camera images: no ``vision``).
REAL_PROTOCOL_METHODS: tuple[str, ...] = ("ssl", "supervised", "random", "raw")

#: Methods that use no real label (need ``--sim-data``).
ZERO_SHOT_METHODS: tuple[str, ...] = ("zero-shot", "zero-shot-raw", "zero-shot-realbins")

#: ``--encoder`` value naming the encoder(s) shipped with rvsim (pre-trained on the simulated street family).
STREET_PRETRAINED: str = "street-pretrained"

#: Simulated label field of each real task (street family, ``labels/`` group).
SIM_LABEL_FIELDS: dict[str, str] = {
    "bearing": "labels/tx_bearing",
    "range": "labels/tx_range",
    "blockage": "labels/los_blocked",
}

#: Simulated radio field the real beam vectors correspond to.
SIM_RADIO_FIELD: str = "radio/beam_power"

#: Published accuracies of DeepSense's future-blockage task on these series (the data's README: the
#: "wireless signature" blockage prediction page), by horizon: from beam power alone and from vision.
PUBLISHED_FUTURE_BLOCKAGE: dict[int, dict[str, float]] = {
    1: {"beam_power": 0.864, "vision": 0.886},
    5: {"beam_power": 0.568, "vision": 0.896},
    10: {"beam_power": 0.489, "vision": 0.854},
}

#: Classes of the binned real tasks.
_NUM_BINS = {"bearing": 8, "range": 4}


@dataclasses.dataclass(frozen=True)
class RealEvalConfig:
    """Settings of the real-data evaluation.

    Attributes:
        task: ``"bearing"``, ``"range"``, ``"blockage"`` or ``"blockage-future"``.
        horizon: Sweeps ahead ``K`` of ``blockage-future`` (1, 5 or 10).
        series_split: ``blockage-future``: ``"official"`` (DeepSense's train + val series against its test
            series; they overlap in time) or ``"blocks"`` (contiguous blocks of time, no sweep on both sides).
        protocol: The protocol settings (methods among :data:`REAL_PROTOCOL_METHODS`).
        zero_shot: Methods of :data:`ZERO_SHOT_METHODS` to run (they need simulated data).
        split_seeds: Seeds of the train/test splits (one evaluation per seed, pooled in the report).
        test_fraction: Fraction of sequences (scenarios) or time blocks (blockage) held out for test.
        num_blocks: Time blocks of the blockage split.
        guard: Rows dropped between train and test blocks (blockage).
        cv_block_rows: Rows per group of the blockage training rows in cross-validation (contiguous in time).
        floor_db: Floor of :func:`~rvsim.radio.receiver_noise.normalise_beam_power` [dB].
        max_sim_samples: Simulated samples used at most (a seeded random subset beyond it).
    """

    task: str
    horizon: int | None = None
    series_split: str = "official"
    protocol: ProtocolConfig = dataclasses.field(default_factory=lambda: ProtocolConfig(methods=REAL_PROTOCOL_METHODS))
    zero_shot: tuple[str, ...] = ZERO_SHOT_METHODS
    split_seeds: tuple[int, ...] = (0,)
    test_fraction: float = 0.2
    num_blocks: int = 20
    guard: int = 10
    cv_block_rows: int = 100
    floor_db: float = -30.0
    max_sim_samples: int = 20000

    def __post_init__(self) -> None:
        from rvsim.real.real_tasks import REAL_TASKS

        if self.task not in REAL_TASKS:
            raise ConfigError(f"task must be one of {list(REAL_TASKS)}. Received: task={self.task!r}")
        if self.task == "blockage-future":
            from rvsim.real.deepsense import BLOCKAGE_HORIZONS

            if self.horizon not in BLOCKAGE_HORIZONS:
                raise ConfigError(f"blockage-future needs --horizon among {list(BLOCKAGE_HORIZONS)}. Received: "
                                  f"horizon={self.horizon!r}")
        elif self.horizon is not None:
            raise ConfigError(f"--horizon is only for blockage-future. Received: task={self.task!r}, horizon={self.horizon}")
        if self.series_split not in ("official", "blocks"):
            raise ConfigError(f"series_split must be 'official' or 'blocks'. Received: {self.series_split!r}")
        if not isinstance(self.protocol, ProtocolConfig):
            raise ConfigError(f"protocol must be a ProtocolConfig. Received: {type(self.protocol).__name__}")
        if "vision" in self.protocol.methods:
            raise ConfigError("the vision method needs camera images, which the real captures here lack. "
                              f"Received: methods={list(self.protocol.methods)}")
        zs = (self.zero_shot,) if isinstance(self.zero_shot, str) else tuple(self.zero_shot)
        bad = [m for m in zs if m not in ZERO_SHOT_METHODS]
        if bad:
            raise ConfigError(f"zero-shot methods must be among {list(ZERO_SHOT_METHODS)}. Received: {bad}")
        object.__setattr__(self, "zero_shot", zs)
        seeds = tuple(self.split_seeds) if isinstance(self.split_seeds, (list, tuple)) else ()
        if not seeds or len(set(seeds)) != len(seeds) or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                                                    for s in seeds):
            raise ConfigError(f"split_seeds must be distinct integers >= 0. Received: split_seeds={self.split_seeds!r}")
        object.__setattr__(self, "split_seeds", seeds)
        for name in ("num_blocks", "cv_block_rows", "max_sim_samples"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConfigError(f"{name} must be a positive integer. Received: {name}={v!r}")
        if isinstance(self.guard, bool) or not isinstance(self.guard, int) or self.guard < 0:
            raise ConfigError(f"guard must be a non-negative integer. Received: guard={self.guard!r}")
        if not 0.0 < float(self.test_fraction) < 1.0:
            raise ConfigError(f"test_fraction must be in (0, 1). Received: test_fraction={self.test_fraction!r}")
        if not (math.isfinite(float(self.floor_db)) and float(self.floor_db) < 0):
            raise ConfigError(f"floor_db must be negative. Received: floor_db={self.floor_db!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able settings."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "protocol"}
        d["zero_shot"], d["split_seeds"] = list(self.zero_shot), list(self.split_seeds)
        return {**d, "protocol": self.protocol.to_dict()}


@dataclasses.dataclass(frozen=True, eq=False)
class RealData:
    """The prepared real data: one :class:`~rvsim.eval.EvalSplit` per split seed.

    Attributes:
        splits: The splits.
        test_values: ``{split seed: (n_test,) raw label values}`` of the test rows (bearing [deg], range [m],
            blockage 0/1), for the zero-shot methods' own bins.
        real_x: ``(N, 64)`` every row's normalised beam vector [dB] (beam statistics).
        description: JSON-able: source, sizes, per-split calibration and bins.
    """

    splits: list[EvalSplit]
    test_values: dict[int, np.ndarray]
    real_x: np.ndarray
    description: dict[str, Any]


@dataclasses.dataclass(frozen=True, eq=False)
class SimData:
    """Simulated samples for the zero-shot methods and the real-vs-simulated statistics.

    Attributes:
        x: ``(n, 64)`` float32 normalised beam powers [dB].
        values: ``(n,)`` the task's raw label values (bearing [deg], range [m], or 0/1 blockage).
        path: The dataset folder.
    """

    x: np.ndarray
    values: np.ndarray
    path: str


def _sequence_index(data_dir: Path, scenario: int) -> np.ndarray:
    from rvsim.radio.array_files import check_array, load_npy
    from rvsim.real.deepsense import scenario_files

    path = scenario_files(data_dir, scenario)["seq_index"]
    return check_array(load_npy(path), name=path.name, kind="int", shape=(None,))


def real_splits(data_dir: str | Path, config: RealEvalConfig, *, scenario: int | None = None) -> RealData:
    """Split the real rows for every split seed, then fit calibration and bins on each split's training rows.

    Args:
        data_dir: The DeepSense folder.
        config: Settings (task, split).
        scenario: Scenario number (bearing, range); ignored for blockage.

    Returns:
        The prepared data.

    Raises:
        InputError: Missing scenario for a scenario task; DatasetError for bad files.
    """
    from rvsim.radio import normalise_beam_power
    from rvsim.real import load_blockage, load_scenario, make_real_task
    from rvsim.real.splits import split_by_sequence, split_contiguous_blocks

    data_dir = Path(data_dir)
    splits: list[EvalSplit] = []
    test_values: dict[int, np.ndarray] = {}
    per_split: list[dict[str, Any]] = []
    if config.task == "blockage-future":
        from rvsim.real import load_blockage_series, split_series_by_time
        from rvsim.real.deepsense import SERIES_LENGTH

        assert config.horizon is not None
        series = load_blockage_series(data_dir, config.horizon)
        x = normalise_beam_power(series.power, floor_db=config.floor_db)  # (n, 8, 64)
        task = make_real_task("blockage-future", series)
        seeds = (0,) if config.series_split == "official" else config.split_seeds
        for seed in seeds:
            if config.series_split == "official":
                tr, te = np.flatnonzero(series.part != "test"), np.flatnonzero(series.part == "test")
                how = "DeepSense's official parts (train + val | test), which overlap in time"
            else:
                split = split_series_by_time(series.start, span=SERIES_LENGTH + config.horizon,
                                             test_fraction=config.test_fraction, num_blocks=config.num_blocks, seed=seed,
                                             labels=series.blocked)
                tr, te = split["train"], split["test"]
                how = f"contiguous blocks of time ({config.num_blocks}), no sweep on both sides"
            splits.append(EvalSplit(x[tr], x[te], task.targets(tr), task.targets(te),
                                    series.start[tr] // config.cv_block_rows, seed,
                                    description={"train": int(tr.size), "test": int(te.size), "split": how,
                                                 "grouping": f"series starting in one block of {config.cv_block_rows} "
                                                             "sweeps"}))
            test_values[seed] = series.blocked[te].astype(np.float64)
            per_split.append({"split_seed": seed, "train": int(tr.size), "test": int(te.size), "split": how,
                              "test_positive_rate": float(series.blocked[te].mean())})
        description: dict[str, Any] = {"source": series.path, "horizon": config.horizon,
                                       "num_series": series.num_series, "splits": per_split,
                                       "published_accuracy": PUBLISHED_FUTURE_BLOCKAGE[config.horizon]}
        return RealData(splits, test_values, x.reshape(-1, x.shape[-1]), description)
    if config.task == "blockage":
        blk = load_blockage(data_dir)
        x = normalise_beam_power(blk.power, floor_db=config.floor_db)
        task = make_real_task("blockage", blk)
        for seed in config.split_seeds:
            split = split_contiguous_blocks(blk.num_samples, test_fraction=config.test_fraction,
                                            num_blocks=config.num_blocks, guard=config.guard, seed=seed,
                                            labels=blk.blockage)
            tr, te = split["train"], split["test"]
            splits.append(EvalSplit(x[tr], x[te], task.targets(tr), task.targets(te), tr // config.cv_block_rows, seed,
                                    description={"train": int(tr.size), "test": int(te.size),
                                                 "grouping": f"contiguous blocks of {config.cv_block_rows} rows"}))
            test_values[seed] = blk.blockage[te].astype(np.float64)
            per_split.append({"split_seed": seed, "train": int(tr.size), "test": int(te.size)})
        description = {"source": blk.path, "num_samples": blk.num_samples,
                                       "num_blocked": int(blk.blockage.sum()), "splits": per_split}
        return RealData(splits, test_values, x, description)
    if scenario is None:
        raise InputError(f"Task {config.task!r} needs a scenario number (--scenario). Received: scenario=None")
    seq = _sequence_index(data_dir, scenario)
    x_all: np.ndarray | None = None
    source = ""
    for seed in config.split_seeds:
        split = split_by_sequence(seq, test_fraction=config.test_fraction, seed=seed)
        tr, te = split["train"], split["test"]
        sc = load_scenario(data_dir, scenario, fit_rows=tr)  # calibration from training sequences only
        task = make_real_task(config.task, sc, tr)
        x = normalise_beam_power(sc.power, floor_db=config.floor_db)
        x_all, source = x, str(Path(sc.files["power"]).parent)
        values = sc.bearing_deg if config.task == "bearing" else sc.range_m
        splits.append(EvalSplit(x[tr], x[te], task.targets(tr), task.targets(te), sc.seq_index[tr], seed,
                                description={"train": int(tr.size), "test": int(te.size),
                                             "groups_train": int(np.unique(sc.seq_index[tr]).size),
                                             "grouping": "by drive-by sequence"}))
        test_values[seed] = np.asarray(values[te], dtype=np.float64)
        per_split.append({"split_seed": seed, "train": int(tr.size), "test": int(te.size),
                          "test_sequences": int(np.unique(sc.seq_index[te]).size), "calibration": sc.fit.to_dict(),
                          "noise_floor": sc.noise_floor, "bins": task.to_dict()})
    assert x_all is not None
    description = {"source": source, "scenario": int(scenario), "num_samples": int(seq.size),
                   "num_sequences": int(np.unique(seq).size), "splits": per_split}
    return RealData(splits, test_values, x_all, description)


def _shipped_encoders() -> list[Path]:
    folder = Path(str(resources.files("rvsim").joinpath("assets")))
    return sorted(folder.glob("street_encoder*.keras")) if folder.is_dir() else []


def resolve_encoders(specs: Sequence[str]) -> list[tuple[str, Path]]:
    """``(name, path)`` of the encoders named on the command line.

    Args:
        specs: Run folders, ``.keras`` files, or :data:`STREET_PRETRAINED` (every encoder shipped with rvsim).

    Raises:
        InputError: A file or folder that does not exist, or no shipped encoder.
    """
    out: list[tuple[str, Path]] = []
    for spec in specs:
        if spec == STREET_PRETRAINED:
            shipped = _shipped_encoders()
            if not shipped:
                raise InputError(f"No {STREET_PRETRAINED} encoder is shipped with this rvsim install (rvsim/assets/"
                                 f"street_encoder*.keras); pass a run folder or a .keras file. Received: --encoder {spec}")
            out += [(p.stem, p) for p in shipped]
            continue
        path = Path(spec)
        if path.is_dir():
            if not (path / "radio_encoder.keras").is_file():
                raise InputError(f"The run folder has no radio_encoder.keras. Received: --encoder {spec}")
            out.append((path.name, path))
        elif not path.is_file():
            raise InputError(f"The encoder must be a run folder, a .keras file or {STREET_PRETRAINED!r}. Received: --encoder {spec}")
        elif path.suffix != ".keras":
            raise InputError(f"The encoder file must be a .keras file. Received: --encoder {spec}")
        else:
            out.append((path.stem, path))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise InputError(f"encoder names must be distinct (folder or file names). Received: {names}")
    return out


def load_real_encoder(path: Path, spec: str = "") -> Any:
    """Load an encoder for 64-beam inputs (``safe_mode=True``) and check its input shape.

    Raises:
        InputError: Not loadable, or an input shape other than ``(64,)``.
    """
    from rvsim.real.deepsense import NUM_BEAMS
    from rvsim.train.run_folder import load_encoder

    try:
        encoder = load_encoder(path)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any Keras loading failure is bad input here
        raise InputError(f"The encoder could not be loaded ({type(exc).__name__}: {exc}). Received: --encoder {spec or path}") from None
    shape = tuple(encoder.input_shape[1:]) if hasattr(encoder, "input_shape") else None
    if shape != (NUM_BEAMS,):
        raise InputError(
            f"The encoder must take 64-beam power vectors, input shape (64,), to run on DeepSense data. "
            f"Received: input shape {shape} from --encoder {spec or path}"
        )
    return encoder


def beam_input(values: np.ndarray, *, units: str, floor_db: float = -30.0) -> np.ndarray:
    """Normalised beam input from a stored beam-power field, whatever its units.

    Args:
        values: ``(n, 64)`` beam powers, linear (``units`` not ``"dB"``) or in dB.
        units: The field's ``units`` attribute.
        floor_db: Floor [dB].

    Returns:
        ``(n, 64)`` float32 :func:`~rvsim.radio.receiver_noise.normalise_beam_power` output [dB].
    """
    from rvsim.radio import normalise_beam_power

    v = np.asarray(values, dtype=np.float64)
    if str(units).strip() == "dB":
        if not np.all(np.isfinite(v) | (v == -np.inf)):
            raise DatasetError(f"The beam powers in dB hold NaN or +inf. Received: {int(np.sum(np.isnan(v)))} NaN")
        v = 10.0 ** (v / 10.0)
    return normalise_beam_power(v, floor_db=floor_db)


def load_sim_data(sim_dir: str | Path, config: RealEvalConfig, *, seed: int = 0) -> SimData:
    """Read the simulated beam powers and the task's label values from an rvsim dataset.

    Raises:
        DatasetError: Not a dataset, or a required field missing or of the wrong shape.
    """
    from rvsim.data import Dataset

    if config.task not in SIM_LABEL_FIELDS:
        raise InputError(f"no simulated label for task {config.task!r} (zero-shot needs one of {sorted(SIM_LABEL_FIELDS)}). "
                         f"Received: --sim-data {sim_dir}")
    label_field = SIM_LABEL_FIELDS[config.task]
    ds = Dataset(sim_dir)
    try:
        for fld in (SIM_RADIO_FIELD, label_field):
            if fld not in ds.fields:
                raise DatasetError(f"The simulated dataset lacks {fld!r} (needed for task {config.task!r}). "
                                   f"Received: fields {sorted(ds.fields)}")
        if tuple(ds.fields[SIM_RADIO_FIELD].shape) != (64,):
            raise DatasetError(f"The simulated {SIM_RADIO_FIELD} must be (64,) per sample. "
                               f"Received: {tuple(ds.fields[SIM_RADIO_FIELD].shape)}")
        if tuple(ds.fields[label_field].shape) not in ((), (1,)):
            raise DatasetError(f"The simulated {label_field} must be one value per sample. "
                               f"Received: {tuple(ds.fields[label_field].shape)}")
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


def zero_shot_methods(
    config: RealEvalConfig,
    data: RealData,
    sim: SimData,
    ssl: Sequence[tuple[str, Any]],
    reference: Any,
) -> list[ExternalMethod]:
    """The methods that use no real label: probes trained on simulated samples, scored on the real test rows.

    Args:
        config: Settings (task, zero-shot methods, probe settings).
        data: The real data (its test values, for the simulated-bin targets).
        sim: The simulated samples.
        ssl: ``(name, encoder)`` of the self-supervised encoders (``zero-shot``, ``zero-shot-realbins``).
        reference: The encoder whose input normalisation ``zero-shot-raw`` applies (``None``: none).
    """
    from rvsim.eval.protocol import _embed, _normalize
    from rvsim.real.real_tasks import apply_bins, quantile_bins

    kind_bins = config.task in _NUM_BINS
    if kind_bins:
        sim_classes, sim_edges = quantile_bins(sim.values, np.arange(sim.values.size), _NUM_BINS[config.task])
    else:
        sim_classes, sim_edges = sim.values.astype(np.int64), None
    norm = input_normalization(reference) if reference is not None else None
    probe_cfg = config.protocol.probe

    def make(name: str, features: Callable[[np.ndarray], np.ndarray], realbins: bool, run: str | None) -> ExternalMethod:
        sim_feats = features(sim.x)

        def predict(split: EvalSplit) -> tuple[np.ndarray, dict[str, Any], np.ndarray | None]:
            num_classes = len(split.y_train.names)
            if realbins:
                edges = np.asarray(split.y_train.params["edges"], dtype=np.float64)
                y_sim, own = apply_bins(sim.values, edges), None
            else:
                y_sim = sim_classes
                own = apply_bins(data.test_values[split.split_seed], sim_edges) if sim_edges is not None else None
            probe = probe_cfg.estimator("multiclass", split.split_seed).fit(sim_feats, y_sim)
            pred = probe.prediction(features(split.x_test), num_classes)
            truth = split.y_test.values if own is None else own
            majority = float(np.mean(truth == np.bincount(y_sim, minlength=num_classes).argmax()))
            info = {"num_labelled": 0, "num_sim_labels": int(y_sim.size), "sim_data": sim.path,
                    "bins": "real training edges" if realbins else ("simulated labels' quantiles" if sim_edges is not None
                                                                    else "none (binary)"),
                    "sim_edges": None if sim_edges is None or realbins else [round(float(e), 4) for e in sim_edges],
                    "chance_same_bins": majority, "C": float(probe.C_)}
            return pred, info, own

        from rvsim.eval.probe_report import METHOD_LABELS

        return ExternalMethod(name, predict, METHOD_LABELS.get(name, name), run)

    methods: list[ExternalMethod] = []
    bs = config.protocol.batch_size
    for name in config.zero_shot:
        if name == "zero-shot-realbins" and not kind_bins:
            continue  # binary blockage: the same as zero-shot
        if name == "zero-shot-raw":
            methods.append(make(name, lambda x: _normalize(x, norm, 1), False, None))
            continue
        for run, enc in ssl:
            methods.append(make(name, lambda x, e=enc: _embed(e, x, bs), name == "zero-shot-realbins", run))
    return methods


def run_real(
    data_dir: str | Path,
    config: RealEvalConfig,
    *,
    scenario: int | None = None,
    encoders: Sequence[str] = (),
    sim_dir: str | Path | None = None,
    out_dir: str | Path,
    command: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Evaluate radio encoders on real captures and write the report (``probe.json`` schema, beam statistics).

    Args:
        data_dir: The DeepSense folder.
        config: Settings.
        scenario: Drive-by scenario (bearing, range).
        encoders: Encoder specs (:func:`resolve_encoders`); methods needing one are skipped without.
        sim_dir: Simulated street dataset for the zero-shot methods and the statistics.
        out_dir: Output folder (created).
        command: The command line, recorded in the report.
        progress: Progress lines.

    Returns:
        The results document.
    """
    from rvsim import __version__
    from rvsim.eval.beam_statistics import beam_statistics, plot_beam_statistics
    from rvsim.eval.probe_report import write_json_atomic, write_probe_report
    from rvsim.eval.probe_results import PROBE_RESULTS_FORMAT, PROBE_SCHEMA_VERSION, validate_probe_results

    say = progress or (lambda line: None)
    specs = resolve_encoders(list(encoders))
    data = real_splits(data_dir, config, scenario=scenario)
    ssl = [(name, load_real_encoder(path, str(path))) for name, path in specs]
    sim = load_sim_data(sim_dir, config) if sim_dir is not None and config.task in SIM_LABEL_FIELDS else None
    reference = ssl[0][1] if ssl else None
    if reference is None and any(m in config.protocol.methods for m in ("random", "supervised")):
        from rvsim.models import build_radio_encoder

        reference = build_radio_encoder((64,), width=16, embedding_dim=64, seed=0,
                                        normalization=_default_normalization())
    external: list[ExternalMethod] = []
    skipped: dict[str, str] = {}
    if config.zero_shot and config.task not in SIM_LABEL_FIELDS:
        skipped.update({m: f"no simulated label for {config.task}" for m in config.zero_shot})
    elif config.zero_shot and sim is None:
        skipped.update({m: "no simulated dataset given (--sim-data)" for m in config.zero_shot})
    elif sim is not None:
        external = zero_shot_methods(config, data, sim, ssl, reference)
        for m in config.zero_shot:
            if m != "zero-shot-raw" and not ssl:
                skipped[m] = "no encoder given"
    protocol = run_protocol(data.splits, ProtocolEncoders(ssl=ssl, reference=reference), config.protocol,
                            external=external, progress=say)
    chance = protocol.pop("chance")
    protocol["skipped"] = {**protocol.get("skipped", {}), **skipped}
    first = data.splits[0]
    doc: dict[str, Any] = {
        "format": PROBE_RESULTS_FORMAT,
        "schema_version": PROBE_SCHEMA_VERSION,
        "task": {**first.y_train.describe(), "name": _task_name(config), "description": _DESCRIPTIONS[config.task],
                 "params": _task_params(config)},
        "chance": {"score": float(np.mean([c["score"] for c in chance.values()])),
                   "rule": "majority class of the training split", "per_split": chance},
        "data": data.description,
        "encoders": {"ssl": [str(p) for _, p in specs], "reference": "first ssl encoder" if ssl else "default width 16"},
        "splits": [{"split_seed": s.split_seed, **s.description} for s in data.splits],
        "config": {**config.to_dict(), "sim_data": None if sim is None else {"path": sim.path, "num_samples": int(sim.x.shape[0])}},
        "rvsim_version": __version__,
        **({"command": command} if command else {}),
        **protocol,
    }
    validate_probe_results(doc)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_probe_report(doc, out, title="Real captures")
    real_stats = beam_statistics(data.real_x)
    sim_stats = beam_statistics(sim.x) if sim is not None else None
    write_json_atomic(out / "beam_statistics.json", {"real": real_stats, "simulated": sim_stats})
    plot_beam_statistics(real_stats, sim_stats, out / "beam_statistics.png", title=doc["task"]["name"])
    return doc


def _task_name(config: RealEvalConfig) -> str:
    return f"real-{config.task}" + (f"-{config.horizon}" if config.task == "blockage-future" else "")


def _task_params(config: RealEvalConfig) -> dict[str, Any]:
    if config.task in _NUM_BINS:
        return {"bins": "per split, from its training rows (see splits)"}
    if config.task == "blockage-future":
        return {"horizon": config.horizon, "series_split": config.series_split,
                "published_accuracy": PUBLISHED_FUTURE_BLOCKAGE[int(config.horizon or 0)]}
    return {}


def _default_normalization() -> Any:
    from rvsim.models.radio_normalization import RadioNormalization

    return RadioNormalization(mode="per_sample", dynamic_range_db=20.0, name="radio_normalization")


_DESCRIPTIONS = {
    "blockage-future": "8 past 64-beam sweeps: is the link blocked within the next K sweeps (DeepSense's task)",
    "bearing": "bearing of the transmitting car from the array broadside, 8 quantile bins of the training split",
    "range": "range of the transmitting car, 4 quantile bins of the training split",
    "blockage": "line of sight clear (0) or blocked (1)",
}


def check_real_output_dir(out_dir: str | os.PathLike[str], force: bool) -> None:
    """``--out`` must be a folder (or missing) without a previous report unless ``force``.

    Raises:
        InputError: A file, or an existing report without ``force``.
    """
    from rvsim.eval.probe_report import PROBE_JSON

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out must be a folder. Received: --out {out} (a file)")
    if (out / PROBE_JSON).exists() and not force:
        raise InputError(f"{out / PROBE_JSON} exists; pass --force to overwrite it. Received: --out {out}")
