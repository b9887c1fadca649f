"""What linear theory predicts for a run, from the matrix's singular values.

For the inverse and pseudo-inverse the loss f(X) = mean((A(X) - I)**2) is quadratic, with
Hessian (2/N) A^T A. Each eigenvalue (curvature) lam evolves independently, so the
step-to-step behaviour of every optimizer with fixed lr and momentum is a small linear map
whose spectral radius rho gives the asymptotic error factor per step; the loss shrinks by
rho**2 per step. L and mu are the largest and smallest non-zero curvatures.

For a large matrix (solver.spectrum) only the largest singular value may be known: the
theory is then `complete=False`, with L and the stable learning rate but no condition
number, mu, prediction, optimum or loss floor until every singular value is computed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solver.floor import LossFloor, loss_floor
from solver.settings import Settings
from solver.spectrum import FULL_ANALYSIS_MAX_DIM, Spectrum, full_spectrum
from solver.views_math import residual_side

# Polyak's and Nesterov's optimal tunings put the largest curvature exactly on a double root
# of the iteration map, where the error grows like t before it shrinks; on an ill-conditioned
# matrix (hilbert-6, kappa ~ 1e14) that transient looks like divergence. Tuning for a
# slightly larger L moves that mode inside the stable disc at a negligible cost in rate.
CURVATURE_MARGIN = 1.01
# Building the n^2 x n^2 operator of the "both" residual is only affordable for small n.
MAX_BOTH_SIDES_N = 24


@dataclass(frozen=True)
class Theory:
    """Predictions for one matrix and one set of settings; None where theory says nothing."""

    singular_values: np.ndarray  # all, descending; only the largest when not complete
    condition_number: float | None  # None when not complete
    curvatures: np.ndarray | None = None
    L: float | None = None
    mu: float | None = None
    max_stable_lr: float | None = None
    predicted_loss_factor: float | None = None
    optimal_lr: float | None = None
    optimal_momentum: float | None = None
    note: str = ""
    floor: LossFloor | None = None  # the least loss any X reaches, when it is above 0
    complete: bool = True  # False: only sigma_max is known (see Run.complete_theory)


INCOMPLETE_NOTE = (f"Matrix larger than {FULL_ANALYSIS_MAX_DIM} x {FULL_ANALYSIS_MAX_DIM}: "
                   "only its largest singular value is computed so far, so the stable "
                   "learning rate is known but not κ, the predicted rate, the optimal "
                   "settings or the loss floor.")
TOO_LARGE_NOTE = ("The matrix's entries are too large for the analysis: its curvature "
                  "2σ²/N overflows float64.")


def analyse(matrix: np.ndarray, settings: Settings, spectrum: Spectrum | None = None) -> Theory:
    """Curvatures, stability limit, predicted loss factor per step and optimal settings.

    `settings` must already be validated (problem resolved). `spectrum` is what is known of
    M's singular values (default: all of them, computed here); with only the largest, the
    theory is incomplete (`complete=False`): L and max_stable_lr only.
    """
    spectrum = spectrum if spectrum is not None else full_spectrum(matrix)
    if not spectrum.complete:
        return _incomplete(matrix, settings, spectrum.largest)
    sv = spectrum.values
    positive = sv[sv > sv[0] * 1e-12] if sv.size and sv[0] > 0 else sv[:0]
    cond = float(sv[0] / sv[-1]) if sv.size and sv[-1] > 0 else math.inf
    base = {"singular_values": sv, "condition_number": cond}
    if settings.problem != "svd":
        side = residual_side(matrix.shape, settings.problem, settings.side)
        base["floor"] = loss_floor(matrix, sv, side, settings.dtype)
    if settings.problem == "svd":
        return Theory(**base, note="The SVD loss is not quadratic: no linear-rate prediction.")
    curv = _curvatures(matrix, settings, positive)
    if curv is None or curv.size == 0:
        return Theory(**base, note="Matrix too large for the two-sided operator analysis.")
    if not np.isfinite(curv).all():
        return Theory(**base, note=TOO_LARGE_NOTE)
    big, small = float(curv.max()), float(curv.min())
    base.update(curvatures=curv, L=big, mu=small)
    opt = settings.optimizer
    if opt in ("adam", "rmsprop"):
        return Theory(**base, note="Adaptive optimizers rescale each step: no linear prediction.")
    beta = settings.momentum if opt != "gd" else 0.0
    rho = float(spectral_radius(opt, settings.lr, beta, curv).max())
    optimal_lr, optimal_momentum = optimal_settings(opt, big, small)
    return Theory(
        **base,
        max_stable_lr=max_stable_lr(opt, beta, big),
        predicted_loss_factor=rho * rho,
        optimal_lr=optimal_lr,
        optimal_momentum=optimal_momentum,
    )


def _incomplete(matrix: np.ndarray, settings: Settings, largest: float) -> Theory:
    """What sigma_max alone gives: L = 2 sigma_max^2 / N and the stable learning rate."""
    base = {"singular_values": np.array([largest]), "condition_number": None,
            "complete": False}
    opt = settings.optimizer
    if settings.problem == "svd":
        return Theory(**base, note="The SVD loss is not quadratic: no linear-rate prediction.")
    if settings.problem == "inverse" and settings.side == "both":
        return Theory(**base, note="Matrix too large for the two-sided operator analysis.")
    size = min(matrix.shape)
    with np.errstate(over="ignore"):
        big = 2.0 * largest * largest / (size * size)
    if not math.isfinite(big):
        return Theory(**base, note=TOO_LARGE_NOTE)
    if big <= 0.0:  # M = 0: rank 0 is known without the other singular values
        side = residual_side(matrix.shape, settings.problem, settings.side)
        floor = loss_floor(matrix, np.zeros(min(matrix.shape)), side, settings.dtype)
        return Theory(**base, floor=floor, note="M is zero: no X makes the residual shrink.")
    base.update(L=big)
    if opt in ("adam", "rmsprop"):
        return Theory(**base, note="Adaptive optimizers rescale each step: no linear prediction.")
    beta = settings.momentum if opt != "gd" else 0.0
    return Theory(**base, max_stable_lr=max_stable_lr(opt, beta, big), note=INCOMPLETE_NOTE)


def _curvatures(matrix: np.ndarray, settings: Settings, positive_sv: np.ndarray):
    rows, cols = matrix.shape
    if settings.problem == "inverse" and settings.side == "both":
        if rows > MAX_BOTH_SIDES_N:
            return None
        m = np.asarray(matrix, dtype=np.float64)
        eye = np.eye(rows)
        # Row-major vec: vec(X M) = (I kron M^T) vec(X), vec(M X) = (M kron I) vec(X).
        op = (np.kron(eye, m.T) + np.kron(m, eye)) / 2
        op_sv = np.linalg.svd(op, compute_uv=False)
        op_sv = op_sv[op_sv > op_sv[0] * 1e-12]
        return np.unique(2.0 * op_sv**2 / (rows * rows))
    # The residual is min(rows, cols) square: X @ M for a tall M, M @ X for a wide one.
    size = min(rows, cols)
    with np.errstate(over="ignore"):  # checked by the caller
        return np.unique(2.0 * positive_sv**2 / (size * size))


def iteration_matrices(optimizer: str, lr: float, beta: float, lam: np.ndarray) -> np.ndarray:
    """The 2x2 linear map on (x, velocity) of one step along a curvature lam, per lam."""
    lam = np.atleast_1d(np.asarray(lam, dtype=np.float64))
    out = np.zeros((lam.size, 2, 2))
    if optimizer == "gd":
        out[:, 0, 0] = 1 - lr * lam
        return out
    out[:, 1, 0] = lam
    out[:, 1, 1] = beta
    if optimizer == "nesterov":
        out[:, 0, 0] = 1 - lr * lam * (1 + beta)
        out[:, 0, 1] = -lr * beta * beta
    else:  # heavy ball: buf' = beta buf + lam x; x' = x - lr buf'
        out[:, 0, 0] = 1 - lr * lam
        out[:, 0, 1] = -lr * beta
    return out


def spectral_radius(optimizer: str, lr: float, beta: float, lam: np.ndarray) -> np.ndarray:
    """Asymptotic error factor per step along each curvature lam."""
    mats = iteration_matrices(optimizer, lr, beta, lam)
    return np.abs(np.linalg.eigvals(mats)).max(axis=1)


def max_stable_lr(optimizer: str, beta: float, big: float) -> float:
    """Largest learning rate for which every mode shrinks (Jury's criterion on the 2x2 map)."""
    if optimizer == "gd":
        return 2.0 / big
    if optimizer == "nesterov":
        return 2.0 * (1 + beta) / ((1 + 2 * beta) * big)
    return 2.0 * (1 + beta) / big


def optimal_settings(optimizer: str, big: float, small: float) -> tuple[float, float | None]:
    """Classical optimal (lr, momentum) for a quadratic with curvatures in [small, big]:
    2/(L+mu) for gd, Polyak's heavy ball, and Lessard-Recht-Packard's Nesterov tuning."""
    if optimizer == "gd":
        return 2.0 / (big + small), None
    big *= CURVATURE_MARGIN
    if optimizer == "nesterov":
        root = math.sqrt(3 * big / small + 1)
        return 4.0 / (3 * big + small), (root - 2) / (root + 2) if root > 2 else 0.0
    sb, ss = math.sqrt(big), math.sqrt(small)
    return 4.0 / (sb + ss) ** 2, ((sb - ss) / (sb + ss)) ** 2
