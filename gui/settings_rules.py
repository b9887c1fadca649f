"""How the document's settings stay usable when the matrix or one setting changes.

Plain functions (no Qt) that the document model applies to every change, so the settings
panel only shows what they produce and never has rules of its own.
"""

from __future__ import annotations

from dataclasses import replace

from solver import Settings
from solver.settings import default_lr
from solver.views_math import residual_side

ADAPTIVE = ("adam", "rmsprop")


def consistent(settings: Settings, shape: tuple[int, int]) -> Settings:
    """`settings` with the choices the problem cannot use replaced: "auto" resolved, the
    two-sided residual only for a square inverse, a pseudo-inverse's residual the one its
    shape fixes (X·M = I for a tall M, M·X = I for a wide one, as the solver uses), an
    inverse only of a square matrix, and
    the SVD with the random start and autograd (the zero start is a saddle point, and the
    closed form exists for inverse and pinv only)."""
    rows, cols = shape
    problem = settings.problem
    if problem == "auto" or (problem == "inverse" and rows != cols):
        problem = "inverse" if rows == cols else "pinv"
    changes = {"problem": problem}
    if problem == "pinv":
        changes["side"] = residual_side(shape, problem, settings.side)
    elif problem != "inverse" and settings.side == "both":
        changes["side"] = "left"
    if problem == "svd":
        changes.update(init="random", gradient="autograd")
    return replace(settings, **changes)


def for_new_matrix(settings: Settings, shape: tuple[int, int]) -> Settings:
    """The current settings made valid for a newly opened matrix of `shape`: an inverse for a
    square matrix and a pseudo-inverse otherwise (whatever the previous matrix needed), an
    SVD stays an SVD."""
    problem = settings.problem
    if problem != "svd":
        problem = "inverse" if shape[0] == shape[1] else "pinv"
    return consistent(replace(settings, problem=problem), shape)


def with_changes(settings: Settings, shape: tuple[int, int], **changes) -> Settings:
    """`settings` with `changes` applied and made consistent. Switching between the tutorial's
    optimizers and an adaptive one (Adam, RMSprop) also switches the learning rate to the
    new optimizer's default, unless the change gives an lr itself."""
    new = replace(settings, **changes)
    optimizer = changes.get("optimizer")
    if optimizer is not None and "lr" not in changes and \
            (optimizer in ADAPTIVE) != (settings.optimizer in ADAPTIVE):
        # The optimizer's own starting lr (solver.settings.default_lr): the tutorial's 0.9
        # for its heavy ball and the plain and Nesterov variants, torch.optim's 1e-3 for Adam
        # and RMSprop, as the CLI uses without --lr.
        new = replace(new, lr=default_lr(optimizer))
    return consistent(new, shape)
