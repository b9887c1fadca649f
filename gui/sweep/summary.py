"""What the Sweep view writes and draws from theory: the stability boundary, the optimum,
and one paragraph on the finished (or cancelled) map."""

from __future__ import annotations

import numpy as np

from solver import Settings
from solver.sweep import CONVERGED, DIVERGED, FINISHED, PENDING, SweepResult
from solver.sweep_grid import Grid, best_cell, stability_limits
from solver.theory import Theory, limit_text

BOUNDARY_POINTS = 200
LIMIT_FORMULA = {"gd": "2/L", "momentum": "2(1+β)/L", "nesterov": "2(1+β)/((1+2β)L)"}


def theory_lines(theory: Theory, optimizer: str, momenta: tuple[float, float],
                 line_momentum: float):
    """(boundary, optimum, limit, label) for the plots: theory's stable limit as (lrs,
    momenta) over the map's momentum range, the optimal (lr, momentum), the limit at the
    line's momentum and its label; None where theory has nothing (Adam, RMSprop)."""
    betas = np.linspace(momenta[0], momenta[1], BOUNDARY_POINTS)
    limits = stability_limits(theory, optimizer, betas)
    boundary = None if limits is None else (limits, betas)
    optimum = None
    if theory.optimal_lr is not None:
        beta = 0.0 if optimizer == "gd" else theory.optimal_momentum
        optimum = (float(theory.optimal_lr), float(beta if beta is not None else 0.0))
    at_line = stability_limits(theory, optimizer, np.array([line_momentum]))
    if at_line is None:
        return boundary, optimum, None, ""
    limit = float(at_line[0])
    label = f"stable limit {LIMIT_FORMULA[optimizer]} = {limit:.3g}"
    return boundary, optimum, limit, label


def status_html(result: SweepResult, grid: Grid, theory: Theory | None, settings: Settings,
                elapsed: float, cancelled: bool) -> str:
    """One paragraph: how many runs, how long, what happened, the fastest cell, theory."""
    counts = {code: int((result.state == code).sum()) for code in
              (CONVERGED, DIVERGED, FINISHED, PENDING)}
    runs = grid.size
    head = (f"Cancelled at step {result.iteration:,}: {runs - counts[PENDING]:,} of {runs:,} "
            "runs finished (white cells were still running). " if cancelled else
            f"{runs:,} runs of up to {settings.max_steps:,} steps in {elapsed:.1f} s. ")
    parts = [f"{counts[CONVERGED]:,} reached tol {settings.tol:g}",
             f"{counts[DIVERGED]:,} diverged",
             f"{counts[FINISHED]:,} did not in {settings.max_steps:,} steps"]
    text = head + ", ".join(parts) + "."
    best = best_cell(result)
    if best is not None:
        beta = "" if settings.optimizer == "gd" else f", β {result.momenta[best]:.3g}"
        text += (f" Fastest: lr {result.lrs[best]:.3g}{beta}, "
                 f"{result.stopped_at[best]:,} steps.")
    line = grid.momenta.size == 1
    limits = None if theory is None else stability_limits(theory, settings.optimizer,
                                                          grid.momenta[:1])
    if line and limits is not None:
        beta = "" if settings.optimizer == "gd" else f" at β {grid.momenta[0]:.3g}"
        text += f" Theory's stable limit{beta}: lr < {limit_text(limits[0])} (dashed line)."
    elif theory is not None and theory.optimal_lr is not None:
        beta = ("" if settings.optimizer == "gd" or theory.optimal_momentum is None
                else f", β {theory.optimal_momentum:.3g}")
        text += f" Theory's optimum (☆): lr {theory.optimal_lr:.3g}{beta}."
    elif theory is not None and not theory.complete and limits is not None:
        text += (" Theory's optimum is not drawn: it needs every singular value of this large "
                 "M (the Theory view computes them).")
    elif theory is not None:
        text += f" No stability theory for {settings.optimizer}: it rescales every step."
    if settings.schedule != "constant" and limits is not None:
        text += (f" Theory's limit is for a constant lr; the schedule {settings.schedule} "
                 "lowers it at every step, so runs beyond the line may still converge.")
    click = "a point to use its lr" if line else "a cell to use its lr and β"
    return text + f" Click {click} (and reset the run)."
