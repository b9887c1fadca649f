"""The lesson's pages: the tutorial's story, each formula with the current numbers plugged in.

Plain functions from a LessonContext to rich text (Qt's HTML subset); no widgets here.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

NUMBER_COLOUR = "#B35806"  # dark orange: stands out from black text, colour-blind safe


@dataclass(frozen=True)
class LessonContext:
    """What the pages may quote: the latest snapshot and the run's settings and theory."""

    snapshot: object | None  # solver.Snapshot
    settings: object  # solver.Settings, problem resolved
    theory: object | None  # solver.Theory
    shape: tuple[int, int]
    matrix: np.ndarray  # M as in the editor
    matrix_name: str
    autograd: tuple[float, float]  # (dz/dx, dz/dy) of z = x * y**5 at x=3, y=7
    sine_error: float  # largest |autograd d/dx sin - cos| on [0, 2 pi]
    # A large M: the model is computing the complete theory / torch.linalg's answer.
    computing_theory: bool = False
    computing_reference: bool = False


def num(value: float, digits: int = 4, signed_term: bool = False) -> str:
    """A number in the lesson's highlight, in `digits` significant figures, with a true
    minus sign; `signed_term` puts a negative number in parentheses (as in "× (−0.2)")."""
    text = f"{value:.{digits}g}".replace("-", "−")
    if signed_term and value < 0:
        text = f"({text})"
    return f'<b style="color:{NUMBER_COLOUR}">{text}</b>'


def formula(text: str) -> str:
    """A displayed formula: its own line, larger, indented."""
    return f'<p style="margin-left:16px; font-size:large">{text}</p>'


def _now(ctx: LessonContext) -> str:
    snap = ctx.snapshot
    if snap is None:
        return "<p><i>Step the run to see its numbers here.</i></p>"
    return f"<p>Now, at iteration t = {num(snap.iteration, 12)}:</p>"


def _residual(ctx: LessonContext) -> str:
    if ctx.settings.problem == "svd":
        return "U·S·Vᵀ − M"
    return {"left": "X·M − I", "right": "M·X − I"}.get(ctx.settings.side, "(X·M + M·X)/2 − I")


def page_autograd(ctx: LessonContext) -> str:
    dzdx, dzdy = ctx.autograd
    return (
        "<p>PyTorch remembers every operation on a tensor made with "
        "<code>requires_grad=True</code>; <code>z.backward()</code> then computes the "
        "derivative of z with respect to each of them by the chain rule. The tutorial's "
        "first example: z = x·y⁵ at x = 3, y = 7.</p>"
        + formula(f"∂z/∂x = y⁵ = 7⁵ = {num(dzdx, 8)}")
        + formula(f"∂z/∂y = 5·x·y⁴ = 5·3·7⁴ = {num(dzdy, 8)}")
        + "<p>Both numbers were just computed by autograd, not typed in. The same works for "
        "a whole curve: the derivative of sin x by autograd lies on cos x (below); the "
        f"largest difference on [0, 2π] is {num(ctx.sine_error, 2)}.</p>"
        "<p>Gradient descent needs nothing more: autograd tells which way is downhill.</p>"
    )


def page_guess(ctx: LessonContext) -> str:
    s = ctx.settings
    rows, cols = ctx.shape
    # X has the shape of Mᵀ: n × n for an inverse, 3 × 17 for the 17 × 3 indicator's pinv.
    start = (f"<code>torch.manual_seed({s.seed}); X = torch.rand({cols}, {rows})</code>"
             if s.init == "random" else f"the “{html.escape(s.init)}” start")
    text = ("<p>We want X with X·M = I, the inverse of M. Gradient descent starts with a "
            f"<b>guess</b> and improves it many times. The tutorial guesses at random: "
            f"{start}.</p>")
    if s.problem == "svd":
        text = ("<p>For the SVD we guess U, d and V at random (seeded <code>torch.rand</code>) "
                "and improve them together; the estimate is U·diag(d²)·Vᵀ.</p>")
    snap = ctx.snapshot
    if snap is None:
        return text + _now(ctx)
    x = np.asarray(snap.estimate)
    if s.problem == "svd" and snap.u is not None:
        # The SVD's own numbers: its factors and their product, not an "X".
        return text + _now(ctx) + formula(
            f"U[0,0] = {num(float(np.asarray(snap.u)[0, 0]))},&nbsp; σ₁ = d₁² = "
            f"{num(float(np.max(snap.s)))},&nbsp; (U·S·Vᵀ)[0,0] = {num(x[0, 0])}") + (
            "<p>The Estimate heatmap shows all of U·S·Vᵀ.</p>")
    text += _now(ctx) + formula(f"X[0,0] = {num(x[0, 0])},&nbsp; X[0,1] = "
                                f"{num(x[0, min(1, x.shape[1] - 1)])}, …")
    if s.problem != "svd" and snap.reference is not None:
        ref = np.asarray(snap.reference)
        text += (f"<p>The answer torch.linalg gives has X[0,0] = {num(ref[0, 0])}. The "
                 "Estimate heatmap shows all of X.</p>")
    return text


def page_loss(ctx: LessonContext) -> str:
    rows, cols = ctx.shape
    if ctx.settings.problem == "svd":
        text = ("<p>How far off are we? For the SVD the <b>loss</b> adds three mean squared "
                "errors: the fit of M, and how far U and V are from orthonormal:</p>"
                + formula("loss = mse(U·S·Vᵀ, M) + mse(UᵀU, I)/100 + mse(VᵀV, I)/100"))
    else:
        n = cols if ctx.settings.side == "left" else rows
        if ctx.snapshot is not None:
            n = int(np.asarray(ctx.snapshot.error).shape[0])
        text = ("<p>How far off are we? The residual R = " + _residual(ctx) + " would be all "
                "zeros for the exact inverse. The <b>loss</b> is its mean squared entry:</p>"
                + formula(f"loss = mean(R²) = (1/N)·Σ R<sub>ij</sub>²,&nbsp; N = {n}·{n} = "
                          f"{n * n}"))
    snap = ctx.snapshot
    if snap is None:
        return text + _now(ctx)
    r = np.asarray(snap.error)
    return (text + _now(ctx)
            + formula(f"R[0,0] = {num(r[0, 0])},&nbsp; largest |R| = "
                      f"{num(float(np.abs(r).max()))}")
            + formula(f"loss = {num(snap.loss)}")
            + "<p>The Error heatmap shows R; the loss plot shows the loss at every step.</p>")


def page_gradient(ctx: LessonContext) -> str:
    if ctx.settings.problem == "svd":
        text = ("<p><code>loss.backward()</code> gives the <b>gradient</b> with respect to U, d "
                "and V: each entry says how fast the loss grows when that number grows.</p>")
    else:
        text = ("<p><code>loss.backward()</code> gives the <b>gradient</b> ∇, a matrix the shape "
                "of X: each entry says how fast the loss grows when that entry of X grows. "
                f"For R = {_residual(ctx)}, calculus gives it in closed form too:</p>"
                + formula(_CLOSED_FORM[ctx.settings.side]))
    snap = ctx.snapshot
    if snap is None:
        return text + _now(ctx)
    g = np.asarray(snap.gradient)
    which = "∇<sub>U</sub>" if ctx.settings.problem == "svd" else "∇"
    text += _now(ctx) + formula(f"{which}[0,0] = {num(g[0, 0])} (autograd),&nbsp; ‖{which}‖ = "
                                f"{num(float(np.linalg.norm(g)))}")
    closed = _closed_form_gradient(ctx)
    if closed is not None:
        text += formula(f"closed form: ∇[0,0] = {num(closed[0, 0])}")
    return text + "<p>Downhill is the other way: −∇.</p>"


_CLOSED_FORM = {"left": "∇ = 2/N · R · Mᵀ", "right": "∇ = 2/N · Mᵀ · R",
                "both": "∇ = 1/N · (R · Mᵀ + Mᵀ · R)"}


def _closed_form_gradient(ctx: LessonContext) -> np.ndarray | None:
    """The gradient from the formula on the page, from the snapshot's residual and M."""
    if ctx.settings.problem == "svd" or ctx.snapshot is None:
        return None
    r = np.asarray(ctx.snapshot.error, dtype=np.float64)
    m = np.asarray(ctx.matrix, dtype=np.float64)
    if ctx.settings.side == "left":
        return 2.0 / r.size * r @ m.T
    if ctx.settings.side == "right":
        return 2.0 / r.size * m.T @ r
    return (r @ m.T + m.T @ r) / r.size


def page_update(ctx: LessonContext) -> str:
    s = ctx.settings
    text = ("<p>One <b>update</b> moves X a little downhill, against the gradient:</p>"
            + formula("X ← X − lr · ∇"))
    snap = ctx.snapshot
    if snap is None:
        return text + _now(ctx)
    if s.problem == "svd":
        if snap.u is None:
            return text + _now(ctx)
        # The SVD updates its factors U, d and V; the page shows U's first entry.
        text += "<p>For the SVD each factor takes that step: U ← U − lr · ∇<sub>U</sub>, " \
                "and the same for d and V.</p>"
        x, g = float(np.asarray(snap.u)[0, 0]), float(np.asarray(snap.gradient)[0, 0])
        name, grad = "U[0,0]", "∇<sub>U</sub>[0,0]"
    else:
        x, g = float(np.asarray(snap.estimate)[0, 0]), float(np.asarray(snap.gradient)[0, 0])
        name, grad = "X[0,0]", "∇[0,0]"
    text += _now(ctx) + formula(
        f"{name} − lr·{grad} = {num(x)} − {num(s.lr)} × {num(g, signed_term=True)} = "
        f"{num(x - s.lr * g)}")
    if s.optimizer != "gd":
        text += (f"<p>That is plain gradient descent. This run uses {html.escape(s.optimizer)}, "
                 "which also remembers earlier gradients (see Momentum), so its step differs.</p>")
    return text + "<p>Step ▶| does exactly one update; Play repeats it.</p>"


def page_learning_rate(ctx: LessonContext) -> str:
    s = ctx.settings
    text = ("<p>The <b>learning rate</b> lr is how far each step goes. Too small and the "
            "run crawls; too large and each step overshoots the valley floor along the "
            "steepest direction, further every time: the loss explodes.</p>")
    t = ctx.theory
    if t is None or t.max_stable_lr is None:
        note = html.escape(t.note) if t is not None and t.note else "no linear prediction here."
        return text + f"<p>For this run: lr = {num(s.lr)}; {note}</p>"
    text += formula(f"lr = {num(s.lr)},&nbsp; stable while lr &lt; {num(t.max_stable_lr)}")
    if t.optimal_lr is not None:
        text += formula(f"fastest at lr = {num(t.optimal_lr)}")
    if t.predicted_loss_factor is not None:
        text += ("<p>Theory predicts the loss shrinks by a factor "
                 f"{num(t.predicted_loss_factor)} per step from now on.</p>")
    if t.condition_number is None:  # a large matrix: only sigma_max computed so far
        if ctx.computing_theory:
            return text + ("<p>κ, the predicted rate and the fastest lr: computing… (every "
                           "singular value of M, one SVD).</p>")
        return text + f"<p>{html.escape(t.note)}</p>"
    return text + (f"<p>Condition number κ = σ<sub>max</sub>/σ<sub>min</sub> = "
                   f"{num(t.condition_number)}: the larger κ, the slower the slowest "
                   "direction converges.</p>")


def page_momentum(ctx: LessonContext) -> str:
    s = ctx.settings
    text = ("<p>The tutorial never zeroes X.grad; it multiplies it by <b>momentum</b> β "
            "after each step. That is a ball rolling downhill: it keeps speed, so it crosses "
            "flat valleys faster, and it can overshoot and swing back (the wiggles in the "
            "loss curve). β = 1 − friction.</p>"
            + formula("buf ← β · buf + ∇")
            + formula("X ← X − lr · buf"))
    if s.optimizer in ("gd",):
        text += f"<p>This run uses plain gradient descent (β = 0): lr = {num(s.lr)}.</p>"
    else:
        text += formula(f"β = {num(s.momentum)},&nbsp; lr = {num(s.lr)}")
    t = ctx.theory
    if t is not None and t.optimal_momentum is not None:
        text += (f"<p>For this matrix the best β (Polyak) is {num(t.optimal_momentum)}, with "
                 f"lr = {num(t.optimal_lr)}.</p>")
    elif t is not None and ctx.computing_theory:
        text += ("<p>The best β (Polyak) for this matrix: computing… (every singular value "
                 "of M, one SVD).</p>")
    if ctx.snapshot is not None:
        text += _now(ctx) + formula(f"loss = {num(ctx.snapshot.loss)}")
    return text


def page_pinv(ctx: LessonContext) -> str:
    text = ("<p>A matrix that is not square has no inverse. A tall M (m × n, m &gt; n), like "
            "the tutorial's 17 × 3 matrix of which words occur in which documents, still has "
            "X with X·M = I: the <b>pseudo-inverse</b></p>"
            + formula("M⁺ = (MᵀM)⁻¹ Mᵀ")
            + "<p>Gradient descent finds it except for the part of X in the null space of Mᵀ: "
            "no gradient ever touches that part, so a random start keeps it for ever and a "
            "zero start never has any.</p>")
    snap = ctx.snapshot
    if ctx.settings.problem != "pinv" or snap is None:
        return text + "<p><i>Try it: Examples → indicator.</i></p>"
    if snap.reference is None:  # a large M: torch.linalg.pinv is computed when needed
        return text + _now(ctx) + ("<p>‖X − M⁺‖: computing torch.linalg.pinv(M)…</p>"
                                   if ctx.computing_reference else "")
    return (text + _now(ctx)
            + formula(f"‖X − M⁺‖ = {num(snap.distance)}")
            + formula(f"null-space part of X = {num(snap.extra.get('null_space_norm', 0.0))}"))


def page_svd(ctx: LessonContext) -> str:
    text = ("<p>The singular value decomposition M = U·S·Vᵀ by gradient descent: U (m × n), "
            "d (n) and V (n × n) with S = diag(d²), so the singular values stay ≥ 0. The "
            "loss fits M and keeps U and V orthonormal:</p>"
            + formula("loss = mse(U·S·Vᵀ, M) + mse(UᵀU, I)/100 + mse(VᵀV, I)/100")
            + "<p>This penalty formulation does not always find the true SVD: on the "
            "tutorial's seed-317 4 × 3 matrix it stalls with σ₃ = d₃² held at 0, and on its "
            "seed-316 7 × 4 matrix it is slow: its σ error is 4.1e-4 after 50,000 steps and "
            "3e-7 after 100,000.</p>")
    snap = ctx.snapshot
    if ctx.settings.problem != "svd" or snap is None or snap.s is None:
        return text + "<p><i>Try it: Examples → svd-tutorial.</i></p>"
    found = ", ".join(num(v) for v in np.asarray(snap.s))
    if snap.reference is None:  # a large M: torch.linalg.svd is computed when needed
        return (text + _now(ctx) + formula(f"singular values: {found}")
                + ("<p>torch.linalg.svd: computing…</p>" if ctx.computing_reference else ""))
    true = ", ".join(num(v) for v in np.asarray(snap.reference))
    return (text + _now(ctx) + formula(f"singular values: {found}")
            + formula(f"torch.linalg.svd: {true}")
            + formula(f"loss = {num(snap.loss)}"))


def _code_page(ctx: LessonContext) -> str:
    # Imported on first use: gui.lesson.code_page imports this module for LessonContext.
    from gui.lesson.code_page import page_code

    return page_code(ctx)


QUOTES_REFERENCE = {"Pseudo-inverse": "pinv", "SVD": "svd"}
"""Pages that quote torch.linalg's answer for a run of that kind (a large M computes it
while one is shown)."""
QUOTES_THEORY = ("Learning rate", "Momentum: a rolling ball", "The code")
"""Pages that quote κ and the optimal settings, or the program built from M's singular
values (the complete theory)."""

PAGES: tuple[tuple[str, Callable[[LessonContext], str]], ...] = (
    ("Autograd: derivatives for free", page_autograd),
    ("Guess", page_guess),
    ("Loss: how far off are we?", page_loss),
    ("Gradient: which way is downhill?", page_gradient),
    ("Update: one step downhill", page_update),
    ("Learning rate", page_learning_rate),
    ("Momentum: a rolling ball", page_momentum),
    ("Pseudo-inverse", page_pinv),
    ("SVD", page_svd),
    ("The code", lambda ctx: _code_page(ctx)),
)
"""(title, render) in the tutorial's order."""
