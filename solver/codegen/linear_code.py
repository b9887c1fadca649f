"""Code for the inverse and the pseudo-inverse: X with X @ M = I, M @ X = I or their mean."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np

from solver.codegen.loop_code import indent, stepping_loop
from solver.floor import EPS, FLOOR_EPS
from solver.settings import Settings
from solver.theory import Theory

_Y_HAT = {"left": "X @ M", "right": "M @ X", "both": "(X @ M + M @ X) / 2"}
_SIDE_NOTE = {
    "left": "a) X @ M should become the identity",
    "right": "b) M @ X should become the identity",
    "both": "c) the mean of X @ M and M @ X should become the identity",
}
# The closed-form gradient of mean((Y - I)**2) over N entries, R = Y - I.
_GRADIENT = {
    "left": ["grad = R @ Mt  # 2/N (X M - I) Mᵀ", "grad *= 2.0 / N"],
    "right": ["grad = Mt @ R  # 2/N Mᵀ (M X - I)", "grad *= 2.0 / N"],
    "both": ["grad = R @ Mt + Mt @ R  # 1/N ((Y - I) Mᵀ + Mᵀ (Y - I))",
             "grad *= 2.0 / N / 2"],
}


@dataclass
class LinearCode:
    """The pieces of the program for an inverse or pseudo-inverse."""

    what: str
    params: list[str]
    backward: bool
    numpy: bool
    guess: str
    loss: str
    result: str
    scheduled: bool
    closed_form: bool
    floor: object | None  # solver.floor.LossFloor

    def loop(self, update) -> str:
        if self.closed_form:
            evaluate = ["loss, grad = loss_and_gradient(X)", "value = loss"]
            backward = []
            final = ["losses.append(loss_and_gradient(X)[0])"]
        else:
            evaluate = ["loss = loss_of(X)", "value = loss.item()"]
            backward = ["loss.backward()  # X.grad += d loss / dX"]
            final = ["with torch.no_grad():", "    losses.append(loss_of(X).item())"]
        intro = ["# Step 1) Improve, many times. The optimizer's memory:", *update.state] \
            if update.state else ["# Step 1) Improve, many times."]
        return stepping_loop(evaluate, update.body, final, torch_update=not self.numpy,
                             scheduled=self.scheduled, floor=self.floor is not None,
                             before_update=backward, intro=intro)


def problem_code(m: np.ndarray, s: Settings, theory: Theory) -> LinearCode:
    """The guess, loss, loop and check for X with X M = I (or the side chosen); `theory`:
    solver.theory.analyse's answer for M and these settings."""
    rows, cols = m.shape
    side = s.side
    if s.problem == "pinv":
        # A tall M has a left inverse, a wide one a right inverse (solver/linear_problem.py).
        side = "left" if rows >= cols else "right"
    closed_form = s.gradient == "closed-form"
    numpy_path = closed_form and s.device == "cpu"
    size = cols if side == "left" else rows
    what = "the inverse" if s.problem == "inverse" else "the pseudo-inverse"
    # The solver's own rule (solver/floor.py): a rank-deficient M has a least loss above 0.
    floor = theory.floor
    sv = np.asarray(theory.singular_values, dtype=np.float64)
    loss = _loss(s, side, size, closed_form, numpy_path)
    if floor is not None:
        why = (f"{floor.why}. The least loss any X can reach is {floor.text}; a loss "
               f"within {FLOOR_EPS:g} {s.dtype} epsilons of it (plus tol) has reached it: the "
               "run has converged.")
        loss += "\n\n" + "\n".join([
            *("# " + line for line in textwrap.wrap(why, width=90)),
            f"floor = {floor.value!r}",
            f"floor_slack = {FLOOR_EPS!r} * {EPS[s.dtype]!r} * floor",
            '# A loss below floor_limit has reached the floor (tol = 0 disables it too).',
            'floor_limit = floor + (tol + floor_slack) if tol > 0 else float("-inf")',
        ])
    return LinearCode(
        what=what, params=["X"], backward=not closed_form, numpy=numpy_path,
        guess=_guess(m, s, closed_form, numpy_path), loss=loss,
        result=_result(m, s, side, numpy_path, sv), scheduled=s.schedule_gamma != 1.0,
        closed_form=closed_form, floor=floor)


def _guess(m, s: Settings, closed_form: bool, numpy_path: bool) -> str:
    rows, cols = m.shape
    cast = "" if s.dtype == "float32" else ".to(dtype)"
    lines = [f"# X has the shape of M transposed: {cols} x {rows}."]
    if s.init == "random":
        lines += ["# The tutorial's guess: seeded random numbers in [0, 1), drawn in float32 "
                  "(a float64 run",
                  "# starts from the same point, only the precision differs).",
                  "torch.manual_seed(seed)",
                  f"X = torch.rand(size=({cols}, {rows})){cast}"]
    elif s.init == "zeros":
        lines += ["# Start from zeros: X stays in the row space of M, so the pseudo-inverse is "
                  "reached exactly.",
                  f"X = torch.zeros(({cols}, {rows})){cast}"]
    else:
        lines += ["# Start from Mᵀ / ||M||² (in float64, then cast): a guess already pointing "
                  "the right way.",
                  "M64 = M.cpu().double()",
                  "norm2 = float((M64 * M64).sum())",
                  f"X = M64.T / norm2 if norm2 > 0 else torch.zeros(({cols}, {rows}))",
                  "X = X.to(dtype)"]
    if numpy_path:
        lines.append("X = X.numpy().copy()  # a NumPy array, like M below")
    elif closed_form:
        lines.append("X = X.to(device)  # no autograd: the gradient is written out")
    else:
        lines.append("X = X.to(device).requires_grad_()  # autograd records what is done with X")
    return "\n".join(lines)


def _loss(s: Settings, side: str, size: int, closed_form: bool, numpy_path: bool) -> str:
    if not closed_form:
        return "\n".join([
            "M = M.to(device)",
            f"I = torch.eye({size}, dtype=dtype).to(device)",
            "",
            "",
            "def mse(y_hat, y_true):",
            '    """The element-wise mean squared error: how far we are off."""',
            "    return ((y_hat - y_true) ** 2).mean()",
            "",
            "",
            "def loss_of(X):",
            f"    return mse({_Y_HAT[side]}, I)  # {_SIDE_NOTE[side]}",
        ])
    if numpy_path:
        setup = ["M = M.numpy()", "Mt = M.T.copy()",
                 f"I = torch.eye({size}, dtype=dtype).numpy()"]
        squares = "float(np.vdot(R, R))"
    else:
        setup = ["M = M.to(device)", "Mt = M.T.contiguous()",
                 f"I = torch.eye({size}, dtype=dtype).to(device)"]
        squares = "float((R * R).sum())"
    return "\n".join([
        *setup,
        f"N = {size * size}  # entries of I",
        "",
        "",
        "def loss_and_gradient(X):",
        '    """The mean squared error of the residual and its gradient, from the formula."""',
        f"    R = {_Y_HAT[side]} - I  # {_SIDE_NOTE[side]}",
        f"    loss = {squares} / N",
        *indent(_GRADIENT[side]),
        "    return loss, grad",
    ])


def _result(m, s: Settings, side: str, numpy_path: bool, sv: np.ndarray) -> str:
    # solver.reference's choice: inv(M) when torch.linalg.matrix_rank(M) (float64, its
    # default tolerance σ_max · n · eps) is full, else pinv(M).
    with np.errstate(over="ignore", invalid="ignore"):
        rank = int(np.count_nonzero(sv > sv[0] * max(m.shape) * np.finfo(np.float64).eps)) \
            if sv.size and sv[0] > 0 else 0
    invertible = s.problem == "inverse" and rank == m.shape[0]
    reference = "torch.linalg.inv(M64)" if invertible else "torch.linalg.pinv(M64)"
    name = "inv" if invertible else "pinv"
    lines = ["print(outcome)"]
    if numpy_path:
        lines += ["X, M = torch.from_numpy(X), torch.from_numpy(M)"]
    y_hat = {"left": "X @ M", "right": "M @ X", "both": "(X @ M + M @ X) / 2"}[side]
    lines += [
        "with torch.no_grad():",
        f'    print("{y_hat} =")',
        f"    print({y_hat})",
        "    M64 = M.cpu().double()",
        f"    reference = {reference}  # computed in float64",
        "    distance = float(torch.linalg.norm(X.cpu().double() - reference))",
        f'print(f"distance to torch.linalg.{name}(M): {{distance:.4g}}")',
    ]
    if not invertible and s.problem == "inverse":
        lines.insert(0, "# M is singular: no X makes X @ M = I; pinv(M) is the best X there is.")
    return "\n".join(lines)
