"""solver.optimizers' update rules for K runs at once, each with its own lr and momentum.

Gradient descent, heavy ball and Nesterov are solver.optimizers' own classes: they use
arithmetic operators only, which broadcast a (K, 1, 1) array of learning rates or momenta
over a (K, m, n) stack as they do a Python float over one matrix (NumPy and torch round
the float to the array's precision first; the (K, 1, 1) arrays hold the same values).

Adam and RMSprop call torch.optim's operations with Python-number arguments (`value=`,
`alpha=`), which take one number for all. Here the same arithmetic takes one number per
run: `p.addcdiv_(m, d, value=-s)` is `p + (-s * m) / d` in that order, and
`p.add_(b, alpha=-lr)` is `p.addcmul_(b, -lr)` (torch computes both with the same fused
multiply-add); the per-run numbers themselves are computed in Python's double precision,
as a single run computes its one. tests/test_sweep.py checks every rule against single runs
bit for bit.
"""

from __future__ import annotations

import numpy as np
import torch

from solver.optimizers import Adam, RMSprop, make_optimizer


class BatchedOptimizer:
    """One update rule for K runs: `update(x, grad, lrs)` with lrs a float64 array (K,);
    `keep(mask)` drops the runs that stopped."""

    def __init__(self, name: str, momenta: np.ndarray, weight_decay: float, per_run):
        self.name = name
        self.per_run = per_run  # float64 (K,) -> (K, 1, 1) array of the runs' kind and dtype
        self.momenta = np.asarray(momenta, dtype=np.float64)
        if name == "adam":
            self.rule = _BatchedAdam(self.momenta, weight_decay, per_run)
        elif name == "rmsprop":
            self.rule = _BatchedRMSprop(self.momenta, weight_decay, per_run)
        else:
            self.rule = make_optimizer(name, per_run(self.momenta), weight_decay)
        self._lrs: tuple[np.ndarray, object] | None = None

    def update(self, x, grad, lrs: np.ndarray) -> None:
        """One step of every run, run k with learning rate lrs[k]."""
        if isinstance(self.rule, _PerRunNumbers):
            self.rule.update([x], [grad], lrs)
            return
        if self._lrs is None or self._lrs[0] is not lrs:  # a constant lr: converted once
            self._lrs = (lrs, self.per_run(lrs))
        self.rule.update([x], [grad], self._lrs[1])

    def keep(self, mask: np.ndarray, take) -> None:
        """Forget the runs where mask is False (`take` selects rows of any array kind)."""
        self.momenta = self.momenta[mask]
        self.rule.buffers = take(self.rule.buffers, mask)
        self._lrs = None
        if isinstance(self.rule, _PerRunNumbers):
            self.rule.keep(mask)
        else:
            self.rule.momentum = take(self.rule.momentum, mask)


class _PerRunNumbers:
    """Per-run momenta (float64) for the torch.optim-style rules, and their step sizes."""

    def __init__(self, momenta: np.ndarray, weight_decay: float, per_run):
        super().__init__(momentum=0.0, weight_decay=weight_decay)
        self.momenta = momenta
        self.per_run = per_run

    def keep(self, mask: np.ndarray) -> None:
        self.momenta = self.momenta[mask]

    def _tensor(self, values: np.ndarray) -> torch.Tensor:
        out = self.per_run(values)
        return torch.from_numpy(out) if isinstance(out, np.ndarray) else out


class _BatchedAdam(_PerRunNumbers, Adam):
    """Adam.update with beta1 and lr per run."""

    def update(self, params, grads, lrs):
        params, grads = self._prepare(params, grads)
        self.t += 1
        step = float(self.t)
        beta1 = self.momenta
        # 1 - beta1**step as Python computes it: few distinct momenta, one pow each.
        values, where = np.unique(beta1, return_inverse=True)
        bias_correction1 = np.array([1 - b**step for b in values.tolist()])[where]
        bias_correction2_sqrt = (1 - self.beta2**step) ** 0.5
        negative_step = self._tensor(-(lrs / bias_correction1))
        weight = self._tensor(1 - beta1)
        for p, g, (m, v) in zip(params, grads, self.buffers, strict=True):
            m.lerp_(g, weight)
            v.mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
            denom = (v.sqrt() / bias_correction2_sqrt).add_(self.eps)
            p.addcdiv_(negative_step * m, denom)


class _BatchedRMSprop(_PerRunNumbers, RMSprop):
    """RMSprop.update with momentum and lr per run (runs with momentum 0 take torch.optim's
    path without a buffer, the others the path with it)."""

    def update(self, params, grads, lrs):
        params, grads = self._prepare(params, grads)
        negative_lr = self._tensor(-lrs)
        with_momentum = self.momenta > 0
        momentum = self._tensor(self.momenta)
        for p, g, (square_avg, buf) in zip(params, grads, self.buffers, strict=True):
            square_avg.mul_(self.alpha).addcmul_(g, g, value=1 - self.alpha)
            avg = square_avg.sqrt().add_(self.eps)
            plain = p.addcdiv(negative_lr * g, avg) if not with_momentum.all() else None
            if with_momentum.any():
                buf.mul_(momentum).addcdiv_(g, avg)
                p.addcmul_(buf, negative_lr)
            if plain is not None:
                if with_momentum.any():
                    mask = torch.from_numpy(~with_momentum).to(p.device).view(-1, 1, 1)
                    p.copy_(torch.where(mask, plain, p))
                else:
                    p.copy_(plain)
