"""embed: inference mode (dropout off, batch-norm moving statistics), batching, shapes."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.eval import embed


def dropout_model() -> keras.Model:
    inputs = keras.Input(shape=(6,))
    x = keras.layers.Dense(16, kernel_initializer=keras.initializers.GlorotUniform(seed=0))(inputs)
    x = keras.layers.Dropout(0.5, seed=1)(x)
    x = keras.layers.BatchNormalization()(x)
    return keras.Model(inputs, keras.layers.Dense(4, kernel_initializer=keras.initializers.GlorotUniform(seed=2))(x))


def test_embed_runs_in_inference_mode() -> None:
    model = dropout_model()
    x = np.random.default_rng(0).normal(size=(50, 6)).astype(np.float32)
    a = embed(model, x, batch_size=8)
    b = embed(model, x, batch_size=8)
    np.testing.assert_array_equal(a, b)  # dropout off: deterministic
    np.testing.assert_allclose(a, keras.ops.convert_to_numpy(model(x, training=False)), rtol=1e-5, atol=1e-6)
    # batch-norm moving statistics were not updated by embedding
    bn = model.layers[3]
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(bn.moving_mean), np.zeros(16))
    train_mode = keras.ops.convert_to_numpy(model(x, training=True))
    assert not np.allclose(train_mode, a)  # training mode differs (dropout + batch statistics)


def test_batching_does_not_change_results() -> None:
    model = dropout_model()
    x = np.random.default_rng(1).normal(size=(37, 6)).astype(np.float32)
    full = embed(model, x, batch_size=256)
    assert full.shape == (37, 4) and full.dtype == np.float32
    np.testing.assert_allclose(embed(model, x, batch_size=5), full, rtol=1e-5, atol=1e-6)
    assert embed(model, x[:0]).shape == (0, 4)


def test_dict_inputs_and_flattening() -> None:
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    out = keras.layers.Reshape((5, 1))(keras.layers.Concatenate()([a, b]))
    model = keras.Model({"a": a, "b": b}, out)
    x = {"a": np.ones((4, 3), np.float32), "b": np.zeros((4, 2), np.float32)}
    np.testing.assert_array_equal(embed(model, x, batch_size=3), np.tile([1, 1, 1, 0, 0], (4, 1)))


def test_bad_batch_size() -> None:
    with pytest.raises(InputError, match="batch_size"):
        embed(dropout_model(), np.ones((2, 6)), batch_size=0)
