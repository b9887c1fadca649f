"""The program as a Jupyter notebook (nbformat 4.5): a markdown cell explaining each step with
the run's numbers, then that step's code. The code cells, joined, are the script.

The JSON is written here rather than through the nbformat package: the format needed is a
few fixed keys, and nbformat would bring five more runtime dependencies (jsonschema,
fastjsonschema, traitlets, jupyter_core, platformdirs). The tests validate the output
against nbformat's own schema.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from solver.codegen.program import Program
from solver.run import RUNAWAY_FACTOR, Run
from solver.views_math import residual_side


@dataclass(frozen=True)
class RunFacts:
    """How the app's run of this program ended (or stood when exported)."""

    state: str
    reason: str = ""
    iteration: int | None = None
    loss: float | None = None


@dataclass(frozen=True)
class _Start:
    loss: float
    gradient_max: float
    max_stable_lr: float | None
    condition_number: float
    predicted_factor: float | None
    floor: object | None  # solver.floor.LossFloor


def notebook_json(program: Program, matrix, name: str, facts: RunFacts | None = None) -> str:
    """The notebook's JSON text: per cell of the program, its explanation and its code."""
    start = _start(matrix, program)
    cells = []
    for cell in program.cells:
        text = _EXPLAIN[cell.key](program, name, start, facts)
        cells.append(_cell("markdown", f"{cell.key}-text", f"## {cell.title}\n\n{text}"
                           if cell.key != "header" else text))
        cells.append(_cell("code", f"{cell.key}-code", cell.code))
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def markdown_texts(program: Program, matrix, name: str,
                   facts: RunFacts | None = None) -> dict[str, str]:
    """Each cell's explanation (markdown), keyed by the cell's key."""
    start = _start(matrix, program)
    return {cell.key: _EXPLAIN[cell.key](program, name, start, facts) for cell in program.cells}


def _cell(kind: str, cell_id: str, text: str) -> dict:
    lines = text.splitlines(keepends=True)
    cell = {"cell_type": kind, "id": cell_id, "metadata": {}, "source": lines}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _start(matrix, program: Program) -> _Start:
    """The numbers at iteration 0, computed by the solver itself."""
    run = Run(np.asarray(matrix), program.settings)
    gradients = run.problem.current_gradients()
    theory = run.complete_theory()  # κ is quoted: every singular value, also for a large M
    return _Start(
        loss=float(run.problem.current_loss()),
        gradient_max=max(float(np.max(np.abs(g))) for g in gradients.values()),
        max_stable_lr=theory.max_stable_lr,
        condition_number=theory.condition_number,
        predicted_factor=theory.predicted_loss_factor,
        floor=theory.floor,
    )


def _g(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}"


def _header(p: Program, name: str, start: _Start, facts: RunFacts | None) -> str:
    text = (f"# {p.title[0].upper()}{p.title[1:]}\n\n"
            "This notebook is the exact program behind a Matrix Descent run, in the style of "
            "the tutorial *Matrix operations with pytorch – optimizer*. Run all cells: the "
            "losses it records are the app's, bit for bit (same machine, same torch "
            "version). Each step below is explained with this run's numbers.")
    if facts is not None:
        text += f"\n\nIn the app, this run: *{facts.reason or facts.state}*."
    return text


def _matrix(p: Program, name: str, start: _Start, facts) -> str:
    rows, cols = p.shape
    if start.floor is not None or math.isinf(start.condition_number):
        rank = f" (M has rank {start.floor.rank})" if start.floor is not None else ""
        kappa = f"∞{rank}"
    else:
        kappa = _g(start.condition_number)
    where = ("written out below with every digit" if p.data_name is None
             else f"read from `{p.data_name}` beside this notebook")
    return (f"M is {name}, {rows} × {cols} in {p.settings.dtype}, {where}. Its condition "
            f"number κ(M) = σ_max/σ_min is {kappa}: the larger it is, the slower gradient "
            "descent converges.")


_OPTIMIZER_TEXT = {
    "gd": "plain gradient descent: {p} ← {p} − lr·∇loss",
    "momentum": "the tutorial's heavy-ball momentum: the velocity v ← momentum·v + ∇loss, "
                "{p} ← {p} − lr·v",
    "nesterov": "Nesterov momentum: v ← momentum·v + ∇loss, {p} ← {p} − lr·(∇loss + "
                "momentum·v)",
    "adam": "Adam (torch.optim's operations): running means of the gradient and of its "
            "square, bias-corrected, scale each entry's step",
    "rmsprop": "RMSprop (torch.optim's operations): each entry's step is divided by the root "
               "of a running mean of its squared gradient",
}
_GRADIENT_FORMULA = {"left": "2/N·(X·M − I)·Mᵀ", "right": "2/N·Mᵀ·(M·X − I)",
                     "both": "1/N·(R·Mᵀ + Mᵀ·R) with R = (X·M + M·X)/2 − I"}


def _parameters(s) -> str:
    if s.problem != "svd":
        return "X"
    return "each of U, d, V" if s.svd_method == "penalty" else "a and b"


def _settings(p: Program, name: str, start: _Start, facts) -> str:
    s = p.settings
    rule = _OPTIMIZER_TEXT[s.optimizer].format(p="X" if s.problem != "svd" else "p")
    text = f"The optimizer is {rule}"
    if s.problem == "svd":
        text += f", for {_parameters(s)}"
    if s.optimizer == "momentum":
        if s.problem == "svd" and s.svd_method == "deflation" or s.gradient == "closed-form":
            text += " (written out as `velocity`: the tutorial's `X.grad *= momentum`)"
        else:
            where = "`X.grad`" if s.problem != "svd" else "each parameter's `.grad`"
            text += f" (the tutorial keeps v in {where} and never zeroes it)"
    text += f". The learning rate is {s.lr!r}"
    if s.schedule_gamma != 1.0:
        text += f", multiplied by {s.schedule_gamma!r} every step"
    text += "."
    if start.max_stable_lr is not None:
        side = "below" if s.lr < start.max_stable_lr else "above"
        text += (f" Theory puts the largest stable learning rate for this matrix and "
                 f"optimizer at {_g(start.max_stable_lr)}: this one is {side} it.")
    if start.predicted_factor is not None and start.predicted_factor < 1:
        text += (f" It predicts the loss to shrink by a factor of about "
                 f"{_factor(start.predicted_factor)} per step.")
    limit = f"at most {s.max_steps} steps" if s.max_steps else "no step limit"
    tol = f"below {s.tol:g}" if s.tol else "never (tol = 0)"
    return text + f" The run stops after {limit}, or when the loss is {tol}."


def _factor(value: float) -> str:
    """A factor per step; one close to 1 as 1 − ε, so its digits are not rounded away."""
    return f"1 − {_g(1 - value, 3)}" if value > 0.99 else _g(value)


def _guess(p: Program, name: str, start: _Start, facts) -> str:
    s = p.settings
    how = {"random": f"`torch.manual_seed({s.seed})` and `torch.rand`, as the tutorial does",
           "zeros": "zeros", "transpose": "Mᵀ/‖M‖²"}[s.init]
    return (f"The first guess comes from {how}. Its loss is {_g(start.loss)}: that is "
            "iteration 0, the first row of the history.")


def _loss(p: Program, name: str, start: _Start, facts) -> str:
    s = p.settings
    if s.problem == "svd":
        if s.svd_method == "deflation":
            what = ("Rank-one deflation fits one term a·bᵀ of the residual R at a time "
                    "(mse(a·bᵀ, R), which has no spurious minima), takes σ = ‖a‖‖b‖, "
                    "subtracts a·bᵀ from R and starts the next term.")
        else:
            what = ("The tutorial's loss: mse(U·diag(d²)·Vᵀ, M) plus mse(UᵀU, I)/100 and "
                    "mse(VVᵀ, I)/100, penalties that keep U's and V's columns orthonormal.")
    else:
        what = ("The loss is the element-wise mean squared error between the product and the "
                "identity, the tutorial's `mse`.")
        if s.gradient == "closed-form":
            side = residual_side(p.shape, s.problem, s.side)
            what += (f" Its gradient is written as its formula, {_GRADIENT_FORMULA[side]} "
                     "over the N entries, so no autograd is needed.")
        else:
            what += " `loss.backward()` lets autograd compute its gradient."
    return (f"{what} At the guess the loss is {_g(start.loss)} and the gradient's largest "
            f"entry is {_g(start.gradient_max)} in size.")


def _loop(p: Program, name: str, start: _Start, facts) -> str:
    runaway = RUNAWAY_FACTOR * max(start.loss, 1e-3)
    text = ("At each iteration t the loss of the current estimate X_t is computed first. The "
            "run stops there, without updating, when the loss is below the tolerance")
    if start.floor is not None:
        text += (f", when it has reached the least loss any X can reach ({start.floor.why}; "
                 f"the floor is {start.floor.text})")
    text += (", when it is not below "
             f"{RUNAWAY_FACTOR:g} × max(first loss, 1e-3) = {_g(runaway)} (diverged), or when "
             "t reaches the step limit. Otherwise the loss is recorded and the estimate "
             "updated. The history ends with the loss of the estimate the run returns.")
    if facts is not None and facts.iteration is not None and facts.loss is not None:
        text += (f" In the app this run was at iteration {facts.iteration} with loss "
                 f"{_g(facts.loss)} ({facts.state}) when exported.")
    return text


def _result(p: Program, name: str, start: _Start, facts) -> str:
    check = ("the singular values next to `torch.linalg.svdvals`" if p.settings.problem == "svd"
             else "the product, which should be the identity, and the distance to "
                  "torch.linalg's answer")
    script = p.script_name
    return (f"The outcome, {check}. Saved as a script, `python {script} losses.csv` also "
            "writes the loss history as CSV (`iteration,loss`), the same file as "
            "`main.py solve ... --history losses.csv`.")


_EXPLAIN = {"header": _header, "matrix": _matrix, "settings": _settings, "guess": _guess,
            "loss": _loss, "loop": _loop, "result": _result}
