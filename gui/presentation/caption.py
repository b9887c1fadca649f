"""Titles and captions that name the run a figure or recording shows."""

from __future__ import annotations

from dataclasses import dataclass

from solver import Settings

CAPTION_SEPARATOR = "  ·  "
_PROBLEM = {"inverse": "inverse", "pinv": "pseudo-inverse", "svd": "SVD"}
_RESIDUAL = {"left": "X·M = I", "right": "M·X = I", "both": "X·M = M·X = I"}
_OPTIMIZER = {"gd": "plain gradient descent", "momentum": "momentum",
              "nesterov": "Nesterov momentum", "adam": "Adam", "rmsprop": "RMSprop"}


@dataclass(frozen=True)
class RunFacts:
    """What a caption says about a run: the matrix's name and shape, the settings in force
    (lr and momentum as they are now), the iteration shown and its loss, and the state."""

    name: str
    shape: tuple[int, int]
    settings: Settings
    side: str
    iteration: int | None = None
    loss: float | None = None
    state: str = ""

    @classmethod
    def of_model(cls, model, settings: Settings | None = None) -> RunFacts:
        """The facts of `model`'s current run (gui/document_model.py): its RunInfo, the
        latest snapshot drawn, and `settings` (a frame's, with the lr and momentum in force;
        the run's own when None)."""
        run = model.run
        snapshot = model.snapshot
        return cls(
            name=run.name, shape=tuple(run.matrix.shape), settings=settings or run.settings,
            side=run.side, iteration=None if snapshot is None else int(snapshot.iteration),
            loss=None if snapshot is None else float(snapshot.loss), state=model.state.state)


def problem_text(facts: RunFacts) -> str:
    """"inverse (X·M = I)", "pseudo-inverse (M·X = I)" or "SVD (penalty)"."""
    s = facts.settings
    problem = _PROBLEM.get(s.problem, s.problem)
    if s.problem == "svd":
        return f"{problem} ({s.svd_method})"
    return f"{problem} ({_RESIDUAL.get(facts.side, facts.side)})"


def default_title(subject: str, facts: RunFacts) -> str:
    """A slide title: "Loss — inverse of tutorial-random (4 × 4)"; `subject` names what
    the figure shows ("" for the whole central area)."""
    rows, cols = facts.shape
    what = f"{_PROBLEM.get(facts.settings.problem, facts.settings.problem)} of {facts.name} " \
           f"({rows} × {cols})"
    if not subject:
        return f"Gradient descent: {what}"
    return f"{subject} — {what}"


def caption(facts: RunFacts) -> str:
    """One line naming the run: matrix, problem, optimizer, lr, β, seed, iteration, loss."""
    s = facts.settings
    rows, cols = facts.shape
    parts = [f"{facts.name} ({rows} × {cols})", problem_text(facts)]
    optimizer = f"{_OPTIMIZER.get(s.optimizer, s.optimizer)}, lr {s.lr:.4g}"
    if s.optimizer == "adam":
        optimizer += f", β₁ {s.momentum:.4g}"
    elif s.optimizer != "gd":
        optimizer += f", β {s.momentum:.4g}"
    if s.schedule != "constant":
        optimizer += f", schedule {s.schedule}"
    parts.append(optimizer)
    # float32 is the tutorial's and the default: only the other one is worth a mention.
    parts.append(f"seed {s.seed}" if s.dtype == "float32" else f"seed {s.seed}, {s.dtype}")
    if facts.iteration is not None:
        where = f"iteration {facts.iteration:,}"
        if facts.loss is not None:
            where += f", loss {facts.loss:.4g}"
        if facts.state in ("converged", "diverged", "finished"):
            where += f" ({facts.state})"
        parts.append(where)
    return CAPTION_SEPARATOR.join(parts)
