"""The numbers behind the teaching views: gradient check, SVD defects, predicted loss line.

Pure NumPy/torch (no Qt), so the views stay thin and the numbers are testable alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

# The predicted-loss line is drawn in log10(loss) units; where it leaves this band it ends.
LOG_BAND = (-40.0, 40.0)


def residual_side(shape: tuple[int, int], problem: str, side: str) -> str:
    """The residual a linear run actually uses: the pseudo-inverse of a tall M is solved
    from the left (X·M = I), of a wide M from the right (M·X = I); the inverse uses `side`."""
    if problem == "pinv":
        rows, cols = shape
        return "left" if rows >= cols else "right"
    return side


def residual(matrix: np.ndarray, x: np.ndarray, side: str) -> np.ndarray:
    """R = X·M − I, M·X − I or (X·M + M·X)/2 − I, in the arrays' own precision."""
    if side == "left":
        r = x @ matrix
    elif side == "right":
        r = matrix @ x
    else:
        r = (x @ matrix + matrix @ x) / 2
    return r - np.eye(r.shape[0], dtype=r.dtype)


def closed_form_gradient(matrix: np.ndarray, x: np.ndarray, side: str) -> np.ndarray:
    """∇ mean(R²) written out, in float64: 2/N·R·Mᵀ (left), 2/N·Mᵀ·R (right),
    1/N·(R·Mᵀ + Mᵀ·R) (both), with N the number of entries of R."""
    m = np.asarray(matrix, dtype=np.float64)
    r = residual(m, np.asarray(x, dtype=np.float64), side)
    n_entries = r.size
    if side == "left":
        return 2.0 / n_entries * (r @ m.T)
    if side == "right":
        return 2.0 / n_entries * (m.T @ r)
    return 1.0 / n_entries * (r @ m.T + m.T @ r)


def autograd_gradient(matrix: np.ndarray, x: np.ndarray, side: str, dtype: str) -> np.ndarray:
    """∇ mean(R²) from loss.backward(), as the tutorial computes it, in `dtype`."""
    torch_dtype = getattr(torch, dtype)
    m = torch.as_tensor(np.asarray(matrix)).to(torch_dtype)
    tx = torch.as_tensor(np.asarray(x)).to(torch_dtype).clone().requires_grad_(True)
    if side == "left":
        r = tx @ m
    elif side == "right":
        r = m @ tx
    else:
        r = (tx @ m + m @ tx) / 2
    loss = ((r - torch.eye(r.shape[0], dtype=torch_dtype)) ** 2).mean()
    loss.backward()
    return tx.grad.numpy().astype(np.float64)


@dataclass(frozen=True)
class GradientCheck:
    """autograd's gradient next to the closed form, their largest entrywise difference, and
    how much rounding in the run's precision allows.

    `bound` is, per entry, the difference float rounding can make when R and ∇ are computed
    from numbers the size of X and M (see rounding_bound); `ratio` is the largest
    |difference| / bound: at most 1 means "equal up to rounding".
    """

    autograd: np.ndarray
    closed_form: np.ndarray
    max_difference: float
    largest_entry: float
    n_entries: int
    bound: np.ndarray
    ratio: float

    @property
    def equal(self) -> bool:
        """autograd and the closed form differ by no more than rounding allows."""
        return self.ratio <= 1.0


def check_gradient(matrix: np.ndarray, x: np.ndarray, side: str, dtype: str) -> GradientCheck:
    """Compare autograd (in the run's `dtype`) with the closed form (float64) at X."""
    auto = autograd_gradient(matrix, x, side, dtype)
    closed = closed_form_gradient(np.asarray(matrix).astype(dtype), x, side)
    return compare_gradients(matrix, x, side, dtype, auto, closed)


def compare_gradients(matrix, x, side: str, dtype: str, auto: np.ndarray,
                      closed: np.ndarray) -> GradientCheck:
    """The GradientCheck of two gradients computed at X (see check_gradient)."""
    size = matrix.shape[1] if side != "right" else matrix.shape[0]
    bound = rounding_bound(np.asarray(matrix).astype(dtype), x, side, dtype)
    difference = np.abs(auto - closed)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(difference == 0, 0.0, difference / bound)
    return GradientCheck(
        autograd=auto,
        closed_form=closed,
        max_difference=float(difference.max(initial=0.0)),
        largest_entry=float(np.abs(closed).max(initial=0.0)),
        n_entries=size * size,
        bound=bound,
        ratio=float(np.nan_to_num(ratios, nan=np.inf).max(initial=0.0)),
    )


def rounding_bound(matrix: np.ndarray, x: np.ndarray, side: str, dtype: str) -> np.ndarray:
    """Per entry of ∇loss, how far two correct computations in `dtype` may differ.

    R = X·M − I loses up to k·ε·(|X|·|M| + I) per entry (k the inner dimension, ε of
    `dtype`), however small R itself is, and 2/N·R·Mᵀ adds k·ε·|R|·|Mᵀ|: the bound is
    2/N·k·ε·((|X|·|M| + I + |R|)·|Mᵀ|) (the mirror image for M·X, both terms for the mean
    of the two), plus dtype's smallest normal number. It follows the size of X and M, not
    of the gradient, so a converged run, whose gradient is down at rounding level, is judged
    by the same yardstick as its first step.
    """
    m = np.abs(np.asarray(matrix, dtype=np.float64))
    a = np.abs(np.asarray(x, dtype=np.float64))
    r = np.abs(residual(np.asarray(matrix, dtype=np.float64), np.asarray(x, np.float64), side))
    k = max(m.shape)
    eps = float(np.finfo(dtype).eps)
    size = r.shape[0]
    eye = np.eye(size)
    if side == "left":
        terms = (a @ m + eye + r) @ m.T
    elif side == "right":
        terms = m.T @ (m @ a + eye + r)
    else:
        inner = (a @ m + m @ a) / 2 + eye + r
        terms = (inner @ m.T + m.T @ inner) / 2
    # Below dtype's smallest normal number values are subnormal: their last bits are noise.
    return 2.0 / (size * size) * k * eps * terms + float(np.finfo(dtype).tiny)


def orthogonality_defects(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(UᵀU − I, VᵀV − I): zero exactly when the columns of U and of V are orthonormal."""
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    return u.T @ u - np.eye(u.shape[1]), v.T @ v - np.eye(v.shape[1])


def svd_mismatch(
    s: np.ndarray, s_ref: np.ndarray, u: np.ndarray, u_ref: np.ndarray, v: np.ndarray,
    v_ref: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per singular triple i: |σᵢ − σᵢ(torch)|, ‖uᵢ − uᵢ(torch)‖, ‖vᵢ − vᵢ(torch)‖.

    The reference vectors must already carry the estimate's signs (solver.reference.align_signs).
    """
    ds = np.abs(np.asarray(s, dtype=np.float64) - s_ref)
    du = np.linalg.norm(np.asarray(u, dtype=np.float64) - u_ref, axis=0)
    dv = np.linalg.norm(np.asarray(v, dtype=np.float64) - v_ref, axis=0)
    return ds, du, dv


def log10_floor(values, floor: float) -> np.ndarray:
    """log10 of |values| for a log-scale plot; zeros and NaN go to `floor`, +inf to -floor."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(np.abs(np.asarray(values, dtype=np.float64)))
    return np.clip(np.nan_to_num(logs, nan=floor, posinf=-floor, neginf=floor), floor, -floor)


def predicted_segment(
    anchor: tuple[float, float],
    factor: float,
    x_range: tuple[float, float],
    y_range: tuple[float, float] = LOG_BAND,
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The predicted loss line in (iteration, log10 loss), clipped to the visible box.

    It starts at `anchor` = (t0, log10 loss at t0) and falls by log10(factor) per step.
    Returns ((x0, x1), (y0, y1)) or None when no part of it is visible; the clipping keeps
    a dashed pen from being dashed over millions of invisible pixels.
    """
    if not (factor > 0 and math.isfinite(factor)):
        return None
    t0, y0 = anchor
    slope = math.log10(factor)
    low, high = max(x_range[0], t0), x_range[1]
    y_low, y_high = y_range
    if slope < 0:
        low = max(low, t0 + (y0 - y_high) / -slope)
        high = min(high, t0 + (y0 - y_low) / -slope)
    elif slope > 0:
        low = max(low, t0 + (y_low - y0) / slope)
        high = min(high, t0 + (y_high - y0) / slope)
    elif not y_low <= y0 <= y_high:
        return None
    if not high > low:
        return None
    return (low, high), (y0 + slope * (low - t0), y0 + slope * (high - t0))


def predicted_curve(
    anchor: tuple[float, float],
    factor: float,
    floor: float,
    x_range: tuple[float, float],
    points: int = 64,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The predicted loss towards a floor f > 0, in (iteration, log10 loss): loss(t) =
    f + (loss(t0) − f)·factor^(t − t0), sampled over the visible iterations from t0 on.
    (With f = 0 it is predicted_segment's straight line.) None when nothing is visible or
    the anchor is at or below the floor."""
    t0, log0 = anchor
    excess = 10.0**log0 - floor
    if not (factor > 0 and math.isfinite(factor) and excess > 0):
        return None
    low, high = max(x_range[0], t0), x_range[1]
    if not high > low:
        return None
    t = np.linspace(low, high, points)
    with np.errstate(over="ignore", under="ignore"):
        values = floor + excess * np.exp((t - t0) * math.log(factor))
    ys = np.log10(values)
    keep = np.isfinite(ys) & (ys >= LOG_BAND[0]) & (ys <= LOG_BAND[1])
    if keep.sum() < 2:
        return None
    return t[keep], ys[keep]


def observed_factor(start: tuple[int, float], end: tuple[int, float]) -> float | None:
    """Geometric-mean loss factor per step between two (iteration, loss) points, or None."""
    (t0, l0), (t1, l1) = start, end
    if t1 <= t0 or not (l0 > 0 and l1 > 0 and math.isfinite(l0) and math.isfinite(l1)):
        return None
    return float((l1 / l0) ** (1.0 / (t1 - t0)))


def shrink_text(factor: float, floor: str = "", digits: int = 4) -> str:
    """How the loss changes in one step, unambiguous: "loss × 0.9684", "loss × (1 − 1.6e-10)",
    or above a loss floor "(loss − 1/36) × 0.9" (`floor` names the floor; "" for none)."""
    amount = factor_text(factor, digits)
    if " " in amount:
        amount = f"({amount})"
    subject = f"(loss − {floor})" if floor else "loss"
    return f"{subject} × {amount}"


def factor_text(factor: float, digits: int = 4) -> str:
    """A loss factor per step with the digits that matter: 0.9889, or 1 − 8.9e-15 when
    it is so close to 1 that `digits` significant figures would print "1"."""
    if not math.isfinite(factor):
        return "∞" if factor > 0 else "NaN"
    if 0 < abs(1.0 - factor) < 10.0 ** (1 - digits) and factor != 1.0:
        gap = 1.0 - factor
        sign = "−" if gap > 0 else "+"
        return f"1 {sign} {abs(gap):.2g}"
    return f"{factor:.{digits}g}"
