"""Labels and tooltips that name what is shown (issue 12, point 10), and the theory of a
singular M shown as such (point 5)."""

import html
import math
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from gui.lesson.steps import LessonContext, page_guess
from gui.teaching.theory_view import theory_html
from gui.widgets.parameter_panel import ParameterPanel
from solver import Run, Settings, analyse
from solver.presets import load_preset
from solver.views_math import factor_text, predicted_curve


def plain(html_text: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_text)))


def view_text(matrix, settings) -> str:
    run = Run(matrix, settings)
    s = run.settings
    return plain(theory_html(run.theory, s.optimizer, s.lr, s.momentum))


def test_both_sides_curvatures_are_named_as_the_operators():
    """Its μ 5.83e-4 is not 2σ²/N = 1.51e-3 of M, its κ 29.79 not κ(M) = 18.67."""
    text = view_text(load_preset("tutorial-random"), Settings(side="both"))
    assert "Curvatures 2s²/N of X ↦ (X·M + M·X)/2 (s: its singular values, not M's)" in text
    assert "smallest μ = 0.0005828; its κ = √(L/μ) = 29.79" in text
    assert "18.67" in text  # κ(M) itself, in its own row
    one_sided = view_text(load_preset("tutorial-random"), Settings())
    assert "Curvatures 2σ²/N largest L" in one_sided and "X ↦" not in one_sided


@pytest.mark.parametrize(("optimizer", "formula"), [
    ("gd", "2/λmax"), ("momentum", "2(1+β)/λmax"), ("nesterov", "2(1+β)/((1+2β)·λmax)")])
def test_stable_lr_tooltip_gives_each_optimizers_formula(qtbot, optimizer, formula):
    panel = ParameterPanel()
    qtbot.addWidget(panel)
    matrix = load_preset("tutorial-random")
    settings = Settings(optimizer=optimizer).validated(matrix.shape)
    panel.show_settings(settings, matrix.shape)
    theory = analyse(matrix, settings)
    panel.show_theory(theory)
    tip = panel.findChild(QLabel, "stableLrLabel").toolTip()
    assert tip.startswith(f"Largest stable lr = {formula}")
    # The formula is the one theory computes the limit with.
    big, beta = theory.L, 0.9
    limit = {"gd": 2 / big, "momentum": 2 * (1 + beta) / big,
             "nesterov": 2 * (1 + beta) / ((1 + 2 * beta) * big)}[optimizer]
    assert theory.max_stable_lr == pytest.approx(limit)


def test_pinv_and_closed_form_tooltips_cover_every_side(qtbot):
    panel = ParameterPanel()
    qtbot.addWidget(panel)
    combo = panel.problem_combo
    pinv = combo.itemData(combo.findData("pinv"), Qt.ItemDataRole.ToolTipRole)
    assert "‖X·M − I‖² (M tall or square)" in pinv and "‖M·X − I‖² (M wide)" in pinv
    gradients = panel.gradient_combo
    closed = gradients.itemData(gradients.findData("closed-form"), Qt.ItemDataRole.ToolTipRole)
    for formula in ("(2/N)·R·Mᵀ for X·M = I", "(2/N)·Mᵀ·R for M·X = I",
                    "(1/N)·(R·Mᵀ + Mᵀ·R) for (X·M + M·X)/2 = I"):
        assert formula in closed


def test_the_guess_page_writes_x_in_its_own_shape():
    matrix = load_preset("indicator")  # 17 x 3: X is 3 x 17
    settings = Settings().validated(matrix.shape)
    ctx = LessonContext(snapshot=None, settings=settings, theory=None, shape=matrix.shape,
                        matrix=matrix, matrix_name="indicator", autograd=(0.0, 0.0),
                        sine_error=0.0)
    assert "torch.rand(3, 17)" in page_guess(ctx)


def test_a_factor_next_to_one_keeps_its_digits():
    assert factor_text(1 - 8.9e-15) == "1 − 8.9e-15"
    assert factor_text(0.98898888) == "0.989"
    assert factor_text(1 + 2e-9) == "1 + 2e-09"
    text = view_text(load_preset("hilbert-6"), Settings(dtype="float64"))
    assert re.search(r"loss × \(1 − \d\.\de-14\) per step", text), text


# -- point 5: a singular M --------------------------------------------------------------------
def test_singular_theory_shows_infinite_kappa_the_rank_and_the_floor():
    text = view_text(load_preset("singular-3"), Settings(lr=0.05))
    assert "∞ (M has rank 2 of 3: singular)" in text
    assert "Loss floor 1/9 : M has rank 2: no X makes X·M = I" in text
    assert "(loss − floor) × 0.9 per step" in text
    hilbert = view_text(load_preset("hilbert-6"), Settings())
    assert "∞ at this precision (rank 5 of 6; σmax/σmin = 1.45e+07)" in hilbert
    assert "M has rank 5 at float32's precision" in hilbert


def test_the_prediction_bends_towards_the_floor():
    xs, ys = predicted_curve((0, math.log10(1 / 9 + 1.0)), 0.5, 1 / 9, (0, 100))
    assert ys[0] == pytest.approx(math.log10(1 / 9 + 1.0))
    assert ys[-1] == pytest.approx(math.log10(1 / 9), abs=1e-9)  # flat at the floor
    assert np.all(np.diff(ys) <= 0)
