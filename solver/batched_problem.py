"""LinearProblem's loss and gradient for a stack of K estimates X, shape (K, rows, cols).

The arithmetic is LinearProblem's, operation for operation, on the same kind of array: the
autograd path (torch, any device) differentiates the same residual expression; the closed
form runs on NumPy on the CPU (as a single run does there) and on torch elsewhere. NumPy's
stacked matmul multiplies each 2-D slice as the 2-D product does, so a batched run's
estimates equal a single run's bit for bit where the two products do; torch folds a stack
times a matrix into one product, equal for the sizes the tests check and within rounding
otherwise.
"""

from __future__ import annotations

import numpy as np
import torch

from solver.linear_problem import LinearProblem
from solver.settings import Settings


class BatchedLinear:
    """The inverse or pseudo-inverse of one matrix, for K estimates at once."""

    def __init__(self, matrix: np.ndarray, settings: Settings):
        self.single = LinearProblem(matrix, settings)
        self.side = self.single.side
        self.use_numpy = self.single.use_numpy
        self.closed_form = self.single.closed_form
        self.device = self.single.device
        self.n_entries = self.single.n_entries
        self.dtype = settings.torch_dtype
        # The single problem's M, Mᵀ and I (NumPy or torch, on its device) broadcast over K.
        self.M, self.Mt, self.I = self.single.M, self.single.Mt, self.single.I

    def start(self, k: int, seed: int):
        """K copies of the starting guess a Run with this seed starts from, and its loss."""
        self.single.start(torch.Generator().manual_seed(seed))
        first_loss = self.single.current_loss()
        x0 = self.single.params[0]
        if self.use_numpy:
            return np.repeat(x0[None], k, axis=0), first_loss
        x0 = x0.detach()
        return x0.expand(k, *x0.shape).clone(), first_loss

    def hyperparameter(self, values: np.ndarray):
        """Per-run values as a (K, 1, 1) array of the runs' own kind and precision: a single
        run multiplies its arrays by Python floats, which NumPy and torch round to the
        array's precision first, so these give the same products."""
        if self.use_numpy:
            return values.astype(self.single.M.dtype).reshape(-1, 1, 1)
        return torch.as_tensor(values, dtype=self.dtype, device=self.device).view(-1, 1, 1)

    def residual(self, x):
        """LinearProblem.residual, broadcast over the stack (the same expression)."""
        if self.side == "left":
            return x @ self.M - self.I
        if self.side == "right":
            return self.M @ x - self.I
        return (x @ self.M + self.M @ x) / 2 - self.I

    def loss_and_grad(self, x):
        """(loss per run, gradient per run), computed as LinearProblem.loss_and_grads does."""
        if not self.closed_form:
            x.requires_grad_(True)
            with torch.enable_grad():
                loss = (self.residual(x) ** 2).mean(dim=(-2, -1))
                (grad,) = torch.autograd.grad(loss.sum(), (x,))
            x.requires_grad_(False)
            return loss.detach(), grad
        with torch.no_grad():
            r = self._closed_form_residual(x)
            # A single run sums the squares in its dtype (np.vdot; the stacked 1 x N times
            # N x 1 product adds in the same order), then divides in double precision.
            if self.use_numpy:
                flat = r.reshape(r.shape[0], 1, -1)
                squares = (flat @ flat.transpose(0, 2, 1)).reshape(-1)
                loss = squares.astype(np.float64) / self.n_entries
            else:
                loss = (r * r).sum(dim=(-2, -1)).double() / self.n_entries
            scale = 2.0 / self.n_entries
            if self.side == "left":
                grad = r @ self.Mt
            elif self.side == "right":
                grad = self.Mt @ r
            else:
                grad = r @ self.Mt + self.Mt @ r
                scale /= 2
            grad *= scale
        return loss, grad

    def _closed_form_residual(self, x):
        if self.side == "left":
            r = x @ self.M
        elif self.side == "right":
            r = self.M @ x
        else:
            r = x @ self.M
            r += self.M @ x
            r *= 0.5
        if self.use_numpy:
            diagonal = np.arange(r.shape[-1])
            r[:, diagonal, diagonal] -= 1
        else:
            r.diagonal(dim1=-2, dim2=-1).sub_(1)
        return r
