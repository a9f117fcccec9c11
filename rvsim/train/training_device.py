"""Which device trains: a GPU when TensorFlow sees one, else the CPU; ``cpu`` / ``gpu`` force the choice."""

from __future__ import annotations

from rvsim.errors import InputError

__all__ = ["DEVICES", "select_training_device", "gpus_visible"]

#: Accepted values of ``device``.
DEVICES: tuple[str, ...] = ("auto", "cpu", "gpu")


def gpus_visible() -> int:
    """Number of GPUs TensorFlow can currently use (physical GPUs that are not hidden)."""
    import tensorflow as tf

    return len(tf.config.get_visible_devices("GPU"))


def select_training_device(device: str = "auto") -> str:
    """Resolve and apply the training device; call it before TensorFlow runs any op.

    ``"auto"`` picks ``"gpu"`` if TensorFlow lists a physical GPU, else ``"cpu"``. ``"cpu"`` hides every GPU
    (``tf.config.set_visible_devices([], "GPU")``); if TensorFlow has already started and GPUs can no longer
    be hidden, they stay visible and the caller must pin work to the CPU (:func:`~rvsim.train.distribution_strategy.make_strategy`
    does, with a one-device strategy on ``/cpu:0``). ``"gpu"`` needs at least one GPU.

    Args:
        device: ``"auto"``, ``"cpu"`` or ``"gpu"``.

    Returns:
        ``"cpu"`` or ``"gpu"``.

    Raises:
        InputError: For an unknown value, or ``"gpu"`` when TensorFlow sees no GPU.
    """
    if device not in DEVICES:
        raise InputError(f"device must be one of {list(DEVICES)}. Received: device={device!r}")
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if device == "gpu" and not gpus:
        raise InputError(
            "--device gpu: TensorFlow sees no GPU (CPU-only TensorFlow build, no CUDA driver, or "
            "CUDA_VISIBLE_DEVICES hides them); use --device cpu or auto. Received: device='gpu'"
        )
    if device == "auto":
        device = "gpu" if gpus else "cpu"
    if device == "cpu" and gpus:
        try:
            tf.config.set_visible_devices([], "GPU")
        except RuntimeError:
            pass  # TensorFlow already started: make_strategy pins the CPU instead
    return device
