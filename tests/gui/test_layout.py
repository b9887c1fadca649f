"""The window fits the screens it is shown on, and nothing in it is cut off."""

import numpy as np
import pytest
from PySide6.QtWidgets import QComboBox, QPushButton

TIMEOUT_MS = 10_000
# An XGA projector (1024 x 768) in normal mode, a 1280 x 720 one in projector mode; the
# window must also leave room for a title bar and a task bar in height.
FITS = {False: (1024, 700), True: (1280, 680)}


def text_fits(widget) -> bool:
    """True if the widget is at least as large as it asks to be (its text is whole)."""
    return widget.width() >= widget.sizeHint().width()


@pytest.mark.parametrize("projector", [False, True])
def test_the_window_fits_a_projector_screen(qtbot, window, projector):
    window.projector.set_enabled(projector, remember=False)
    width, height = FITS[projector]
    qtbot.waitUntil(lambda: window.minimumSizeHint().width() <= width, timeout=TIMEOUT_MS)
    assert window.minimumSizeHint().height() <= height
    # Squeezed to that screen, every control still shows its whole text.
    window.resize(width, height)
    qtbot.wait(50)
    for widget in window.findChildren(QComboBox) + window.findChildren(QPushButton):
        if widget.isVisible():
            assert widget.width() >= widget.minimumSizeHint().width(), widget.objectName()
    for name in ("speedCombo", "optimizerCombo", "sideCombo", "playButton"):
        widget = window.findChild(QComboBox, name) or window.findChild(QPushButton, name)
        assert text_fits(widget), name
    for heatmap in (window.error_heatmap, window.estimate_heatmap):
        assert heatmap.width() >= heatmap.minimumSizeHint().width()  # colour bar numbers whole


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
