"""Cross-modal objectives against plain numpy references (lightly's test_ntx_ent_loss.py style)."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from rvsim.errors import ConfigError
from rvsim.objectives import OBJECTIVES, BarlowTwinsLoss, InfoNCELoss, VICRegLoss, build_objective


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    x = x - x.max(axis=axis, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=axis, keepdims=True))


def info_nce_reference(a: np.ndarray, b: np.ndarray, temperature: float) -> float:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    logits = a @ b.T / temperature
    n = len(a)
    loss_ab = -_log_softmax(logits, axis=1)[np.arange(n), np.arange(n)].mean()
    loss_ba = -_log_softmax(logits, axis=0)[np.arange(n), np.arange(n)].mean()
    return float(0.5 * (loss_ab + loss_ba))


def vicreg_reference(a: np.ndarray, b: np.ndarray, sim: float = 25, var: float = 25, cov: float = 1, eps: float = 1e-4) -> float:
    n, d = a.shape
    inv = np.mean((a - b) ** 2)

    def terms(z: np.ndarray) -> tuple[float, float]:
        std = np.sqrt(z.var(axis=0, ddof=1) + eps)
        c = np.cov(z, rowvar=False)  # (d, d), ddof=1
        off = (c**2).sum() - (np.diag(c) ** 2).sum()
        return float(np.mean(np.maximum(0.0, 1.0 - std))), float(off / d)

    va, ca = terms(a)
    vb, cb = terms(b)
    return float(sim * inv + var * (va + vb) / 2 + cov * (ca + cb))


def barlow_reference(a: np.ndarray, b: np.ndarray, lam: float = 5.1e-3, eps: float = 1e-5) -> float:
    an = (a - a.mean(0)) / np.sqrt(a.var(0) + eps)
    bn = (b - b.mean(0)) / np.sqrt(b.var(0) + eps)
    c = an.T @ bn / len(a)
    on = ((1 - np.diag(c)) ** 2).sum()
    off = (c**2).sum() - (np.diag(c) ** 2).sum()
    return float(on + lam * off)


def _pair(n: int = 12, d: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, d)).astype(np.float32)
    b = (a + 0.7 * rng.normal(size=(n, d))).astype(np.float32)
    return a, b


@pytest.mark.parametrize("temperature", [0.05, 0.07, 0.5])
def test_info_nce_matches_numpy(temperature: float) -> None:
    a, b = _pair()
    loss = InfoNCELoss(temperature=temperature)
    assert float(loss(a, b)) == pytest.approx(info_nce_reference(a, b, temperature), rel=1e-5)
    assert float(loss.temperature) == pytest.approx(temperature, rel=1e-6)


def test_info_nce_is_symmetric_and_rewards_alignment() -> None:
    a, b = _pair(n=16, d=8, seed=3)
    loss = InfoNCELoss(temperature=0.1)
    assert float(loss(a, b)) == pytest.approx(float(loss(b, a)), rel=1e-6)
    rng = np.random.default_rng(1)
    aligned = float(loss(a, a))
    shuffled = float(loss(a, a[rng.permutation(len(a))]))
    assert aligned < shuffled
    assert aligned < math.log(len(a))


def test_info_nce_temperature_is_learnable_and_clipped() -> None:
    loss = InfoNCELoss(temperature=0.07, min_temperature=0.05, max_temperature=0.5)
    assert [v.name for v in loss.trainable_variables] == ["log_temperature"]
    fixed = InfoNCELoss(temperature=0.07, learnable_temperature=False)
    assert fixed.trainable_variables == [] and len(fixed.non_trainable_variables) == 1
    # a big step pushes log_temperature out of range; the optimiser applies the clip constraint
    optimizer = keras.optimizers.SGD(learning_rate=100.0)
    optimizer.apply_gradients([(np.float32(1.0), loss.log_temperature)])
    assert float(loss.temperature) == pytest.approx(0.05, rel=1e-5)
    assert float(loss.log_temperature) == pytest.approx(math.log(0.05), rel=1e-5)
    optimizer.apply_gradients([(np.float32(-1.0), loss.log_temperature)])
    assert float(loss.temperature) == pytest.approx(0.5, rel=1e-5)


def test_info_nce_gradient_reaches_temperature() -> None:
    import tensorflow as tf

    a, b = _pair()
    loss = InfoNCELoss(temperature=0.2)
    with tf.GradientTape() as tape:
        value = loss(a, b)
    grad = tape.gradient(value, loss.log_temperature)
    assert grad is not None and np.isfinite(float(grad)) and float(grad) != 0.0


@pytest.mark.parametrize(("sim", "var", "cov"), [(25.0, 25.0, 1.0), (1.0, 0.0, 3.0)])
def test_vicreg_matches_numpy(sim: float, var: float, cov: float) -> None:
    a, b = _pair(n=20, d=6)
    loss = VICRegLoss(sim_weight=sim, var_weight=var, cov_weight=cov)
    assert float(loss(a, b)) == pytest.approx(vicreg_reference(a, b, sim, var, cov), rel=1e-4)


def test_vicreg_variance_term_is_active_for_collapsed_embeddings() -> None:
    z = np.ones((8, 4), np.float32)
    # identical, collapsed embeddings: invariance 0, covariance 0, variance term relu(1 - sqrt(eps)) per dim
    expected = 25.0 * (1.0 - math.sqrt(1e-4))
    assert float(VICRegLoss()(z, z)) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("lam", [5.1e-3, 0.1])
def test_barlow_twins_matches_numpy(lam: float) -> None:
    a, b = _pair(n=24, d=6, seed=2)
    loss = BarlowTwinsLoss(redundancy_weight=lam)
    assert float(loss(a, b)) == pytest.approx(barlow_reference(a, b, lam), rel=1e-4)


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_objectives_serialise(name: str) -> None:
    a, b = _pair()
    loss = build_objective(name)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    assert type(clone) is type(loss)
    assert clone.get_config() == loss.get_config()
    assert float(clone(a, b)) == pytest.approx(float(loss(a, b)), rel=1e-6)


def test_bad_objective_arguments() -> None:
    with pytest.raises(ConfigError, match="Received: objective='simclr'"):
        build_objective("simclr")
    with pytest.raises(ConfigError, match="temperature"):
        InfoNCELoss(temperature=5.0)
    with pytest.raises(ConfigError, match="min_temperature"):
        InfoNCELoss(min_temperature=0.0)
    with pytest.raises(ConfigError, match="sim_weight"):
        VICRegLoss(sim_weight=-1.0)
    with pytest.raises(ConfigError, match="redundancy_weight"):
        BarlowTwinsLoss(redundancy_weight=-1.0)


def dense_info_nce_reference(a: np.ndarray, b: np.ndarray, temperature: float) -> float:
    """Every (sample, sector) cell is an anchor; its positive is the same cell of the other modality, every
    other cell of the batch (other sectors of the same sample included) a negative."""
    n, k, d = a.shape
    fa = a / np.linalg.norm(a, axis=-1, keepdims=True)
    fb = b / np.linalg.norm(b, axis=-1, keepdims=True)
    logits = np.einsum("ikd,jld->ikjl", fa, fb).reshape(n * k, n * k) / temperature
    idx = np.arange(n * k)
    return float(0.5 * (-_log_softmax(logits, axis=1)[idx, idx].mean() - _log_softmax(logits, axis=0)[idx, idx].mean()))


def test_dense_info_nce_matches_numpy_and_rewards_alignment() -> None:
    from rvsim.objectives import DenseInfoNCELoss

    rng = np.random.default_rng(3)
    a = rng.normal(size=(6, 4, 8)).astype(np.float32)
    b = (a + 0.5 * rng.normal(size=a.shape)).astype(np.float32)
    loss = DenseInfoNCELoss(temperature=0.2, learnable_temperature=False)
    assert float(loss(a, b)) == pytest.approx(dense_info_nce_reference(a, b, 0.2), rel=1e-5)
    shuffled = b[:, ::-1]  # the right scenes, the sectors mirrored: no longer aligned in azimuth
    assert float(loss(a, shuffled)) > float(loss(a, b)) + 1.0
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    assert float(again(a, b)) == pytest.approx(float(loss(a, b)), rel=1e-6)


def test_sector_pooling_averages_the_columns_of_each_sector() -> None:
    from rvsim.models.cross_modal_model import sector_pooling

    m = sector_pooling([-40.0, -20.0, 5.0, 30.0, 60.0], 2, 100.0)  # sectors [-50, 0) and [0, 50]; 60 deg is outside
    np.testing.assert_allclose(m, [[0.5, 0], [0.5, 0], [0, 0.5], [0, 0.5], [0, 0]])
    with pytest.raises(ConfigError, match="every azimuth sector needs a feature column"):
        sector_pooling([-40.0, -30.0], 2, 100.0)


def temporal_reference(r: np.ndarray, c: np.ndarray, temperature: float, horizon: int, ww: float, wa: float) -> float:
    """The temporal objective in plain numpy, loops over the window and ahead pairs written out."""
    def unit(x: np.ndarray) -> np.ndarray:
        return x / np.linalg.norm(x, axis=-1, keepdims=True)

    r, c = unit(r.astype(np.float64)), unit(c.astype(np.float64))
    window = info_nce_reference(unit(r.mean(axis=1)), unit(c.mean(axis=1)), temperature)
    b, t, _ = r.shape
    now = [r[i, s] for i in range(b) for s in range(t - horizon)]
    ahead = [c[i, s + horizon] for i in range(b) for s in range(t - horizon)]  # same (i, s) order: pairs
    return ww * window + wa * info_nce_reference(np.stack(now), np.stack(ahead), temperature)


@pytest.mark.parametrize("horizon, ww, wa", [(1, 1.0, 1.0), (2, 0.5, 2.0), (3, 0.0, 1.0), (1, 1.0, 0.0)])
def test_temporal_info_nce_matches_numpy(horizon: int, ww: float, wa: float) -> None:
    from rvsim.objectives import TemporalInfoNCELoss

    rng = np.random.default_rng(horizon)
    r = rng.normal(size=(6, 5, 8)).astype(np.float32)
    c = (r + 0.8 * rng.normal(size=r.shape)).astype(np.float32)
    loss = TemporalInfoNCELoss(horizon=horizon, window_weight=ww, ahead_weight=wa, temperature=0.1)
    assert float(loss(r, c)) == pytest.approx(temporal_reference(r, c, 0.1, horizon, ww, wa), rel=1e-5)


def test_temporal_info_nce_rewards_anticipation() -> None:
    """Radio frame t equal to camera frame t + 2 scores better than radio equal to camera frame t."""
    from rvsim.objectives import TemporalInfoNCELoss

    rng = np.random.default_rng(0)
    c = rng.normal(size=(8, 6, 16)).astype(np.float32)
    ahead = np.concatenate([c[:, 2:], rng.normal(size=(8, 2, 16))], axis=1).astype(np.float32)  # r[t] = c[t + 2]
    loss = TemporalInfoNCELoss(horizon=2, window_weight=0.0, ahead_weight=1.0, temperature=0.1)
    assert float(loss(ahead, c)) < float(loss(c, c)) - 1.0
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    assert restored.horizon == 2 and restored.window_weight == 0.0
    with pytest.raises(ConfigError, match="horizon >= 1"):
        TemporalInfoNCELoss(horizon=0)
    with pytest.raises(ConfigError, match="not both 0"):
        TemporalInfoNCELoss(window_weight=0.0, ahead_weight=0.0)
    with pytest.raises(ConfigError, match=r"T > horizon=2"):
        loss(c[:, :2], c[:, :2])
