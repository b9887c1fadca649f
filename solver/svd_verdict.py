"""Is an SVD run there, slow, or stalled? A verdict from evidence, shared by the GUI and CLI.

The tutorial's penalty method is slow on its seed-316 7x4 matrix (the sigma error is 4.1e-4
at 50,000 steps and 3e-7 at 100,000) and stalls on its seed-317 4x3 matrix (sigma_3 stays 0
where torch has 0.3363, the loss flat at 9.4226e-3 from step 1,000 to 200,000). "Stalled" is
said only on evidence: a loss flat over the last half of a run of at least MIN_STEPS steps
while the result is still far from torch's. Anything else that is not there yet is "slow",
with the steps still needed at the pace of the last half of the run.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np

from solver.views_math import svd_mismatch

# A triple matches torch when |delta sigma| <= SIGMA_TOL * sigma_1 and both vectors are
# within VECTOR_TOL (torch's signs aligned to the estimate's).
SIGMA_TOL = 1e-3
VECTOR_TOL = 1e-2
# Evidence of a stall: over the last half of a run at least MIN_STEPS long, the loss changed
# by at most FLAT * its value (seed 317: 1e-7 between steps 1,000 and 200,000; seed 316,
# slow, changes by 2% between 5,000 and 10,000 steps and 14% between 10,000 and 20,000).
MIN_STEPS = 2000
FLAT = 1e-4
# sigma = d*d is "held at 0" below this fraction of sigma_1.
AT_ZERO = 1e-6
# Two unit vectors this far apart (2 = opposite) point nearly opposite ways.
OPPOSITE = 1.5
# Samples kept before every other one is dropped (memory stays bounded on long runs).
MAX_SAMPLES = 20_000


@dataclass(frozen=True)
class SvdVerdict:
    """kind: "match" (same SVD as torch), "stalled", "slow" (still getting closer, running
    or stopped at its step limit), "stopped" (ended without the SVD, too early to judge) or
    "early" (running, too little evidence to say more)."""

    kind: str
    text: str
    worst: int = 0
    steps_needed: float | None = None
    mechanism: str = ""  # why the penalty method cannot move (seed 317's d*d), else ""


def subscript(i: int) -> str:
    """i written with Unicode subscript digits (σ₁₂)."""
    return "".join(chr(0x2080 + int(c)) for c in str(i))


def matches(snapshot) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per triple: does it match torch's (see SIGMA_TOL, VECTOR_TOL), and the mismatch."""
    ds, du, dv = svd_mismatch(snapshot.s, snapshot.reference, snapshot.u,
                              snapshot.extra["u_ref"], snapshot.v, snapshot.extra["v_ref"])
    scale = max(float(np.max(snapshot.reference, initial=0.0)), 1e-300)
    return (ds <= SIGMA_TOL * scale) & (du <= VECTOR_TOL) & (dv <= VECTOR_TOL), (ds, du, dv)


class SvdWatch:
    """Records (iteration, loss, singular values) from snapshots and judges the run."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget every sample (a new run)."""
        self._t: list[int] = []
        self._loss: list[float] = []
        self._err: list[np.ndarray] = []

    def record(self, snapshot) -> None:
        """Add a snapshot; an iteration at or before the last one drops the later samples."""
        t = int(snapshot.iteration)
        cut = bisect.bisect_left(self._t, t)
        del self._t[cut:], self._loss[cut:], self._err[cut:]
        self._t.append(t)
        self._loss.append(float(snapshot.loss))
        self._err.append(np.abs(np.asarray(snapshot.s, dtype=np.float64) - snapshot.reference))
        if len(self._t) > MAX_SAMPLES:
            keep = slice(None, None, 2)
            self._t, self._loss, self._err = self._t[keep], self._loss[keep], self._err[keep]
            if self._t[-1] != t:
                self._t.append(t)
                self._loss.append(float(snapshot.loss))
                self._err.append(np.abs(np.asarray(snapshot.s) - snapshot.reference))

    def verdict(self, snapshot) -> SvdVerdict:
        """The verdict at `snapshot`, the last one recorded (its extra["svd_method"] and
        status say which method ran and whether the run has stopped)."""
        method, state = snapshot.extra.get("svd_method", "penalty"), snapshot.status.state
        ok, (ds, du, dv) = matches(snapshot)
        t = f"t = {snapshot.iteration:,}"
        if ok.all():
            return SvdVerdict("match", f"✓ Same SVD as torch.linalg.svd at {t}: |Δσ| ≤ "
                                       f"{ds.max(initial=0):.1e}, vectors within "
                                       f"{max(du.max(initial=0), dv.max(initial=0)):.1e} "
                                       "(signs aligned).")
        scale = max(float(np.max(snapshot.reference, initial=0.0)), 1e-300)
        worst = int(np.argmax(ds / scale + du + dv))
        i = subscript(worst + 1)
        what = (f"σ{i} = {snapshot.s[worst]:.4g} where torch has "
                f"{snapshot.reference[worst]:.4g}; u{i}, v{i} off by {du[worst]:.2g}, "
                f"{dv[worst]:.2g}")
        mechanism = held_at_zero(snapshot, worst) if method == "penalty" else ""
        then = self._half_way()
        if then is not None and method == "penalty" and self._flat(then):
            window = self._t[-1] - self._t[then]
            text = (f"✗ Stalled at {t}: the loss has not changed (by more than {FLAT:g} of "
                    f"itself) in {window:,} steps, yet this is not the SVD. {what}.")
            return SvdVerdict("stalled", f"{text} {mechanism}".strip(), worst, None, mechanism)
        needed = self._steps_needed(then, scale)
        stopped = state in ("finished", "converged", "diverged")
        if then is None:
            text = (f"✗ Stopped at {t} without the SVD: {what}." if stopped else
                    f"Not there yet ({t}): {what}.")
            return SvdVerdict("stopped" if stopped else "early", text, worst, None, mechanism)
        window = self._t[-1] - self._t[then]
        pace = (f"at the pace of the last {window:,} steps it needs about {_about(needed)} "
                "more steps" if needed is not None else
                f"the loss still falls (× {self._loss[-1] / self._loss[then]:.3g} in the last "
                f"{window:,} steps) but the σ error has not shrunk yet: no estimate")
        where = f"stopped at {t} short of torch's SVD" if stopped else f"at {t}"
        return SvdVerdict("slow", f"Slow, not stalled, {where}: {pace}. {what}.", worst, needed)

    def _half_way(self) -> int | None:
        """Index of the sample half way through the run, or None before MIN_STEPS."""
        if len(self._t) < 2 or self._t[-1] < MIN_STEPS:
            return None
        index = bisect.bisect_right(self._t, self._t[-1] // 2) - 1
        return index if 0 <= index < len(self._t) - 1 else None

    def _flat(self, then: int) -> bool:
        before, now = self._loss[then], self._loss[-1]
        return math.isfinite(now) and abs(now - before) <= FLAT * abs(before)

    def _steps_needed(self, then: int | None, scale: float) -> float | None:
        """Steps until every sigma is within SIGMA_TOL * sigma_1 of torch's, extrapolating
        the geometric shrinking of the worst sigma error since `then`; None if it grew."""
        if then is None:
            return None
        before = float(self._err[then].max(initial=0.0))
        now = float(self._err[-1].max(initial=0.0))
        target = SIGMA_TOL * scale
        if now <= target:
            return 0.0
        if not 0 < now < before:
            return None
        steps = self._t[-1] - self._t[then]
        return steps * math.log(target / now) / math.log(now / before)


def held_at_zero(snapshot, i: int) -> str:
    """Explain a sigma held at 0 by the penalty method's sigma = d*d, when that is the case:
    the gradient on d_i is (4 d_i / N) * u_i'(U S V' - M)v_i, which vanishes at d_i = 0,
    and when u_i' R v_i < 0 (R = M - U S V') every step shrinks d_i further."""
    s, reference = snapshot.s, snapshot.reference
    if not s[i] <= AT_ZERO * max(float(np.max(reference, initial=0.0)), 1e-300):
        return ""
    residual = -np.asarray(snapshot.error, dtype=np.float64)  # R = M - U S V'
    pull = float(snapshot.u[:, i] @ residual @ snapshot.v[:, i])
    if not pull < 0:
        return ""
    k = subscript(i + 1)
    text = (f"Why: σ{k} = d{k}² is held at 0. Along u{k}, v{k} the remaining fit "
            f"u{k}ᵀ(M − U·S·Vᵀ)v{k} = {pull:.3g} is negative: the fit would need σ{k} < 0, "
            f"which d{k}² cannot be. Each step multiplies d{k} by 1 − lr·4·{-pull:.3g}/N < 1, "
            f"and at d{k} = 0 the gradient 4·d{k}·u{k}ᵀRv{k}/N is 0: nothing moves.")
    u_off = float(np.linalg.norm(snapshot.u[:, i] - snapshot.extra["u_ref"][:, i]))
    v_off = float(np.linalg.norm(snapshot.v[:, i] - snapshot.extra["v_ref"][:, i]))
    if max(u_off, v_off) > OPPOSITE:
        which = f"u{k}" if u_off >= v_off else f"v{k}"
        text += (f" ({which} points nearly opposite to torch's, {max(u_off, v_off):.2g} "
                 f"away: with it, torch's σ{k} = {reference[i]:.4g} would have to be "
                 "negative.)")
    return text + " Rank-one deflation (SVD method) converges on this matrix."


def _about(steps: float) -> str:
    """A step count to two significant digits: an extrapolation, not a promise."""
    if steps < 100:
        return f"{math.ceil(steps):,}"
    digits = 10 ** (math.floor(math.log10(steps)) - 1)
    return f"{round(steps / digits) * digits:,.0f}"
