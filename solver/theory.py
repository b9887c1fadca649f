"""What linear theory predicts for a run, from the matrix's singular values.

For the inverse and pseudo-inverse the loss f(X) = mean((A(X) - I)**2) is quadratic, with
Hessian (2/N) A^T A. Each eigenvalue (curvature) lam evolves independently, so the
step-to-step behaviour of every optimizer with fixed lr and momentum is a small linear map
whose spectral radius rho gives the asymptotic error factor per step; the loss (above its
floor, for a rank-deficient M) shrinks by rho**2 per step. L and mu are the largest and
smallest non-zero curvatures.

Everything is computed in a scaled form, so any finite matrix is analysed: the singular
values of M / s (s = the largest |entry|) are found, and s enters only at the end, where
curvatures, limits and learning rates that lie beyond float64's range come out as 0 or inf
and the note says which number over- or underflows.

For a large matrix (solver.spectrum) only the largest singular value may be known: the
theory is then `complete=False`, with L, the stable learning rate and the range warning,
but no condition number, rank, mu, prediction, optimum or loss floor until every singular
value is computed (Run.complete_theory).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

import numpy as np

from solver.floor import EPS, MAX_BOTH_SIDES_N, LossFloor, loss_floor, numerical_rank
from solver.settings import Settings
from solver.spectrum import FULL_ANALYSIS_MAX_DIM, SCALE_FREE, Spectrum, full_spectrum
from solver.views_math import residual_side

# Polyak's and Nesterov's optimal tunings put the largest curvature exactly on a double root
# of the iteration map, where the error grows like t before it shrinks; tuning for a
# slightly larger L moves that mode inside the stable disc at a negligible cost in rate.
CURVATURE_MARGIN = 1.01
# Heavy ball tuned for a curvature ratio kappa shrinks the error by about 1 - 2/sqrt(kappa)
# per step, gradient descent by 1 - 2/kappa: within T steps only directions with
# sqrt(kappa) (kappa for gd) up to about T / BUDGET_STEPS get anywhere. Tuning for a larger
# kappa slows every direction down for nothing (hilbert-6, kappa 2.2e14: Polyak's settings
# left the loss at 30 after 10,000 steps, where 0.9/0.9 reaches 0.085).
BUDGET_STEPS = 4.0
FLOAT64_MAX = float(np.finfo(np.float64).max)
__all__ = ["SCALE_FREE"]  # defined with the spectrum, where the scale is chosen
INCOMPLETE_NOTE = (f"Matrix larger than {FULL_ANALYSIS_MAX_DIM} x {FULL_ANALYSIS_MAX_DIM}: "
                   "only its largest singular value is computed so far, so the stable "
                   "learning rate is known but not κ, the rank, the predicted rate, the "
                   "optimal settings or the loss floor.")


@dataclass(frozen=True)
class Theory:
    """Predictions for one matrix and one set of settings; None where theory says nothing.

    `condition_number` is sigma_max/sigma_min, infinite when M is rank-deficient at the
    run's precision (`rank` < min(rows, cols); `sigma_ratio` keeps the finite ratio).
    `tuned_kappa` is the curvature ratio the optimal settings are tuned for: L/mu, or less
    where the precision (L/mu beyond 1/eps cannot be resolved) or the step budget caps it
    (`tuning` then says so). Learning rates beyond float64's range are None (`warning`).
    """

    singular_values: np.ndarray  # all, descending; sigma_max alone when not complete
    condition_number: float | None  # None when not complete
    rank: int = 0
    sigma_ratio: float = math.inf  # sigma_max / sigma_min even when below the precision
    curvatures: np.ndarray | None = None
    L: float | None = None
    mu: float | None = None
    max_stable_lr: float | None = None
    predicted_loss_factor: float | None = None
    optimal_lr: float | None = None
    optimal_momentum: float | None = None
    optimal_loss_factor: float | None = None
    tuned_kappa: float | None = None
    log10_L: float | None = None  # log10 of L and mu, finite where L and mu over/underflow
    log10_mu: float | None = None
    note: str = ""  # why theory predicts nothing here (SVD, Adam, ...)
    tuning: str = ""  # why the optimal settings are tuned for less than L/mu
    warning: str = ""  # M's scale puts curvatures or learning rates beyond float64
    floor: LossFloor | None = None  # the least loss any X reaches, when it is above 0
    # The curvatures are 2s²/N of the operator X -> (X·M + M·X)/2, not of M (side "both").
    two_sided: bool = False
    # False: only sigma_max is known (a large M); condition_number is None, rank 0 means
    # unknown, and mu, curvatures, prediction, optimum and floor wait for Run.complete_theory.
    complete: bool = True


def analyse(matrix: np.ndarray, settings: Settings, spectrum: Spectrum | None = None) -> Theory:
    """Curvatures, stability limit, predicted loss factor per step and optimal settings.

    `settings` must already be validated (problem resolved). Never raises for a finite M.
    `spectrum` is what is known of M's singular values (default: all of them, computed
    here); with only the largest (a large M, see solver.spectrum) the theory is incomplete.
    """
    spectrum = spectrum if spectrum is not None else full_spectrum(matrix)
    if not spectrum.complete:
        return _incomplete(np.shape(matrix), settings, spectrum)
    m = np.asarray(matrix, dtype=np.float64)
    scale = spectrum.scale
    unit = m / scale
    unit_sv = spectrum.values
    with np.errstate(over="ignore", under="ignore"):
        sv = unit_sv * scale  # may over- or underflow: shown only, never computed with
    rank = numerical_rank(unit_sv, m.shape, settings.dtype)
    with np.errstate(divide="ignore"):
        ratio = float(unit_sv[0] / unit_sv[-1]) if rank else math.inf
    cond = ratio if rank == unit_sv.size else math.inf
    base = {"singular_values": sv, "condition_number": cond, "rank": rank, "sigma_ratio": ratio}
    if settings.problem == "svd":
        return Theory(**base, note="The SVD loss is not quadratic: no linear-rate prediction.")
    side = residual_side(m.shape, settings.problem, settings.side)
    base["two_sided"] = side == "both"
    base["floor"] = loss_floor(unit, unit_sv, side, settings.dtype)
    if rank == 0:
        return Theory(**base, note="M is zero: every X has the same loss, no step changes it.")
    unit_curv = _unit_curvatures(unit, unit_sv[:rank], side, settings.dtype)
    if unit_curv is None:
        return Theory(**base, note=f"Matrix too large for the two-sided operator analysis "
                                   f"(n > {MAX_BOTH_SIDES_N}).")
    return _linear_theory(base, unit_curv, scale, settings)


def _incomplete(shape: tuple[int, int], settings: Settings, spectrum: Spectrum) -> Theory:
    """What sigma_max alone gives: L = 2 sigma_max^2 / N and the stable learning rate."""
    scale, unit_largest = spectrum.scale, spectrum.largest
    with np.errstate(over="ignore", under="ignore"):
        largest = unit_largest * scale
    base = {"singular_values": np.array([largest]), "condition_number": None,
            "complete": False}
    if settings.problem == "svd":
        return Theory(**base, note="The SVD loss is not quadratic: no linear-rate prediction.")
    side = residual_side(shape, settings.problem, settings.side)
    base["two_sided"] = side == "both"
    if unit_largest == 0.0:  # M = 0: rank 0 is known without the other singular values
        base.update(complete=True, condition_number=math.inf,
                    singular_values=np.zeros(min(shape)),
                    floor=loss_floor(np.zeros(shape), np.zeros(min(shape)), side,
                                     settings.dtype))
        return Theory(**base, note="M is zero: every X has the same loss, no step changes it.")
    if side == "both":
        return Theory(**base, note=f"Matrix too large for the two-sided operator analysis "
                                   f"(n > {MAX_BOTH_SIDES_N}).")
    size = min(shape)
    big = 2.0 * unit_largest * unit_largest / (size * size)
    with np.errstate(over="ignore", under="ignore"):
        curvature = float(_rescaled(np.array([big]), scale)[0])
    base.update(L=curvature, log10_L=math.log10(big) + 2 * math.log10(scale),
                warning=_range_warning(big, scale))
    if settings.optimizer in ("adam", "rmsprop"):
        return Theory(**base, note="Adaptive optimizers rescale each step: no linear prediction.")
    beta = settings.momentum if settings.optimizer != "gd" else 0.0
    return Theory(**base, note=INCOMPLETE_NOTE, max_stable_lr=_representable(
        _lr_for(max_stable_lr(settings.optimizer, beta, big), scale)))


def _unit_curvatures(unit: np.ndarray, unit_sv: np.ndarray, side: str, dtype: str):
    """Curvatures of the loss for M / scale (multiply by scale**2 for M's own)."""
    rows, cols = unit.shape
    if side == "both":
        if rows > MAX_BOTH_SIDES_N:
            return None
        eye = np.eye(rows)
        # Row-major vec: vec(X M) = (I kron M^T) vec(X), vec(M X) = (M kron I) vec(X).
        op = (np.kron(eye, unit.T) + np.kron(unit, eye)) / 2
        op_sv = np.linalg.svd(op, compute_uv=False)
        op_sv = op_sv[: numerical_rank(op_sv, op.shape, dtype)]
        return _distinct(2.0 * op_sv**2 / (rows * rows))
    # The residual is min(rows, cols) square: X @ M for a tall M, M @ X for a wide one.
    size = min(rows, cols)
    return _distinct(2.0 * unit_sv**2 / (size * size))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (the finite values np.unique gives). Not np.unique: in
    NumPy 2.x its first call imports numpy.ma (about 75 ms), and the first theory is computed
    while the window starts (benchmarks/bench_gui.py, start-up)."""
    ordered = np.sort(values)
    keep = np.ones(ordered.size, dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def _linear_theory(base: dict, unit_curv: np.ndarray, scale: float, s: Settings) -> Theory:
    big, small = float(unit_curv.max()), float(unit_curv.min())
    curv = _rescaled(unit_curv, scale)
    base.update(curvatures=curv, L=float(curv.max()), mu=float(curv.min()),
                log10_L=math.log10(big) + 2 * math.log10(scale),
                log10_mu=math.log10(small) + 2 * math.log10(scale),
                warning=_range_warning(big, scale))
    if s.optimizer in ("adam", "rmsprop"):
        return Theory(**base, note="Adaptive optimizers rescale each step: no linear prediction.")
    beta = s.momentum if s.optimizer != "gd" else 0.0
    # lr * curvature, the only combination the dynamics depend on, from logs: finite
    # whenever the step itself is.
    h = _rescaled(unit_curv, scale, s.lr)
    rho = float(spectral_radius_h(s.optimizer, h, beta).max())
    kappa = big / small
    tuned = min(kappa, 1.0 / EPS[s.dtype], _budget_kappa(s))
    unit_lr, optimal_momentum = optimal_settings(s.optimizer, big, big / tuned)
    optimal_lr = _representable(_lr_for(unit_lr, scale))
    optimal_factor = None
    if optimal_lr is not None:
        h_best = _rescaled(unit_curv, scale, optimal_lr)
        optimal_factor = float(spectral_radius_h(s.optimizer, h_best, optimal_momentum or 0.0)
                               .max()) ** 2
    else:
        optimal_momentum = None
    return Theory(
        **base,
        max_stable_lr=_representable(_lr_for(max_stable_lr(s.optimizer, beta, big), scale)),
        predicted_loss_factor=rho * rho,
        optimal_lr=optimal_lr,
        optimal_momentum=optimal_momentum,
        optimal_loss_factor=optimal_factor,
        tuned_kappa=tuned,
        tuning=_tuning_note(kappa, tuned, s) if tuned < kappa else "",
    )


def _representable(lr: float) -> float | None:
    """A learning rate float64 can hold, or None (0 or inf: out of range, see warning)."""
    return lr if 0 < lr < math.inf else None


def _rescaled(unit_values: np.ndarray, scale: float, factor: float = 1.0) -> np.ndarray:
    """factor * unit_values * scale**2, through logs where scale**2 leaves float64's range."""
    square = scale * scale
    if 1e-280 < square < 1e280:
        return factor * unit_values * square
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(math.log(factor) + np.log(unit_values) + 2 * math.log(scale))


def _lr_for(unit_lr: float, scale: float) -> float:
    """The learning rate for M from the one for M / scale: unit_lr / scale**2 (inf or 0
    when it lies beyond float64's range)."""
    with np.errstate(over="ignore", under="ignore"):
        return float(np.float64(unit_lr) / np.float64(scale) / np.float64(scale))


def _budget_kappa(s: Settings) -> float:
    if not s.max_steps:
        return math.inf
    reach = s.max_steps / BUDGET_STEPS
    return reach if s.optimizer == "gd" else reach * reach


def _tuning_note(kappa: float, tuned: float, s: Settings) -> str:
    reasons = []
    if kappa > 1.0 / EPS[s.dtype]:
        reasons.append(f"beyond what {s.dtype} resolves (1/eps = {1.0 / EPS[s.dtype]:.2g}: "
                       "steps along the flattest directions are lost in rounding)")
    if kappa > _budget_kappa(s):
        reasons.append(f"more than {s.max_steps:,} steps can converge")
    return (f"The curvature ratio L/mu = {kappa:.3g} is {' and '.join(reasons)}; the optimal "
            f"settings are tuned for L/mu = {tuned:.3g}.")


def _range_warning(unit_big: float, scale: float) -> str:
    """Say so when M's scale puts the curvature or the learning rates beyond float64."""
    log_l = math.log10(unit_big) + 2 * math.log10(scale)
    fix = f"Scale M by {power_text(-round(math.log10(scale)))} first (and the answer back)."
    if log_l < -300:
        return (f"The largest curvature 2σ²/N, about {power_text(log_l)}, underflows float64: "
                f"moving X needs lr about 1/L = {power_text(-log_l)}, beyond float64's "
                f"{FLOAT64_MAX:.2g}, so no learning rate moves X. {fix}")
    if log_l > 300:
        return (f"The largest curvature 2σ²/N, about {power_text(log_l)}, overflows float64: "
                f"a stable lr would be below {power_text(math.log10(2) - log_l)}, under "
                f"float64's smallest number. {fix}")
    return ""


def limit_text(limit: float, digits: int = 4) -> str:
    """An upper limit as text with `digits` significant digits, rounded down, so that
    "lr < text" stays true: 6.9987 gives '6.998', not '6.999' or '7' (which diverge). Every
    place that quotes a stable limit writes it this way, so all say the same number."""
    if not (math.isfinite(limit) and limit > 0):
        return f"{limit:.{digits}g}"
    exact = Decimal(repr(float(limit)))  # a NumPy float's repr is "np.float64(...)"
    exponent = exact.adjusted() - digits + 1
    floored = exact.scaleb(-exponent).to_integral_value(rounding=ROUND_FLOOR).scaleb(exponent)
    return f"{float(floored):.{digits}g}"


def power_text(log10_value: float) -> str:
    """10**log10_value as text, even beyond float64's range (e.g. '2.2e-401')."""
    exponent = math.floor(log10_value)
    mantissa = float(f"{10 ** (log10_value - exponent):.2g}")
    if mantissa >= 10:  # 9.97 rounds to 10
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:g}e{exponent:+d}"


def iteration_matrices(optimizer: str, lr: float, beta: float, lam: np.ndarray) -> np.ndarray:
    """The 2x2 linear map on (x, lr * velocity) of one step along a curvature lam, per lam."""
    h = lr * np.atleast_1d(np.asarray(lam, dtype=np.float64))
    return _maps(optimizer, h, beta)


def _maps(optimizer: str, h: np.ndarray, beta: float) -> np.ndarray:
    h = np.atleast_1d(np.asarray(h, dtype=np.float64))
    out = np.zeros((h.size, 2, 2))
    if optimizer == "gd":
        out[:, 0, 0] = 1 - h
        return out
    out[:, 1, 0] = h
    out[:, 1, 1] = beta
    if optimizer == "nesterov":  # x' = x - lr (lam x + beta buf'), buf' = beta buf + lam x
        out[:, 0, 0] = 1 - h * (1 + beta)
        out[:, 0, 1] = -beta * beta
    else:  # heavy ball: buf' = beta buf + lam x; x' = x - lr buf'
        out[:, 0, 0] = 1 - h
        out[:, 0, 1] = -beta
    return out


def spectral_radius(optimizer: str, lr: float, beta: float, lam: np.ndarray) -> np.ndarray:
    """Asymptotic error factor per step along each curvature lam."""
    return spectral_radius_h(optimizer, lr * np.asarray(lam, dtype=np.float64), beta)


def spectral_radius_h(optimizer: str, h: np.ndarray, beta: float) -> np.ndarray:
    """Asymptotic error factor per step for each h = lr * curvature (inf if h is)."""
    h = np.atleast_1d(np.asarray(h, dtype=np.float64))
    finite = np.isfinite(h)
    out = np.full(h.shape, math.inf)
    if finite.any():
        out[finite] = np.abs(np.linalg.eigvals(_maps(optimizer, h[finite], beta))).max(axis=1)
    return out


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
