"""The learning-rate x momentum grid of a sweep: its axes, default ranges, theory's lines on
it, and what the finished grid says (summary, best cell, CSV)."""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass

import numpy as np

from solver.matrix_io import atomic_write
from solver.sweep import CONVERGED, DIVERGED, FINISHED, PENDING, SweepError, SweepResult
from solver.theory import Theory, max_stable_lr

MAX_AXIS_POINTS = 1024
CSV_COLUMNS = ("lr", "momentum", "steps_to_tol", "final_loss", "diverged", "rate")
# Default ranges: the learning rate from well below the valley to past the cliff.
LR_BELOW_LIMIT = 100.0
LR_ABOVE_LIMIT = 1.3
DEFAULT_MOMENTA = (0.0, 0.99)
ADAPTIVE_LRS = (1e-4, 1.0)  # Adam and RMSprop: no theory for the range


@dataclass(frozen=True)
class Axis:
    """n values from lo to hi, evenly spaced (geometrically with log); n = 1 gives [lo]."""

    lo: float
    hi: float
    n: int
    log: bool = False

    def values(self) -> np.ndarray:
        """The axis's points, lo first."""
        if self.n == 1:
            return np.array([self.lo])
        if self.log:
            return np.geomspace(self.lo, self.hi, self.n)
        return np.linspace(self.lo, self.hi, self.n)


def parse_axis(name: str, text: str, log: bool = False) -> Axis:
    """`LO:HI:N` or a single value V (= V:V:1); raises SweepError naming `name`."""
    parts = text.split(":")
    try:
        if len(parts) == 1:
            lo = hi = float(parts[0])
            n = 1
        elif len(parts) == 3:
            lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
        else:
            raise ValueError
    except ValueError:
        raise SweepError(f"{name}: expected LO:HI:N (e.g. 0:0.99:48) or one value, "
                         f"got {text!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise SweepError(f"{name}: LO and HI must be finite numbers, got {text!r}")
    if not 1 <= n <= MAX_AXIS_POINTS:
        raise SweepError(f"{name}: N must be 1 ... {MAX_AXIS_POINTS}, got {n}")
    if hi < lo:
        raise SweepError(f"{name}: HI must not be below LO, got {text!r}")
    if log and lo <= 0:
        raise SweepError(f"{name}: a log axis needs LO > 0, got {text!r}")
    return Axis(lo, hi, n, log)


@dataclass(frozen=True)
class Grid:
    """Learning rates (columns) by momenta (rows); run k is row k // len(lrs), column
    k % len(lrs)."""

    lrs: np.ndarray
    momenta: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) = (momenta, learning rates)."""
        return self.momenta.size, self.lrs.size

    @property
    def size(self) -> int:
        """The number of runs."""
        return self.momenta.size * self.lrs.size

    def cells(self) -> tuple[np.ndarray, np.ndarray]:
        """(lr, momentum) of every run, row by row."""
        lr, beta = np.meshgrid(self.lrs, self.momenta)
        return lr.ravel(), beta.ravel()

    def as_map(self, values: np.ndarray) -> np.ndarray:
        """Per-run values as a (momenta, learning rates) array."""
        return np.asarray(values).reshape(self.shape)


def default_axes(theory: Theory, optimizer: str, n_lr: int, n_momentum: int,
                 momenta: tuple[float, float] = DEFAULT_MOMENTA) -> tuple[Axis, Axis]:
    """A log lr axis from 1/100 of the stable limit without momentum to 1.3 x the limit at
    the largest momentum, and a linear momentum axis (one value, 0, for gd)."""
    if optimizer == "gd":
        momenta, n_momentum = (0.0, 0.0), 1
    limits = stability_limits(theory, optimizer, np.array(momenta))
    lo, hi = ADAPTIVE_LRS
    if limits is not None and np.isfinite(limits).all() and limits.min() > 0:
        lo, hi = limits.min() / LR_BELOW_LIMIT, limits.max() * LR_ABOVE_LIMIT
    return Axis(lo, hi, n_lr, log=True), Axis(momenta[0], momenta[1], n_momentum)


def stability_limits(theory: Theory, optimizer: str, momenta: np.ndarray) -> np.ndarray | None:
    """Theory's largest stable lr at each momentum (2(1+β)/L for heavy ball), or None where
    theory has no limit (Adam, RMSprop)."""
    # Theory says nothing for adaptive optimizers, and gives no limit where the curvature
    # itself under- or overflows (diag(1, 2, 3)·1e-200: L = 2σ²/N is 0 in double precision).
    if optimizer not in ("gd", "momentum", "nesterov") or theory.max_stable_lr is None:
        return None
    if theory.L is None or not 0 < theory.L < math.inf:
        return None
    beta = np.zeros_like(momenta) if optimizer == "gd" else momenta
    return np.array([max_stable_lr(optimizer, float(b), theory.L) for b in beta])


def best_cell(result: SweepResult) -> int | None:
    """The run that reached the tolerance in the fewest steps (then the lowest final loss);
    None if none did."""
    converged = np.flatnonzero(result.state == CONVERGED)
    if converged.size == 0:
        return None
    order = np.lexsort((result.final_loss[converged], result.stopped_at[converged]))
    return int(converged[order[0]])


def summary(result: SweepResult, grid: Grid, theory: Theory, optimizer: str) -> dict:
    """The grid's outcome as JSON-friendly values: counts, the best cell, theory's numbers."""
    counts = {name: int((result.state == code).sum()) for name, code in
              (("converged", CONVERGED), ("diverged", DIVERGED),
               ("not_converged", FINISHED), ("not_computed", PENDING))}
    best = best_cell(result)
    out = {
        "grid": {"lr": [_number(grid.lrs[0]), _number(grid.lrs[-1]), grid.lrs.size],
                 "momentum": [_number(grid.momenta[0]), _number(grid.momenta[-1]),
                              grid.momenta.size],
                 "runs": grid.size},
        "steps": result.max_steps,
        "counts": counts,
        "best": None if best is None else cell_dict(result, best),
        "theory": {"L": _number(theory.L), "optimal_lr": _number(theory.optimal_lr),
                   "optimal_momentum": _number(theory.optimal_momentum)},
    }
    limits = stability_limits(theory, optimizer, grid.momenta)
    if limits is not None:
        out["theory"]["stable_lr_at_momentum"] = [
            [_number(b), _number(lim)] for b, lim in zip(grid.momenta, limits, strict=True)]
    return out


def cell_dict(result: SweepResult, k: int) -> dict:
    """One run's row as JSON-friendly values (CSV_COLUMNS)."""
    steps = int(result.stopped_at[k]) if result.state[k] == CONVERGED else None
    return {"lr": float(result.lrs[k]), "momentum": float(result.momenta[k]),
            "steps_to_tol": steps, "final_loss": _number(result.final_loss[k]),
            "diverged": bool(result.state[k] == DIVERGED), "rate": _number(result.rate[k])}


def write_csv(path: str | os.PathLike, result: SweepResult) -> None:
    """One row per run (CSV_COLUMNS); numbers in shortest round-trip form (a loss that
    overflowed is inf or nan); steps_to_tol and rate empty where there is none; written
    atomically. Runs not computed are left out."""
    text = io.StringIO()
    text.write(",".join(CSV_COLUMNS) + "\n")
    for k in np.flatnonzero(result.state != PENDING):
        row = cell_dict(result, int(k))
        text.write(",".join([
            repr(row["lr"]), repr(row["momentum"]),
            "" if row["steps_to_tol"] is None else str(row["steps_to_tol"]),
            repr(float(result.final_loss[k])), "true" if row["diverged"] else "false",
            _text(result.rate[k]),
        ]) + "\n")
    data = text.getvalue().encode()
    atomic_write(path, lambda fh: fh.write(data))


def _number(value) -> float | None:
    """JSON has no NaN or infinity: such values (and None) become null."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _text(value) -> str:
    """A float for CSV in shortest round-trip form, empty for NaN (undefined)."""
    value = float(value)
    return "" if math.isnan(value) else repr(value)
