"""What the simulator knows of a scene family: how it generates samples, and what it checks in a spec.

A family is one sub-package of :mod:`rvsim.sim` (``hall``, ``street``) with its sampler, static layout,
engine and sample generator, described by one :class:`SceneFamily`; :mod:`rvsim.sim.scene_families` lists
them by layout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from rvsim.config import SceneSpec

__all__ = ["SceneFamily", "FamilySampleGenerator"]


class FamilySampleGenerator(Protocol):
    """The sample generator of a family, built from ``(spec, seed, num_threads=...)``."""

    sampler: Any
    radio: Any
    camera: Any

    def states(self, indices: Sequence[int] | np.ndarray) -> tuple[list[Any], list[int]]:
        """Scene states and per-sample seeds of the given sample indices."""

    def generate(self, indices: Sequence[int] | np.ndarray) -> dict[str, np.ndarray]:
        """Arrays keyed ``"group/name"`` as in the dataset schema, sample axis first."""

    def field_attrs(self) -> dict[str, dict[str, Any]]:
        """Units and axis values of each array, JSON-able."""


@dataclass(frozen=True)
class SceneFamily:
    """A scene family's simulator.

    Attributes:
        layout: The ``layout`` of the specs it generates.
        sample_generator: The class generating its samples, called as ``(spec, seed, num_threads=...)``.
        spec_check: Checks of a spec that need the simulator's side (a file the spec names, for one), beyond
            the rules of the family's spec section in :mod:`rvsim.config`; raises
            :class:`~rvsim.errors.ConfigError`. None: every rule is in the spec section.
    """

    layout: str
    sample_generator: Callable[..., FamilySampleGenerator]
    spec_check: Callable[[SceneSpec], None] | None = None

    def check_spec(self, spec: SceneSpec) -> None:
        """Run the family's own checks of ``spec`` (nothing when it has none).

        Raises:
            ConfigError: naming the problem and what was received.
        """
        if self.spec_check is not None:
            self.spec_check(spec)
