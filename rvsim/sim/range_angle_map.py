"""Range–angle maps from a ULA's channel frequency response.

Range comes from the delay: the range matched filter (:mod:`rvsim.sim.range_matched_filter`, a Hann-windowed
inverse DFT over subcarriers evaluated at the range bins, ``r = c * tau / 2``). Angle comes from Bartlett
(delay-and-sum) beamforming over the array's elements at the angle bins (:mod:`rvsim.radio.antenna_array`),
with a Hann taper across the elements. Both are one matrix product each. With ``range_oversampling`` ``K > 1``
the range filter is evaluated at ``K`` evenly spaced ranges inside every bin and the bin keeps the largest
power over them (per angle bin): peak hold, so that an echo between bin centres is not attenuated by the
filter's main lobe (up to about 5 dB for bins of 0.35 m at a resolution of 0.19 m, at most about 0.3 dB with
``K = 4``).
"""

from __future__ import annotations

import numpy as np

from rvsim.config.radio_spec import SPEED_OF_LIGHT, RadioSpec
from rvsim.radio.antenna_array import hann_taper, ula_positions, ula_steering
from rvsim.sim.range_matched_filter import range_matched_filter

__all__ = ["RangeAngleMap", "SPEED_OF_LIGHT"]


class RangeAngleMap:
    """Turns a CFR ``(num_rx_ant, num_subcarriers)`` into a power map ``(num_range_bins, num_angle_bins)`` [dB].

    Bearing convention: positive angles are to the array's left, counter-clockwise seen from above
    (Sionna RT's azimuth, relative to the broadside).

    Args:
        radio: The radio settings (frequencies, array, map axes).
        floor_db: Values are clipped below this power [dB] (avoids ``-inf`` for empty maps).
    """

    def __init__(self, radio: RadioSpec, floor_db: float = -200.0) -> None:
        ra = radio.range_angle
        self.floor_db = float(floor_db)
        self.frequencies = np.asarray(radio.subcarrier_frequencies(), dtype=np.float64)
        self.range_bins_m = np.linspace(0.0, ra.max_range_m, ra.num_range_bins)
        half = ra.angle_span_deg / 2
        self.angle_bins_deg = np.linspace(-half, half, ra.num_angle_bins)
        self.oversampling = int(ra.range_oversampling)
        k = self.oversampling
        spacing = float(self.range_bins_m[1] - self.range_bins_m[0])
        offsets = ((np.arange(k) + 0.5) / k - 0.5) * spacing if k > 1 else np.zeros(1)
        # (num_subcarriers, num_range_bins * k): matched filter for an echo at each sampled range, bin-major
        self._range_matrix = range_matched_filter(self.frequencies, (self.range_bins_m[:, None] + offsets[None]).ravel())
        rx = radio.rx_array
        steering = ula_steering(ula_positions(rx.num_cols, rx.spacing_wavelengths), self.angle_bins_deg)
        taper = hann_taper(rx.num_cols)
        self._angle_matrix = (taper[:, None] * steering).astype(np.complex128)  # (num_ant, num_angle_bins)

    def __call__(self, cfr: np.ndarray) -> np.ndarray:
        """Range–angle power map.

        Args:
            cfr: Background-subtracted CFR, shape ``(num_rx_ant, num_subcarriers)`` or batched
                ``(batch, num_rx_ant, num_subcarriers)``.

        Returns:
            float32 power [dB], shape ``(num_range_bins, num_angle_bins)`` (batched: with a leading batch axis).
        """
        x = np.asarray(cfr, dtype=np.complex128)
        profiles = x @ self._range_matrix                      # (..., ant, range)
        beams = np.swapaxes(profiles, -1, -2) @ self._angle_matrix.conj()  # (..., range, angle)
        power = np.abs(beams) ** 2
        if self.oversampling > 1:  # peak hold over the samples of each range bin
            power = power.reshape(*power.shape[:-2], -1, self.oversampling, power.shape[-1]).max(axis=-2)
        return np.maximum(10.0 * np.log10(power + 1e-30), self.floor_db).astype(np.float32)
