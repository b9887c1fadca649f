"""A large matrix in the window: the costly analysis only when a view asks (issue 13).

Above FULL_ANALYSIS_MAX_DIM (512) rows or columns a run starts with σ_max alone and without
torch.linalg's answer. The first frames come without them; showing the Pinv view brings the
answer, the Theory view or Optimal settings the complete theory (κ, the optimum), and
nothing computed for one run shows up in another.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
import torch
from files_support import TIMEOUT_MS

from gui.document_model import DocumentModel
from gui.lesson.steps import PAGES
from gui.main_window import MainWindow
from solver import Settings, analyse
from solver.run import cast_matrix
from solver.spectrum import FULL_ANALYSIS_MAX_DIM
from solver.theory import limit_text

N = 600  # above the lazy threshold, small enough for a quick SVD
assert N > FULL_ANALYSIS_MAX_DIM


def big_matrix(seed: int) -> np.ndarray:
    """A well-conditioned N x N matrix: identity plus a small random part."""
    rng = np.random.default_rng(seed)
    return np.eye(N) + rng.standard_normal((N, N)) / (4 * math.sqrt(N))


def full_theory(matrix: np.ndarray, settings: Settings):
    valid = settings.validated(matrix.shape)
    return analyse(cast_matrix(matrix, valid.dtype), valid)


@pytest.fixture
def big_window(qtbot):
    win = MainWindow(big_matrix(1), Settings(lr=0.5, momentum=0.5), "big-1")
    qtbot.addWidget(win)
    win.resize(1280, 860)
    with qtbot.waitSignal(win.frame_drawn, timeout=TIMEOUT_MS):
        win.show()
    return win


def test_first_frames_come_without_the_reference_or_the_full_theory(qtbot):
    model = DocumentModel(big_matrix(1), Settings(), "big-1")
    frames = []
    model.frame.connect(frames.append)
    try:
        qtbot.waitUntil(lambda: len(frames) >= 1, timeout=TIMEOUT_MS)
        for _ in range(3):
            count = len(frames)
            model.step()
            qtbot.waitUntil(lambda count=count: len(frames) > count, timeout=TIMEOUT_MS)
        assert [f.snapshot.iteration for f in frames] == [0, 1, 2, 3]
        for frame in frames:
            assert frame.snapshot.reference is None
            assert math.isnan(frame.snapshot.distance)
            assert frame.theory.complete is False
            assert frame.theory.condition_number is None
        # The stable limit is there at once, from σ_max alone.
        expected = full_theory(big_matrix(1), Settings())
        assert frames[0].theory.max_stable_lr == pytest.approx(expected.max_stable_lr,
                                                               rel=1e-8)
        # A view that shows the reference: it arrives in a frame, equal to torch.linalg's.
        model.need_reference("test", True)
        qtbot.waitUntil(lambda: frames[-1].snapshot.reference is not None, timeout=TIMEOUT_MS)
        m32 = torch.from_numpy(big_matrix(1).astype(np.float32))
        inverse = torch.linalg.inv(m32.double()).numpy()
        np.testing.assert_allclose(frames[-1].snapshot.reference, inverse, rtol=0, atol=1e-6)
        assert frames[-1].snapshot.iteration == 3
        assert math.isfinite(frames[-1].snapshot.distance)
        assert frames[-1].theory.complete is False  # the theory was not asked for
        model.need_theory("test", True)
        qtbot.waitUntil(lambda: frames[-1].theory.complete, timeout=TIMEOUT_MS)
        assert frames[-1].theory.condition_number == pytest.approx(
            expected.condition_number, rel=1e-9)
    finally:
        model.shutdown()


def test_small_matrices_keep_the_reference_in_every_frame(qtbot):
    model = DocumentModel()  # the tutorial's 4 x 4
    frames = []
    model.frame.connect(frames.append)
    try:
        qtbot.waitUntil(lambda: len(frames) >= 1, timeout=TIMEOUT_MS)
        assert frames[0].snapshot.reference is not None
        assert frames[0].theory.complete
        assert not model.reference_needed and not model.theory_needed
    finally:
        model.shutdown()


def test_a_large_matrix_opens_on_the_gradient_view_without_waiting(qtbot, big_window):
    window = big_window
    model = window.model
    assert window.teaching.current_tab() == "gradient"
    assert not model.reference_needed and not model.theory_needed
    assert model.snapshot.reference is None
    assert model.theory.complete is False
    # The overlay above the loss plot says what it has and how to get the rest.
    label = window.teaching.overlay.label.text()
    assert "stable: lr &lt;" in label or "stable: lr <" in label
    assert "open the Theory view" in label
    # The Gradient view checks the closed form (ten float64 products) when asked.
    view = window.teaching.gradient_view
    assert view.check is None and "check this step" in view.check_label.text()
    view.check_label.linkActivated.emit("check")
    assert view.check is not None and view.check.equal
    assert "equal up to rounding" in view.check_label.text()
    # The estimate's colour scale is the estimate's own until the inverse is known.
    assert window.estimate_heatmap.limit == pytest.approx(
        float(np.abs(model.snapshot.estimate).max()))


def test_showing_the_pinv_view_brings_the_reference(qtbot, big_window):
    window = big_window
    model = window.model
    window.teaching.show_tab("pinv")
    assert model.reference_needed
    qtbot.waitUntil(lambda: model.snapshot.reference is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: "‖X − M⁺‖ =" in window.teaching.pinv_view.summary.text(),
                    timeout=TIMEOUT_MS)
    summary = window.teaching.pinv_view.summary.text()
    assert f"{model.snapshot.distance:.3g}" in summary
    # Stepping on: the distance keeps coming, with the same (cached) answer.
    with qtbot.waitSignal(window.frame_drawn, timeout=TIMEOUT_MS):
        model.step()
    assert model.snapshot.iteration == 1 and model.snapshot.reference is not None
    assert len(window.teaching.pinv_view.series) == 2
    # Hidden again: frames no longer need it (the cached one may still come along).
    window.teaching.show_tab("gradient")
    assert not model.reference_needed


def test_the_theory_view_computes_the_complete_theory(qtbot, big_window):
    window = big_window
    model = window.model
    expected = full_theory(big_matrix(1), model.settings)
    texts = []
    window.frame_drawn.connect(lambda _f: texts.append(
        window.teaching.theory_view.numbers.text()))
    window.teaching.show_tab("theory")
    assert model.theory_needed
    # Until it arrives: the stable range at once, "computing…" for the rest.
    assert "computing…" in window.teaching.theory_view.numbers.text()
    assert f"lr &lt; {limit_text(model.theory.max_stable_lr, 4)}" in \
        window.teaching.theory_view.numbers.text()
    qtbot.waitUntil(lambda: model.theory.complete, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: f"{expected.condition_number:.4g}" in
                    window.teaching.theory_view.numbers.text(), timeout=TIMEOUT_MS)
    assert "computing" not in window.teaching.theory_view.numbers.text()
    overlay = window.teaching.overlay
    assert f"κ(M) = {expected.condition_number:.4g}" in overlay.label.text()
    assert overlay.factor == pytest.approx(expected.predicted_loss_factor, rel=1e-9)
    assert overlay.line_points()[0], "the prediction line is drawn"


def test_optimal_settings_computes_the_theory_then_applies_it(qtbot, big_window):
    window = big_window
    model = window.model
    expected = full_theory(big_matrix(1), model.settings)
    assert window.optimal_action.isEnabled()
    messages = []
    model.message.connect(lambda text, kind: messages.append(text))
    window.optimal_action.trigger()
    assert any("computing every singular value" in m for m in messages)
    qtbot.waitUntil(lambda: model.settings.lr == pytest.approx(expected.optimal_lr, rel=1e-12),
                    timeout=TIMEOUT_MS)
    assert model.settings.momentum == pytest.approx(expected.optimal_momentum, rel=1e-12)
    assert window.panel.settings().lr == pytest.approx(expected.optimal_lr, rel=1e-12)
    assert not model.theory_needed  # asked once, not kept


def test_nothing_of_a_previous_run_leaks(qtbot, big_window):
    window = big_window
    model = window.model
    seen, shown = [], []
    model.frame.connect(seen.append)
    window.frame_drawn.connect(lambda _f: shown.append(
        (window.teaching.overlay.label.text(), window.teaching.theory_view.numbers.text())))

    # Optimal settings asked for the first run, then another matrix opened at once: what
    # is computed for the old run is never applied to the new one.
    lr_before = model.settings.lr
    window.optimal_action.trigger()
    assert model.theory_needed
    model.open_matrix(big_matrix(2), "big-2")
    assert not model.theory_needed
    second = full_theory(big_matrix(2), model.settings)
    qtbot.waitUntil(lambda: model.snapshot is not None, timeout=TIMEOUT_MS)
    qtbot.wait(1000)  # time for the old run's theory, computed all the same, to come back
    assert model.settings.lr == lr_before
    assert model.theory.complete is False
    assert model.theory.singular_values[0] == pytest.approx(second.singular_values[0],
                                                            rel=1e-8)

    # The second matrix's κ and answer, shown...
    window.teaching.show_tab("theory")
    qtbot.waitUntil(lambda: model.theory.complete, timeout=TIMEOUT_MS)
    old_kappa = f"{second.condition_number:.4g}"
    qtbot.waitUntil(lambda: old_kappa in window.teaching.overlay.label.text(),
                    timeout=TIMEOUT_MS)
    window.teaching.show_tab("pinv")
    qtbot.waitUntil(lambda: model.snapshot.reference is not None, timeout=TIMEOUT_MS)
    old_reference = model.snapshot.reference

    # ...then the first matrix again: nothing of the second run on screen or in a frame.
    seen.clear()
    shown.clear()
    model.open_matrix(big_matrix(1), "big-1")
    run_id = model.run.run_id
    first = full_theory(big_matrix(1), model.settings)
    assert window.teaching.current_tab() == "gradient"  # a newly opened large matrix
    assert old_kappa not in window.teaching.overlay.label.text()
    qtbot.waitUntil(lambda: model.snapshot is not None, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(window.frame_drawn, timeout=TIMEOUT_MS):
        model.step()
    assert all(f.run_id == run_id for f in seen)
    assert all(f.snapshot is None or f.snapshot.reference is None for f in seen)
    assert all(not f.theory.complete for f in seen)
    assert shown
    for label, numbers in shown:
        assert old_kappa not in label and old_kappa not in numbers
    assert window.teaching.pinv_view.summary.text() == ""
    # Shown again for this matrix: its own κ and its own answer.
    window.teaching.show_tab("theory")
    qtbot.waitUntil(lambda: f"{first.condition_number:.4g}" in
                    window.teaching.theory_view.numbers.text(), timeout=TIMEOUT_MS)
    window.teaching.show_tab("pinv")
    qtbot.waitUntil(lambda: model.snapshot.reference is not None, timeout=TIMEOUT_MS)
    assert not np.allclose(model.snapshot.reference, old_reference)
    inverse = np.linalg.inv(big_matrix(1).astype(np.float32).astype(np.float64))
    np.testing.assert_allclose(model.snapshot.reference, inverse, rtol=0, atol=1e-6)


def test_history_and_lesson_pages_cope_without_the_reference(qtbot, big_window):
    window = big_window
    model = window.model
    for _ in range(3):
        with qtbot.waitSignal(window.frame_drawn, timeout=TIMEOUT_MS):
            model.step()
    with qtbot.waitSignal(model.frame, timeout=TIMEOUT_MS,
                          check_params_cb=lambda frame: frame.past):
        model.view_at(1)
    assert model.snapshot.iteration == 1 and model.snapshot.reference is None
    window.lesson.show()
    window.lesson.raise_()
    qtbot.waitUntil(lambda: window.lesson.isVisible(), timeout=TIMEOUT_MS)
    window.lesson.show_page(1)  # Guess: quotes torch.linalg's X[0,0] only when it is there
    assert not model.reference_needed
    assert "torch.linalg gives" not in window.lesson.text_shown()
    window.lesson.show_page(5)  # Learning rate: quotes κ
    assert model.theory_needed
    qtbot.waitUntil(lambda: "Condition number κ" in window.lesson.text_shown(),
                    timeout=TIMEOUT_MS)


def test_the_code_view_and_page_wait_for_the_solver_threads_theory(qtbot, big_window,
                                                                     monkeypatch):
    """A large M's program quotes its singular values (its loss floor and final check):
    they come from the solver thread while the Code view or the lesson page is on screen,
    and the window's thread never computes them (it froze for seconds at 4096²)."""
    from gui.code import cache
    from solver.codegen import build_program

    window = big_window
    model = window.model
    real_analyse = cache.analyse

    def analyse_off_the_windows_thread(*args, **kwargs):
        assert threading.current_thread() is not threading.main_thread(), \
            "M's singular values computed on the window's thread"
        return real_analyse(*args, **kwargs)

    monkeypatch.setattr(cache, "analyse", analyse_off_the_windows_thread)
    view = window.teaching.code_view
    window.teaching.show_tab("code")
    assert model.theory_needed
    assert "computing…" in view.caption.text() and view.text == ""
    assert not view.copy_button.isEnabled()
    qtbot.waitUntil(lambda: view.text != "", timeout=TIMEOUT_MS)
    expected = build_program(big_matrix(1), model.settings, "big-1",
                             theory=full_theory(big_matrix(1), model.settings))
    assert view.text == expected.script
    assert "computing" not in view.caption.text() and view.copy_button.isEnabled()
    # The lesson page "The code" quotes the same program, from the same theory.
    window.teaching.show_tab("gradient")
    window.lesson.show()
    qtbot.waitUntil(lambda: window.lesson.isVisible(), timeout=TIMEOUT_MS)
    window.lesson.show_page(next(i for i, (title, _) in enumerate(PAGES)
                                 if title == "The code"))
    assert "torch.manual_seed(seed)" in window.lesson.text_shown()
