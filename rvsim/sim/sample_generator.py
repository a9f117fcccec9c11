"""Paired radio–camera samples of any scene family, reproducible from (spec, dataset seed, sample index).

:class:`SampleGenerator` looks up the spec's family (:func:`~rvsim.sim.scene_families.scene_family`),
checks what the family's engine must honour, and hands the work to the family's generator
(:class:`~rvsim.sim.hall.hall_sample_generator.HallSampleGenerator`,
:class:`~rvsim.sim.street.street_sample_generator.StreetSampleGenerator`). Sample ``i`` is drawn with the seed
:func:`~rvsim.sim.scene_state.sample_seed` ``(dataset_seed, i)`` and ray-traced by the deterministic path
solver, so it never depends on which other samples are generated with it, in which process, or in what order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rvsim.config import SceneSpec
from rvsim.sim.scene_families import scene_family

__all__ = ["SampleGenerator"]


class SampleGenerator:
    """Generates dataset samples of one scene family and dataset seed.

    The family's parts are attributes: ``sampler``, ``radio`` (its engine) and ``camera``; others (the hall's
    ``range_angle`` map) are looked up on the family's generator, :attr:`family_generator`.

    Args:
        spec: The scene family.
        seed: Dataset seed.
        num_threads: Dr.Jit threads for ray tracing (1 per worker process when several share the cores).

    Raises:
        ConfigError: if the family's engine cannot honour the spec (e.g. a measured codebook file that does not
            load, a material not defined at the carrier frequency).
    """

    def __init__(self, spec: SceneSpec, seed: int, num_threads: int | None = None) -> None:
        self.spec = spec
        self.seed = int(seed)
        family = scene_family(spec.layout)
        family.check_spec(spec)
        self._family = family.sample_generator(spec, self.seed, num_threads=num_threads)
        self.sampler = self._family.sampler
        self.radio = self._family.radio
        self.camera = self._family.camera

    @property
    def family_generator(self) -> Any:
        """The family's own generator."""
        return self._family

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_family":
            raise AttributeError(name)
        return getattr(self._family, name)

    def states(self, indices: list[int] | np.ndarray) -> tuple[list[Any], list[int]]:
        """Scene states of the family and per-sample seeds of the given sample indices."""
        return self._family.states(indices)

    def generate(self, indices: list[int] | np.ndarray) -> dict[str, np.ndarray]:
        """Generate samples.

        Args:
            indices: Sample indices.

        Returns:
            Arrays keyed ``"group/name"`` as in the dataset schema, sample axis first.
        """
        return self._family.generate(indices)

    def field_attrs(self) -> dict[str, dict[str, Any]]:
        """Units and axis values of each array (the ``attrs`` of the schema), JSON-able."""
        return self._family.field_attrs()
