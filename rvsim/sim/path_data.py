"""Propagation paths as numpy arrays: traced with Sionna RT's solver, read once, turned into a CFR.

:func:`solve_paths` runs a deterministic ``PathSolver`` with a family's :class:`~rvsim.config.SolverSpec`;
:meth:`PathData.from_sionna` is the one conversion of Sionna's ``Paths`` into numpy (the hall's engine, the
street's engine and the range–Doppler maps all use it); :meth:`PathData.cfr` computes the channel frequency
response from the paths in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rvsim.config import SolverSpec

__all__ = ["PathData", "solve_paths"]


def solve_paths(solver: Any, scene: Any, spec: SolverSpec, *, los: bool) -> Any:
    """Trace a Sionna RT scene with the family's solver settings and fixed seed (synthetic array).

    Args:
        solver: A ``sionna.rt.PathSolver`` (deterministic mode).
        scene: The Sionna RT scene, its transmitter and receiver placed.
        spec: The family's solver settings (``solver.seed`` is used for every sample).
        los: Keep the line-of-sight path (the street's uplink) or not (the hall's monostatic radar).

    Returns:
        Sionna RT ``Paths``; read them with :meth:`PathData.from_sionna`.
    """
    return solver(scene, max_depth=spec.max_depth, max_num_paths_per_src=spec.max_num_paths_per_src,
                  samples_per_src=spec.samples_per_src, synthetic_array=True, los=los,
                  specular_reflection=spec.specular_reflection, diffuse_reflection=spec.diffuse_reflection,
                  refraction=spec.refraction, diffraction=spec.diffraction, seed=int(spec.seed))


@dataclass(frozen=True)
class PathData:
    """Propagation paths from the transmitter to the receiving array, as numpy arrays.

    Attributes:
        a: Complex path coefficients per receive antenna, shape ``(num_rx_ant, num_paths)``.
        tau: Path delays [s], shape ``(num_paths,)``.
        phi_r: Azimuth of arrival in the world frame [rad], shape ``(num_paths,)``.
        theta_r: Zenith of arrival [rad], shape ``(num_paths,)``.
        doppler: Doppler shift of each path [Hz], shape ``(num_paths,)``, when asked for (moving objects).
    """

    a: np.ndarray
    tau: np.ndarray
    phi_r: np.ndarray
    theta_r: np.ndarray
    doppler: np.ndarray | None = None

    @classmethod
    def from_sionna(cls, paths: Any, *, with_doppler: bool = False) -> PathData:
        """The valid paths of a Sionna RT ``Paths`` object (one transmitter, one receiver, synthetic array).

        Sionna's arrays are ``a``: ``[num_rx=1, rx_ant, num_tx=1, tx_ant=1, paths]``, ``tau``, ``phi_r``,
        ``theta_r`` and ``doppler``: ``[num_rx=1, num_tx=1, paths]``; a path is kept when it is valid for any
        antenna and its delay is not negative.

        Args:
            paths: What ``PathSolver(...)(scene, synthetic_array=True, ...)`` returned.
            with_doppler: Also read each path's Doppler shift (float64).

        Raises:
            ValueError: if the transmitter has more than one antenna (the specs allow only one).
        """
        a_re, a_im = paths.a
        a = np.asarray(a_re.numpy(), np.float32) + 1j * np.asarray(a_im.numpy(), np.float32)
        if a.ndim != 5 or a.shape[0] != 1 or a.shape[2] != 1 or a.shape[3] != 1:
            raise ValueError(f"expected paths of one receiver from one single-antenna transmitter, "
                             f"a: [1, rx_ant, 1, 1, paths]. Received: a.shape={a.shape}")
        a = a[0, :, 0, 0]  # (rx_ant, paths)
        tau = np.asarray(paths.tau.numpy()).reshape(-1)
        num_ant = a.shape[0]
        if tau.size == 0:
            return cls(a=np.zeros((num_ant, 0), np.complex64), tau=np.zeros(0), phi_r=np.zeros(0, np.float32),
                       theta_r=np.zeros(0, np.float32), doppler=np.zeros(0) if with_doppler else None)
        phi = np.asarray(paths.phi_r.numpy()).reshape(-1)
        theta = np.asarray(paths.theta_r.numpy()).reshape(-1)
        valid = np.asarray(paths.valid.numpy()).reshape(-1, tau.size).any(axis=0) & (tau >= 0)
        doppler = None
        if with_doppler:
            doppler = np.asarray(paths.doppler.numpy(), np.float64).reshape(-1, tau.size)[0][valid]
        return cls(a=a[:, valid].astype(np.complex64), tau=tau[valid].astype(np.float64),
                   phi_r=phi[valid].astype(np.float32), theta_r=theta[valid].astype(np.float32), doppler=doppler)

    @property
    def num_paths(self) -> int:
        """Number of valid paths."""
        return int(self.tau.shape[0])

    def cfr(self, frequencies: np.ndarray) -> np.ndarray:
        """Channel frequency response ``H[n, f] = sum_p a[n, p] exp(-j 2 pi f tau_p)``.

        Args:
            frequencies: Absolute frequencies [Hz], shape ``(num_subcarriers,)``.

        Returns:
            complex64 array, shape ``(num_rx_ant, num_subcarriers)``.
        """
        f = np.asarray(frequencies, dtype=np.float64)
        if self.num_paths == 0:
            return np.zeros((self.a.shape[0], f.shape[0]), np.complex64)
        tau = self.tau.astype(np.float64)
        if f.shape[0] > 1 and np.allclose(np.diff(f), f[1] - f[0], rtol=1e-9, atol=0.0):
            # evenly spaced subcarriers: one complex exponential per path and a running product over
            # subcarriers (float64) instead of num_paths x num_subcarriers exponentials (2-3x faster)
            phase = np.empty((tau.shape[0], f.shape[0]), np.complex128)
            phase[:, 0] = np.exp(-2j * np.pi * tau * f[0])
            phase[:, 1:] = np.exp(-2j * np.pi * tau * (f[1] - f[0]))[:, None]
            np.cumprod(phase, axis=1, out=phase)
        else:
            phase = np.exp(-2j * np.pi * np.outer(tau, f))
        return (self.a.astype(np.complex128) @ phase).astype(np.complex64)
