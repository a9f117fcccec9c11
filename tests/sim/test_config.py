"""Scene specs: the built-in family loads, and every kind of bad YAML fails with one clear message."""

from __future__ import annotations

import pytest
import yaml

from rvsim.config import SceneSpec, load_scene_spec, scene_spec_from_dict
from rvsim.errors import ConfigError


def test_builtin_factory_loads_and_round_trips() -> None:
    spec = load_scene_spec("factory")
    assert isinstance(spec, SceneSpec)
    assert spec.class_names == ["person", "robot", "forklift", "pallet_stack"]
    assert spec.radio.rx_array.num_cols == 16 and spec.radio.frequency_hz == 28e9
    assert spec.max_objects == sum(c.count[1] for c in spec.classes.values())
    again = scene_spec_from_dict(spec.to_dict())
    assert again.to_dict() == spec.to_dict()


def test_file_and_name_give_the_same_spec(tmp_path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(yaml.safe_dump(load_scene_spec("factory").to_dict()))
    assert load_scene_spec(path).to_dict() == load_scene_spec("factory").to_dict()


def test_defaults_fill_missing_keys(tiny_scene_dict) -> None:
    del tiny_scene_dict["solver"]
    spec = scene_spec_from_dict(tiny_scene_dict)
    assert spec.solver.max_depth == 2 and spec.solver.seed == 0


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d["radio"].update(frequncy_hz=28e9), "unknown key radio.'frequncy_hz'"),
        (lambda d: d.update(colour="red"), "unknown key 'colour'"),
        (lambda d: d["radio"].update(num_subcarriers="many"), "radio.num_subcarriers must be an integer"),
        (lambda d: d["radio"].update(frequency_hz="28GHz"), "radio.frequency_hz must be a number"),
        (lambda d: d["solver"].update(diffuse_reflection="yes"), "solver.diffuse_reflection must be true or false"),
        (lambda d: d["classes"]["crate"].update(count=[3, 1]), "classes.crate.count must be [min, max]"),
        (lambda d: d["classes"]["crate"].update(shape="dragon"), "classes.crate.shape must be one of"),
        (lambda d: d["classes"]["crate"].update(material="gold"), "classes.crate.material names an undefined"),
        (lambda d: d["camera"].update(width=2), "camera width and height"),
        (lambda d: d["radio"]["range_angle"].update(max_range_m=100.0), "exceeds the unambiguous range"),
        (lambda d: d["classes"]["crate"].update(count=[30, 30]), "more objects than fit on the floor"),
    ],
)
def test_bad_values_name_key_and_received_value(tiny_scene_dict, edit, message) -> None:
    edit(tiny_scene_dict)
    with pytest.raises(ConfigError) as err:
        scene_spec_from_dict(tiny_scene_dict)
    text = str(err.value)
    assert message in text
    assert "Received:" in text and "\n" not in text


def test_material_not_defined_at_frequency(tiny_scene_dict) -> None:
    from rvsim.config import check_materials_at_frequency

    tiny_scene_dict["radio"]["frequency_hz"] = 60e9
    tiny_scene_dict["radio"]["bandwidth_hz"] = 800e6
    tiny_scene_dict["materials"]["wall"]["itu_type"] = "brick"
    spec = scene_spec_from_dict(tiny_scene_dict)  # structurally valid
    with pytest.raises(ConfigError, match=r"material 'wall' \(ITU 'brick'\) is not defined at 60 GHz"):
        check_materials_at_frequency(spec)


def test_missing_file_and_bad_yaml(tmp_path) -> None:
    with pytest.raises(ConfigError, match="scene file not found"):
        load_scene_spec(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("radio: [unclosed\n")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_scene_spec(bad)
    lst = tmp_path / "list.yaml"
    lst.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="must hold a mapping"):
        load_scene_spec(lst)
