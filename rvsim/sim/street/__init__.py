"""The street scene family (``layout: street``): an uplink from a car to a base station with a beam codebook.

:mod:`~rvsim.sim.street.street_layout` (road, sidewalks, buildings), :mod:`~rvsim.sim.street.street_sampler`
(vehicles, pedestrians, poles, trees and the transmitter), :mod:`~rvsim.sim.street.link_engine` (uplink ray
tracing, line-of-sight tests), :mod:`~rvsim.sim.street.street_receiver` (codebook, noise floor, beam powers),
:mod:`~rvsim.sim.street.street_sample_generator` and :mod:`~rvsim.sim.street.street_family`. Its spec section
is :mod:`rvsim.config.street_spec`.
"""
