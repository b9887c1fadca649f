"""Projector mode: the presentation layout (full screen, the plots get the screen:
gui/projector_layout.py), larger fonts scaled to the screen, thicker lines, a colour-blind-
safe colour map.

Applied to the whole window: the window font (every widget that does not set its own), and
in every pyqtgraph view the axis fonts, titles and labels, legends, line widths and the
heatmaps' colour bars. Each change is recorded with the value it replaced, so switching the
mode off restores exactly what was there. Objects with a `set_projector(on)` method (the
history bar, the lesson panel, the compare overlay) style themselves; items they style are
marked with `mark_managed` and left alone here. The choice is kept in the app's QSettings.
"""

from __future__ import annotations

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QComboBox, QMainWindow, QSplitter, QTableView, QWidget

from gui.files.store import open_store
from gui.menus import menu_named
from gui.projector_layout import PresentationLayout, screen_fits

SETTINGS_KEY = "view/projector"
# The window's font in projector mode (11 pt otherwise): 14 pt on a 768-pixel-high screen,
# in proportion on others (13 pt at 720, 20 pt at 1080), within these bounds.
POINT_SIZE_PER_768_PX = 14
POINT_SIZE_RANGE = (13, 24)
LINE_SCALE = 2.0
MANAGED = "projectorManaged"
# Blue - white - orange: told apart with every common colour-vision deficiency (blue and
# orange are the classic safe pair), white exactly at zero, and ends dark enough to keep
# their contrast on a washed-out projector (pyqtgraph's CET-CBD1 is lighter at the ends).
PROJECTOR_COLOURS = pg.ColorMap(
    [0.0, 0.25, 0.5, 0.75, 1.0],
    [(33, 102, 172), (146, 197, 222), (255, 255, 255), (253, 184, 99), (179, 88, 6)],
)


def mark_managed(item: QObject) -> None:
    """Tell projector mode that `item` styles itself (via its owner's set_projector)."""
    item.setProperty(MANAGED, True)


def _managed(item) -> bool:
    return isinstance(item, QObject) and bool(item.property(MANAGED))


def _scaled_size(size: str | None, scale: float, default: float) -> str:
    """'13pt' -> '19pt' for scale 1.45; None means pyqtgraph's default size."""
    points = float(size[:-2]) if isinstance(size, str) and size.endswith("pt") else default
    return f"{round(points * scale)}pt"


class ProjectorMode(QObject):
    """The View menu's checkable "Projector mode" (F11) and what it does to the window."""

    def __init__(self, window: QMainWindow, loss_plot, layout: PresentationLayout) -> None:
        super().__init__(window)
        self._window = window
        self._loss_plot = loss_plot
        self.layout = layout
        self.point_size = POINT_SIZE_RANGE[0]
        # How the font size is found for a window (tests give it a screen height).
        self.point_size_of = screen_point_size
        self._restyle_pending = False
        self._enabled = False
        self._normal_font = QFont(window.font())
        self._normal_state = None  # dock and toolbar layout before projector mode
        self._restore: dict[int, tuple[object, object]] = {}  # id -> (item, undo callable)
        self._labels: dict[int, tuple[object, object, str]] = {}  # id -> (label, orig, scaled)
        self._tables: list[tuple[QTableView, int, int, int]] = []
        self._splitters: list[tuple[QSplitter, list[int]]] = []
        self.action = QAction("&Projector mode", window)
        self.action.setObjectName("projectorAction")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.action.setStatusTip("Full screen for a projector: the plots get the screen, the "
                                 "settings become one line (F2 shows them), larger fonts, "
                                 "thicker lines, colour-blind-safe colours (F11; Esc leaves).")
        self.action.toggled.connect(self.set_enabled)

    @property
    def enabled(self) -> bool:
        """True while projector mode is on."""
        return self._enabled

    @property
    def scale(self) -> float:
        """How much larger text is in projector mode."""
        return self.point_size / max(self._normal_font.pointSizeF(), 1.0)

    def set_enabled(self, on: bool, remember: bool = True) -> None:
        """Switch projector mode on or off (and remember the choice unless told not to)."""
        on = bool(on)
        if on != self._enabled:
            self._enabled = on
            if on:
                self._normal_font = QFont(self._window.font())
                self.point_size = self.point_size_of(self._window)
                self.layout.enter()
                font = QFont(self._normal_font)
                font.setPointSize(self.point_size)
                self._window.setFont(font)
                self._refresh_combo_sizes()
                self._scale_tables()
                self.restyle()
            else:
                self._undo()
                self._window.setFont(self._normal_font)
                self._refresh_combo_sizes()
                self._unscale_tables()
                # After the font: docks grew with it and do not shrink back by themselves.
                self.layout.leave()
            self._window.setProperty("projectorMode", on)
            self._tell_components(on)
        self.action.blockSignals(True)
        self.action.setChecked(on)
        self.action.blockSignals(False)
        if remember:
            open_store().setValue(SETTINGS_KEY, on)

    def restyle(self) -> None:
        """Style what is new since the mode was switched on, and titles their owners reset
        (a heatmap's title is set again at every restart)."""
        if not self._enabled:
            return
        window = self._window
        self._loss_plot.set_line_scale(LINE_SCALE)
        for view in window.findChildren(pg.GraphicsView):
            for item in view.scene().items():
                if not _managed(item):
                    self._style(item)

    def on_run_started(self, _info=None) -> None:
        """A new run: its views set their titles again, by its first snapshot."""
        self._restyle_pending = True

    def on_first_frame(self, frame) -> None:
        """Re-style what the views set again for a new run (after they did)."""
        if self._restyle_pending and frame.snapshot is not None:
            self._restyle_pending = False
            self.restyle()

    # --- internals -----------------------------------------------------------------------
    def _style(self, item) -> None:
        key = id(item)
        if isinstance(item, pg.LabelItem):
            self._style_label(item)
        elif key in self._restore:
            return
        elif isinstance(item, pg.AxisItem):
            self._style_axis(item)
        elif isinstance(item, pg.LegendItem):
            size = item.opts.get("labelTextSize")
            set_legend_text_size(item, _scaled_size(size, self.scale, 9.0))
            self._restore[key] = (item, lambda: set_legend_text_size(item, size))
        elif isinstance(item, pg.PlotDataItem) and item is not self._loss_plot.curve:
            pen = item.opts.get("pen")
            if pen is not None:
                original = pg.mkPen(pen)
                thick = pg.mkPen(original)
                thick.setWidthF(max(original.widthF(), 1.0) * LINE_SCALE)
                item.setPen(thick)
                self._restore[key] = (item, lambda: item.setPen(original))
        elif isinstance(item, pg.InfiniteLine):
            original = pg.mkPen(item.pen)
            thick = pg.mkPen(original)
            thick.setWidthF(max(original.widthF(), 1.0) * LINE_SCALE)
            item.setPen(thick)
            self._restore[key] = (item, lambda: item.setPen(original))
        elif isinstance(item, pg.ColorBarItem):
            original = item.colorMap()
            item.setColorMap(PROJECTOR_COLOURS)
            self._restore[key] = (item, lambda: item.setColorMap(original))
        elif isinstance(item, pg.PlotItem):
            # Room for the larger end labels (the top decade, the last iteration), which
            # stick out of their axes by half their size.
            margins = item.layout.getContentsMargins()
            item.layout.setContentsMargins(*(m * self.scale for m in margins))
            self._restore[key] = (item, lambda: item.layout.setContentsMargins(*margins))

    def _style_label(self, label: pg.LabelItem) -> None:
        if _in_legend(label):
            return  # legends scale their labels themselves
        key = id(label)
        current = label.opts.get("size")
        known = self._labels.get(key)
        if known is not None and current == known[2]:
            return  # still styled
        # New, or its owner has set it again (then `current` is the owner's normal size).
        scaled = _scaled_size(current, self.scale, 9.0)
        self._labels[key] = (label, current, scaled)
        label.setText(label.text, size=scaled)

    def _style_axis(self, axis: pg.AxisItem) -> None:
        tick = axis.style.get("tickFont")
        tick_font = QFont(tick) if tick is not None else QFont()
        label_font = QFont(axis.label.font())
        width = axis.fixedWidth
        # How far an end label may stick out before pyqtgraph hides it (False means 15 px,
        # True hides any overhang): larger labels need proportionally more.
        overhang = axis.style["hideOverlappingLabels"]
        if overhang is not True:
            axis.setStyle(hideOverlappingLabels=round((15 if overhang is False else overhang)
                                                      * self.scale))
        bigger_tick, bigger_label = QFont(tick_font), QFont(label_font)
        bigger_tick.setPointSizeF(tick_font.pointSizeF() * self.scale)
        bigger_label.setPointSizeF(label_font.pointSizeF() * self.scale)
        axis.label.setFont(bigger_label)
        if width is not None:
            axis.setWidth(int(width * self.scale))
        axis.setStyle(tickFont=bigger_tick)

        def undo() -> None:
            axis.label.setFont(label_font)
            if width is not None:
                axis.setWidth(width)
            axis.setStyle(tickFont=tick, hideOverlappingLabels=overhang)

        self._restore[id(axis)] = (axis, undo)

    def _refresh_combo_sizes(self) -> None:
        """A QComboBox keeps the minimum size it had at its first font (Qt 6.11 resets only
        its size hint on a font change), so the window's layout would squeeze it below its
        text ("momentum (tuto"); a style change makes it measure again."""
        for combo in self._window.findChildren(QComboBox):
            QCoreApplication.sendEvent(combo, QEvent(QEvent.Type.StyleChange))

    def _scale_tables(self) -> None:
        """Tables size their cells from the font once (fixed sections, for speed): grow them
        with the font, or numbers get elided ("0.7196…")."""
        for table in self._window.findChildren(QTableView):
            across, down = table.horizontalHeader(), table.verticalHeader()
            sizes = (across.defaultSectionSize(), down.defaultSectionSize(),
                     table.minimumHeight())
            self._tables.append((table, *sizes))
            across.setDefaultSectionSize(round(sizes[0] * self.scale))
            down.setDefaultSectionSize(round(sizes[1] * self.scale))
            table.setMinimumHeight(round(sizes[2] * self.scale))
            if table.isVisibleTo(self._window):  # a table in a tab behind claims no space
                columns = table.model().columnCount() if table.model() is not None else 0
                self._widen_pane(table, (across.defaultSectionSize() - sizes[0]) * columns)

    def _widen_pane(self, widget: QWidget, extra: int) -> None:
        """Give the splitter pane holding `widget` `extra` pixels (up to half the
        splitter), taken from its widest neighbour: the grown table stays whole."""
        child, parent = widget, widget.parentWidget()
        while parent is not None and not (
                isinstance(parent, QSplitter)
                and parent.orientation() == Qt.Orientation.Horizontal):
            child, parent = parent, parent.parentWidget()
        if parent is None or extra <= 0 or any(s is parent for s, _ in self._splitters):
            return
        sizes = parent.sizes()
        index = parent.indexOf(child)
        extra = min(extra, sum(sizes) // 2 - sizes[index])
        donor = max((i for i in range(len(sizes)) if i != index), key=lambda i: sizes[i],
                    default=None)
        if donor is None or extra <= 0:
            return
        self._splitters.append((parent, sizes))
        wider = list(sizes)
        wider[index] += extra
        wider[donor] -= extra
        parent.setSizes(wider)

    def _unscale_tables(self) -> None:
        for table, across, down, height in self._tables:
            if shiboken6.isValid(table):
                table.horizontalHeader().setDefaultSectionSize(across)
                table.verticalHeader().setDefaultSectionSize(down)
                table.setMinimumHeight(height)
        self._tables.clear()
        for splitter, sizes in self._splitters:
            if shiboken6.isValid(splitter):
                splitter.setSizes(sizes)
        self._splitters.clear()

    def _undo(self) -> None:
        self._loss_plot.set_line_scale(1.0)
        for item, undo in self._restore.values():
            if shiboken6.isValid(item):
                undo()
        for label, original, _scaled in self._labels.values():
            if shiboken6.isValid(label):
                label.setText(label.text, size=original)
        self._restore.clear()
        self._labels.clear()

    def _tell_components(self, on: bool) -> None:
        for obj in self._window.findChildren(QObject):
            if obj is not self and callable(getattr(obj, "set_projector", None)):
                obj.set_projector(on)


def set_legend_text_size(legend: pg.LegendItem, size: str | None) -> None:
    """Resize a legend's labels now: LegendItem.setLabelTextSize only records the size
    for labels added later (pyqtgraph 0.14's LabelItem.setAttr does not re-render)."""
    legend.setLabelTextSize(size)
    for _sample, label in legend.items:
        label.setText(label.text, size=size)
    legend.updateSize()


def _in_legend(item) -> bool:
    parent = item.parentItem()
    while parent is not None:
        if isinstance(parent, pg.LegendItem):
            return True
        parent = parent.parentItem()
    return False


def point_size_for(screen_height: int) -> int:
    """The projector font size for a screen `screen_height` pixels high."""
    low, high = POINT_SIZE_RANGE
    return max(low, min(high, round(POINT_SIZE_PER_768_PX * screen_height / 768)))


def screen_point_size(window: QMainWindow) -> int:
    """The projector font size for the window's screen."""
    screen = window.screen()
    return point_size_for(screen.geometry().height() if screen is not None else 768)


def install(window: QMainWindow, loss_plot, layout: PresentationLayout) -> ProjectorMode:
    """Add "Projector mode" to the View menu and switch it on if it was on last time and
    the screen is big enough for it. Install it after the other add-ons, so the stored
    choice styles them too."""
    mode = ProjectorMode(window, loss_plot, layout)
    menu_named(window, "&View").addAction(mode.action)
    window.model.run_started.connect(mode.on_run_started)
    window.model.frame.connect(mode.on_first_frame)
    stored = open_store().value(SETTINGS_KEY, False)
    if stored in (True, "true", "1", 1) and screen_fits(window):
        mode.set_enabled(True, remember=False)
    return mode
