"""The street family: a car (or a fixed transmitter) sends to a base station with a 64-beam codebook.

Beyond the rules of its spec section (:mod:`rvsim.config.street_spec`), a street spec must name a readable
beam-pattern file when its codebook is measured: :func:`check_street_spec` loads it.
"""

from __future__ import annotations

from rvsim.config import SceneSpec
from rvsim.sim.scene_family import SceneFamily
from rvsim.sim.street.street_receiver import codebook_from_spec
from rvsim.sim.street.street_sample_generator import StreetSampleGenerator

__all__ = ["STREET_FAMILY", "check_street_spec"]


def check_street_spec(spec: SceneSpec) -> None:
    """Check that the receive codebook can be built (a measured patterns file that loads).

    Raises:
        ConfigError: naming ``radio.codebook.path``, the problem and the path.
    """
    codebook_from_spec(spec)


#: The street family.
STREET_FAMILY = SceneFamily(layout="street", sample_generator=StreetSampleGenerator, spec_check=check_street_spec)
