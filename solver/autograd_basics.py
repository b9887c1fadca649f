"""The tutorial's part 1, computed live: derivatives by autograd checked against calculus."""

from __future__ import annotations

import math

import numpy as np
import torch


def power_product_gradient(x: float = 3.0, y: float = 7.0) -> tuple[float, float]:
    """(dz/dx, dz/dy) of z = x * y**5 by autograd; the tutorial's x=3, y=7 gives
    (16807, 36015), i.e. (y**5, 5*x*y**4)."""
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    z = tx * ty**5
    z.backward()
    return float(tx.grad), float(ty.grad)


def sine_derivative(points: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, d/dx sin(x) by autograd, cos(x)) on [0, 2 pi]."""
    x = torch.linspace(0.0, 2 * math.pi, points, dtype=torch.float64, requires_grad=True)
    torch.sin(x).sum().backward()
    xs = x.detach().numpy()
    return xs.copy(), x.grad.numpy().copy(), np.cos(xs)
