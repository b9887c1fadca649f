"""Many runs of one problem at once: K copies of the same inverse or pseudo-inverse, each
with its own learning rate and momentum, stepped as one computation on (K, m, n) tensors.

Every copy starts from the guess a `Run` with the same settings starts from, takes the same
loss and gradient (LinearProblem's residual, autograd or the closed form) and the same
update rule (solver.optimizers, fed one lr and one momentum per copy), and stops by the
same rules (docs/solver-api.md): at iteration t the loss of X_t is computed; the copy
stops without updating when that loss is below the tolerance or at the loss floor of a
rank-deficient M (converged at t), not finite or a runaway (diverged at t), or when t is
the step limit (finished at t). A stopped copy leaves the batch at
once, so a diverging one never touches the others and the work shrinks as copies stop.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import torch

from solver.batched_optimizers import BatchedOptimizer
from solver.batched_problem import BatchedLinear
from solver.run import RUNAWAY_FACTOR
from solver.settings import Settings, SettingsError
from solver.theory import analyse

PENDING, CONVERGED, DIVERGED, FINISHED = 0, 1, 2, 3
STATE_NAMES = ("pending", "converged", "diverged", "finished")
SUPPORTED_PROBLEMS = ("inverse", "pinv")
NOT_SUPPORTED = {
    "svd": "the sweep covers the inverse and the pseudo-inverse only: the SVD's loss is not "
           "quadratic (no stability limit to map) and deflation replaces its parameters "
           "mid-run",
}
# Memory: X, the residual, the gradient, up to two optimizer buffers and the temporaries of
# one step, each K x m x n; per run the results and hyperparameters; and what torch and
# the BLAS allocate once. benchmarks/bench_sweep.py (part 4) checks the estimate against
# the peak memory of sweeps: 1.6 to 2.1 times what 64 x 64 runs use, 1.4 for 4 x 4 ones.
TENSORS_PER_RUN = 12
BYTES_PER_RUN = 256
FIXED_BYTES = 32 << 20
MEMORY_LIMIT_BYTES = 1 << 30
MAX_RUNS = 1 << 18
# Up to this many entries in a (K, m, n) stack, the batch runs torch on one thread.
ONE_THREAD_ELEMENTS = 1 << 20


class SweepError(SettingsError):
    """A sweep that cannot be run as asked; the message names the field and says why."""


@dataclass(frozen=True)
class SweepResult:
    """Per run (index k of the lrs and momenta given): how it ended, as NumPy arrays.

    state: PENDING (still running or never finished, e.g. cancelled), CONVERGED, DIVERGED
    or FINISHED (the step limit without reaching the tolerance). stopped_at: the iteration
    it stopped at (-1 while pending). final_loss: loss of the estimate it stopped at. rate:
    the observed loss factor per step over the last quarter to half of the run (NaN while
    pending or when undefined, e.g. a run of fewer than two steps).
    """

    lrs: np.ndarray
    momenta: np.ndarray
    state: np.ndarray
    stopped_at: np.ndarray
    final_loss: np.ndarray
    rate: np.ndarray
    iteration: int
    max_steps: int

    @property
    def steps_to_tol(self) -> np.ndarray:
        """Iteration at which the loss first fell below the tolerance, -1 where it did not."""
        return np.where(self.state == CONVERGED, self.stopped_at, -1)

    @property
    def diverged(self) -> np.ndarray:
        """True for the runs that diverged."""
        return self.state == DIVERGED

    @property
    def done(self) -> np.ndarray:
        """True for the runs that have stopped (converged, diverged or finished)."""
        return self.state != PENDING

    @property
    def complete(self) -> bool:
        """True once every run has stopped."""
        return bool(self.done.all())


def estimate_bytes(runs: int, shape: tuple[int, int], dtype: str, keep_losses: int = 0) -> int:
    """Memory a batch of `runs` copies of a `shape` problem needs at its peak (an upper
    bound; keep_losses: the number of steps whose losses are all kept)."""
    rows, cols = shape
    itemsize = 4 if dtype == "float32" else 8
    per_run = TENSORS_PER_RUN * rows * cols * itemsize + BYTES_PER_RUN + 8 * keep_losses
    return runs * per_run + FIXED_BYTES


def check_size(runs: int, shape: tuple[int, int], dtype: str, keep_losses: int = 0,
               limit: int = MEMORY_LIMIT_BYTES) -> None:
    """Raise SweepError (field "grid") if `runs` copies of a `shape` problem are too many."""
    if runs < 1:
        raise SweepError("grid: needs at least one learning rate and one momentum")
    if runs > MAX_RUNS:
        raise SweepError(f"grid: {runs:,} runs; at most {MAX_RUNS:,} at once")
    need = estimate_bytes(runs, shape, dtype, keep_losses)
    if need > limit:
        raise SweepError(
            f"grid: {runs:,} runs of a {shape[0]} x {shape[1]} {dtype} problem need about "
            f"{_size(need)} of memory (limit {_size(limit)}); use fewer grid points or a "
            "smaller matrix")


def _size(n: int) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


class BatchedRun:
    """K runs of one inverse/pinv problem with per-run lr and momentum, stepped together.

    `step(k)` advances every running copy by up to k iterations and may be called again
    until `done`; `result()` gives what is known so far, so a caller can stop between calls
    (Cancel) and keep the runs that have finished. keep_losses records every run's loss at
    every iteration (memory K x steps; for checks against single runs).
    """

    def __init__(self, matrix: np.ndarray, settings: Settings, lrs, momenta,
                 keep_losses: bool = False, memory_limit: int = MEMORY_LIMIT_BYTES):
        matrix = np.asarray(matrix)
        if matrix.dtype.kind not in "biuf":
            raise SettingsError(f"matrix: expected real numbers, got dtype {matrix.dtype}")
        if matrix.ndim == 2 and matrix.size and not np.isfinite(matrix).all():
            raise SettingsError("matrix: contains NaN or infinite values")
        s = settings.validated(matrix.shape)
        if s.problem not in SUPPORTED_PROBLEMS:
            raise SweepError(f"problem: {NOT_SUPPORTED[s.problem]}")
        if not s.max_steps:
            raise SweepError("max_steps: a sweep needs a step limit (0 = unlimited is for a "
                             "single run)")
        self.lrs = np.asarray(lrs, dtype=np.float64).ravel()
        self.momenta = np.asarray(momenta, dtype=np.float64).ravel()
        if self.lrs.shape != self.momenta.shape:
            raise SweepError(f"grid: {self.lrs.size} learning rates but "
                             f"{self.momenta.size} momenta")
        _check_values(self.lrs, self.momenta)
        check_size(self.lrs.size, matrix.shape, s.dtype, s.max_steps if keep_losses else 0,
                   memory_limit)
        self.settings = s
        with np.errstate(over="ignore"):
            self.matrix = matrix.astype(s.dtype)  # as Run: the copies work on M in its precision
        if not np.isfinite(self.matrix).all():
            raise SweepError(f"matrix: its entries overflow {s.dtype} (largest "
                             f"{np.abs(matrix).max():.3g})")
        self.keep_losses = keep_losses
        self._start()

    # -- set-up ----------------------------------------------------------------------------
    def _start(self) -> None:
        s = self.settings
        k = self.lrs.size
        self._problem = BatchedLinear(self.matrix, s)
        self._x, self._first_loss = self._problem.start(k, s.seed)  # Run's starting guess
        self._runaway = RUNAWAY_FACTOR * max(self._first_loss, 1e-3)
        self._ids = np.arange(k)
        rows, cols = self.matrix.shape
        # torch's threads only pay for large steps; on small ones a second thread waits on
        # the first, and much longer when another process holds a core (bench_sweep.py).
        self._threads = 1 if k * rows * cols <= ONE_THREAD_ELEMENTS else None
        self._lrs = self.lrs.copy()
        self._optimizer = BatchedOptimizer(s.optimizer, self.momenta, s.weight_decay,
                                           self._problem.hyperparameter)
        floor = analyse(self.matrix, s).floor  # of a rank-deficient M, as Run's
        self._below = max(s.tol, floor.limit(s.tol, s.dtype)) if floor is not None else s.tol
        self._anchor_t = (0, 0)
        self._anchor_loss: tuple[np.ndarray, np.ndarray] | None = None
        self.iteration = 0
        self._state = np.zeros(k, dtype=np.int8)
        self._stopped_at = np.full(k, -1, dtype=np.int64)
        self._final_loss = np.full(k, np.nan)
        self._rate = np.full(k, np.nan)
        self._losses: list[tuple[np.ndarray, np.ndarray]] = []

    @property
    def size(self) -> int:
        """K, the number of runs."""
        return self.lrs.size

    @property
    def running(self) -> int:
        """How many runs have not stopped yet."""
        return int(self._ids.size)

    @property
    def done(self) -> bool:
        """True once every run has stopped."""
        return self.running == 0

    # -- stepping --------------------------------------------------------------------------
    def step(self, k: int = 1) -> int:
        """Advance the running copies by up to k iterations; return how many were taken."""
        taken = 0
        with _intra_op_threads(self._threads):
            while taken < k and not self.done:
                taken += self._one_step()
        return taken

    def _one_step(self) -> bool:
        """Iteration t for every running copy; False if all stopped instead of updating."""
        s, t = self.settings, self.iteration
        loss, grad = self._problem.loss_and_grad(self._x)
        low, high = _min_max(loss)  # one pass; NaN makes both NaN
        if t == s.max_steps or self._converged(low) or not high < self._runaway:
            keep = self._stop(t, _numpy(loss), finish=t == s.max_steps)
            if keep is None:
                return False
            loss, grad = _take(loss, keep), _take(grad, keep)
        elif self.keep_losses:
            self._losses.append((self._ids, _numpy(loss).astype(np.float64)))
        self._record_anchor(t, loss)
        # Run.lr_at(t): lr * gamma**t in Python's double precision.
        lrs = self._lrs if s.schedule_gamma == 1.0 else self._lrs * s.schedule_gamma**t
        with torch.no_grad():
            self._optimizer.update(self._x, grad, lrs)
        self.iteration = t + 1
        return True

    def _stop(self, t: int, loss: np.ndarray, finish: bool) -> np.ndarray | None:
        """Record the copies that stop at iteration t and drop them from the batch; return
        the mask of those that go on (None if none does)."""
        loss = loss.astype(np.float64)
        if self.keep_losses:
            self._losses.append((self._ids, loss))
        with np.errstate(invalid="ignore"):
            converged = self._converged(loss)
            diverged = ~converged & ~(loss < self._runaway)
        stopping = np.ones_like(converged) if finish else converged | diverged
        ids = self._ids[stopping]
        self._state[ids] = np.where(converged[stopping], CONVERGED,
                                    np.where(diverged[stopping], DIVERGED, FINISHED))
        self._stopped_at[ids] = t
        self._final_loss[ids] = loss[stopping]
        self._rate[ids] = self._observed_rate(t, loss[stopping], stopping)
        keep = ~stopping
        self._ids = self._ids[keep]
        if self._ids.size == 0:
            return None
        self._x = _take(self._x, keep)
        self._lrs = self._lrs[keep]
        self._optimizer.keep(keep, _take)
        if self._anchor_loss is not None:
            self._anchor_loss = tuple(a[keep] for a in self._anchor_loss)
        return keep

    def _converged(self, loss):
        """Run's rules 1 and 2: below the tolerance, or at the loss floor of a rank-deficient
        M within the tolerance (Run's one bound for both, from LossFloor.limit)."""
        return loss < self._below

    # -- the observed loss factor ----------------------------------------------------------
    def _record_anchor(self, t: int, loss: torch.Tensor) -> None:
        # Losses kept at t = 0, 1, 2, 4, 8, ...: when a run stops at T, one of the last two
        # lies between T/4 and T/2 steps back, a window that grows with the run.
        if t == 0 or t & (t - 1) == 0:
            current = _numpy(loss).astype(np.float64)
            previous = current if self._anchor_loss is None else self._anchor_loss[1]
            self._anchor_loss = (previous, current)
            self._anchor_t = (self._anchor_t[1], t)

    def _observed_rate(self, t: int, final: np.ndarray, stopping: np.ndarray) -> np.ndarray:
        if self._anchor_loss is None or t < 2:
            return np.full(final.shape, np.nan)
        (t_prev, t_cur), (prev, cur) = self._anchor_t, self._anchor_loss
        use_current = t - t_cur >= max(1, t // 4)
        t0 = t_cur if use_current else t_prev
        start = (cur if use_current else prev)[stopping]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.where(start > 0, (final / start) ** (1.0 / (t - t0)), np.nan)

    # -- results ---------------------------------------------------------------------------
    def result(self) -> SweepResult:
        """What is known so far (copies of the arrays; runs still going are PENDING)."""
        return SweepResult(self.lrs.copy(), self.momenta.copy(), self._state.copy(),
                           self._stopped_at.copy(), self._final_loss.copy(),
                           self._rate.copy(), self.iteration, self.settings.max_steps)

    def losses(self, index: int) -> np.ndarray:
        """Run `index`'s loss at iterations 0 ... stop (keep_losses only): the history of a
        single Run plus the loss of the estimate it stopped at."""
        if not self.keep_losses:
            raise ValueError("losses: the batch was made without keep_losses")
        out = []
        for ids, values in self._losses:
            where = np.flatnonzero(ids == index)
            if where.size == 0:
                break
            out.append(values[where[0]])
        return np.asarray(out)


def _take(tree, keep: np.ndarray):
    """The rows `keep` (a NumPy mask) of every array in a list/tuple tree (X, buffers)."""
    if isinstance(tree, np.ndarray):
        return tree[keep]
    if isinstance(tree, torch.Tensor):
        return tree[torch.from_numpy(keep).to(tree.device)]
    if isinstance(tree, list):
        return [_take(v, keep) for v in tree]
    if isinstance(tree, tuple):
        return tuple(_take(v, keep) for v in tree)
    return tree


@contextlib.contextmanager
def _intra_op_threads(threads: int | None):
    """torch's intra-op threads set for this (calling) thread only, then restored."""
    before = torch.get_num_threads()
    if threads is None or threads == before:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _min_max(loss) -> tuple[float, float]:
    """Smallest and largest loss in one pass (NaN if any is NaN)."""
    if isinstance(loss, np.ndarray):
        return float(loss.min()), float(loss.max())
    low, high = torch.aminmax(loss)
    return low.item(), high.item()


def _numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _check_values(lrs: np.ndarray, momenta: np.ndarray) -> None:
    """Settings.validated's rules for lr and momentum, for whole arrays at once."""
    bad = ~(np.isfinite(lrs) & (lrs > 0))
    if bad.any():
        raise SweepError(f"lr: must be a positive finite number, got {lrs[bad][0]:g}")
    bad = ~(np.isfinite(momenta) & (momenta >= 0) & (momenta < 1))
    if bad.any():
        raise SweepError(f"momentum: must be in [0, 1), got {momenta[bad][0]:g}")
