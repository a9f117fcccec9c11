"""Training input for ``model.fit`` under a ``tf.distribute`` strategy: an endless, stateless stream of batches.

A :class:`~rvsim.data.pipeline.Pipeline` yields the *global* batches of an epoch (seeded by the epoch
number). :func:`batch_stream_dataset` chains epochs ``start_epoch, start_epoch + 1, ...`` into one
``tf.data`` stream, skipping the first ``start_step`` batches of the first one (how a mid-epoch checkpoint
resumes exactly where it stopped), and maps each global batch to model inputs (augmentation included, so a
batch is augmented identically however many replicas share it). ``model.fit(..., steps_per_epoch=n)`` with
``n = pipeline.num_batches`` then cuts the stream back into epochs. The stream is a pure function of
``(start_epoch, start_step)``: iterators that Keras opens and drops (it peeks at one batch under a
strategy) change nothing.

:func:`distribute_batches` hands every replica its slice of each global batch: with ``R`` replicas in sync,
replica ``r`` gets samples ``[r * s, (r + 1) * s)`` with ``s = b // R`` of a batch of ``b`` samples (the
``b mod R`` samples at the end of the batch are not used in that step; with ``batch_size`` divisible by ``R``
that happens only in the last batch of an epoch, which can be larger). With one replica the batch is passed
unchanged, so ``"mirrored"`` on one device computes exactly what ``"default"`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import tensorflow as tf

    from rvsim.data.pipeline import Pipeline

__all__ = ["batch_stream", "batch_stream_dataset", "distribute_batches"]


def batch_stream(
    pipeline: Pipeline, *, start_epoch: int = 0, start_step: int = 0
) -> Callable[[], Iterator[dict[str, Any]]]:
    """A generator function of the pipeline's batches from ``(start_epoch, start_step)`` on, epoch after epoch.

    Args:
        pipeline: The batches' source (its seed, shuffling and batch sizes).
        start_epoch: First epoch (0-based).
        start_step: Batches of ``start_epoch`` to skip (they are read, not yielded).

    Returns:
        A callable returning a fresh endless iterator of numpy batch dicts each time it is called.
    """

    def generate() -> Iterator[dict[str, Any]]:
        epoch = int(start_epoch)
        skip = int(start_step)
        while True:
            for k, batch in enumerate(pipeline.batches(epoch)):
                if k >= skip:
                    yield batch
            epoch += 1
            skip = 0

    return generate


def batch_stream_dataset(
    pipeline: Pipeline,
    map_fn: Callable[[dict[str, Any]], Any] | None = None,
    *,
    start_epoch: int = 0,
    start_step: int = 0,
) -> tf.data.Dataset:
    """The endless ``tf.data`` stream of :func:`batch_stream`, mapped by ``map_fn`` (order kept)."""
    import tensorflow as tf

    data = tf.data.Dataset.from_generator(
        batch_stream(pipeline, start_epoch=start_epoch, start_step=start_step),
        output_signature=pipeline.output_signature(),
    )
    if map_fn is not None:
        data = data.map(map_fn, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return data


def distribute_batches(strategy: Any, make_dataset: Callable[[], tf.data.Dataset]) -> Any:
    """Distribute a dataset of global batches over the replicas of ``strategy`` (see the module docstring).

    Every worker (input pipeline) builds the same global batches with ``make_dataset()`` and keeps the slices
    of its own replicas, in replica order (``tf.distribute`` gives a worker's local replicas consecutive
    elements of its dataset).

    Args:
        strategy: A ``tf.distribute.Strategy``.
        make_dataset: Builds the ``tf.data.Dataset`` of global batches (dicts or tuples of tensors with the
            batch on axis 0).

    Returns:
        ``strategy.distribute_datasets_from_function(...)``: what ``model.fit`` takes as ``x``.
    """
    import tensorflow as tf

    def per_worker(ctx: tf.distribute.InputContext) -> tf.data.Dataset:
        data = make_dataset()
        replicas = int(ctx.num_replicas_in_sync)
        if replicas > 1:
            local = replicas // int(ctx.num_input_pipelines)
            first = int(ctx.input_pipeline_id) * local

            def slices(batch: Any) -> tf.data.Dataset:
                size = tf.shape(tf.nest.flatten(batch)[0])[0] // replicas

                def piece(j: tf.Tensor) -> Any:
                    lo = (first + tf.cast(j, tf.int32)) * size
                    return tf.nest.map_structure(lambda t: t[lo : lo + size], batch)

                return tf.data.Dataset.range(local).map(piece)

            data = data.flat_map(slices)
        return data.prefetch(tf.data.AUTOTUNE)

    return strategy.distribute_datasets_from_function(per_worker)
