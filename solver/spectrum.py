"""What the analysis knows of M's singular values: all of them, or only the largest.

All singular values cost a full SVD, about 20 matrix products and more for a large M, which
for a 4096 x 4096 matrix takes longer than many steps of the run. The largest alone, which
is all the stable learning rate needs, costs a few dozen matrix-vector products by the
Lanczos method. Run therefore computes all of them when it is created only for matrices up
to FULL_ANALYSIS_MAX_DIM rows and columns, and the largest alone above that, until asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.reference import singular_values

FULL_ANALYSIS_MAX_DIM = 512
"""Up to this many rows and columns, a Run computes every singular value when it is created;
above it, only the largest (`Run.complete_theory()` computes the rest when asked)."""
LANCZOS_STEPS = 64
LANCZOS_TOL = 1e-10  # bound on the relative error of the largest eigenvalue of M^T M


SCALE_FREE = (1e-100, 1e100)
"""Matrices whose largest |entry| lies in this range are analysed unscaled: their
curvatures and learning rates are far inside float64's range. Others are analysed as
M / (their largest |entry|), and the scale enters only at the end (solver.theory)."""


@dataclass(frozen=True)
class Spectrum:
    """The singular values of M / scale: the largest, and all (descending) once computed."""

    scale: float
    largest: float
    values: np.ndarray | None = None

    @property
    def complete(self) -> bool:
        """True when every singular value is known."""
        return self.values is not None


def analysis_scale(matrix: np.ndarray) -> float:
    """The scale M is analysed at: 1 for ordinary matrices, else its largest |entry|."""
    largest = float(np.abs(np.asarray(matrix)).max(initial=0.0))
    return 1.0 if SCALE_FREE[0] <= largest <= SCALE_FREE[1] or largest == 0 else largest


def full_spectrum(matrix: np.ndarray) -> Spectrum:
    """Every singular value of M / scale (a full SVD, in float64)."""
    m = np.asarray(matrix, dtype=np.float64)
    scale = analysis_scale(m)
    values = singular_values(m / scale) if np.any(m) else np.zeros(min(m.shape))
    return Spectrum(scale, float(values[0]) if values.size else 0.0, values)


def spectrum(matrix: np.ndarray, full: bool | None = None) -> Spectrum:
    """The spectrum a new Run starts with: full for a matrix of at most
    FULL_ANALYSIS_MAX_DIM rows and columns (or when `full` is True), else the largest
    singular value only."""
    if full is None:
        full = max(np.shape(matrix)) <= FULL_ANALYSIS_MAX_DIM
    if full:
        return full_spectrum(matrix)
    scale = analysis_scale(matrix)
    return Spectrum(scale, largest_singular_value(matrix, scale))


def largest_singular_value(matrix: np.ndarray, scale: float | None = None) -> float:
    """sigma_max of M (of M / scale, if given) by the Lanczos method on M^T M (or M M^T,
    the smaller), with full reorthogonalisation, in float64, from a fixed start: the same
    matrix gives the same number. Stops when the error bound of sigma_max**2 is below 1e-10
    relative, or after 64 steps (a few dozen matrix-vector products). M is scaled by its
    largest entry first, so entries up to the float64 limit do not overflow."""
    m = np.array(matrix, dtype=np.float64)  # a copy, scaled in place below
    if m.size == 0:
        return 0.0
    inner = float(np.abs(m).max())
    if inner == 0.0:
        return 0.0
    m /= inner
    tall = m.shape[0] >= m.shape[1]
    size = m.shape[1] if tall else m.shape[0]

    def apply(v: np.ndarray) -> np.ndarray:
        return m.T @ (m @ v) if tall else m @ (m.T @ v)

    steps = min(LANCZOS_STEPS, size)
    basis = np.zeros((steps + 1, size))
    start = np.random.default_rng(0).standard_normal(size)
    basis[0] = start / np.linalg.norm(start)
    alphas: list[float] = []
    betas: list[float] = []
    theta = 0.0
    for k in range(steps):
        w = apply(basis[k])
        alphas.append(float(basis[k] @ w))
        # Full reorthogonalisation (twice is enough): keeps the Ritz values honest.
        for _ in range(2):
            w -= basis[: k + 1].T @ (basis[: k + 1] @ w)
        beta = float(np.linalg.norm(w))
        tridiagonal = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
        values, vectors = np.linalg.eigh(tridiagonal)
        theta = float(values[-1])
        # The Ritz pair's residual bounds how far theta is from an eigenvalue of M^T M.
        if beta * abs(vectors[-1, -1]) <= LANCZOS_TOL * max(theta, 1e-300) or beta == 0.0:
            break
        betas.append(beta)
        basis[k + 1] = w / beta
    # sigma(M / scale) = sigma(M / inner) * inner / scale; the theory's scale is inner.
    factor = inner if scale is None else inner / scale
    return factor * float(np.sqrt(max(theta, 0.0)))
