"""Materials the engine cannot build at the carrier frequency are refused before any ray tracing."""

from __future__ import annotations

import pytest

from rvsim.config import scene_spec_from_dict
from rvsim.errors import ConfigError


@pytest.mark.rt
def test_material_not_defined_at_frequency(tiny_scene_dict) -> None:
    from rvsim.sim.radio_materials import check_materials_at_frequency

    tiny_scene_dict["radio"]["frequency_hz"] = 60e9
    tiny_scene_dict["radio"]["bandwidth_hz"] = 800e6
    tiny_scene_dict["materials"]["wall"]["itu_type"] = "brick"
    spec = scene_spec_from_dict(tiny_scene_dict)  # structurally valid
    with pytest.raises(ConfigError, match=r"material 'wall' \(ITU 'brick'\) is not defined at 60 GHz"):
        check_materials_at_frequency(spec)
