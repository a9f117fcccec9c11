"""Radio materials of a scene family in Sionna RT: checked against Sionna's ITU table, and built.

:func:`check_materials_at_frequency` asks Sionna RT's ITU-R P.2040 table whether every ITU material of a spec
is defined at its carrier frequency (``brick`` is not at 60 GHz), so that a family the engine cannot build
fails when it is loaded, not in the middle of a run.
"""

from __future__ import annotations

from typing import Any

from rvsim.config import MaterialSpec, SceneSpec
from rvsim.errors import ConfigError
from rvsim.sim.sionna_import import import_sionna_rt

__all__ = ["check_materials_at_frequency", "make_radio_material"]


def check_materials_at_frequency(spec: SceneSpec) -> None:
    """Check that every ITU material is defined at the carrier frequency (imports Sionna RT's ITU table).

    Raises:
        ConfigError: naming the material, its ITU type and the frequency.
    """
    import_sionna_rt()
    from sionna.rt.radio_materials.itu import ITU_MATERIALS_PROPERTIES

    f_ghz = spec.radio.frequency_hz / 1e9
    for mname, m in spec.materials.items():
        if m.itu_type is None:
            continue
        if m.itu_type not in ITU_MATERIALS_PROPERTIES:
            raise ConfigError(f"materials.{mname}.itu_type is not an ITU material "
                              f"({', '.join(sorted(ITU_MATERIALS_PROPERTIES))}). Received: {m.itu_type!r}")
        ranges = list(ITU_MATERIALS_PROPERTIES[m.itu_type])
        if not any(lo <= f_ghz <= hi for lo, hi in ranges):
            spans = ", ".join(f"{lo:g}-{hi:g} GHz" for lo, hi in ranges)
            raise ConfigError(f"material {mname!r} (ITU {m.itu_type!r}) is not defined at {f_ghz:g} GHz "
                              f"(defined for {spans}). Received: radio.frequency_hz={spec.radio.frequency_hz:g}")


def make_radio_material(rt: Any, name: str, m: MaterialSpec) -> Any:
    """A Sionna RT radio material from its spec (ITU or given permittivity and conductivity)."""
    if m.itu_type is not None:
        try:
            return rt.ITURadioMaterial(name, m.itu_type, thickness=float(m.thickness_m),
                                       scattering_coefficient=float(m.scattering_coefficient),
                                       color=tuple(float(c) for c in m.color))
        except ValueError as exc:
            raise ConfigError(f"material {name!r} (ITU {m.itu_type!r}): {exc}. Received: itu_type={m.itu_type!r}") \
                from None
    return rt.RadioMaterial(name, thickness=float(m.thickness_m),
                            relative_permittivity=float(m.relative_permittivity),
                            conductivity=float(m.conductivity),
                            scattering_coefficient=float(m.scattering_coefficient),
                            color=tuple(float(c) for c in m.color))
