"""The hall scene family (``layout: hall``): a monostatic base station on the back wall of an industrial hall.

:mod:`~rvsim.sim.hall.hall_layout` (room and racks), :mod:`~rvsim.sim.hall.hall_sampler` (objects on the
floor), :mod:`~rvsim.sim.hall.radio_engine` (monostatic ray tracing to a ULA),
:mod:`~rvsim.sim.hall.hall_sample_generator` (CFR, range–angle map, camera and labels) and
:mod:`~rvsim.sim.hall.hall_family`. Its spec section is :mod:`rvsim.config.hall_spec`.
"""
