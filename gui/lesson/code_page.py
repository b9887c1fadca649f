"""The lesson page "The code": the heart of the program behind the run, with its numbers.

The page quotes the exported program itself (solver/codegen), so what it shows is what
File ▸ Export ▸ Program saves and what the Code tab shows whole.
"""

from __future__ import annotations

import html

from gui.analysis import COMPUTING
from gui.code.cache import program_for, waits_for_theory
from gui.lesson.steps import LessonContext, num
from solver.settings import SettingsError


def page_code(ctx: LessonContext) -> str:
    """The guess, the loss and the update lines of the run's program, then the numbers."""
    if waits_for_theory(ctx.matrix.shape, ctx.settings, ctx.theory):
        return f"<p>The program quotes M's singular values: <i>{COMPUTING}</i></p>"
    try:
        program = program_for(ctx.matrix, ctx.settings, ctx.matrix_name, run_theory=ctx.theory)
    except SettingsError as err:
        return f"<p>These settings cannot run on this matrix: {html.escape(str(err))}.</p>"
    s = program.settings
    guess = _code_only(program.cell("guess").code.splitlines())
    update = _update_lines(program.cell("loop").code)
    text = ("<p>Everything the app does is one short PyTorch program: the Code tab of the "
            "teaching views shows it whole. Saved as <code>run.py</code> (File ▸ Export ▸ "
            "Program as script), <code>python run.py losses.csv</code> writes this run's "
            "losses, the same numbers bit for bit. Its heart:</p>"
            "<p><b>Step 0) Guess</b></p>" + _pre(guess)
            + "<p><b>Step 1) Improve</b>, many times: the loss, then the update</p>"
            + _pre(update))
    knobs = [f"seed = {num(s.seed, 12)}"] if s.init == "random" else []
    knobs.append(f"lr = {num(s.lr)}")
    if s.optimizer != "gd":
        knobs.append(f"{'beta1' if s.optimizer == 'adam' else 'momentum'} = {num(s.momentum)}")
    knobs.append(f"tol = {num(s.tol)}")
    knobs.append(f"max_steps = {num(s.max_steps, 12)}" if s.max_steps else "no step limit")
    text += f"<p>With {', '.join(knobs)}.</p>"
    snap = ctx.snapshot
    if snap is None:
        return text + "<p><i>Step the run to see its numbers here.</i></p>"
    return text + (f"<p>Now, at iteration t = {num(snap.iteration, 12)}, the program's "
                   f"<code>losses[{snap.iteration}]</code> would be {num(snap.loss, 8)}.</p>")


def _code_only(lines: list[str]) -> list[str]:
    """The lines without comments and blank lines."""
    kept = []
    for line in lines:
        code = line.split("  #", 1)[0].rstrip()
        if code.strip() and not code.lstrip().startswith("#"):
            kept.append(code)
    return kept


def _update_lines(loop: str) -> list[str]:
    """The loss line and the update block of the loop, comments and bookkeeping left out."""
    lines = loop.splitlines()
    body = lines[lines.index("while True:") + 1:]
    start = next(i for i, line in enumerate(body) if line.strip() == 'print(t, ":", loss)')
    end = body.index("    losses.append(value)")
    return [body[0].strip()] + [line[4:] for line in _code_only(body[start + 1:end])]


def _pre(lines: list[str]) -> str:
    return ("<pre style=\"margin-left:16px\">" + html.escape("\n".join(lines)) + "</pre>")
