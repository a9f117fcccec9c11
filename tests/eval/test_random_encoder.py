"""reinitialized_encoder: same architecture, new seeded weights, saved/reloaded like any encoder."""

from __future__ import annotations

import numpy as np
import pytest

from rvsim.errors import InputError
from rvsim.eval import embed, reinitialized_encoder
from rvsim.models import build_radio_encoder


def test_same_architecture_new_seeded_weights() -> None:
    encoder = build_radio_encoder((12, 8), width=4, embedding_dim=8, seed=0)
    x = np.random.default_rng(0).normal(-40, 5, (5, 12, 8)).astype(np.float32)
    a, b, c = (reinitialized_encoder(encoder, s) for s in (1, 1, 2))
    assert [type(layer) for layer in a.layers] == [type(layer) for layer in encoder.layers]
    assert [w.shape for w in a.get_weights()] == [w.shape for w in encoder.get_weights()]
    np.testing.assert_array_equal(embed(a, x), embed(b, x))
    assert not np.allclose(embed(a, x), embed(c, x))
    assert not np.allclose(embed(a, x), embed(encoder, x))
    with pytest.raises(InputError, match="seed"):
        reinitialized_encoder(encoder, -1)
