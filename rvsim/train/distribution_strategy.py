"""``tf.distribute`` strategies for training, and the worker's role in a multi-worker cluster (``TF_CONFIG``).

* ``"default"``: TensorFlow's default strategy (no distribution; one device).
* ``"mirrored"``: ``tf.distribute.MirroredStrategy`` over the local devices: every visible GPU, or the CPU
  (every logical CPU device: one, unless split with ``tf.config.set_logical_device_configuration``).
* ``"multiworker"``: ``tf.distribute.MultiWorkerMirroredStrategy`` across the machines named in the
  ``TF_CONFIG`` environment variable (each worker mirrors over its own GPUs, or its CPU). Without
  ``TF_CONFIG`` it is a single worker. See ``docs/training.md``.

Keras 3 (TensorFlow backend) trains under these strategies through ``model.fit`` when the model and its
optimizer are built and compiled inside ``strategy.scope()``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rvsim.errors import InputError

__all__ = ["STRATEGIES", "WorkerRole", "worker_role", "make_strategy", "any_worker"]

#: Accepted strategy names.
STRATEGIES: tuple[str, ...] = ("default", "mirrored", "multiworker")


@dataclass(frozen=True)
class WorkerRole:
    """This process's place in a (possibly one-worker) training cluster.

    Attributes:
        task_type: ``"chief"`` or ``"worker"``.
        task_index: Index within ``task_type``.
        num_workers: Processes that train together (chief + workers).
        is_chief: Whether this process writes the run folder (the ``chief`` task, or ``worker`` 0 when the
            cluster has no ``chief``).
    """

    task_type: str = "worker"
    task_index: int = 0
    num_workers: int = 1
    is_chief: bool = True


def worker_role(environ: Mapping[str, str] | None = None) -> WorkerRole:
    """The role described by ``TF_CONFIG`` (a single chief worker when it is unset or empty).

    Args:
        environ: Environment to read (default ``os.environ``).

    Raises:
        InputError: If ``TF_CONFIG`` is not JSON of the form
            ``{"cluster": {"worker": ["host:port", ...], "chief": [...]?}, "task": {"type": ..., "index": ...}}``
            or names a task type other than ``chief``/``worker``.
    """
    env = os.environ if environ is None else environ
    text = env.get("TF_CONFIG", "").strip()
    if not text:
        return WorkerRole()
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InputError(f"TF_CONFIG is not valid JSON ({exc}). Received: TF_CONFIG={text[:200]!r}") from exc
    cluster = doc.get("cluster") if isinstance(doc, dict) else None
    task = doc.get("task") if isinstance(doc, dict) else None
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise InputError(f"TF_CONFIG needs 'cluster' and 'task' mappings. Received: TF_CONFIG={text[:200]!r}")
    unsupported = sorted(set(cluster) - {"chief", "worker"})
    if unsupported:
        raise InputError(f"TF_CONFIG cluster may only have 'chief' and 'worker' jobs. Received: {unsupported}")
    jobs: dict[str, list[Any]] = {}
    for name in ("chief", "worker"):
        hosts = cluster.get(name, [])
        if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
            raise InputError(f"TF_CONFIG cluster.{name} must be a list of 'host:port' strings. Received: {hosts!r}")
        jobs[name] = hosts
    if len(jobs["chief"]) > 1:
        raise InputError(f"TF_CONFIG may name at most one chief. Received: {jobs['chief']}")
    task_type, index = task.get("type"), task.get("index", 0)
    if task_type not in ("chief", "worker"):
        raise InputError(f"TF_CONFIG task.type must be 'chief' or 'worker'. Received: {task_type!r}")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(jobs[task_type]):
        raise InputError(
            f"TF_CONFIG task.index must index cluster.{task_type} ({len(jobs[task_type])} entries). Received: {index!r}"
        )
    num = len(jobs["chief"]) + len(jobs["worker"])
    is_chief = task_type == "chief" or (not jobs["chief"] and index == 0)
    return WorkerRole(task_type=task_type, task_index=index, num_workers=num, is_chief=is_chief)


def make_strategy(name: str = "default", device: str = "cpu") -> Any:
    """Create the ``tf.distribute.Strategy`` called ``name`` for ``device``.

    Call :func:`~rvsim.train.training_device.select_training_device` first. With ``device="cpu"`` and GPUs
    that could not be hidden, work is pinned to ``/cpu:0`` (``OneDeviceStrategy`` for ``"default"``).
    ``"multiworker"`` must be created before TensorFlow runs collective work; the ``rvsim train`` command does
    so before anything else.

    Args:
        name: ``"default"``, ``"mirrored"`` or ``"multiworker"``.
        device: ``"cpu"`` or ``"gpu"`` (the resolved training device).

    Returns:
        The strategy; ``strategy.num_replicas_in_sync`` replicas train in lockstep.

    Raises:
        InputError: For an unknown name or device, a bad ``TF_CONFIG`` (multiworker), or multiworker on the CPU
            while GPUs cannot be hidden.
    """
    if name not in STRATEGIES:
        raise InputError(f"strategy must be one of {list(STRATEGIES)}. Received: strategy={name!r}")
    if device not in ("cpu", "gpu"):
        raise InputError(f"device must be 'cpu' or 'gpu' here. Received: device={device!r}")
    import tensorflow as tf

    pin_cpu = device == "cpu" and len(tf.config.get_visible_devices("GPU")) > 0
    if name == "default":
        return tf.distribute.OneDeviceStrategy("/cpu:0") if pin_cpu else tf.distribute.get_strategy()
    if name == "mirrored":
        if device == "gpu":
            return tf.distribute.MirroredStrategy()  # every visible GPU
        return tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")])
    worker_role()  # validate TF_CONFIG before TensorFlow parses it
    if pin_cpu:
        raise InputError(
            "--strategy multiworker --device cpu: GPUs are visible and TensorFlow has already started, so they "
            "cannot be hidden; set CUDA_VISIBLE_DEVICES='' instead. Received: device='cpu'"
        )
    return _multi_worker_strategy()


def _multi_worker_strategy() -> Any:
    """``MultiWorkerMirroredStrategy`` whose ``reduce`` works with what Keras 3's ``fit`` passes it.

    Two incompatibilities of Keras 3.15 with ``MultiWorkerMirroredStrategy`` are worked around here:

    * ``fit`` reduces one batch of the distributed input (a dict) to build the model; unlike
      ``MirroredStrategy``, the multi-worker ``reduce`` does not map over nested values ("Attempt to convert a
      value ({'radio': PerReplica...}) ... to a Tensor"), so the reduction is mapped over the structure;
    * ``fit`` reduces every scalar log value with ``reduce("MEAN", v, axis=0)``, which fails on scalars
      ("Invalid reduction dimension 0 for input with 0 dimensions", tensorflow/tensorflow#72388); scalars are
      reduced over the replicas only (``axis=None``).
    """
    import tensorflow as tf

    class NestedReduceMultiWorkerMirroredStrategy(tf.distribute.MultiWorkerMirroredStrategy):
        def reduce(self, reduce_op: Any, value: Any, axis: Any = None) -> Any:
            parent = super()

            def one(v: Any) -> Any:
                local = self.experimental_local_results(v)[0]
                rank = getattr(local, "shape", tf.TensorShape(None)).rank
                return parent.reduce(reduce_op, v, None if rank == 0 else axis)

            return tf.nest.map_structure(one, value)

    return NestedReduceMultiWorkerMirroredStrategy()


def any_worker(strategy: Any, num_workers: int) -> Callable[[bool], bool]:
    """A function ``flag -> bool``: whether ``flag`` is true on any worker.

    With several workers each call is a collective (an all-reduce of one integer, compiled once), so every
    worker must call it at the same point; with one worker it returns ``flag`` and costs nothing.
    """
    if num_workers <= 1:
        return bool
    import tensorflow as tf

    @tf.function
    def total(value: tf.Tensor) -> tf.Tensor:
        per_replica = strategy.run(lambda: tf.identity(value))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    def combine(flag: bool) -> bool:
        return int(total(tf.constant(1 if flag else 0, tf.int32))) > 0

    return combine
