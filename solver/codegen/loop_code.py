"""The stepping loop shared by every problem: the app's stop rules, in its order
(docs/solver-api.md, "Stop rules")."""

from __future__ import annotations


def indent(lines: list[str], levels: int = 1) -> list[str]:
    """Lines indented by `levels` times four spaces (blank lines stay blank)."""
    pad = "    " * levels
    return [pad + line if line else line for line in lines]


def stepping_loop(evaluate: list[str], update: list[str], final: list[str], *,
                  torch_update: bool, scheduled: bool, floor: bool = False,
                  before_update: list[str] = (), after_update: list[str] = (),
                  intro: list[str] = ()) -> str:
    """The loop: loss of X_t first; stop at X_t, or record the loss and update to X_{t+1}.

    `evaluate` defines `loss` (what is printed) and `value` (its Python float); `update`
    changes the estimate with learning rate `lr`; `after_update` may end the run (deflation);
    `final` appends the loss of the estimate returned, the history's last row.
    """
    body = [
        *evaluate,
        "if t == 0:",
        "    first = value",
        "    runaway = runaway_factor * max(first, 1e-3)",
        "if value < tol:  # the estimate after t updates is the answer: no update",
        '    outcome = f"converged at iteration {t}: loss {value:.3g} is below the tolerance'
        ' {tol:g}"',
        "    break",
    ]
    if floor:
        body += [
            "if value < floor_limit:",
            '    outcome = f"converged at iteration {t}: the least possible loss, {value:.6g}"',
            "    break",
        ]
    body += [
        "if not value < runaway:  # infinite, NaN, or 1e8 times the first loss",
        '    outcome = f"diverged at iteration {t}: the loss grew from {first:.3g} to '
        '{value:.3g}"',
        "    break",
        "if max_steps and t == max_steps:",
        '    outcome = f"finished at iteration {t}, the maximum number of steps: loss '
        '{value:.4g}"',
        "    break",
        "if t % every == 0:",
        '    print(t, ":", loss)',
        *before_update,
    ]
    if scheduled:
        body.append("lr = learning_rate * gamma**t")
    if torch_update:
        body += ["with torch.no_grad():", *indent(update)]
    else:
        body += update
    body += ["losses.append(value)", *after_update, "t += 1"]
    lines = [
        *intro,
        "losses = []  # losses[t]: the loss of the estimate after t updates",
        "t = 0",
        "while True:",
        *indent(body),
        "# The history's last row: the loss of the estimate the run returns.",
        *final,
    ]
    return "\n".join(lines)
