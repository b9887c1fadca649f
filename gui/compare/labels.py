"""Legend names for runs: the matrix, then the settings that tell runs apart."""

from __future__ import annotations

from pathlib import PurePath

from solver import Settings

_BETA = {"momentum": "β", "nesterov": "β", "rmsprop": "β", "adam": "β₁"}


def matrix_label(matrix_name: str) -> str:
    """A short matrix name: an example's name without its description, a file's base name."""
    short = matrix_name.split(":", 1)[0].strip()
    return PurePath(short).name if short else "matrix"


def run_label(matrix_name: str, settings: Settings) -> str:
    """E.g. "tutorial-random · momentum lr 0.9 β 0.9": the matrix, the problem when it is not
    the plain left inverse, the optimizer with lr and momentum, and any unusual start."""
    parts = [matrix_label(matrix_name)]
    if settings.problem == "svd":
        parts.append(f"svd {settings.svd_method}")
    elif settings.problem == "pinv":
        parts.append("pinv")
    if settings.problem != "svd" and settings.side != "left":
        parts.append(f"{settings.side} side")
    optimizer = f"{settings.optimizer} lr {settings.lr:g}"
    if settings.optimizer in _BETA:
        optimizer += f" {_BETA[settings.optimizer]} {settings.momentum:g}"
    parts.append(optimizer)
    if settings.schedule != "constant":
        parts.append(settings.schedule)
    if settings.init != "random":
        parts.append(f"{settings.init} start")
    elif settings.seed != Settings.seed:
        parts.append(f"seed {settings.seed}")
    if settings.dtype != Settings.dtype:
        parts.append(settings.dtype)
    return " · ".join(parts)
