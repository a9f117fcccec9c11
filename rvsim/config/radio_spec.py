"""The radio part of a scene spec: antenna arrays, the range–angle map's axes, the beam codebook and the receiver."""

from __future__ import annotations

import os
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from rvsim.config.spec_model import Number, Pair, SpecModel

__all__ = ["ArraySpec", "RangeAngleSpec", "CodebookSpec", "ReceiverSpec", "RadioSpec", "SPEED_OF_LIGHT"]

#: Speed of light [m/s].
SPEED_OF_LIGHT = 299_792_458.0

AntennaPattern = Literal["iso", "dipole", "hw_dipole", "tr38901"]
Polarization = Literal["V", "H", "VH", "cross"]


class ArraySpec(SpecModel):
    """An antenna array (Sionna RT ``PlanarArray``).

    Attributes:
        num_rows: Rows of antennas (vertical).
        num_cols: Columns of antennas (horizontal; a 1×16 ULA has ``num_cols=16``).
        spacing_wavelengths: Element spacing [wavelengths].
        pattern: Antenna pattern name (``"iso"``, ``"dipole"``, ``"hw_dipole"``, ``"tr38901"``).
        polarization: ``"V"``, ``"H"``, ``"VH"`` or ``"cross"`` (the last two give two antennas per element).
    """

    num_rows: int = Field(default=1, ge=1)
    num_cols: int = Field(default=1, ge=1)
    spacing_wavelengths: Number = Field(default=0.5, gt=0)
    pattern: AntennaPattern = "iso"
    polarization: Polarization = "V"

    @property
    def num_antennas(self) -> int:
        """Number of antenna elements (single polarisation)."""
        return self.num_rows * self.num_cols


class RangeAngleSpec(SpecModel):
    """Axes of the range–angle map.

    Attributes:
        num_range_bins: Range bins, from 0 to ``max_range_m``.
        max_range_m: Largest range on the map [m].
        num_angle_bins: Angle bins across ``angle_span_deg``.
        angle_span_deg: Full azimuth span centred on the array broadside [deg].
        range_oversampling: Range samples per bin: each bin holds the largest power of this many evenly spaced
            ranges inside it (peak hold), so an echo between two bin centres keeps its power when the bins are
            wider than the range resolution; ``1``: the power at the bin centre only.
    """

    num_range_bins: int = Field(default=64, ge=4)
    max_range_m: Number = Field(default=24.0, gt=0)
    num_angle_bins: int = Field(default=32, ge=4)
    angle_span_deg: Number = Field(default=90.0, gt=0, lt=180)
    range_oversampling: int = Field(default=1, ge=1, le=16)


class CodebookSpec(SpecModel):
    """The base station's receive beam codebook (street layout; DeepSense's has 64 beams).

    Attributes:
        kind: ``"dft"`` (an ideal steered codebook of a uniform linear array, self-contained) or
            ``"measured"`` (beam patterns from an ``.npz`` file, e.g. DeepSense testbed 1's).
        path: The measured patterns file (``kind: measured``): absolute, or relative to the YAML file it is
            written in; the resolved spec holds the absolute path.
        num_elements: Array elements of the DFT codebook.
        num_beams: Beams of the DFT codebook.
        fov_deg: Span of the DFT codebook's steering bearings [deg].
    """

    kind: Literal["dft", "measured"] = "dft"
    path: str | None = None
    num_elements: int = Field(default=16, ge=1)
    num_beams: int = Field(default=64, ge=1)
    fov_deg: Number = Field(default=90.0, gt=0, lt=180)

    @field_validator("path")
    @classmethod
    def _absolute_path(cls, path: str | None, info: ValidationInfo) -> str | None:
        """Resolve a relative path against the YAML file's folder (``context["base_dir"]``) or the cwd."""
        if path is None:
            return None
        expanded = os.path.expanduser(path)
        if os.path.isabs(expanded):
            return expanded
        base_dir = (info.context or {}).get("base_dir")
        root = os.fspath(base_dir) if base_dir is not None else os.getcwd()
        return os.path.normpath(os.path.join(root, expanded))


class ReceiverSpec(SpecModel):
    """The receiver's measurement model (street layout), as :mod:`rvsim.radio.receiver_noise` describes it.

    Attributes:
        noise_floor_db: Range ``[min, max]`` of the mean noise power per beam [dB relative to a unit path gain
            through a unit beam gain]; drawn uniformly per sample. A line-of-sight path at 20 m and 60 GHz has
            a path gain of about -94 dB.
        noise_cv: Coefficient of variation of the noise power per beam and sample, in ``(0, 1]``.
        floor_db: Clipping floor of the normalised beam power [dB relative to the sample's peak], negative.
    """

    noise_floor_db: Pair = (-104.0, -100.0)
    noise_cv: Number = Field(default=0.05, gt=0, le=1)
    floor_db: Number = Field(default=-30.0, lt=0)


class RadioSpec(SpecModel):
    """The base station's radio: a monostatic OFDM sensing link (hall) or an uplink into a beam codebook (street).

    Attributes:
        frequency_hz: Carrier frequency [Hz].
        bandwidth_hz: OFDM bandwidth [Hz]; the range resolution is ``c / (2 * bandwidth_hz)`` (hall).
        num_subcarriers: Subcarriers spread evenly over the bandwidth (hall).
        tx_array: Transmit array (co-located with the receiver in the hall; the car's quasi-omni antenna or
            the fixed transmitter in the street).
        rx_array: Receive array; its columns form the ULA used for angle (hall).
        range_angle: Axes of the range–angle map (hall).
        mode: ``"monostatic"`` (hall) or ``"uplink"`` (street); None takes the layout's mode.
        codebook: The receive beam codebook (street).
        receiver: Noise floor and normalisation of the beam powers (street).
    """

    frequency_hz: Number = Field(default=28.0e9, gt=0)
    bandwidth_hz: Number = Field(default=800.0e6, gt=0)
    num_subcarriers: int = Field(default=256, ge=8)
    tx_array: ArraySpec = Field(default_factory=ArraySpec)
    rx_array: ArraySpec = Field(default_factory=lambda: ArraySpec(num_rows=1, num_cols=16))
    range_angle: RangeAngleSpec = Field(default_factory=RangeAngleSpec)
    mode: Literal["monostatic", "uplink"] | None = None
    codebook: CodebookSpec = Field(default_factory=CodebookSpec)
    receiver: ReceiverSpec = Field(default_factory=ReceiverSpec)

    @property
    def wavelength_m(self) -> float:
        """Carrier wavelength [m]."""
        return SPEED_OF_LIGHT / self.frequency_hz

    @property
    def range_resolution_m(self) -> float:
        """Range resolution ``c / (2 B)`` [m]."""
        return SPEED_OF_LIGHT / (2.0 * self.bandwidth_hz)

    def subcarrier_frequencies(self) -> Any:
        """Absolute subcarrier frequencies [Hz], shape ``(num_subcarriers,)``, centred on the carrier."""
        spacing = self.bandwidth_hz / self.num_subcarriers
        k = np.arange(self.num_subcarriers) - self.num_subcarriers // 2
        return self.frequency_hz + k * spacing
