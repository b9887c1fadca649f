"""Update rules. Each updates the parameters in place from their gradients, on torch tensors
(autograd path, any device) and NumPy arrays (closed-form path on the CPU).

The heavy-ball rule is the tutorial's code, operation for operation, so a run reproduces the
tutorial to the last bit; gradient descent, heavy ball and Nesterov use arithmetic operators
only, which run unchanged on both kinds of array. Adam and RMSprop use torch.optim's own
in-place operations (on a shared-memory view of NumPy arrays) so they match it bit for bit.
"""

from __future__ import annotations

import numpy as np
import torch

from solver.state import clone_tree


class Optimizer:
    """Base class: `update(params, grads, lr)` changes params in place; `momentum` may change
    between steps; `reset_state()` forgets velocities (new parameters)."""

    def __init__(self, momentum: float = 0.0, weight_decay: float = 0.0):
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.reset_state()

    def reset_state(self) -> None:
        self.buffers: list | None = None
        self.t = 0

    def update(self, params: list, grads: list, lr: float) -> None:
        raise NotImplementedError

    def get_state(self) -> dict:
        """An independent copy of the velocities and step count (for checkpoints)."""
        return {"buffers": clone_tree(self.buffers), "t": self.t, "momentum": self.momentum}

    def set_state(self, state: dict) -> None:
        """Restore a copy taken by get_state (the copy itself stays untouched)."""
        self.buffers = clone_tree(state["buffers"])
        self.t = state["t"]
        self.momentum = state["momentum"]


class GradientDescent(Optimizer):
    """x -= lr * g (the tutorial's notebook run, gradient zeroed every step)."""

    def update(self, params, grads, lr):
        for p, g in zip(params, grads, strict=True):
            p -= lr * g


class HeavyBall(Optimizer):
    """The tutorial's momentum: x.grad accumulates (buf = momentum * buf + g), x -= lr * buf.

    Same update as torch.optim.SGD(lr, momentum), without its per-step overhead.
    """

    def update(self, params, grads, lr):
        if self.buffers is None:
            # The tutorial's first backward() stores the gradient itself as x.grad.
            self.buffers = list(grads)
        else:
            for b, g in zip(self.buffers, grads, strict=True):
                b *= self.momentum
                b += g
        for p, b in zip(params, self.buffers, strict=True):
            p -= lr * b


class Nesterov(Optimizer):
    """torch.optim.SGD(nesterov=True): buf = momentum * buf + g; x -= lr * (g + momentum * buf)."""

    def update(self, params, grads, lr):
        if self.buffers is None:
            self.buffers = [g * 1 for g in grads]
        else:
            for b, g in zip(self.buffers, grads, strict=True):
                b *= self.momentum
                b += g
        for p, g, b in zip(params, grads, self.buffers, strict=True):
            p -= lr * (g + self.momentum * b)


def _tensor(x):
    """A torch view of x: torch.from_numpy shares the NumPy array's memory, so the in-place
    torch operations below update a closed-form run's arrays too."""
    return torch.from_numpy(x) if isinstance(x, np.ndarray) else x


class _Adaptive(Optimizer):
    """Shared by Adam and RMSprop: torch.optim's own in-place operations, in its order, so a
    run is bit for bit the one torch.optim gives (its single-tensor path, the one torch uses
    for CPU tensors), including L2 weight decay folded into the gradient."""

    def _prepare(self, params, grads):
        params, grads = [_tensor(p) for p in params], [_tensor(g) for g in grads]
        if self.weight_decay:
            grads = [g.add(p, alpha=self.weight_decay) for p, g in zip(params, grads, strict=True)]
        if self.buffers is None:
            self.buffers = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
        return params, grads


class Adam(_Adaptive):
    """torch.optim.Adam with beta1 = momentum, beta2 = 0.999, eps = 1e-8, L2 weight decay:
    the operations of torch/optim/adam.py's _single_tensor_adam (torch 2.13), in order."""

    beta2 = 0.999
    eps = 1e-8

    def update(self, params, grads, lr):
        params, grads = self._prepare(params, grads)
        self.t += 1
        step = float(self.t)
        beta1 = self.momentum
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - self.beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        for p, g, (m, v) in zip(params, grads, self.buffers, strict=True):
            m.lerp_(g, 1 - beta1)
            v.mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
            denom = (v.sqrt() / bias_correction2_sqrt).add_(self.eps)
            p.addcdiv_(m, denom, value=-step_size)


class RMSprop(_Adaptive):
    """torch.optim.RMSprop with alpha = 0.99, eps = 1e-8 and the given momentum: the
    operations of torch/optim/rmsprop.py's _single_tensor_rmsprop (torch 2.13), in order."""

    alpha = 0.99
    eps = 1e-8

    def update(self, params, grads, lr):
        params, grads = self._prepare(params, grads)
        for p, g, (square_avg, buf) in zip(params, grads, self.buffers, strict=True):
            square_avg.mul_(self.alpha).addcmul_(g, g, value=1 - self.alpha)
            avg = square_avg.sqrt().add_(self.eps)
            if self.momentum > 0:
                buf.mul_(self.momentum).addcdiv_(g, avg)
                p.add_(buf, alpha=-lr)
            else:
                p.addcdiv_(g, avg, value=-lr)


OPTIMIZER_CLASSES = {
    "gd": GradientDescent,
    "momentum": HeavyBall,
    "nesterov": Nesterov,
    "adam": Adam,
    "rmsprop": RMSprop,
}


def make_optimizer(name: str, momentum: float, weight_decay: float = 0.0) -> Optimizer:
    """The update rule called `name` (see settings.OPTIMIZERS)."""
    return OPTIMIZER_CLASSES[name](momentum=momentum, weight_decay=weight_decay)
