"""The simulator: Sionna RT ray tracing and the camera, shared by one sub-package per scene family.

Shared stages, each a module named after it: :mod:`~rvsim.sim.sionna_import` (imports Sionna RT lazily, on
the chosen device), :mod:`~rvsim.sim.scene_state` (scene states and per-sample seeds),
:mod:`~rvsim.sim.object_meshes` and :mod:`~rvsim.sim.object_slots` (procedural meshes and their slots),
:mod:`~rvsim.sim.sionna_scene` and :mod:`~rvsim.sim.radio_materials` (persistent Sionna scenes),
:mod:`~rvsim.sim.path_data` (paths traced and read into numpy), :mod:`~rvsim.sim.camera_renderer`,
:mod:`~rvsim.sim.range_matched_filter`, :mod:`~rvsim.sim.range_angle_map` and
:mod:`~rvsim.sim.range_doppler_map` (radio representations), :mod:`~rvsim.sim.sample_labels`,
:mod:`~rvsim.sim.sample_generator` and :mod:`~rvsim.sim.dataset_generation` (samples and datasets, locally or
on a Dask cluster).

Scene families: :mod:`rvsim.sim.hall` and :mod:`rvsim.sim.street`, each with its sampler, static layout,
engine and sample generator, listed by layout in :mod:`~rvsim.sim.scene_families`. A family's modules import
the shared ones, never the other way round (only the list of families imports them, when asked).

Importing this package imports no Sionna RT: only :func:`check_scene_spec` and :func:`scene_family`.
"""

from __future__ import annotations

from rvsim.sim.scene_families import check_scene_spec, scene_family

__all__ = ["check_scene_spec", "scene_family"]
