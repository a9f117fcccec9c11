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


@pytest.mark.parametrize("name", ["manifest_tiny_14f2e03.json", "manifest_street_14f2e03.json"])
def test_manifest_of_an_existing_dataset_still_loads(name) -> None:
    """Manifests written by rvsim before the specs became pydantic models (commit 14f2e03) still load, and
    their scene resolves to exactly the spec they hold."""
    import json
    from pathlib import Path

    from rvsim.data import Manifest

    data = json.loads((Path(__file__).parent / "data" / name).read_text())
    manifest = Manifest.from_dict(data, source=name)
    spec = scene_spec_from_dict(manifest.scene, source=name)
    assert spec.to_dict() == manifest.scene
    assert json.dumps(spec.to_dict()) == json.dumps(data["scene"])  # the same keys in the same order
    assert spec.class_names == manifest.class_names


def test_numbers_from_yaml_are_read_as_floats(tiny_scene_dict) -> None:
    """YAML gives ints where floats are meant, lists where tuples are, and "28e9" (no dot) as a string."""
    tiny_scene_dict["radio"]["frequency_hz"] = "28e9"
    tiny_scene_dict["base_station"]["position_m"] = [1, 0, 2]
    spec = scene_spec_from_dict(tiny_scene_dict)
    assert spec.radio.frequency_hz == 28e9 and isinstance(spec.radio.frequency_hz, float)
    assert spec.base_station.position_m == (1.0, 0.0, 2.0)
    assert all(isinstance(v, float) for v in spec.base_station.position_m)
    assert spec.to_dict()["base_station"]["position_m"] == [1.0, 0.0, 2.0]


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d["radio"]["rx_array"].update(polarization="VH"), "radio.rx_array.polarization must be V or H"),
        (lambda d: d["radio"]["rx_array"].update(polarization="cross"), "radio.rx_array.polarization must be V or H"),
        (lambda d: d["radio"].update(tx_array={"num_rows": 1, "num_cols": 4}), "radio.tx_array must be a single"),
        (lambda d: d["radio"].update(tx_array={"polarization": "VH"}), "radio.tx_array must be a single"),
        (lambda d: d["radio"].update(frequency_hz=True), "radio.frequency_hz must be a number"),
        (lambda d: d["radio"].update(frequency_hz=float("inf")), "radio.frequency_hz must be finite"),
        (lambda d: d["solver"].update(samples_per_src=0), "solver.samples_per_src must be >= 1"),
        (lambda d: d["base_station"].update(position_m=[1.0, 2.0]), "base_station.position_m has too few values"),
        (lambda d: d["materials"]["skin"].update(relative_permittivity=0.5),
         "materials.skin.relative_permittivity must be >= 1"),
        (lambda d: d.update(layout="moon"), "layout must be one of hall, street"),
    ],
)
def test_specs_the_engine_cannot_honour_fail_at_load(tiny_scene_dict, edit, message) -> None:
    edit(tiny_scene_dict)
    with pytest.raises(ConfigError) as err:
        scene_spec_from_dict(tiny_scene_dict)
    text = str(err.value)
    assert message in text and "Received:" in text and "\n" not in text


def test_specs_are_frozen(tiny_spec) -> None:
    import pydantic

    with pytest.raises(pydantic.ValidationError):
        tiny_spec.camera.width = 10  # type: ignore[misc]
