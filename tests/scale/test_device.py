"""Choice of the ray-tracing device: CPU (Dr.Jit LLVM) by default here, the CUDA variant where a GPU is usable,
``--device gpu`` without one refused in one line before anything is written. (No GPU on the test machine: the
CUDA path is covered by the pure selection logic only.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from rvsim.cli import main
from rvsim.errors import InputError
from rvsim.sim import sionna_import
from rvsim.sim.sionna_import import RADIO_VARIANTS, cuda_available, radio_variant, select_device

from .conftest import assert_same_dataset, generate_args


@pytest.mark.parametrize("device, cuda, variant", [
    ("auto", False, "llvm_ad_mono_polarized"),
    ("auto", True, "cuda_ad_mono_polarized"),
    ("cpu", True, "llvm_ad_mono_polarized"),
    ("cpu", False, "llvm_ad_mono_polarized"),
    ("gpu", True, "cuda_ad_mono_polarized"),
])
def test_radio_variant(device: str, cuda: bool, variant: str) -> None:
    assert radio_variant(device, cuda=cuda) == variant


def test_gpu_without_gpu_and_unknown_device_are_refused() -> None:
    with pytest.raises(InputError, match=r"needs an NVIDIA GPU .* Received: --device gpu$"):
        radio_variant("gpu", cuda=False)
    with pytest.raises(InputError, match=r"must be one of auto, cpu, gpu. Received: device='tpu'"):
        radio_variant("tpu")


@pytest.fixture
def no_usable_gpu() -> None:
    """Skip where Dr.Jit finds a usable GPU (asked when the test runs: asking imports Dr.Jit)."""
    if cuda_available():
        pytest.skip("this machine has a usable GPU")


needs_no_gpu = pytest.mark.usefixtures("no_usable_gpu")


@needs_no_gpu
@pytest.mark.rt
def test_cli_device_gpu_without_gpu_writes_nothing(tmp_path: Path, scene_yaml: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ds"
    assert main(generate_args(scene_yaml, out, 2, "--device", "gpu")) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("rvsim generate: error: device gpu needs an NVIDIA GPU with a working CUDA driver, and Dr.Jit "
                   "found none here (use --device cpu or auto). Received: --device gpu"), err
    assert not out.exists()


def test_cli_unknown_device_is_a_usage_error(tmp_path: Path, scene_yaml: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(generate_args(scene_yaml, tmp_path / "ds", 2, "--device", "tpu"))
    assert exc.value.code == 2 and "invalid choice: 'tpu'" in capsys.readouterr().err
    assert not (tmp_path / "ds").exists()


@needs_no_gpu
@pytest.mark.rt
def test_auto_is_the_cpu_here_and_cpu_gives_the_same_samples(tmp_path: Path, scene_yaml: str,
                                                             reference: Path) -> None:
    import mitsuba as mi

    assert select_device("auto") == RADIO_VARIANTS["cpu"] == mi.variant()
    out = tmp_path / "ds"
    assert main(generate_args(scene_yaml, out, 2, "--device", "cpu")) == 0
    assert_same_dataset(out, reference, prefix=True)


@pytest.mark.rt
def test_switching_device_inside_a_process_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import mitsuba as mi

    select_device("auto")  # Sionna RT's variant of this process (the CPU one here)
    current = mi.variant()
    other = RADIO_VARIANTS["gpu"] if current == RADIO_VARIANTS["cpu"] else RADIO_VARIANTS["cpu"]
    monkeypatch.setattr(sionna_import, "radio_variant", lambda device, cuda=None: other)
    with pytest.raises(InputError, match=f"already runs on the Mitsuba variant {current}"):
        select_device("gpu")
    assert mi.variant() == current
