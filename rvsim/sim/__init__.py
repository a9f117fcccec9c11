"""The simulator: scene sampling, procedural meshes, Sionna RT ray tracing, camera rendering, radio representations.

Each stage is a module named after it, imported on its own (importing this package imports nothing):
:mod:`~rvsim.sim.scene_sampler` draws scene states of a family; :mod:`~rvsim.sim.object_meshes` builds the
procedural meshes; :mod:`~rvsim.sim.radio_engine` (hall) and :mod:`~rvsim.sim.link_engine` (street) ray-trace
them with Sionna RT; :mod:`~rvsim.sim.camera_renderer` renders the base station's camera view;
:mod:`~rvsim.sim.range_angle_map`, :mod:`~rvsim.sim.range_doppler_map` and :mod:`~rvsim.sim.street_receiver`
turn channels into radio representations; :mod:`~rvsim.sim.sample_generator` pairs them into dataset samples
and :mod:`~rvsim.sim.dataset_generation` writes datasets, locally or on a Dask cluster. Sionna RT is imported
lazily, through :mod:`~rvsim.sim.sionna_import`.
"""
