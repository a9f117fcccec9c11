"""Evaluation of frozen encoders: embeddings, linear and kNN probes, retrieval, label-budget sweeps, reports.

Importing it loads numpy only; scikit-learn, Keras and matplotlib are imported by the functions that use them.
"""

from __future__ import annotations

from rvsim.eval.embedding import embed
from rvsim.eval.embedding_map import plot_embedding_map, tsne_map
from rvsim.eval.knn_probe import KNNProbe
from rvsim.eval.label_subsets import nested_stratified_subsets
from rvsim.eval.linear_probe import DEFAULT_CS, LinearProbe
from rvsim.eval.protocol import (
    PROTOCOL_METHODS,
    EvalSplit,
    ExternalMethod,
    ProbeSettings,
    ProtocolConfig,
    ProtocolEncoders,
    paired_bootstrap,
    run_protocol,
)
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
    "plot_embedding_map",
    "tsne_map",
    "plot_retrievals",
    "reinitialized_encoder",
    "PROTOCOL_METHODS",
    "EvalSplit",
    "ExternalMethod",
    "ProbeSettings",
    "ProtocolConfig",
    "ProtocolEncoders",
    "paired_bootstrap",
    "run_protocol",
]
