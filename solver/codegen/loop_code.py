"""The stepping loop shared by every problem: the app's stop rules, in its order."""

from __future__ import annotations


def indent(lines: list[str], levels: int = 1) -> list[str]:
    """Lines indented by `levels` times four spaces (blank lines stay blank)."""
    pad = "    " * levels
    return [pad + line if line else line for line in lines]


def stepping_loop(evaluate: list[str], update: list[str], *, torch_update: bool,
                  scheduled: bool, before_update: list[str] = (), after_update: list[str] = (),
                  intro: list[str] = ()) -> str:
    """The loop: evaluate the loss at iteration t, stop or record it and update.

    `evaluate` defines `loss` (what is printed) and `value` (its Python float); `update`
    changes the estimate with learning rate `lr`; `after_update` may end the run (deflation).
    """
    body = [
        "if max_steps and t == max_steps:",
        '    outcome = f"finished: stopped after the maximum of {max_steps} steps"',
        "    break",
        *evaluate,
        "if t == 0:",
        "    runaway = runaway_factor * max(value, 1e-3)",
        "if value < tol:  # this estimate is the answer: no update",
        '    outcome = f"converged at iteration {t}: loss {value:.3g} is below the tolerance'
        ' {tol:g}"',
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
    body += [
        "losses.append(value)",
        "if not value < runaway:",
        '    outcome = f"diverged at iteration {t}: the loss grew from {losses[0]:.3g} to '
        '{value:.3g}"',
        "    break",
        *after_update,
        "t += 1",
    ]
    lines = [
        *intro,
        "losses = []  # losses[t]: the loss of the estimate after t updates, before the next",
        "t = 0",
        "while True:",
        *indent(body),
    ]
    return "\n".join(lines)
