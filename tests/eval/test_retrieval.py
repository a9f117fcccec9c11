"""Radio -> image retrieval: 1.0 for identical embeddings, about chance for random ones."""

from __future__ import annotations

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.eval import correct_ranks, retrieval_chance, retrieval_topk, retrieve


def test_identical_embeddings_retrieve_themselves() -> None:
    emb = np.random.default_rng(0).normal(size=(200, 32))
    out = retrieval_topk(emb, emb.copy(), ks=(1, 5))
    assert out["top1"] == 1.0 and out["top5"] == 1.0 and out["median_rank"] == 1.0
    assert out["num_queries"] == 200
    assert out["chance_top1"] == pytest.approx(1 / 200) and out["chance_top5"] == pytest.approx(5 / 200)
    # scaled copies are just as good under cosine similarity
    assert retrieval_topk(emb, 3.0 * emb)["top1"] == 1.0


def test_random_embeddings_are_about_chance() -> None:
    rng = np.random.default_rng(1)
    radio, images = rng.normal(size=(1000, 16)), rng.normal(size=(1000, 16))
    out = retrieval_topk(radio, images, ks=(1, 5, 50))
    assert out["top1"] < 0.01  # chance 0.001
    assert abs(out["top50"] - 0.05) < 0.025  # chance 0.05, std ~0.007
    assert abs(out["median_rank"] - 500) < 60


def test_ranks_match_numpy_reference_and_ties_count_against() -> None:
    rng = np.random.default_rng(2)
    q, g = rng.normal(size=(30, 4)), rng.normal(size=(30, 4))
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    gn = g / np.linalg.norm(g, axis=1, keepdims=True)
    sim = qn @ gn.T
    expected = np.array([(sim[i] > sim[i, i]).sum() for i in range(30)])
    np.testing.assert_array_equal(correct_ranks(q, g, batch_size=7), expected)
    # two identical gallery items: the query's own one is not ranked first
    same = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(correct_ranks(same, same), [1, 1, 0])


def test_retrieve_orders_by_similarity() -> None:
    gallery = np.array([[1.0, 0.0], [0.7, 0.7], [0.0, 1.0], [-1.0, 0.0]])
    top = retrieve(np.array([[1.0, 0.1], [0.0, 1.0]]), gallery, k=3)
    np.testing.assert_array_equal(top, [[0, 1, 2], [2, 1, 0]])
    assert retrieve(gallery, gallery, k=10).shape == (4, 4)


def test_chance_and_errors() -> None:
    assert retrieval_chance(100, 5) == 0.05 and retrieval_chance(3, 5) == 1.0
    with pytest.raises(InputError, match="num_candidates"):
        retrieval_chance(0, 1)
    with pytest.raises(InputError, match="ks must be"):
        retrieval_topk(np.ones((3, 2)), np.ones((3, 2)), ks=(0,))
    with pytest.raises(InputError, match="paired"):
        retrieval_topk(np.ones((3, 2)), np.ones((4, 2)))
    with pytest.raises(InputError, match="dimension"):
        retrieval_topk(np.ones((3, 2)), np.ones((3, 3)))
