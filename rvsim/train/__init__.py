"""Self-supervised (cross-modal) and supervised training, their inputs, and run folders.

Importing this package imports TensorFlow and Keras.
"""

from __future__ import annotations

from rvsim.train.augmentation import AugmentConfig
from rvsim.train.checkpoint_state import CheckpointState, read_checkpoint
from rvsim.train.distribution_strategy import STRATEGIES, WorkerRole, make_strategy, worker_role
from rvsim.train.model_inputs import (
    default_radio_field,
    fit_radio_normalization,
    images_to_float,
    radio_input,
    radio_to_db,
    vision_input,
)
from rvsim.train.retrieval_callback import retrieval_top1
from rvsim.train.run_folder import checkpoint_state, is_run_dir, load_encoder, load_run_config, load_split
from rvsim.train.ssl_trainer import RunResult, build_ssl_model, train_ssl
from rvsim.train.supervised_trainer import build_classifier, evaluate_classifier, train_supervised
from rvsim.train.termination_signal import TerminationSignal
from rvsim.train.train_config import TrainConfig
from rvsim.train.training_checkpoint import TrainingCheckpoint, TrainingInterrupted
from rvsim.train.training_device import DEVICES, select_training_device

__all__ = [
    "TrainConfig",
    "AugmentConfig",
    "train_ssl",
    "RunResult",
    "train_supervised",
    "build_classifier",
    "evaluate_classifier",
    "build_ssl_model",
    "load_encoder",
    "load_run_config",
    "load_split",
    "is_run_dir",
    "radio_input",
    "vision_input",
    "radio_to_db",
    "images_to_float",
    "default_radio_field",
    "fit_radio_normalization",
    "retrieval_top1",
    "TrainingInterrupted",
    "TrainingCheckpoint",
    "TerminationSignal",
    "CheckpointState",
    "checkpoint_state",
    "read_checkpoint",
    "STRATEGIES",
    "DEVICES",
    "WorkerRole",
    "worker_role",
    "make_strategy",
    "select_training_device",
]
