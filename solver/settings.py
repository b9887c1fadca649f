"""Run settings: one frozen dataclass, validated against the matrix it will be used with."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import torch

PROBLEMS = ("auto", "inverse", "pinv", "svd")
SIDES = ("left", "right", "both")
SVD_METHODS = ("penalty", "deflation")
OPTIMIZERS = ("gd", "momentum", "nesterov", "adam", "rmsprop")
INITS = ("random", "zeros", "transpose")
DTYPES = ("float32", "float64")
GRADIENTS = ("autograd", "closed-form")
DEVICES = ("cpu", "cuda")


MAX_SEED = 2**31 - 1
MAX_STEPS = 2**31 - 1
RANGES = {
    "lr": (1e-12, 1e6),
    "weight_decay": (0.0, 1e3),
    "tol": (0.0, 1e6),
    "seed": (0, MAX_SEED),
    "max_steps": (0, MAX_STEPS),
}
"""Inclusive (low, high) of the numeric settings that have fixed bounds: what the app's
controls and the command line accept. momentum is in [0, 1) and an exp schedule's GAMMA in
(0, 1]; lessons are held to the narrower CONTROL_RANGES of the window's controls."""
CONTROL_RANGES = {**RANGES, "momentum": (0.0, 0.999), "schedule": (0.5, 1.0)}
"""What the window's spin boxes can show; "schedule" bounds GAMMA of exp:GAMMA."""

# torch.optim's default lr for the adaptive optimizers (the tutorial's Adam variant relies on
# it); the tutorial's lr 0.9 for the others. A step of lr 0.9 from Adam moves every entry by
# about 0.9 at once, which throws the SVD's factors far off (it diverged to 6.4e5).
DEFAULT_LR = {"gd": 0.9, "momentum": 0.9, "nesterov": 0.9, "adam": 1e-3, "rmsprop": 1e-3}


def default_lr(optimizer: str) -> float:
    """The learning rate a run with `optimizer` starts from unless one is given."""
    return DEFAULT_LR[optimizer]


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the field and the problem."""


@dataclass(frozen=True)
class Settings:
    """Everything that determines a run. Two runs with equal settings and matrix are identical."""

    problem: str = "auto"
    side: str = "left"
    svd_method: str = "penalty"
    optimizer: str = "momentum"
    lr: float = 0.9
    momentum: float = 0.9
    schedule: str = "constant"
    weight_decay: float = 0.0
    init: str = "random"
    seed: int = 314
    dtype: str = "float32"
    gradient: str = "autograd"
    device: str = "cpu"
    max_steps: int = 10000
    tol: float = 1e-12

    def to_dict(self) -> dict:
        """The settings as a plain JSON-friendly dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> Settings:
        """Build settings from a dict; unknown keys raise SettingsError."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise SettingsError(f"{unknown[0]}: unknown setting")
        return cls(**data)

    @property
    def schedule_gamma(self) -> float:
        """The per-step decay factor of the learning rate (1.0 for a constant schedule)."""
        if self.schedule == "constant":
            return 1.0
        return float(self.schedule.split(":", 1)[1])

    @property
    def torch_dtype(self) -> torch.dtype:
        """The torch dtype named by `dtype`."""
        return torch.float32 if self.dtype == "float32" else torch.float64

    def validated(self, shape: tuple[int, ...]) -> Settings:
        """Check every field against a matrix of `shape`; return a copy with `problem` resolved.

        Raises SettingsError naming the first bad field.
        """
        _choice("problem", self.problem, PROBLEMS)
        _choice("side", self.side, SIDES)
        _choice("svd_method", self.svd_method, SVD_METHODS)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("init", self.init, INITS)
        _choice("dtype", self.dtype, DTYPES)
        _choice("gradient", self.gradient, GRADIENTS)
        _choice("device", self.device, DEVICES)
        _in_range("lr", self.lr)
        _number("momentum", self.momentum)
        if not 0.0 <= self.momentum < 1.0:
            raise SettingsError(f"momentum: must be in [0, 1), got {self.momentum:g}")
        _in_range("weight_decay", self.weight_decay)
        _in_range("tol", self.tol)
        _whole("seed", self.seed)
        _whole("max_steps", self.max_steps)
        self._check_schedule()
        if self.device == "cuda" and not torch.cuda.is_available():
            raise SettingsError("device: cuda is not available (torch reports no CUDA device)")
        return self._check_shape(shape)

    def _check_schedule(self) -> None:
        if self.schedule == "constant":
            return
        # str(): a schedule read from a damaged lesson may be any JSON value (issue 4).
        head, _, value = str(self.schedule).partition(":")
        try:
            gamma = float(value)
        except ValueError:
            gamma = math.nan
        if head != "exp" or not 0.0 < gamma <= 1.0:
            raise SettingsError(
                f"schedule: expected 'constant' or 'exp:GAMMA' with 0 < GAMMA <= 1, "
                f"got {self.schedule!r}"
            )

    def _check_shape(self, shape: tuple[int, ...]) -> Settings:
        if len(shape) != 2 or min(shape) < 1:
            raise SettingsError(f"matrix: expected a non-empty 2-D matrix, got shape {shape}")
        rows, cols = shape
        problem = self.problem
        if problem == "auto":
            problem = "inverse" if rows == cols else "pinv"
        if problem == "inverse" and rows != cols:
            raise SettingsError(
                f"problem: inverse needs a square matrix, got {rows} x {cols} (use pinv)"
            )
        if problem == "pinv" and self.side == "both":
            raise SettingsError("side: 'both' is defined for a square inverse only")
        if problem == "svd":
            if self.gradient == "closed-form":
                raise SettingsError("gradient: closed-form is available for inverse and pinv only")
            if self.init != "random":
                raise SettingsError(
                    f"init: {self.init} is a saddle point for the SVD; use random"
                )
        return replace(self, problem=problem)


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SettingsError(f"{name}: expected one of {', '.join(allowed)}, got {value!r}")


def shown(value: object) -> str:
    """A value for a message: repr, but a huge integer by its number of digits."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingsError(f"{name}: must be a finite number, got {shown(value)}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond the float range
        finite = False
    if not finite:
        raise SettingsError(f"{name}: must be a finite number, got {shown(value)}")


def _in_range(name: str, value: object) -> None:
    low, high = RANGES[name]
    try:
        _number(name, value)
        fits = low <= value <= high
    except SettingsError:
        fits = False
    if not fits:
        raise SettingsError(f"{name}: must be a number from {low:g} to {high:g}, "
                            f"got {shown(value)}")


def _whole(name: str, value: object) -> None:
    low, high = RANGES[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsError(f"{name}: must be a whole number from {low} to {high}, "
                            f"got {shown(value)}")
