"""The theory tab: what M's singular values predict for the run, the "Optimal settings"
button, and the error split by singular direction."""

from __future__ import annotations

import html
import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QToolButton, QVBoxLayout, QWidget

from gui.analysis import COMPUTING, awaits_full_analysis
from gui.plots.legend_label import with_notes
from gui.teaching.direction_plot import DirectionPlot
from gui.widgets.vertical_scroll import VerticalScrollArea
from solver.theory import limit_text, power_text
from solver.views_math import shrink_text

MAX_LISTED = 6  # singular values listed by value; more are summarised
MIN_PLOT_HEIGHT = 180


class TheoryView(QWidget):
    """Numbers from solver.theory for the current settings, and the direction split."""

    def __init__(self, optimal_action, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("theoryView")
        self.numbers = QLabel(self)
        self.numbers.setObjectName("theoryNumbers")
        self.numbers.setTextFormat(Qt.TextFormat.RichText)
        self.numbers.setWordWrap(True)
        self.optimal_button = QToolButton(self)
        self.optimal_button.setObjectName("optimalSettingsButton")
        self.optimal_button.setDefaultAction(optimal_action)
        self.optimal_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.directions = DirectionPlot(self)
        # The model is computing the complete theory for this view (set by the dock).
        self.computing = False
        self._shown: tuple | None = None  # what the numbers were last written from
        # In a narrow or short dock the numbers scroll; the plot keeps room to be read.
        self.directions.setMinimumHeight(MIN_PLOT_HEIGHT)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.numbers)
        top_layout.addWidget(self.optimal_button, 0, Qt.AlignmentFlag.AlignLeft)
        top_layout.addStretch(1)
        self.numbers_area = VerticalScrollArea(top, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.numbers_area)
        layout.addWidget(with_notes(self.directions, self.directions.title,
                                    self.directions.legend, self), 1)

    def show_theory(self, theory, optimizer: str, lr: float, momentum: float) -> None:
        """Write the theory's numbers for the optimizer, lr and momentum in force."""
        # Every frame calls this, and most bring the very same (frozen) theory and settings:
        # formatting them again only took the GIL from the solver thread.
        shown = (theory, optimizer, lr, momentum, self.computing)
        if self._shown is not None and shown[0] is self._shown[0] and \
                shown[1:] == self._shown[1:]:
            return
        self._shown = shown
        text = theory_html(theory, optimizer, lr, momentum, self.computing)
        if text != self.numbers.text():  # most frames bring the same numbers
            self.numbers.setText(text)


def theory_html(theory, optimizer: str, lr: float, momentum: float,
                computing: bool = False) -> str:
    """κ, curvatures, stable range, predicted factor and the optimum, as a two-column table
    (what, value) that reads from the back of a room. A theory that knows σ_max only (a
    large M) gives the stable range at once and says the rest is `computing` (or how to
    get it)."""
    if theory is None:
        return ""
    if awaits_full_analysis(theory):
        return _partial_html(theory, optimizer, lr, momentum, computing)
    sv = np.asarray(theory.singular_values)
    listed = ", ".join(f"{s:.3g}" for s in sv[:MAX_LISTED])
    if sv.size > MAX_LISTED:
        listed += f", … ({sv.size} in all, smallest {sv[-1]:.3g})"
    if theory.condition_number is None:  # a large M: only sigma_max so far (solver.spectrum)
        listed = f"largest {sv[0]:.4g} (the others not computed)"
    rows = [("Singular values of M", listed),
            ("Condition number κ = σ<sub>max</sub>/σ<sub>min</sub>",
             f"<b>{kappa_text(theory)}</b>")]
    if theory.warning:
        warning = html.escape(theory.warning)
        rows.append(("Range", f"<span style='color:#b00020'>{warning}</span>"))
    if theory.L is not None:
        rows.append(_curvature_row(theory))
    floor = theory.floor
    if floor is not None:
        rows.append(("Loss floor", f"<b>{floor.text}</b>: {html.escape(floor.why)}; the loss "
                                   "falls towards it, not to 0"))
    if theory.predicted_loss_factor is None:
        note = theory.note or "No linear prediction for these settings."
        rows.append(("Prediction", f"<i>{html.escape(note)}</i>"))
        return _table(rows)
    beta = f" (β = {momentum:.3g})" if optimizer != "gd" else ""
    limit = theory.max_stable_lr
    stable = (f"<b>0 &lt; lr &lt; {limit_text(limit, 4)}</b>" if limit is not None
              else "<b>beyond float64's range</b> (see Range)")
    rows.append((f"Stable learning rates{beta}", f"{stable}; lr now {lr:.4g}"))
    factor = theory.predicted_loss_factor
    above = "floor" if floor is not None else ""
    rows.append(("Predicted (dashed line)",
                 f"<b>{html.escape(shrink_text(factor, above))}</b> per step{_every(factor)}"))
    if theory.optimal_lr is not None:
        best_beta = theory.optimal_momentum
        best = theory.optimal_loss_factor
        momentum_text = f", β = {best_beta:.4g}" if best_beta is not None else ""
        tuning = f"<br><i>{html.escape(theory.tuning)}</i>" if theory.tuning else ""
        rows.append(("Optimal settings", f"lr = {theory.optimal_lr:.4g}{momentum_text}: "
                                         f"{html.escape(shrink_text(best, above))} per step"
                                         f"{_every(best)}{tuning}"))
    return _table(rows)


def _partial_html(theory, optimizer: str, lr: float, momentum: float,
                  computing: bool) -> str:
    """What σ_max alone gives (L, the stable range), and where the rest stands."""
    sv = np.asarray(theory.singular_values)
    rest = (f"<i>{COMPUTING}</i> (every singular value of M: one SVD)" if computing else
            "<i>not computed</i>: shown while this view is on screen")
    rows = [("Singular values of M", f"largest {sv[0]:.4g}; the others {rest}"),
            ("Condition number κ = σ<sub>max</sub>/σ<sub>min</sub>", rest)]
    if theory.warning:
        warning = html.escape(theory.warning)
        rows.append(("Range", f"<span style='color:#b00020'>{warning}</span>"))
    rows.append(_curvature_row(theory))
    beta = f" (β = {momentum:.3g})" if optimizer != "gd" else ""
    rows.append((f"Stable learning rates{beta}",
                 f"<b>0 &lt; lr &lt; {limit_text(theory.max_stable_lr, 4)}</b>; "
                 f"lr now {lr:.4g}"))
    rows.append(("Predicted (dashed line), optimal settings", rest))
    return _table(rows)


def kappa_text(theory) -> str:
    """κ(M), or ∞ with the rank and why: singular, or only at the run's precision."""
    cond = theory.condition_number
    if cond is None:  # a large M: only sigma_max computed so far (Run.complete_theory)
        return "not computed"
    if math.isfinite(cond):
        return f"{cond:.4g}"
    n = np.asarray(theory.singular_values).size
    ratio = theory.sigma_ratio
    if theory.rank == 0 or not math.isfinite(ratio) or ratio > 1e15:
        return f"∞ (M has rank {theory.rank} of {n}: singular)"
    return f"∞ at this precision (rank {theory.rank} of {n}; σmax/σmin = {ratio:.3g})"


def _curvature_row(theory) -> tuple[str, str]:
    high = _size(theory.L, theory.log10_L)
    low = _size(theory.mu, theory.log10_mu) if theory.mu is not None else "not computed"
    if theory.two_sided:
        ratio = math.sqrt(theory.L / theory.mu) if theory.mu else math.inf
        return ("Curvatures 2s²/N of X ↦ (X·M + M·X)/2 (s: its singular values, not M's)",
                f"largest L = {high}, smallest μ = {low}; its κ = √(L/μ) = {ratio:.4g}")
    return ("Curvatures 2σ²/N", f"largest L = {high}, smallest μ = {low}")


def _size(value: float, log10_value: float | None) -> str:
    """A curvature, written from its log10 when float64 cannot hold it."""
    if (value == 0 or not math.isfinite(value)) and log10_value is not None:
        return power_text(log10_value)
    return f"{value:.4g}"


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><td style='padding-right:10px; color:#404040'>{what}</td>"
                    f"<td>{value}</td></tr>" for what, value in rows)
    return f"<table cellspacing='2'>{cells}</table>"


def _every(factor: float) -> str:
    if 0 < factor < 1:
        return f" (10× smaller every {-1.0 / math.log10(factor):.3g} steps)"
    if factor == 1:
        return " (<b>no step moves it</b>)"
    if factor >= 1:
        return " (<span style='color:#b00020'><b>grows: the run diverges</b></span>)"
    return ""
