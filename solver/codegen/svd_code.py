"""Code for the SVD: the tutorial's penalty formulation, or rank-one deflation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.codegen.loop_code import indent, stepping_loop
from solver.settings import Settings
from solver.svd_problem import DeflationSvd

_MSE = [
    "def mse(y_hat, y_true):",
    '    """The element-wise mean squared error: how far we are off."""',
    "    return ((y_hat - y_true) ** 2).mean()",
]


@dataclass
class SvdCode:
    """The pieces of the program for an SVD."""

    what: str
    params: list[str]
    backward: bool
    guess: str
    loss: str
    result: str
    scheduled: bool
    deflation: bool

    def loop(self, update) -> str:
        if not self.deflation:
            evaluate = ["loss = loss_of(U, d, V)", "value = loss.item()"]
            final = ["with torch.no_grad():", "    losses.append(loss_of(U, d, V).item())"]
            return stepping_loop(
                evaluate, update.body, final, torch_update=True, scheduled=self.scheduled,
                before_update=["loss.backward()  # U.grad, d.grad, V.grad += d loss / d ..."],
                intro=["# Step 1) Improve, many times.", *update.state])
        evaluate = [
            "loss = loss_of(a, b)",
            "value = loss.item()",
            "grads = torch.autograd.grad(loss, params)",
            "with torch.no_grad():",
            "    ga = float(grads[0].norm()) / max(float(b.norm()), 1e-30)",
            "    gb = float(grads[1].norm()) / max(float(a.norm()), 1e-30)",
            "# The gradient carries the mean's factor 2/N: undone to compare it with ||R||.",
            "relative = max(ga, gb) * A.numel() / 2 / max(residual_norm, 1e-30)",
            "stationary = relative <= STATIONARY",
            "if value < best:",
            "    best, since_best = value, 0",
            "else:",
            "    since_best += 1",
        ]
        after = [
            "if stationary or since_best >= PATIENCE:",
            "    # This term has settled: keep its triplet, take it out of R, start the next.",
            "    with torch.no_grad():",
            "        na, nb = float(a.norm()), float(b.norm())",
            "        sigma = na * nb",
            "        if sigma > 0:",
            "            found.append((sigma, a / na, b / nb))",
            "        R -= torch.outer(a, b)",
            "    if len(found) >= cols or sigma == 0:",
            "        with torch.no_grad():",
            "            a.zero_(), b.zero_()  # everything is in `found` now",
            "        # Found after the update: the estimate returned is the one after t + 1.",
            '        outcome = f"converged at iteration {t + 1}: all {len(found)} singular '
            'triplets found"',
            "        break",
            "    a, b, residual_norm = new_component(R)",
            "    params = [a, b]",
            "    best, since_best = math.inf, 0",
            *indent(update.state),
        ]
        intro = ["# Step 1) Improve, many times.", "best, since_best = math.inf, 0",
                 *update.state]
        final = ["with torch.no_grad():", "    losses.append(loss_of(a, b).item())"]
        return stepping_loop(evaluate, update.body, final, torch_update=True,
                             scheduled=self.scheduled, after_update=after, intro=intro)


def problem_code(m: np.ndarray, s: Settings) -> SvdCode:
    """The guess, loss, loop and check for M = U S Vᵀ."""
    deflation = s.svd_method == "deflation"
    rows, cols = m.shape
    transposed = rows < cols
    tall = ["# The SVD is found for a tall matrix (rows >= cols): "
            + ("M is wide, so A = Mᵀ" if transposed else "A = M."),
            *(["# (U and V swap back at the end)."] if transposed else []),
            f"A = {'M.T.contiguous()' if transposed else 'M'}.to(device)",
            "rows, cols = A.shape"]
    cast = "" if s.dtype == "float32" else ".to(dtype)"
    if deflation:
        guess = tall + [
            "R = A.clone()  # the residual: what the triplets found so far leave unexplained",
            "found = []  # (sigma, u, v) of each triplet found",
            "",
            "",
            "def new_component(R):",
            '    """A random start for the next rank-one term a bᵀ, and the size of R."""',
            f"    a = torch.rand(size=(rows,)){cast}.to(device).requires_grad_()",
            f"    b = torch.rand(size=(cols,)){cast}.to(device).requires_grad_()",
            "    return a, b, float(R.norm())",
            "",
            "",
            "torch.manual_seed(seed)",
            "a, b, residual_norm = new_component(R)",
            "params = [a, b]",
        ]
        loss = "\n".join([
            *_MSE, "", "",
            "def loss_of(a, b):",
            '    """How far the rank-one term a bᵀ is from the residual R."""',
            "    return mse(torch.outer(a, b), R)",
            "",
            "",
            "# A term is done when its gradient, relative to the residual it fits, is this "
            "small ...",
            f"STATIONARY = {DeflationSvd.STATIONARY[s.dtype]!r}",
            "# ... or when its loss has not improved for this many steps (the float floor).",
            f"PATIENCE = {DeflationSvd.PATIENCE}",
        ])
        what = "the singular value decomposition (rank-one deflation)"
    else:
        guess = tall + [
            "",
            "# The tutorial's order of draws: U, then d, then V.",
            "torch.manual_seed(seed)",
            f"U = torch.rand(size=(rows, cols)){cast}.to(device).requires_grad_()",
            f"d = torch.rand(size=(cols,)){cast}.to(device).requires_grad_()",
            f"V = torch.rand(size=(cols, cols)){cast}.to(device).requires_grad_()",
            "params = [U, d, V]",
        ]
        loss = "\n".join([
            "I = torch.eye(cols, dtype=dtype).to(device)",
            "", "",
            *_MSE, "", "",
            "def loss_of(U, d, V):",
            '    """M = U diag(d²) Vᵀ (squared: singular values are >= 0); penalties keep the',
            '    columns of U and V orthonormal."""',
            "    reconstruction = U @ torch.diag(d * d) @ V.T",
            "    return mse(reconstruction, A) + mse(U.T @ U, I) / 100 + mse(V @ V.T, I) / 100",
        ])
        what = "the singular value decomposition"
    return SvdCode(what=what, params=["a", "b"] if deflation else ["U", "d", "V"],
                   backward=not deflation, guess="\n".join(guess), loss=loss,
                   result=_result(deflation), scheduled=s.schedule_gamma != 1.0,
                   deflation=deflation)


def _result(deflation: bool) -> str:
    if deflation:
        sigmas = [
            "    triplets = list(found)",
            "    if len(triplets) < cols:  # the term being fitted when the run stopped",
            "        na, nb = float(a.norm()), float(b.norm())",
            "        triplets.append((na * nb, a / na if na else a, b / nb if nb else b))",
            "    sigmas = [sigma for sigma, _, _ in triplets] + [0.0] * (cols - len(triplets))",
            "    s = torch.tensor(sigmas, dtype=dtype)",
        ]
    else:
        sigmas = ["    s = (d * d).cpu()"]
    return "\n".join([
        "print(outcome)",
        "with torch.no_grad():",
        *sigmas,
        "    s = s.sort(descending=True, stable=True).values  # largest first",
        "    reference = torch.linalg.svdvals(M.cpu().double())  # computed in float64",
        '    print("singular values:", s)',
        '    print("torch.linalg:   ", reference)',
        "    distance = float(torch.linalg.norm(s.double() - reference))",
        'print(f"distance to torch.linalg.svdvals(M): {distance:.4g}")',
    ])
