"""Embedding a dataset with a frozen encoder."""

from __future__ import annotations

from typing import Any

import numpy as np

from rvsim.errors import InputError

__all__ = ["embed"]


def _num_samples(x: np.ndarray | dict[str, np.ndarray]) -> int:
    if isinstance(x, dict):
        sizes = {name: int(np.shape(v)[0]) for name, v in x.items()}
        if not sizes or len(set(sizes.values())) != 1:
            raise InputError(f"every input array must have the same number of samples. Received: {sizes}")
        return next(iter(sizes.values()))
    if np.ndim(x) < 1:
        raise InputError(f"x must have a sample axis first. Received: shape={np.shape(x)}")
    return int(np.shape(x)[0])


def _output_dim(encoder: Any) -> int | None:
    try:
        shape = encoder.output_shape
    except (AttributeError, ValueError):
        return None
    if isinstance(shape, tuple) and shape and isinstance(shape[-1], int):
        return int(shape[-1])
    return None


def embed(encoder: Any, x: np.ndarray | dict[str, np.ndarray], batch_size: int = 256) -> np.ndarray:
    """Embed samples with a frozen encoder, batch by batch, in inference mode.

    The encoder is called as ``encoder(batch, training=False)``: dropout is off and batch normalisation uses
    its moving statistics, so the same input always gives the same embedding. Weights are not changed.

    Args:
        encoder: A Keras model (or any callable accepting ``training=False``) mapping
            ``(batch_size, *input_shape)`` to ``(batch_size, ...)``.
        x: Inputs, ``(n, *input_shape)``, or a dict of such arrays for a multi-input model.
        batch_size: Samples per forward pass (>= 1).

    Returns:
        Embeddings ``(n, d)`` float32 (any trailing output axes are flattened into ``d``).

    Raises:
        InputError: If ``batch_size`` is not a positive integer or ``x`` has no sample axis.
    """
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
        raise InputError(f"batch_size must be an integer >= 1. Received: batch_size={batch_size!r}")
    import keras

    n = _num_samples(x)
    chunks: list[np.ndarray] = []
    for start in range(0, n, int(batch_size)):
        stop = min(n, start + int(batch_size))
        if isinstance(x, dict):
            batch: Any = {name: np.asarray(v[start:stop]) for name, v in x.items()}
        else:
            batch = np.asarray(x[start:stop])
        out = keras.ops.convert_to_numpy(encoder(batch, training=False))
        chunks.append(np.asarray(out, dtype=np.float32).reshape(stop - start, -1))
    if not chunks:
        dim = _output_dim(encoder)
        return np.zeros((0, dim if dim is not None else 0), dtype=np.float32)
    return np.concatenate(chunks, axis=0)
