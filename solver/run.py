"""A run: one matrix, one set of settings, stepped a few iterations at a time."""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from solver.history import LossHistory
from solver.linear_problem import LinearProblem
from solver.optimizers import make_optimizer
from solver.reference import align_signs, reference_inverse, reference_svd
from solver.settings import Settings, SettingsError
from solver.spectrum import full_spectrum, spectrum
from solver.svd_problem import DeflationSvd, PenaltySvd
from solver.theory import Theory, analyse, limit_text, power_text
from solver.views_math import residual

# A loss this many times above the starting loss is a runaway, not a transient.
RUNAWAY_FACTOR = 1e8


@dataclass(frozen=True)
class Status:
    """Where a run stands: state is ready, running, converged, diverged or finished."""

    state: str = "ready"
    reason: str = ""


@dataclass(frozen=True)
class StepBatch:
    """The iterations advanced by one call to Run.step, with the loss recorded at each."""

    iterations: np.ndarray
    losses: np.ndarray
    status: Status


@dataclass(frozen=True)
class Snapshot:
    """The current estimate and everything derived from it, as NumPy copies."""

    iteration: int
    loss: float
    estimate: np.ndarray
    error: np.ndarray
    gradient: np.ndarray
    gradients: dict[str, np.ndarray]
    reference: np.ndarray | None  # None when snapshot(reference=False) had none cached
    distance: float
    status: Status
    u: np.ndarray | None = None
    s: np.ndarray | None = None
    v: np.ndarray | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Checkpoint:
    """Everything needed to continue a run from `iteration` exactly as it went on."""

    iteration: int
    settings: Settings
    problem: dict
    optimizer: dict
    first_loss: float | None
    changed_at: int = 0


class Run:
    """Gradient descent on one matrix problem, advanced step by step.

    Iteration t names the estimate X_t after t updates. The loss recorded for iteration t is
    loss(X_t), taken before the update that makes X_{t+1}, as the tutorial records it; after
    `step(k)` from a fresh start, `iteration == k` (unless the run stopped earlier).
    """

    def __init__(self, matrix: np.ndarray, settings: Settings | None = None,
                 keep_history: bool = True):
        """`keep_history=False` records no losses in `history` (the GUI keeps them itself,
        once); everything else is the same."""
        matrix = np.asarray(matrix)
        if matrix.dtype.kind not in "biuf":
            raise SettingsError(f"matrix: expected real numbers, got dtype {matrix.dtype}")
        if matrix.ndim == 2 and matrix.size and not np.isfinite(matrix).all():
            raise SettingsError("matrix: contains NaN or infinite values")
        self._settings = (settings or Settings()).validated(matrix.shape)
        # The run works on M as cast to its precision; the reference uses the same numbers.
        self.matrix = cast_matrix(matrix, self._settings.dtype)
        # All singular values for a small M; only the largest above FULL_ANALYSIS_MAX_DIM
        # until complete_theory() is called (issue 13: opening a big matrix must not wait
        # for a full SVD).
        self._spectrum = spectrum(self.matrix)
        self.theory = analyse(self.matrix, self._settings, self._spectrum)
        self.history = LossHistory(keep=keep_history)
        self._reference_cache = None
        self.reset()

    @property
    def settings(self) -> Settings:
        """The settings in force, including lr and momentum changed since the start."""
        return self._settings

    @property
    def done(self) -> bool:
        """True once the run converged, diverged or reached max_steps."""
        return self.status.state in ("converged", "diverged", "finished")

    def reset(self) -> None:
        """Back to iteration 0 with the same seed: the next steps repeat the run bit for bit."""
        s = self._settings
        self.problem = self._new_problem()
        self.problem.start(torch.Generator().manual_seed(s.seed))
        self.optimizer = make_optimizer(s.optimizer, s.momentum, s.weight_decay)
        self.iteration = 0
        self.status = Status()
        self.history.truncate(0)
        # The loss that divergence is measured against: at the start, or where lr or
        # momentum last changed (changed_at).
        self._first_loss: float | None = None
        self.changed_at = 0

    def _new_problem(self):
        s = self._settings
        if s.problem == "svd":
            cls = DeflationSvd if s.svd_method == "deflation" else PenaltySvd
            return cls(self.matrix, s)
        return LinearProblem(self.matrix, s)

    def checkpoint(self) -> Checkpoint:
        """A copy of the current state; `restore` or `fork` continue from it bit for bit."""
        return Checkpoint(
            iteration=self.iteration,
            settings=self._settings,
            problem=self.problem.get_state(),
            optimizer=self.optimizer.get_state(),
            first_loss=self._first_loss,
            changed_at=self.changed_at,
        )

    def restore(self, checkpoint: Checkpoint, keep_history: bool = False) -> None:
        """Go back (or forward) to a checkpoint of this run, with the settings then in force.

        The loss history is cut at the checkpoint's iteration unless keep_history is set.
        """
        self._settings = checkpoint.settings
        self.theory = analyse(self.matrix, self._settings, self._spectrum)
        self.problem.set_state(checkpoint.problem)
        self.optimizer.set_state(checkpoint.optimizer)
        self.iteration = checkpoint.iteration
        self._first_loss = checkpoint.first_loss
        self.changed_at = checkpoint.changed_at
        self.status = Status("ready" if self.iteration == 0 else "running")
        if not keep_history:
            self.history.truncate(self.iteration)

    def fork(self, checkpoint: Checkpoint | None = None) -> Run:
        """An independent run starting from `checkpoint` (default: now), with empty history."""
        checkpoint = checkpoint or self.checkpoint()
        other = object.__new__(Run)
        other.matrix = self.matrix
        other._settings = checkpoint.settings
        other.theory = self.theory
        other._spectrum = self._spectrum
        other.history = LossHistory()
        other._reference_cache = self._reference_cache
        other.problem = other._new_problem()
        other.problem.start(torch.Generator())
        other.optimizer = make_optimizer(
            checkpoint.settings.optimizer, checkpoint.settings.momentum,
            checkpoint.settings.weight_decay,
        )
        other.restore(checkpoint, keep_history=True)
        return other

    def set_lr(self, lr: float) -> None:
        """Change the base learning rate from the next step on (no reset)."""
        self._settings = replace(self._settings, lr=lr).validated(self.matrix.shape)
        self.theory = analyse(self.matrix, self._settings, self._spectrum)
        self._changed()

    def set_momentum(self, momentum: float) -> None:
        """Change the momentum from the next step on (no reset)."""
        self._settings = replace(self._settings, momentum=momentum).validated(self.matrix.shape)
        self.optimizer.momentum = momentum
        self.theory = analyse(self.matrix, self._settings, self._spectrum)
        self._changed()

    def _changed(self) -> None:
        # From here on the run is judged against the loss where the change took effect:
        # "the loss grew from 0.79" (at t = 0) would mislead after a change at loss 0.02.
        self.changed_at = self.iteration
        self._first_loss = None

    def complete_theory(self) -> Theory:
        """The full theory (every singular value: κ, the prediction, the optimum, the loss
        floor), computed now if only sigma_max was known (a matrix above
        FULL_ANALYSIS_MAX_DIM): one SVD of M, about as costly as 20 or more steps. Sets and
        returns `theory`; a new Theory object only if something was computed."""
        if not self._spectrum.complete:
            self._spectrum = full_spectrum(self.matrix)
            self.theory = analyse(self.matrix, self._settings, self._spectrum)
        return self.theory

    def lr_at(self, iteration: int) -> float:
        """The learning rate the schedule gives at `iteration`."""
        gamma = self._settings.schedule_gamma
        return self._settings.lr * (gamma**iteration if gamma != 1.0 else 1.0)

    def step(self, k: int = 1) -> StepBatch:
        """Advance up to k iterations; stop early on convergence, divergence or max_steps.

        The stop rules (docs/solver-api.md): at each t, loss_t = loss(X_t) is computed
        first; the run stops at X_t, without updating it, when loss_t < tol or loss_t has
        reached the loss floor of a rank-deficient M (converged at t), when loss_t is not
        finite or a runaway (diverged at t), or when t == max_steps (finished at t).
        Otherwise loss_t is recorded and X_t becomes X_{t+1}.
        """
        start = self.iteration
        if self.done:
            return StepBatch(np.arange(start, start), np.empty(0), self.status)
        s = self._settings
        if s.max_steps:
            k = min(k, s.max_steps - start)
        losses: list[float] = []
        problem, optimizer = self.problem, self.optimizer
        params = problem.params
        constant = s.schedule_gamma == 1.0
        lr = s.lr
        if self._first_loss is None:
            self._first_loss = problem.current_loss()
        stop = None
        # The stop rules of _stop_at, as two comparisons per step: converged below `below`,
        # diverged unless below `runaway` (NaN included).
        below, runaway = self._stop_bounds()
        # The NumPy (closed-form) path has no autograd state to switch off.
        grad_ctx = torch.no_grad() if problem.uses_torch else contextlib.nullcontext()
        for i in range(start, start + k):
            loss, grads = problem.loss_and_grads()
            if loss < below or not loss < runaway:
                stop = self._stop_at(i, loss)
                break
            with grad_ctx:
                optimizer.update(params, grads, lr if constant else self.lr_at(i))
            losses.append(loss)
            replaced, finished = problem.update_done()
            if replaced:
                optimizer.reset_state()
                params = problem.params
            if finished:
                # Found after the update: the estimate returned is X_{i+1}.
                stop = Status("converged", f"converged at iteration {i + 1}: all "
                              f"{len(problem.found)} singular triplets found")
                break
        self.iteration = start + len(losses)
        self.history.extend(losses)
        if stop is None and s.max_steps and self.iteration >= s.max_steps:
            stop = self._stop_here()
        self.status = stop or Status("running")
        return StepBatch(np.arange(start, self.iteration), np.asarray(losses), self.status)

    def check_stop(self) -> Status:
        """Apply step()'s stop rules to the current estimate X_t without updating it, and
        return the status: a run brought to t some other way (a lesson's history replayed
        to its end) then says at once what the next step() would find, e.g. converged at t.
        """
        if self.done:
            return self.status
        if self._first_loss is None:
            self._first_loss = self.problem.current_loss()
        self.status = self._stop_here() or Status("running")
        return self.status

    def _stop_here(self) -> Status | None:
        """The stop rules at the current estimate: converged or diverged there, else
        finished if the step limit is reached, else None."""
        loss = self.problem.current_loss()
        stop = self._stop_at(self.iteration, loss)
        limit = self._settings.max_steps
        if stop is None and limit and self.iteration >= limit:
            stop = Status("finished", f"finished at iteration {self.iteration}, the maximum "
                                      f"number of steps: loss {loss:.4g}")
        return stop

    def _stop_bounds(self) -> tuple[float, float]:
        """(below, runaway): the run stops at a loss < below (converged) or not < runaway."""
        s = self._settings
        floor = self.theory.floor
        below = max(s.tol, floor.limit(s.tol, s.dtype)) if floor is not None else s.tol
        return below, RUNAWAY_FACTOR * max(self._first_loss, 1e-3)

    def _stop_at(self, iteration: int, loss: float) -> Status | None:
        """Converged or diverged at `iteration` with loss(X_iteration) = loss, else None."""
        s = self._settings
        if loss < s.tol:
            # X_i is the answer: no update, so the estimate shown is the one whose loss
            # is below the tolerance (with momentum the next one may be above it again).
            return Status("converged", f"converged at iteration {iteration}: loss {loss:.3g} "
                          f"is below the tolerance {s.tol:g}")
        floor = self.theory.floor
        if floor is not None and floor.reached(loss, s.tol, s.dtype):
            return Status("converged", f"converged at iteration {iteration}: {floor.why}; "
                          f"the best possible loss, {floor.text}, is reached (loss {loss:.6g})")
        if not loss < RUNAWAY_FACTOR * max(self._first_loss, 1e-3):
            return self._divergence(iteration, loss)
        return None

    def loss_rows(self) -> np.ndarray:
        """The loss history a user gets, rows 0..N: loss(X_t) before each update t < N (the
        tutorial's list, bit for bit), then loss(X_N) of the estimate the run has now (the
        snapshot's loss, and the CLI's final_loss). A float64 copy. For a run made with
        keep_history=False (whose history only counts) it holds row N alone."""
        kept = self.history.values()
        rows = np.empty(kept.size + 1)
        rows[:-1] = kept
        rows[-1] = self.problem.current_loss()
        return rows

    def _divergence(self, iteration: int, loss: float) -> Status:
        since = (f" (its value at iteration {self.changed_at}, where the settings last "
                 f"changed)" if self.changed_at else "")
        what = (f"the loss grew from {self._first_loss:.3g}{since} to {loss:.3g}"
                if math.isfinite(loss) else "the loss became infinite or NaN")
        reason = f"diverged at iteration {iteration}: {what}"
        limit = self.theory.max_stable_lr
        # The step that produced X_iteration used the learning rate of the step before.
        lr = self.lr_at(max(iteration - 1, 0))
        overflow = None if math.isfinite(loss) else self._overflow()
        if overflow and (iteration == 0 or limit is None or lr <= limit):
            # No step made the numbers grow: they are too large for the precision itself.
            reason += (f": {overflow}. Use float64, or scale M down (and the answer back)."
                       if self._settings.dtype == "float32" else
                       f": {overflow}. Scale M down (and the answer back).")
        elif limit is not None and lr > limit:
            reason += (f"; the learning rate {lr:.4g} is above the stable limit {limit:.4g} "
                       f"for this matrix and momentum. Try lr < {limit_text(limit)}.")
        else:
            reason += "; try a smaller learning rate."
        return Status("diverged", reason)

    def _overflow(self) -> str | None:
        """Which number overflowed the run's precision, when the loss is not finite and X
        itself still is: X·M − I's entries, or their squares. None otherwise."""
        if self._settings.problem == "svd":
            return None
        dtype = self._settings.dtype
        x = self.problem.estimate().astype(np.float64)
        if not np.isfinite(x).all():
            return None
        side = self.problem.side
        with np.errstate(over="ignore", invalid="ignore"):
            r = residual(self.matrix.astype(np.float64), x, side)
            largest = float(np.abs(r).max(initial=0.0))
        limit = float(np.finfo(dtype).max)
        product = {"left": "X·M", "right": "M·X", "both": "(X·M + M·X)/2"}[side]
        if not largest <= limit:
            return f"entries of {product} (up to {largest:.3g}) overflow {dtype} " \
                   f"(largest {limit:.3g})"
        if largest * largest > limit or not math.isfinite(largest * largest):
            square = power_text(2 * math.log10(largest))
            return f"the squares of {product} − I (up to {largest:.3g}² = {square}) overflow " \
                   f"{dtype} (largest {limit:.3g})"
        return f"the sum of the squares of {product} − I overflows {dtype} (largest {limit:.3g})"

    def snapshot(self, reference: bool = True) -> Snapshot:
        """The current estimate, its error, gradient and distance to torch.linalg's answer.

        With reference=False, torch.linalg's answer is not computed here (an inverse or SVD
        of M: for a large M far more than a step): `reference` is then the cached answer or
        None, and `distance` (NaN), `null_space_norm`, `u_ref`, `v_ref` need it and are left
        out. Estimates of a diverged run may hold inf or NaN; no warning is raised for them.
        """
        # A diverged estimate is inf or NaN: its numbers are shown as such, without NumPy
        # printing RuntimeWarnings (issue 13: the CLI's stderr holds one line at most).
        with np.errstate(all="ignore"):
            return self._snapshot(reference)

    def _snapshot(self, reference: bool) -> Snapshot:
        p = self.problem
        parts = getattr(p, "snapshot_parts", None)
        if parts is not None:  # loss, error and gradient from one evaluation
            loss, error, grads = parts()
        else:
            grads = p.current_gradients()
            loss, error = p.current_loss(), p.error()
        common = {
            "iteration": self.iteration,
            "loss": loss,
            "estimate": p.estimate(),
            "error": error,
            "gradient": next(iter(grads.values())),
            "gradients": grads,
            "status": self.status,
        }
        ref = self.reference() if reference else self._reference_cache
        if self._settings.problem != "svd":
            if ref is None:
                return Snapshot(**common, reference=None, distance=math.nan)
            x = common["estimate"].astype(np.float64)
            return Snapshot(**common, reference=ref, distance=_norm(x - ref),
                            extra={"null_space_norm": self.null_space_norm(x)})
        u, s, v = p.factors()
        if ref is None:
            return Snapshot(**common, reference=None, distance=math.nan, u=u, s=s, v=v)
        u_ref, s_ref, v_ref = ref
        u_ref, v_ref = align_signs(u_ref, v_ref, u, v)
        return Snapshot(**common, reference=s_ref, distance=_norm(s - s_ref),
                        u=u, s=s, v=v, extra={"u_ref": u_ref, "v_ref": v_ref,
                                              "svd_method": self._settings.svd_method})

    def reference(self):
        """torch.linalg's answer for this problem (cached): inv/pinv, or (U, s, V)."""
        if self._reference_cache is None:
            if self._settings.problem == "svd":
                self._reference_cache = reference_svd(self.matrix)
            else:
                self._reference_cache = reference_inverse(self.matrix, self._settings.problem)
        return self._reference_cache

    def null_space_norm(self, x: np.ndarray) -> float:
        """Size of the part of X that no gradient step can change (pinv of a non-square M).

        Left (X @ M = I): X (I - M M+); right (M @ X = I): (I - M+ M) X.
        """
        m = self.matrix.astype(np.float64)
        pinv = self.reference()  # inv(M) equals pinv(M) for a non-singular square M
        # A diverged X (entries near 1e240 on an M of 1e120) overflows here: the answer is
        # then inf or NaN, said without NumPy's RuntimeWarning on the console.
        with np.errstate(over="ignore", invalid="ignore"):
            if self.problem.side == "right":
                part = x - pinv @ (m @ x)
            else:
                part = x - (x @ m) @ pinv
            return _norm(part) if np.isfinite(part).all() else float("inf")


def cast_matrix(matrix: np.ndarray, dtype: str) -> np.ndarray:
    """M in the run's precision; SettingsError (naming dtype) if an entry overflows to inf
    or a non-zero entry underflows to 0 there, which would silently change M."""
    with np.errstate(over="ignore", under="ignore"):
        cast = matrix.astype(dtype)
    info = np.finfo(dtype)
    if not np.isfinite(cast).all():
        largest = float(np.abs(matrix).max())
        raise SettingsError(f"dtype: M's entries (up to {largest:.3g}) overflow {dtype}, whose "
                            f"largest number is {float(info.max):.3g}; use float64 or scale M")
    lost = (cast == 0) & (matrix != 0)
    if lost.any():
        example = float(np.abs(matrix[lost]).max())
        raise SettingsError(f"dtype: {int(lost.sum())} of M's entries (e.g. {example:.3g}) "
                            f"underflow {dtype} to 0 (its smallest number is "
                            f"{float(info.smallest_subnormal):.3g}); use float64 or scale M")
    return cast


# The name solver.codegen and gui.code import (issue 15) from before it became public.
_cast = cast_matrix


def _norm(values: np.ndarray) -> float:
    """Frobenius norm without overflow or underflow in the squares (any finite entries)."""
    values = np.asarray(values, dtype=np.float64)
    largest = float(np.abs(values).max(initial=0.0))
    if not 0 < largest < math.inf:
        return largest
    return largest * float(np.linalg.norm(values / largest))
