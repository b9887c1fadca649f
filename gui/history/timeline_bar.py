"""Step back through history (issue 5): a slider over the run's past iterations.

The worker steps its Run through a solver.timeline.Timeline. Moving the slider pauses the
run and asks the document model to `view_at(t)`; the window draws the answer like any frame
(the estimate and error heatmaps, the status numbers) and this bar marks t on the loss
curve. Recent iterations are shown exactly, older ones at the checkpoint before them (every
1,024 steps), which keeps a million-step run small. "Resume from here" asks the model to
`resume_from(t)`: the run goes on from t exactly as it first did.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QSlider, QToolBar, QWidget

from gui.projector import mark_managed
from gui.widgets.fixed_label import FixedWidthLabel

MARKER_COLOUR = "#E69F00"  # Okabe-Ito orange: distinct from the blue live curve
LINE_COLOUR = "#404040"  # a neutral cursor line, unlike the coloured curves and predictions
_LIVE_TEXT = "showing the latest iteration"
_WIDEST_POSITION = "t = 1,000,000 of 1,000,000 · loss 1.234e-05 (checkpoint)"
# Keys the slider keeps for itself while focused (the window binds Right to Step).
_SLIDER_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End,
                Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


class HistorySlider(QSlider):
    """A horizontal slider that keeps the arrow keys while it has the focus."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)

    def event(self, event: QEvent) -> bool:
        # Accepting ShortcutOverride makes Qt deliver the key here instead of firing the
        # window's shortcut, as QLineEdit does for the keys it edits with.
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in _SLIDER_KEYS:
            event.accept()
            return True
        return super().event(event)


class TimelineBar(QToolBar):
    """The history slider, the iteration shown, Resume from here and Back to now, for the
    document model's current run; its marker goes on `loss_plot`.

    Signals:
        view_requested(int): show this iteration (connected to the model's view_at).
        resume_requested(int): continue the run from this iteration (model.resume_from).
    """

    view_requested = Signal(int)
    resume_requested = Signal(int)

    def __init__(self, model, loss_plot: pg.PlotWidget, parent: QWidget | None = None) -> None:
        super().__init__("History", parent)
        self.setObjectName("timelineBar")
        self._latest = 0  # the live run's iteration
        self._viewing: int | None = None  # the past iteration on screen, None when live
        self._in_flight: int | None = None  # asked of the worker, answer not drawn yet
        self._wanted: int | None = None  # asked for by the user meanwhile
        self._syncing = False

        title = QLabel(" History ", self)
        title.setToolTip("Scrub back through the iterations of this run.")
        self.slider = HistorySlider(self)
        self.slider.setObjectName("historySlider")
        self.slider.setRange(0, 0)
        self.slider.setMinimumWidth(120)  # the buttons after it stay whole at 1024 px
        self.slider.setToolTip(
            "Drag to look at an earlier iteration: the heatmaps and numbers show X then, the "
            "loss curve marks it. The run pauses; Resume continues from there.")
        # Fixed width: its text changes while scrubbing, and a label that resized would
        # re-lay out the main window each time (see gui/widgets/fixed_label.py).
        self.position_label = FixedWidthLabel("", _WIDEST_POSITION, self)
        self.position_label.setObjectName("historyLabel")
        self.resume_button = QPushButton("Resume from here", self)
        self.resume_button.setObjectName("resumeButton")
        self.resume_button.setToolTip(
            "Continue the run from the iteration shown, exactly as it went on from there "
            "(with the current learning rate and momentum); the later iterations are dropped.")
        self.live_button = QPushButton("Back to now", self)
        self.live_button.setObjectName("liveButton")
        self.live_button.setToolTip("Show the run's latest iteration again.")
        for widget in (title, self.slider, self.position_label, self.resume_button,
                       self.live_button):
            self.addWidget(widget)

        plot = loss_plot.getPlotItem()
        self._line = pg.InfiniteLine(angle=90, movable=False)
        self._dot = pg.ScatterPlotItem(size=13, symbol="o")
        for item in (self._line, self._dot):
            item.setZValue(20)
            item.hide()
            mark_managed(item)
            plot.addItem(item, ignoreBounds=True)
        self.set_projector(False)

        self.slider.valueChanged.connect(self._on_slider)
        self.resume_button.clicked.connect(self._resume)
        self.live_button.clicked.connect(self.go_live)
        self.view_requested.connect(model.view_at)
        self.resume_requested.connect(model.resume_from)
        model.run_started.connect(self.on_run_started)
        model.frame.connect(self.on_frame)
        self.on_run_started(model.run)

    # --- public API ----------------------------------------------------------------------
    @property
    def viewing(self) -> int | None:
        """The past iteration shown, or None while the latest one is."""
        return self._viewing

    @property
    def latest(self) -> int:
        """The live run's iteration, as far as the frames drawn so far tell."""
        return self._latest

    def request_view(self, iteration: int) -> None:
        """Move the slider to `iteration` (as the user would) and show it."""
        self.slider.setValue(iteration)

    def go_live(self) -> None:
        """Show the run's latest iteration again."""
        self._wanted = self._latest
        self._send()

    def set_projector(self, on: bool) -> None:
        """Thicker marker for projector mode."""
        scale = 2 if on else 1
        self._line.setPen(pg.mkPen(LINE_COLOUR, width=1.5 * scale, style=Qt.PenStyle.DotLine))
        self._dot.setSize(13 * scale)
        self._dot.setPen(pg.mkPen("k", width=scale))
        self._dot.setBrush(pg.mkBrush(MARKER_COLOUR))

    def on_run_started(self, info) -> None:
        """A new run: no question of the old one is pending, and the latest iteration is
        where the run starts."""
        self._in_flight = self._wanted = None
        self._latest = info.start
        self._sync_slider_range()
        self._show_live()

    def on_frame(self, frame) -> None:
        """Follow a frame of the current run."""
        if frame.past:
            asked, self._in_flight = self._in_flight, None
            self._send()  # the user may have moved on meanwhile
            self._show_past(frame.snapshot.iteration, frame.snapshot.loss, asked)
            return
        if frame.snapshot is not None:
            self._latest = frame.snapshot.iteration
        elif frame.iterations.size:
            self._latest = int(frame.iterations[-1]) + 1
        # While playing, the slider follows at the snapshot rate (about 10 times a second),
        # not with every frame: each move repaints it on the GUI thread, which shares the
        # GIL with the solver.
        if frame.playing and frame.snapshot is None:
            return
        self._sync_slider_range()
        # While a view is asked for, the frame its pause sends must not snap back to live.
        moved = frame.losses.size > 0
        if self._in_flight is None and (self._viewing is None or moved):
            self._show_live()

    # --- internals -----------------------------------------------------------------------
    def _on_slider(self, value: int) -> None:
        if self._syncing:
            return
        self._wanted = value
        self._send()

    def _send(self) -> None:
        """Ask for the wanted iteration, one request at a time: dragging asks for many, and
        each answer costs the worker a replay of up to a checkpoint's stride of steps."""
        if self._in_flight is None and self._wanted is not None:
            self._in_flight, self._wanted = self._wanted, None
            self.view_requested.emit(self._in_flight)

    def _resume(self) -> None:
        if self._viewing is not None:
            self.resume_requested.emit(self._viewing)

    def _sync_slider_range(self) -> None:
        self._syncing = True
        self.slider.setMaximum(max(self._latest, 0))
        self._syncing = False

    def _set_slider(self, value: int) -> None:
        if self.slider.isSliderDown():
            return  # never move the handle under the user's mouse
        self._syncing = True
        self.slider.setValue(value)
        self._syncing = False

    def _show_live(self) -> None:
        self._viewing = None
        self._line.hide()
        self._dot.hide()
        self._set_slider(self._latest)
        self.position_label.setText(_LIVE_TEXT)
        self.position_label.setToolTip("")
        self.resume_button.setEnabled(False)
        self.live_button.setEnabled(False)

    def _show_past(self, shown: int, loss: float, asked: int | None) -> None:
        if shown >= self._latest:
            self._show_live()
            return
        self._viewing = shown
        y = math.log10(loss) if math.isfinite(loss) and loss > 0 else (
            -300.0 if loss == 0 else 308.0)
        self._line.setValue(shown)
        self._dot.setData([shown], [y])
        self._line.show()
        self._dot.show()
        text = f"t = {shown:,} of {self._latest:,} · loss {loss:.4g}"
        tip = ""
        if asked is not None and asked != shown:
            text += " (checkpoint)"
            tip = (f"You asked for t = {asked:,}: this is the nearest kept checkpoint before "
                   "it (far from the latest iteration, one is kept every 1,024 steps).")
        self.position_label.setText(text)
        self.position_label.setToolTip(tip)
        self.resume_button.setEnabled(True)
        self.live_button.setEnabled(True)
