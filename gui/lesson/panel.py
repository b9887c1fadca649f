"""The lesson panel (issue 5): a dock that walks through the tutorial with live numbers.

Pages come from gui.lesson.steps. The numbers follow the frames the window draws, but the
text is re-rendered only while the dock is on screen (not a tab behind another) and at most
REFRESH_PER_S times a second: the GUI thread shares the GIL with the solver thread.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.lesson.steps import PAGES, QUOTES_REFERENCE, QUOTES_THEORY, LessonContext
from gui.plots.axes import style_axes
from gui.plots.plot_widgets import PlotWidget
from gui.projector import mark_managed
from solver.autograd_basics import power_product_gradient, sine_derivative

REFRESH_PER_S = 4
# While a run plays: re-rendering the page costs the GUI thread ~2 ms, taken from the
# solver thread through the shared GIL, and the class reads the numbers, not their flicker.
PLAYING_REFRESH_PER_S = 1
_SINE_DOTS = 12  # every 12th autograd point drawn as a dot over the cos line


class LessonPanel(QDockWidget):
    """A dockable walk through the tutorial with the numbers of the document model's run.

    Every number on a page comes from one run: its RunInfo (matrix, settings) and its latest
    frame; a new run forgets the old frame before anything is drawn.

    Signals:
        plot_built(): the page's plot was just created (projector mode styles it).
    """

    plot_built = Signal()

    def __init__(self, model, parent: QWidget | None = None) -> None:
        super().__init__("Lesson", parent)
        self.setObjectName("lessonDock")
        self._model = model
        self._run = model.run
        self._frame = None
        self._on_screen = False
        self._dirty = True
        self._projector = False
        # The tutorial's part 1, computed live by autograd once (it never changes).
        self.autograd = power_product_gradient(3.0, 7.0)
        self._sine = sine_derivative()
        xs, derivative, cosine = self._sine
        self.sine_error = float(np.abs(derivative - cosine).max())

        body = QWidget(self)
        self.page_combo = QComboBox(body)
        self.page_combo.setObjectName("lessonPageCombo")
        for i, (title, _render) in enumerate(PAGES, start=1):
            self.page_combo.addItem(f"{i}. {title}")
        # A narrow dock may shorten the title shown ("3. Gradi…"); the list shows it whole.
        self.page_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.page_combo.setMinimumContentsLength(5)
        # Arrows only: the page titles need the width of a narrow dock.
        self.back_button = QToolButton(body)
        self.back_button.setText("◀")
        self.back_button.setObjectName("lessonBackButton")
        self.back_button.setToolTip("Previous page")
        self.next_button = QToolButton(body)
        self.next_button.setText("▶")
        self.next_button.setObjectName("lessonNextButton")
        self.next_button.setToolTip("Next page")
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.page_combo, 1)
        top.addWidget(self.next_button)
        self.text = QTextBrowser(body)
        self.text.setObjectName("lessonText")
        self.text.setOpenExternalLinks(False)
        # The sine plot is built when first shown: a tenth of the window's start-up time,
        # for a page behind a tab.
        self._sine_plot: PlotWidget | None = None
        self._sine_slot = QWidget(body)
        QVBoxLayout(self._sine_slot).setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.text, 3)
        layout.addWidget(self._sine_slot, 2)
        self.setWidget(body)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._refresh_if_dirty)
        self.page_combo.currentIndexChanged.connect(self._on_page)
        self.back_button.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self.page + 1))
        self.visibilityChanged.connect(self._on_visibility)
        model.run_started.connect(self.on_run_started)
        model.frame.connect(self.on_frame)
        model.needs_changed.connect(self._on_needs_changed)
        self._on_page(0)

    # --- public API ----------------------------------------------------------------------
    @property
    def page(self) -> int:
        """The page shown, from 0 (autograd basics)."""
        return self.page_combo.currentIndex()

    def show_page(self, index: int) -> None:
        """Show page `index` (clamped to the pages there are)."""
        self.page_combo.setCurrentIndex(max(0, min(index, len(PAGES) - 1)))

    def text_shown(self) -> str:
        """The page's text as plain text (what the class reads)."""
        return self.text.toPlainText()

    def on_run_started(self, info) -> None:
        """A new run: its numbers only, from now on."""
        self._run, self._frame = info, None
        self._report_needs()
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def on_frame(self, frame) -> None:
        """Remember the latest frame with a snapshot; re-render soon if the dock shows."""
        if frame.snapshot is None:
            return
        self._frame = frame
        self._dirty = True
        # On screen, not isVisible(): a dock that is a tab behind another is "visible" to
        # Qt, and re-rendering a page no one sees took the GIL from the solver once a second.
        if self._on_screen and not self._timer.isActive():
            rate = PLAYING_REFRESH_PER_S if frame.playing else REFRESH_PER_S
            self._timer.start(int(1000 / rate))

    def refresh(self) -> None:
        """Render the page now with the latest numbers."""
        self._dirty = False
        title, render = PAGES[self.page]
        self.text.setHtml(f"<h3>{self.page + 1}. {title}</h3>" + render(self._context()))

    @property
    def sine_plot(self) -> PlotWidget:
        """Page 1's plot of autograd's d/dx sin x on cos x (built on first use)."""
        if self._sine_plot is None:
            self._sine_plot = self._build_sine_plot(self._sine_slot)
            self.set_projector(self._projector)
            self._sine_slot.layout().addWidget(self._sine_plot)
            self._sine_plot.show()  # shown with its slot (a late child starts hidden)
            self.plot_built.emit()  # projector mode styles its axes and title
        return self._sine_plot

    def set_projector(self, on: bool) -> None:
        """Thicker lines and larger dots on the sine plot for projector mode."""
        self._projector = on
        if self._sine_plot is None:
            return
        scale = 2 if on else 1
        self._cos_curve.setPen(pg.mkPen("#0b3d91", width=2 * scale))
        self._dots.setSymbolSize(9 * scale)

    # --- internals -----------------------------------------------------------------------
    def _build_sine_plot(self, parent: QWidget) -> PlotWidget:
        xs, derivative, cosine = self._sine
        plot = PlotWidget(parent, background="w")
        plot.setObjectName("lessonSinePlot")
        plot.setMinimumHeight(160)
        item = plot.getPlotItem()
        item.setMenuEnabled(False)
        item.setMouseEnabled(False, False)
        item.setTitle("d/dx sin x by autograd (dots) on cos x (line)", color="k", size="10pt")
        item.setLabel("bottom", "x")
        legend = item.addLegend(offset=(-8, 8), labelTextColor="k",
                                brush=pg.mkBrush(255, 255, 255, 220))
        legend.setZValue(10)
        # Top centre: cos x is near 1 at both ends, around 0 or below in the middle.
        legend.anchor(itemPos=(0.5, 0), parentPos=(0.5, 0), offset=(0, 4))
        self._cos_curve = item.plot(xs, cosine, name="cos x")
        self._dots = item.plot(xs[::_SINE_DOTS], derivative[::_SINE_DOTS], pen=None,
                               symbol="o", symbolBrush="#E69F00", symbolPen="k",
                               name="autograd d/dx sin x")
        mark_managed(self._cos_curve)
        mark_managed(self._dots)
        style_axes(item, 10)
        return plot

    def _context(self) -> LessonContext:
        run, frame = self._run, self._frame
        return LessonContext(
            snapshot=frame.snapshot if frame is not None else None,
            settings=frame.settings if frame is not None else run.settings,
            theory=frame.theory if frame is not None else None,
            shape=run.matrix.shape,
            matrix=run.matrix,
            matrix_name=run.name,
            autograd=self.autograd,
            sine_error=self.sine_error,
            computing_theory=self._model.computing_theory,
            computing_reference=self._model.computing_reference,
        )

    def _report_needs(self) -> None:
        """Pages that quote torch.linalg's answer or the complete theory need them while
        the dock is on screen (a large M computes them only then)."""
        title = PAGES[self.page][0]
        quotes = QUOTES_REFERENCE.get(title) == self._run.kind
        self._model.need_reference("lesson page", self._on_screen and quotes)
        self._model.need_theory("lesson page", self._on_screen and title in QUOTES_THEORY)

    def _on_needs_changed(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def _on_page(self, index: int) -> None:
        self.back_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(PAGES) - 1)
        self._sine_slot.setVisible(index == 0)
        if index == 0 and self.isVisible():
            self.sine_plot  # noqa: B018 (built on first use)
        self._report_needs()
        self.refresh()

    def _on_visibility(self, visible: bool) -> None:
        self._on_screen = visible
        self._report_needs()
        if visible and self.page == 0:
            self.sine_plot  # noqa: B018 (built on first use)
        if visible and self._dirty:
            self.refresh()

    def _refresh_if_dirty(self) -> None:
        if self._dirty and self._on_screen:
            self.refresh()
