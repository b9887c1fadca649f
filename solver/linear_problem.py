"""Inverse and pseudo-inverse: find X with X @ M = I (left), M @ X = I (right) or
(X @ M + M @ X) / 2 = I (both), minimising the element-wise mean squared error."""

from __future__ import annotations

import numpy as np
import torch

from solver.settings import Settings
from solver.state import clone_tree


class LinearProblem:
    """The tutorial's inverse problem, generalised to the pseudo-inverse of a non-square M.

    X has the shape of M.T. For the pseudo-inverse the side follows from the shape: a tall M
    is solved from the left (X @ M = I), a wide one from the right (M @ X = I).
    """

    def __init__(self, matrix: np.ndarray, settings: Settings):
        rows, cols = matrix.shape
        self.settings = settings
        self.side = settings.side
        if settings.problem == "pinv":
            self.side = "left" if rows >= cols else "right"
        self.device = torch.device(settings.device)
        self.closed_form = settings.gradient == "closed-form"
        # The closed-form path runs on NumPy on the CPU: a 4x4 NumPy operation costs about a
        # microsecond, a torch one several, and this path exists to be fast.
        self.use_numpy = self.closed_form and self.device.type == "cpu"
        self.uses_torch = not self.use_numpy
        self._sum_of_squares = _numpy_sum_of_squares if self.use_numpy else _torch_sum_of_squares
        m_torch = torch.as_tensor(matrix).to(settings.torch_dtype)
        self.M = m_torch.numpy() if self.use_numpy else m_torch.to(self.device)
        self.Mt = self.M.T.copy() if self.use_numpy else self.M.T.contiguous()
        size = cols if self.side == "left" else rows
        eye = torch.eye(size, dtype=settings.torch_dtype)
        self.I = eye.numpy() if self.use_numpy else eye.to(self.device)
        self.n_entries = size * size
        self.x_shape = (cols, rows)
        self.params: list = []

    # -- start ----------------------------------------------------------------------------
    def start(self, generator: torch.Generator) -> None:
        """Create the initial guess (bit-identical for the same settings)."""
        init = self.settings.init
        if init == "random":
            # Drawn in float32 as the tutorial does, then cast: a float64 run starts from
            # the same point as the float32 one, so only the precision differs.
            x = torch.rand(self.x_shape, generator=generator)
        elif init == "zeros":
            x = torch.zeros(self.x_shape)
        else:
            m64 = torch.as_tensor(np.asarray(self.M, dtype=np.float64))
            norm2 = float((m64 * m64).sum())
            x = m64.T / norm2 if norm2 > 0 else torch.zeros(self.x_shape)
        x = x.to(self.settings.torch_dtype)
        if self.use_numpy:
            self.params = [x.numpy().copy()]
        else:
            self.params = [x.to(self.device).requires_grad_(not self.closed_form)]

    # -- one evaluation -------------------------------------------------------------------
    def residual(self, x):
        """The matrix that should become the identity, minus the identity."""
        return residual_of(x, self.M, self.I, self.side)

    def _closed_form_residual(self, x):
        """Same value as residual(), minus two full passes over memory: the identity is
        subtracted on the diagonal in place (it matters at n = 1024)."""
        if self.side == "left":
            r = x @ self.M
        elif self.side == "right":
            r = self.M @ x
        else:
            r = x @ self.M
            r += self.M @ x
            r *= 0.5
        if self.use_numpy:
            r.flat[:: r.shape[1] + 1] -= 1
        else:
            r.diagonal().sub_(1)
        return r

    def loss_and_grads(self) -> tuple[float, list]:
        """Loss of the current X (the tutorial's mse) and its gradient."""
        x = self.params[0]
        if not self.closed_form:
            loss = (self.residual(x) ** 2).mean()
            (grad,) = torch.autograd.grad(loss, (x,))
            return loss.item(), [grad]
        loss, _, grad = self._closed_form(x)
        return loss, [grad]

    def _closed_form(self, x):
        """(loss, residual, gradient) by the closed form 2/N R Mᵀ (and its variants)."""
        # A diverging run's residual overflows here (float64 runs use NumPy): the run sees it
        # in the loss and stops with its reason, without NumPy's warning on the console.
        with np.errstate(over="ignore", invalid="ignore"):
            r = self._closed_form_residual(x)
            loss = self._sum_of_squares(r) / self.n_entries
            scale = 2.0 / self.n_entries
            if self.side == "left":
                grad = r @ self.Mt
            elif self.side == "right":
                grad = self.Mt @ r
            else:
                grad = r @ self.Mt + self.Mt @ r
                scale /= 2
            grad *= scale
        return loss, r, grad

    def update_done(self) -> tuple[bool, bool]:
        """Hook after each update: (parameters replaced, problem finished). Never, here."""
        return False, False

    def get_state(self) -> dict:
        """An independent copy of everything that evolves during a run."""
        return {"params": clone_tree(self.params)}

    def set_state(self, state: dict) -> None:
        """Restore a copy taken by get_state (the copy itself stays untouched)."""
        self.params = clone_tree(state["params"])

    # -- what the views show ----------------------------------------------------------------
    def estimate(self) -> np.ndarray:
        """The current X as a NumPy copy."""
        return _numpy(self.params[0])

    def error(self) -> np.ndarray:
        """The residual, e.g. X @ M - I, as a NumPy copy."""
        with torch.no_grad():
            return _numpy(self.residual(self.params[0]))

    def current_gradients(self) -> dict[str, np.ndarray]:
        """Gradient of the loss at the current X, computed fresh."""
        if self.closed_form:
            return {"X": _numpy(self.loss_and_grads()[1][0])}
        x = self.params[0].detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad((self.residual(x) ** 2).mean(), (x,))
        return {"X": _numpy(grad)}

    def snapshot_parts(self) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
        """(loss, error, {"X": gradient}) at the current X from one evaluation: the numbers
        current_loss(), error() and current_gradients() give, for a third of their cost."""
        if self.closed_form:
            loss, r, grad = self._closed_form(self.params[0])
            return loss, _numpy(r), {"X": _numpy(grad)}
        x = self.params[0].detach().clone().requires_grad_(True)
        r = self.residual(x)
        loss = (r ** 2).mean()
        (grad,) = torch.autograd.grad(loss, (x,))
        return loss.item(), _numpy(r), {"X": _numpy(grad)}

    def current_loss(self) -> float:
        """Loss of the current X, computed exactly as a step records it."""
        if self.closed_form:
            return self._sum_of_squares(self._closed_form_residual(self.params[0])) / self.n_entries
        with torch.no_grad():
            return (self.residual(self.params[0]) ** 2).mean().item()


def _numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    return np.array(value, copy=True)


def _numpy_sum_of_squares(r: np.ndarray) -> float:
    return float(np.vdot(r, r))


def _torch_sum_of_squares(r: torch.Tensor) -> float:
    return float((r * r).sum())


def residual_of(x, m, eye, side: str):
    """X·M − I, M·X − I or (X·M + M·X)/2 − I; broadcasts over a leading stack of X (the
    batched sweep uses the same expression, so its runs round as single runs do)."""
    if side == "left":
        return x @ m - eye
    if side == "right":
        return m @ x - eye
    return (x @ m + m @ x) / 2 - eye
