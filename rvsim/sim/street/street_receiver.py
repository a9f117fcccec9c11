"""The base station's 64-beam receiver of the street layout: codebook, noise floor, normalisation.

Ray-traced paths become a beam-power vector the way the real DeepSense receiver measures one
(:mod:`rvsim.radio.receiver_noise`, ``docs/real_data.md``): ``p_b = Σ_l |a_l|² g_b(β_l)²`` through the codebook's
amplitude patterns at each path's arrival bearing ``β_l`` (an incoherent sum; elevation ignored; paths behind
the array get no gain), then a noise floor drawn per sample (``radio.receiver.noise_floor_db``) with
``add_receiver_noise``, then ``normalise_beam_power`` (dB relative to the sample's peak, clipped at
``radio.receiver.floor_db``). Real and simulated vectors thus go through the same normalisation.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from rvsim.config import SceneSpec
from rvsim.errors import ConfigError, InputError
from rvsim.radio.beam_codebook import BeamCodebook, dft_codebook, load_codebook
from rvsim.radio.beam_power import beam_power_from_bearing
from rvsim.radio.receiver_noise import add_receiver_noise, normalise_beam_power

__all__ = ["StreetReceiver", "codebook_from_spec"]

#: Smallest noise-free peak power used for the SNR label, relative to the noise floor (no path at all).
_MIN_SNR_DB = -100.0


def codebook_from_spec(spec: SceneSpec) -> BeamCodebook:
    """The receive codebook of a street family (``radio.codebook``).

    Raises:
        ConfigError: if the measured patterns file is missing or malformed.
    """
    cb = spec.radio.codebook
    if cb.kind == "dft":
        return dft_codebook(num_elements=cb.num_elements, num_beams=cb.num_beams, fov_deg=cb.fov_deg)
    try:
        return load_codebook(str(cb.path))
    except InputError as exc:
        raise ConfigError(f"radio.codebook.path: {str(exc).split('. Received')[0]}. Received: {cb.path!r}") from None


class StreetReceiver:
    """Beam powers of ray-traced paths as the base station's receiver measures them.

    Args:
        spec: A scene family with ``layout: street``.

    Attributes:
        codebook: The receive codebook.
        codebook_sha256: SHA-256 of the measured patterns file (None for a DFT codebook).
    """

    def __init__(self, spec: SceneSpec) -> None:
        self.spec = spec
        self.codebook = codebook_from_spec(spec)
        self.codebook_sha256: str | None = None
        if spec.radio.codebook.kind == "measured":
            with open(str(spec.radio.codebook.path), "rb") as fh:
                self.codebook_sha256 = hashlib.sha256(fh.read()).hexdigest()

    @property
    def num_beams(self) -> int:
        """Beams of the codebook."""
        return self.codebook.num_beams

    def linear(self, amplitudes: np.ndarray, bearing_deg: np.ndarray) -> np.ndarray:
        """Noise-free received power per beam.

        Args:
            amplitudes: Complex path coefficients, shape ``(num_paths,)``.
            bearing_deg: Arrival bearing of each path from the array broadside, positive to the left [deg],
                shape ``(num_paths,)``.

        Returns:
            float64 ``(num_beams,)``: ``Σ_l |a_l|² g_b(β_l)²`` (path gain times beam power gain).
        """
        a = np.asarray(amplitudes).reshape(-1)
        if a.size == 0:
            return np.zeros(self.num_beams)
        return beam_power_from_bearing(a, np.asarray(bearing_deg, dtype=np.float64).reshape(-1), self.codebook)

    def measure(self, linear: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Add the receiver's noise floor and normalise, sample by sample.

        Args:
            linear: Noise-free beam powers, shape ``(n, num_beams)``.
            rng: Generator of the noise floor level and the noise (seeded per sample by the caller, or one
                generator for all ``n``).

        Returns:
            ``beam_power`` float32 ``(n, num_beams)`` normalised [dB, in ``[floor_db, 0]``, peak 0];
            ``beam_power_linear`` float32 ``(n, num_beams)`` (the input); ``snr_db`` float32 ``(n,)``, the
            noise-free peak over the noise floor [dB] (``-100`` when nothing reaches the receiver).
        """
        rc = self.spec.radio.receiver
        p = np.asarray(linear, dtype=np.float64)
        floor_db = rng.uniform(rc.noise_floor_db[0], rc.noise_floor_db[1], size=(p.shape[0], 1))
        noise = 10.0 ** (floor_db / 10.0)
        noisy = add_receiver_noise(p, noise, rng, cv=rc.noise_cv)
        peak = np.maximum(p.max(axis=1, keepdims=True), noise * 10.0 ** (_MIN_SNR_DB / 10.0))
        return {
            "beam_power": normalise_beam_power(noisy, floor_db=rc.floor_db),
            "beam_power_linear": p.astype(np.float32),
            "snr_db": (10.0 * np.log10(peak / noise))[:, 0].astype(np.float32),
        }

    def attrs(self) -> dict[str, Any]:
        """JSON-able description of the codebook and the receiver model (for the dataset's attrs)."""
        cb = self.spec.radio.codebook
        return {
            "codebook": self.codebook.name,
            "codebook_kind": cb.kind,
            "codebook_sha256": self.codebook_sha256,
            "beam_peak_bearings_deg": np.round(self.codebook.peak_bearings_deg, 4).tolist(),
            "floor_db": self.spec.radio.receiver.floor_db,
            "noise_floor_db": list(self.spec.radio.receiver.noise_floor_db),
            "noise_cv": self.spec.radio.receiver.noise_cv,
        }
