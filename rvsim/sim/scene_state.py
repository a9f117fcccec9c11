"""The movable part of a scene instance, and the per-sample seed every family draws it from.

Sample ``i`` of a dataset is drawn with the seed :func:`sample_seed` ``(dataset_seed, i)``, so it depends only
on (spec, dataset seed, index), in any family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

__all__ = ["SceneState", "sample_seed", "derived_seed", "draw_states", "StateSampler"]


class StateSampler(Protocol):
    """What a family's sampler offers: one random scene state per generator."""

    def sample(self, rng: np.random.Generator) -> Any:
        """Draw one state."""


def derived_seed(dataset_seed: int, *key: int) -> int:
    """A 63-bit seed derived from (dataset seed, ``key``) alone (``numpy.random.SeedSequence`` spawn key)."""
    state = np.random.SeedSequence(entropy=int(dataset_seed), spawn_key=tuple(int(k) for k in key)).generate_state(
        2, np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1])) & ((1 << 63) - 1)


def sample_seed(dataset_seed: int, index: int) -> int:
    """The per-sample seed derived from (dataset seed, sample index) alone, a 63-bit integer."""
    return derived_seed(dataset_seed, index)


@dataclass(frozen=True)
class SceneState:
    """The movable part of one scene instance.

    Attributes:
        class_ids: Class id per object, shape ``(num_objects,)``.
        positions: Footprint centres, shape ``(num_objects, 3)`` [m] (z = 0, on the floor).
        yaws: Headings, shape ``(num_objects,)`` [rad].
        sizes: ``(length, width, height)`` per object, shape ``(num_objects, 3)`` [m].
    """

    class_ids: np.ndarray
    positions: np.ndarray
    yaws: np.ndarray
    sizes: np.ndarray

    @property
    def num_objects(self) -> int:
        """Number of objects."""
        return int(self.class_ids.shape[0])

    @staticmethod
    def empty() -> SceneState:
        """A scene state without objects."""
        return SceneState(np.zeros(0, np.int32), np.zeros((0, 3)), np.zeros(0), np.zeros((0, 3)))


def draw_states(sampler: StateSampler, dataset_seed: int, indices: Sequence[int] | np.ndarray) -> tuple[list[Any], list[int]]:
    """The states of samples ``indices``, each drawn with its own seed :func:`sample_seed` ``(dataset_seed, i)``.

    Args:
        sampler: The family's sampler.
        dataset_seed: Dataset seed.
        indices: Sample indices, shape ``(n,)``.

    Returns:
        ``(states, seeds)``: one state and one per-sample seed per index.
    """
    seeds = [sample_seed(dataset_seed, int(i)) for i in indices]
    return [sampler.sample(np.random.default_rng(s)) for s in seeds], seeds
