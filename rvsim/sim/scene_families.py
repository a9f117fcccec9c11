"""The scene families the simulator has, by layout, and the checks a spec passes before any ray tracing.

Adding a family is one sub-package of :mod:`rvsim.sim` (sampler, layout, engine, sample generator and a
:class:`~rvsim.sim.scene_family.SceneFamily`), its spec section in :mod:`rvsim.config`, one YAML file in
``rvsim/scenes`` and one line in :data:`_FAMILIES`. Families are imported when first asked for.
"""

from __future__ import annotations

from collections.abc import Callable

from rvsim.config import SceneSpec
from rvsim.errors import ConfigError
from rvsim.sim.scene_family import SceneFamily

__all__ = ["scene_family", "check_scene_spec", "family_layouts"]


def _hall() -> SceneFamily:
    from rvsim.sim.hall.hall_family import HALL_FAMILY

    return HALL_FAMILY


def _street() -> SceneFamily:
    from rvsim.sim.street.street_family import STREET_FAMILY

    return STREET_FAMILY


#: Loader of each family, by layout.
_FAMILIES: dict[str, Callable[[], SceneFamily]] = {"hall": _hall, "street": _street}


def family_layouts() -> tuple[str, ...]:
    """The layouts the simulator can generate."""
    return tuple(_FAMILIES)


def scene_family(layout: str) -> SceneFamily:
    """The family of a layout.

    Raises:
        ConfigError: for a layout without a family.
    """
    loader = _FAMILIES.get(layout)
    if loader is None:
        raise ConfigError(f"layout must be one of {', '.join(_FAMILIES)}. Received: layout={layout!r}")
    return loader()


def check_scene_spec(spec: SceneSpec) -> None:
    """Everything the engine must be able to honour, checked before anything is traced or written.

    The spec's own rules ran when it was loaded; this adds what needs the simulator: every ITU material must
    be defined at the carrier frequency (Sionna RT's table; imports Sionna RT), and the family's own checks
    (a street's measured beam-pattern file must load).

    Raises:
        ConfigError: naming the problem and what was received.
    """
    from rvsim.sim.radio_materials import check_materials_at_frequency

    check_materials_at_frequency(spec)
    scene_family(spec.layout).check_spec(spec)
