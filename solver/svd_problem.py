"""SVD by gradient descent: the tutorial's penalty formulation, and rank-one deflation.

Both work on a tall matrix (rows >= cols); a wide M is solved as M.T and the factors swapped
back, so callers always see M = U diag(s) V.T in M's own orientation.
"""

from __future__ import annotations

import numpy as np
import torch

from solver.settings import Settings
from solver.state import clone_tree


def _mse(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return ((a - b) ** 2).mean()


class _SvdBase:
    uses_torch = True

    def __init__(self, matrix: np.ndarray, settings: Settings):
        self.settings = settings
        self.transposed = matrix.shape[0] < matrix.shape[1]
        m = matrix.T if self.transposed else matrix
        self.device = torch.device(settings.device)
        self.M = torch.as_tensor(np.ascontiguousarray(m)).to(settings.torch_dtype).to(self.device)
        self.rows, self.cols = self.M.shape
        self.params: list[torch.Tensor] = []

    def _rand(self, *shape: int) -> torch.Tensor:
        x = torch.rand(shape, generator=self.generator).to(self.settings.torch_dtype)
        return x.to(self.device).requires_grad_(True)

    def loss_and_grads(self) -> tuple[float, list]:
        loss = self.loss(self.params)
        grads = list(torch.autograd.grad(loss, self.params))
        return loss.item(), grads

    # Attributes besides params and the generator that evolve during a run.
    evolving: tuple[str, ...] = ()

    def get_state(self) -> dict:
        """An independent copy of everything that evolves during a run."""
        state = {name: clone_tree(getattr(self, name)) for name in self.evolving}
        state["params"] = clone_tree(self.params)
        state["generator"] = self.generator.get_state()
        return state

    def set_state(self, state: dict) -> None:
        """Restore a copy taken by get_state (the copy itself stays untouched)."""
        for name in self.evolving:
            setattr(self, name, clone_tree(state[name]))
        self.params = clone_tree(state["params"])
        self.generator.set_state(state["generator"])

    def current_loss(self) -> float:
        """Loss of the current factors, computed exactly as a step records it."""
        with torch.no_grad():
            return self.loss(self.params).item()

    def current_gradients(self) -> dict[str, np.ndarray]:
        """Gradient of the loss w.r.t. each factor at the current point (vectors as columns)."""
        params = [p.detach().clone().requires_grad_(True) for p in self.params]
        grads = torch.autograd.grad(self.loss(params), params)
        named = {
            name: g.detach().cpu().numpy().reshape(g.shape[0], -1).copy()
            for name, g in zip(self.param_names, grads, strict=True)
        }
        if self.transposed:
            # The fit ran on M.T, whose left factor is M's right one: name them as M sees them.
            swap = {"U": "V", "V": "U", "a": "b", "b": "a"}
            named = {swap.get(k, k): v for k, v in named.items()}
        return {k: named[k] for k in sorted(named, key=self.param_names.index)}

    def factors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(U, s, V) in M's orientation with s sorted descending and columns reordered."""
        u, s, v = self._raw_factors()
        order = np.argsort(-s, kind="stable")
        u, s, v = u[:, order], s[order], v[:, order]
        return (v, s, u) if self.transposed else (u, s, v)

    def estimate(self) -> np.ndarray:
        """The reconstruction U diag(s) V.T in M's orientation."""
        u, s, v = self.factors()
        return (u * s) @ v.T

    def error(self) -> np.ndarray:
        """U diag(s) V.T - M in M's orientation."""
        m = self.M.detach().cpu().numpy()
        return self.estimate() - (m.T if self.transposed else m)


class PenaltySvd(_SvdBase):
    """The tutorial's formulation: M = U diag(d*d) V.T, with orthogonality as penalties
    loss = mse(U S V.T, M) + mse(U.T U, I)/100 + mse(V V.T, I)/100."""

    param_names = ("U", "d", "V")

    def start(self, generator: torch.Generator) -> None:
        self.generator = generator
        # The tutorial's order of draws: U, then d, then V.
        self.params = [
            self._rand(self.rows, self.cols),
            self._rand(self.cols),
            self._rand(self.cols, self.cols),
        ]
        self.eye = torch.eye(self.cols, dtype=self.settings.torch_dtype, device=self.device)

    def loss(self, params: list[torch.Tensor]) -> torch.Tensor:
        u, d, v = params
        reconstruction = u @ torch.diag(d * d) @ v.T
        return (
            _mse(reconstruction, self.M)
            + _mse(u.T @ u, self.eye) / 100
            + _mse(v @ v.T, self.eye) / 100
        )

    def update_done(self) -> tuple[bool, bool]:
        """The penalty method has no stages: never replaced, never finished by itself."""
        return False, False

    def _raw_factors(self):
        u, d, v = (p.detach().cpu().numpy().copy() for p in self.params)
        return u, d * d, v


class DeflationSvd(_SvdBase):
    """Rank-one deflation: minimise mse(R - a b.T) by gradient descent (no spurious local
    minima), take sigma = |a||b|, u = a/|a|, v = b/|b|, subtract a b.T from R, repeat.

    The recorded loss is mse(M - found components - a b.T), so it falls in steps as each
    singular triplet is found.
    """

    param_names = ("a", "b")
    evolving = ("residual", "found", "residual_norm", "best", "since_best", "stationary")
    # A component is done when its gradient, relative to the residual it fits, is this small:
    # ||(a b.T - R) b/|b| || <= tol * ||R|| (and the same for a). Scale-free, unlike a fixed
    # gradient threshold, and immune to momentum's oscillating loss.
    STATIONARY = {"float32": 2e-6, "float64": 1e-11}
    # ...or when the loss has not improved for this many steps (the float floor was reached).
    PATIENCE = 2000

    def start(self, generator: torch.Generator) -> None:
        self.generator = generator
        self.residual = self.M.detach().clone()
        self.found: list[tuple[float, np.ndarray, np.ndarray]] = []
        self.stationary_tol = self.STATIONARY[self.settings.dtype]
        self._new_component()

    def _new_component(self) -> None:
        self.params = [self._rand(self.rows), self._rand(self.cols)]
        self.residual_norm = float(self.residual.norm())
        self.best = np.inf
        self.since_best = 0
        self.stationary = False

    def loss(self, params: list[torch.Tensor]) -> torch.Tensor:
        a, b = params
        return _mse(torch.outer(a, b), self.residual)

    def loss_and_grads(self) -> tuple[float, list]:
        value, grads = super().loss_and_grads()
        with torch.no_grad():
            a, b = self.params
            ga = float(grads[0].norm()) / max(float(b.norm()), 1e-30)
            gb = float(grads[1].norm()) / max(float(a.norm()), 1e-30)
        # The gradient carries the factor 2/N of the mean; undo it to compare with ||R||.
        relative = max(ga, gb) * self.M.numel() / 2 / max(self.residual_norm, 1e-30)
        self.stationary = relative <= self.stationary_tol
        if value < self.best:
            self.best, self.since_best = value, 0
        else:
            self.since_best += 1
        return value, grads

    def update_done(self) -> tuple[bool, bool]:
        """Deflate when the current component has settled; report (replaced, finished)."""
        if not self.stationary and self.since_best < self.PATIENCE:
            return False, False
        with torch.no_grad():
            a, b = self.params
            na, nb = float(a.norm()), float(b.norm())
            sigma = na * nb
            if sigma > 0:
                self.found.append(
                    (sigma, (a / na).cpu().numpy().copy(), (b / nb).cpu().numpy().copy())
                )
            self.residual -= torch.outer(a, b)
        if len(self.found) >= self.cols or sigma == 0:
            self.params = [p.detach().zero_().requires_grad_(True) for p in self.params]
            return True, True
        self._new_component()
        return True, False

    def _raw_factors(self):
        us = [u for _, u, _ in self.found]
        vs = [v for _, _, v in self.found]
        ss = [sigma for sigma, _, _ in self.found]
        if len(self.found) < self.cols:
            a, b = (p.detach().cpu().numpy() for p in self.params)
            na, nb = np.linalg.norm(a), np.linalg.norm(b)
            us.append(a / na if na else a)
            vs.append(b / nb if nb else b)
            ss.append(na * nb)
        dtype = self.M.detach().cpu().numpy().dtype
        while len(ss) < self.cols:
            us.append(np.zeros(self.rows, dtype))
            vs.append(np.zeros(self.cols, dtype))
            ss.append(0.0)
        return np.stack(us, 1), np.asarray(ss, dtype), np.stack(vs, 1)
