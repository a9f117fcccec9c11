"""Evaluation of frozen encoders: embeddings, linear and kNN probes, retrieval, label-budget sweeps, reports.

Importing it loads numpy only; scikit-learn, Keras and matplotlib are imported by the functions that use them.
"""

from __future__ import annotations

from rvsim.eval.embedding import embed
from rvsim.eval.embedding_map import plot_embedding_map, tsne_map
from rvsim.eval.knn_probe import KNNProbe
from rvsim.eval.label_subsets import nested_stratified_subsets
from rvsim.eval.linear_probe import DEFAULT_CS, LinearProbe
from rvsim.eval.probe_report import plot_probe_accuracy, probe_markdown, write_probe_report
from rvsim.eval.probe_results import chance_accuracy, summarize_results, validate_probe_results
from rvsim.eval.probe_runner import PROBE_METHODS, ProbeConfig, check_probe_output_dir, run_probe
from rvsim.eval.probe_sweep import ProbeMethod, classification_scores, probe_sweep
from rvsim.eval.random_encoder import reinitialized_encoder
from rvsim.eval.retrieval import correct_ranks, retrieval_chance, retrieval_topk, retrieve
from rvsim.eval.retrieval_grid import plot_retrievals

__all__ = [
    "embed",
    "LinearProbe",
    "DEFAULT_CS",
    "KNNProbe",
    "retrieval_topk",
    "retrieval_chance",
    "retrieve",
    "correct_ranks",
    "nested_stratified_subsets",
    "validate_probe_results",
    "chance_accuracy",
    "summarize_results",
    "write_probe_report",
    "probe_markdown",
    "plot_probe_accuracy",
    "plot_embedding_map",
    "tsne_map",
    "plot_retrievals",
    "reinitialized_encoder",
    "ProbeMethod",
    "probe_sweep",
    "classification_scores",
    "ProbeConfig",
    "PROBE_METHODS",
    "run_probe",
    "check_probe_output_dir",
]
