"""Update rules, written with arithmetic operators only so they run unchanged on torch tensors
(autograd path, any device) and NumPy arrays (closed-form path on the CPU).

Each rule updates the parameters in place from their gradients. The heavy-ball rule is the
tutorial's code, operation for operation, so a run reproduces the tutorial to the last bit.
"""

from __future__ import annotations

import numpy as np

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


class _Adaptive(Optimizer):
    """Shared by Adam and RMSprop: L2 weight decay folded into the gradient (as torch.optim
    does) and two zero-initialised running averages per parameter."""

    def _prepare(self, params, grads):
        if self.weight_decay:
            grads = [g + self.weight_decay * p for p, g in zip(params, grads, strict=True)]
        if self.buffers is None:
            self.buffers = [(g * 0, g * 0) for g in grads]
        return grads


class Adam(_Adaptive):
    """torch.optim.Adam with beta1 = momentum, beta2 = 0.999, eps = 1e-8, L2 weight decay."""

    beta2 = 0.999
    eps = 1e-8

    def update(self, params, grads, lr):
        grads = self._prepare(params, grads)
        self.t += 1
        beta1 = self.momentum
        correction1 = 1 - beta1**self.t
        correction2_sqrt = (1 - self.beta2**self.t) ** 0.5
        for p, g, (m, v) in zip(params, grads, self.buffers, strict=True):
            m *= beta1
            m += (1 - beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= (lr / correction1) * m / (v**0.5 / correction2_sqrt + self.eps)


class RMSprop(_Adaptive):
    """torch.optim.RMSprop with alpha = 0.99, eps = 1e-8, and the given momentum."""

    alpha = 0.99
    eps = 1e-8

    def update(self, params, grads, lr):
        grads = self._prepare(params, grads)
        for p, g, (sq, buf) in zip(params, grads, self.buffers, strict=True):
            sq *= self.alpha
            sq += (1 - self.alpha) * g * g
            step = g / (sq**0.5 + self.eps)
            # A sweep (solver/sweep.py) gives one momentum per run, as a tensor: every run
            # takes the buffer then, where momentum 0 gives buf = step exactly.
            if np.ndim(self.momentum) or self.momentum:
                buf *= self.momentum
                buf += step
                step = buf
            p -= lr * step


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
