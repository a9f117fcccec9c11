"""Import Sionna RT lazily, on the device chosen for ray tracing (the one place that picks it).

Sionna RT's ``__init__`` selects a Mitsuba variant when it is first imported. rvsim selects it first, so that the
choice is explicit: ``"cpu"`` is Dr.Jit's LLVM backend (``llvm_ad_mono_polarized``), ``"gpu"`` its CUDA backend
(``cuda_ad_mono_polarized``), and ``"auto"`` takes the GPU when Dr.Jit finds an NVIDIA GPU with a working CUDA
driver, else the CPU. The camera renderer follows the radio side (``cuda_ad_rgb`` when it runs on CUDA).
A process ray-traces on one device: once Sionna RT runs on one variant, asking for the other is refused.
"""

from __future__ import annotations

import sys
import types

from rvsim.errors import InputError
from rvsim.llvm import ensure_libllvm

__all__ = ["DEVICES", "RADIO_VARIANTS", "check_import_order", "cuda_available", "radio_variant", "select_device", "import_sionna_rt"]

#: Accepted values of ``device`` (the ``--device`` option).
DEVICES: tuple[str, ...] = ("auto", "cpu", "gpu")

#: Mitsuba variant that ray-traces on each device.
RADIO_VARIANTS: dict[str, str] = {"cpu": "llvm_ad_mono_polarized", "gpu": "cuda_ad_mono_polarized"}


def check_import_order() -> None:
    """Refuse to import Dr.Jit after TensorFlow in one process, which crashes the interpreter.

    Measured with tensorflow-cpu 2.21 and drjit 1.5: ``import tensorflow; import drjit`` ends in a
    segmentation fault, the other order works. Import Sionna RT (:func:`import_sionna_rt`) first.

    Raises:
        RuntimeError: if TensorFlow is already imported and Dr.Jit is not.
    """
    if "tensorflow" in sys.modules and "drjit" not in sys.modules:
        raise RuntimeError(
            "Sionna RT (Dr.Jit) must be imported before TensorFlow in one process: importing it after "
            "TensorFlow crashes the interpreter. Call rvsim.sim.sionna_import.import_sionna_rt() first. "
            "Received: tensorflow already imported")


def cuda_available() -> bool:
    """Whether Dr.Jit can run on an NVIDIA GPU here (a CUDA driver and at least one device were found).

    Imports ``drjit`` (light; it initialises the CUDA backend only if a driver is present).
    """
    check_import_order()
    _ensure_libllvm_quietly()
    try:
        import drjit as dr

        return bool(dr.has_backend(dr.JitBackend.CUDA))
    except Exception:  # noqa: BLE001  (any failure to initialise CUDA means: no usable GPU)
        return False


def _ensure_libllvm_quietly() -> InputError | None:
    """Point Dr.Jit at a usable libLLVM before ``drjit`` is first imported (it reads ``DRJIT_LIBLLVM_PATH`` when
    its LLVM backend starts); return the error instead of raising it (a GPU run needs no LLVM)."""
    try:
        ensure_libllvm()
    except InputError as exc:
        return exc
    return None


def _check_device(device: object) -> str:
    if not isinstance(device, str) or device not in DEVICES:
        raise InputError(f"device must be one of {', '.join(DEVICES)}. Received: device={device!r}")
    return device


def radio_variant(device: str = "auto", *, cuda: bool | None = None) -> str:
    """The Mitsuba variant that ray-traces on ``device``.

    Args:
        device: ``"auto"`` (GPU if one is usable, else CPU), ``"cpu"`` or ``"gpu"``.
        cuda: Whether a GPU is usable; None asks Dr.Jit (:func:`cuda_available`).

    Returns:
        ``"cuda_ad_mono_polarized"`` or ``"llvm_ad_mono_polarized"``.

    Raises:
        InputError: for an unknown device, or ``"gpu"`` where no GPU is usable.
    """
    device = _check_device(device)
    if device == "cpu":
        return RADIO_VARIANTS["cpu"]
    has_gpu = cuda_available() if cuda is None else bool(cuda)
    if device == "gpu" and not has_gpu:
        raise InputError("device gpu needs an NVIDIA GPU with a working CUDA driver, and Dr.Jit found none here "
                         "(use --device cpu or auto). Received: --device gpu")
    return RADIO_VARIANTS["gpu"] if has_gpu else RADIO_VARIANTS["cpu"]


def select_device(device: str = "auto") -> str:
    """Make ``device`` the ray-tracing device of this process, before Sionna RT is imported; return the variant.

    With ``"auto"``, a Mitsuba variant already set in this process is kept (so is whatever Sionna RT picked).

    Raises:
        InputError: for an unknown device, ``"gpu"`` without a usable GPU, a device whose variant differs
            from the one Sionna RT already runs on in this process, or (CPU) no libLLVM >= 16.
    """
    device = _check_device(device)
    llvm_error = _ensure_libllvm_quietly()
    import mitsuba as mi

    current = mi.variant()
    if device == "auto" and current is not None:
        return str(current)
    want = radio_variant(device)
    if want == RADIO_VARIANTS["cpu"] and llvm_error is not None:
        raise llvm_error
    if current is None:
        mi.set_variant(want)
        return want
    if current != want:
        raise InputError(f"Sionna RT already runs on the Mitsuba variant {current} in this process and cannot "
                         f"switch to {want}; use a new process. Received: device={device!r}")
    return want


def import_sionna_rt(num_threads: int | None = None, device: str = "auto") -> types.ModuleType:
    """Return the ``sionna.rt`` module, importing it on first use on the chosen device.

    Args:
        num_threads: If given, the number of Dr.Jit worker threads (1 for one process per core).
        device: ``"auto"``, ``"cpu"`` or ``"gpu"`` (see :func:`select_device`).

    Raises:
        InputError: if the device cannot be used (see :func:`select_device`).
    """
    check_import_order()
    select_device(device)
    import sionna.rt as rt  # noqa: PLC0415  (lazy on purpose: importing it needs a Mitsuba variant)

    if num_threads is not None:
        import drjit as dr

        dr.set_thread_count(int(num_threads))
    return rt
