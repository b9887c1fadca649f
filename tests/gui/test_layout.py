"""The window fits the screens it is shown on, and nothing in it is cut off."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QTabBar,
    QToolButton,
    QWidget,
)

from gui.projector import point_size_for

TIMEOUT_MS = 10_000
# The screens classrooms have: an XGA projector, a 720p one, a full-HD screen.
SCREENS = [(1024, 768), (1280, 720), (1920, 1080)]


def clipped(window) -> list[str]:
    """What a class would see cut: visible labels, buttons and combos narrower than their
    text, wrapped labels lower than their lines, toolbars that hide actions behind », tab
    bars that scroll."""
    bad = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.visibleRegion().isEmpty():
            continue
        name = widget.objectName() or type(widget).__name__
        if isinstance(widget, QLabel) and widget.text():
            if widget.wordWrap():
                if widget.heightForWidth(widget.width()) > widget.height() + 1:
                    bad.append(f"label {name} {widget.text()[:40]!r}: lines cut")
            elif widget.width() + 1 < widget.sizeHint().width():
                bad.append(f"label {name} {widget.text()[:40]!r}: "
                           f"{widget.width()} < {widget.sizeHint().width()} px")
        elif isinstance(widget, QComboBox):
            if widget.width() + 1 < widget.minimumSizeHint().width():
                bad.append(f"combo {name}: {widget.width()} px")
        elif isinstance(widget, QAbstractButton) and widget.text():
            if name == "qt_toolbar_ext_button":
                bad.append("a toolbar hides actions behind »")
            elif widget.width() + 1 < widget.sizeHint().width():
                bad.append(f"button {name} {widget.text()!r}: {widget.width()} px")
        elif isinstance(widget, QTabBar):
            arrows = [b for b in widget.findChildren(QToolButton) if b.isVisible()]
            if arrows:
                bad.append(f"tab bar {name} scrolls: tabs cut")
    return bad


def on_screen(qtbot, window, size, projector: bool, monkeypatch) -> None:
    """Show `window` as it would be on a screen of `size`: in the window's share of it,
    or full screen in projector mode with that screen's font."""
    width, height = size
    if projector:
        window.projector.point_size_of = lambda _window: point_size_for(height)
        window.projector.set_enabled(True, remember=False)
        qtbot.wait(100)  # full screen, on the 800 x 800 offscreen screen
        window.setWindowState(Qt.WindowState.WindowNoState)
        window.resize(width, height)  # the screen this test stands for
    else:
        # As main.py opens it: at most 1440 x 900, else most of the screen.
        window.fit_to(min(1440, int(0.95 * width)), min(900, int(0.95 * height)))
    qtbot.wait(200)
    QApplication.processEvents()


@pytest.mark.parametrize("projector", [False, True], ids=["window", "projector"])
@pytest.mark.parametrize("size", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_nothing_is_cut_on_classroom_screens(qtbot, window, size, projector, monkeypatch):
    window.open_example("tutorial-random")
    for _ in range(3):
        window.step_once()
    qtbot.waitUntil(lambda: len(window.model.losses) == 3, timeout=TIMEOUT_MS)
    on_screen(qtbot, window, size, projector, monkeypatch)
    width, height = size
    assert window.minimumSizeHint().width() <= width
    assert window.minimumSizeHint().height() <= height
    assert clipped(window) == []
    for heatmap in (window.error_heatmap, window.estimate_heatmap):
        assert heatmap.width() >= heatmap.minimumSizeHint().width()  # colour bar numbers whole
        if projector:
            assert min(heatmap.width(), heatmap.height()) >= 160, heatmap.size()
    if projector:
        plot = window.loss_plot
        assert plot.width() * plot.height() >= width * height / 3, plot.size()


def test_leaving_projector_mode_restores_the_layout_exactly(qtbot, window):
    window.fit_to(1200, 800)
    qtbot.wait(100)
    before = (window.geometry(), window.saveState(), window.font().pointSize(),
              window.editor.isVisible(), window.teaching.isVisible(), plot_sizes(window))
    window.projector.set_enabled(True, remember=False)
    qtbot.wait(100)
    assert not window.editor.isVisible() and window.strip.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F2)  # the editor and settings on demand
    assert window.editor.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # Esc leaves projector mode
    qtbot.wait(100)
    assert not window.projector.enabled
    after = (window.geometry(), window.saveState(), window.font().pointSize(),
             window.editor.isVisible(), window.teaching.isVisible(), plot_sizes(window))
    assert after == before  # the heatmaps used to come back 4 px tall


def plot_sizes(window) -> tuple:
    return tuple(widget.size().toTuple() for widget in
                 (window.loss_plot, window.error_heatmap, window.estimate_heatmap))


def test_keys_act_after_a_number_was_typed(qtbot, window):
    spin = window.panel.lr_spin
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "0.5")
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: f.playing,
                          timeout=TIMEOUT_MS):
        qtbot.keyClick(spin, Qt.Key.Key_Space)  # commits 0.5, then plays
    assert window.model.settings.lr == 0.5 and spin.text() == "0.5"
    qtbot.keyClick(spin, Qt.Key.Key_Space)  # pauses
    qtbot.waitUntil(lambda: not window.playing, timeout=TIMEOUT_MS)
    steps = len(window.model.losses)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "0.25")
    with qtbot.waitSignal(window.frame_drawn, timeout=TIMEOUT_MS):
        qtbot.keyClick(spin, Qt.Key.Key_N)  # one step, with lr 0.25
    assert window.model.settings.lr == 0.25
    qtbot.waitUntil(lambda: len(window.model.losses) == steps + 1, timeout=TIMEOUT_MS)


def test_ctrl_l_brings_the_lesson_to_the_front(qtbot, window):
    lesson = window.lesson

    def in_front() -> bool:
        return lesson.isVisible() and not lesson.visibleRegion().isEmpty()

    qtbot.wait(100)
    assert not in_front()  # a tab behind the teaching views
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(in_front, timeout=TIMEOUT_MS)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not in_front(), timeout=TIMEOUT_MS)


def test_the_editor_columns_show_every_digit(qtbot, window):
    # From the tutorial's SVD matrix: ten characters at the editor's %.6g.
    window.model.set_matrix(np.array([[0.00827068, -0.123457], [1.0, 2.0]]))
    table = window.editor.table
    metrics = table.fontMetrics()
    for col, text in enumerate(("0.00827068", "-0.123457")):
        assert table.model().index(0, col).data() == text
        assert table.columnWidth(col) > metrics.horizontalAdvance(text)


def test_a_big_matrix_keeps_fixed_columns(qtbot, window):
    window.model.set_matrix(np.zeros((200, 200)))
    header = window.editor.table.horizontalHeader()
    assert header.sectionResizeMode(0) == header.ResizeMode.Fixed


def test_the_plots_get_the_middle_of_a_projector_sized_window(qtbot, window):
    window.fit_to(1280, 720)
    qtbot.wait(50)
    left = window.editor.width()
    dock = window.teaching.width()
    middle = window.loss_plot.width()
    # The loss plot, not a side pane, is the widest thing: over two fifths of the width.
    assert middle > left and middle > dock, (left, middle, dock)
    assert middle > 0.4 * 1280, (left, middle, dock)
