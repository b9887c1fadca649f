"""LinearProblem's loss and gradient for a stack of K estimates X, shape (K, rows, cols).

The arithmetic is LinearProblem's, operation for operation, on the same kind of array: the
autograd path (torch, any device) differentiates the same residual expression; the closed
form runs on NumPy on the CPU (as a single run does there) and on torch elsewhere. NumPy's
stacked matmul multiplies each 2-D slice as the 2-D product does, so a batched run's
estimates equal a single run's bit for bit; a stack times a matrix folded into one 2-D
product is several times faster and often adds in the same order, so it is used for the
stack sizes where a probe shows it gives the same bits. torch folds a stack times a matrix
into one product itself: equal for the sizes the tests check, within rounding otherwise.
"""

from __future__ import annotations

import numpy as np
import torch

from solver.linear_problem import LinearProblem, residual_of
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
        self._folds: dict[tuple, bool] = {}
        self._probe = np.empty(0)

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
        return residual_of(x, self.M, self.I, self.side)

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
                grad = self._times(r, self.Mt)
            elif self.side == "right":
                grad = self.Mt @ r
            else:
                grad = self._times(r, self.Mt) + self.Mt @ r
                scale /= 2
            grad *= scale
        return loss, grad

    def _closed_form_residual(self, x):
        if self.side == "left":
            r = self._times(x, self.M)
        elif self.side == "right":
            r = self.M @ x
        else:
            r = self._times(x, self.M)
            r += self.M @ x
            r *= 0.5
        if self.use_numpy:
            diagonal = np.arange(r.shape[-1])
            r[:, diagonal, diagonal] -= 1
        else:
            r.diagonal(dim1=-2, dim2=-1).sub_(1)
        return r

    def _times(self, stack, matrix):
        """stack @ matrix, folded into one 2-D product where that gives the same bits."""
        if not self.use_numpy:
            return stack @ matrix
        key = (stack.shape, id(matrix))
        fold = self._folds.get(key)
        if fold is None:  # once per stack size: the batch shrinks as runs stop
            fold = self._folds[key] = self._folds_exactly(stack.shape, matrix)
        if not fold:
            return stack @ matrix
        k, rows, inner = stack.shape
        return (stack.reshape(k * rows, inner) @ matrix).reshape(k, rows, matrix.shape[1])

    def _folds_exactly(self, shape: tuple, matrix: np.ndarray) -> bool:
        """Whether NumPy's one 2-D product of a (K·rows, inner) stack equals its per-slice
        products bit for bit for this shape (the order of the sums depends on the shapes
        only: random numbers show a different order)."""
        k, rows, inner = shape
        size = k * rows * inner
        if self._probe.size < size:  # drawn once, for the largest stack
            self._probe = np.random.default_rng(0).standard_normal(size).astype(matrix.dtype)
        probe = self._probe[:size].reshape(shape)
        folded = (probe.reshape(k * rows, inner) @ matrix).reshape(k, rows, matrix.shape[1])
        return bool(np.array_equal(folded, probe @ matrix))
