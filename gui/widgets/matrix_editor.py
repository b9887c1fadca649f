"""The matrix editor: a table over MatrixModel, size spin boxes, examples, copy/paste."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QItemSelectionRange, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.matrix_model import MatrixModel
from gui.widgets.label_colour import set_text_colour
from solver import presets
from solver.matrix_io import MAX_DIM

MAX_SIZE = MAX_DIM  # the file loader's cap: the editor makes no matrix the app cannot reopen
# Up to this many cells the columns widen to fit their numbers ("0.00827371"); Qt then asks
# each cell of a column for its size. Bigger matrices keep fixed widths, so that a
# 1000 x 1000 matrix opens and scrolls fast (numbers too wide are elided, "0.0082…").
FIT_COLUMNS_MAX_CELLS = 10_000
_MESSAGE_MS = 8000
_NAVIGATION_KEYS = {
    Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down,
    Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown,
}


class MatrixTable(QTableView):
    """The table of M's cells. Arrow keys move between cells even though the window uses
    Right as its Step shortcut: the table claims them before shortcuts are matched."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if Qt.Key(event.key()) in _NAVIGATION_KEYS:
                event.accept()
                return True
        return super().event(event)


class MatrixEditor(QWidget):
    """Edit the document's matrix M (a MatrixModel): cells, shape, built-in examples,
    spreadsheet copy/paste and undo. The matrix lives in the model, not here.

    Signals:
        example_chosen(str): the user picked a built-in example from `examples_menu`; the
            owner decides whether to load it.
    """

    example_chosen = Signal(str)

    def __init__(self, model: MatrixModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.table = MatrixTable(self)
        self.table.setObjectName("matrixTable")
        self.table.setModel(self.model)
        self._configure_table()

        self.rows_spin = self._size_spin("rows", "Number of rows m of M (values are kept).")
        self.cols_spin = self._size_spin("cols", "Number of columns n of M (values are kept).")
        # One menu of examples, shown by the button here and by the window's menu bar.
        self.examples_menu = QMenu("E&xamples", self)
        for name, description in presets.PRESETS.items():
            action = self.examples_menu.addAction(name)
            action.setToolTip(description)
            action.setStatusTip(description)
            action.triggered.connect(lambda _=False, n=name: self.example_chosen.emit(n))
        self.examples_menu.setToolTipsVisible(True)
        self.examples_button = QPushButton("Examples", self)
        self.examples_button.setObjectName("examplesButton")
        self.examples_button.setToolTip("Load one of the built-in example matrices.")
        self.examples_button.setMenu(self.examples_menu)

        self.message = QLabel(self)
        self.message.setObjectName("editorMessage")
        self.message.setWordWrap(True)
        set_text_colour(self.message, "#b00020", bold=True)
        self.message.hide()
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self._hide_message)

        size_row = QHBoxLayout()
        size_row.addWidget(QLabel("Size"))
        size_row.addWidget(self.rows_spin)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.cols_spin)
        size_row.addStretch(1)
        size_row.addWidget(self.examples_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(size_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

        self.model.edit_rejected.connect(self.show_message)
        self.model.matrix_changed.connect(self._on_model_changed)
        # Fixed widths before any new matrix arrives: fitting columns to contents as a
        # 1000 x 1000 matrix comes in would ask each of its million cells for its size.
        self.model.modelAboutToBeReset.connect(self._fix_columns)
        self._sync_spins()

    # --- public API ----------------------------------------------------------------------
    def array(self) -> np.ndarray:
        """A copy of the matrix being edited."""
        return self.model.array()

    def natural_width(self, columns: int) -> int:
        """Pixels the editor needs to show `columns` columns of numbers like the tutorial's
        ("0.00827068", "-0.123457") whole, whatever matrix it shows now."""
        table = self.table
        cell = table.fontMetrics().horizontalAdvance("-0.00827068") + 12
        rows = table.fontMetrics().horizontalAdvance("000") + 12
        return (columns * cell + rows + 2 * table.frameWidth()
                + table.verticalScrollBar().sizeHint().width())

    def show_message(self, text: str) -> None:
        """Show a message under the table for a few seconds (a refused edit, a bad paste).
        The table gives up the message's height, so that the message never covers it."""
        self.message.setText(text)
        width = self.width()
        message = self.message
        lines = message.heightForWidth(width) if width > 0 else message.sizeHint().height()
        spacing = max(self.layout().spacing(), 0)
        # From the height the table has now: in a short window it already has less than
        # its minimum, and the message would go over its last rows and scroll bar.
        # The message's lines are part of the editor's minimum height (a wrapped label
        # counts one line otherwise), so the panes around keep the editor as tall as it was.
        room = min(self._table_minimum, self.table.height())
        self.table.setMinimumHeight(max(room - lines - spacing, 1))
        self.message.setMinimumHeight(lines)
        self.message.show()
        self._message_timer.start(_MESSAGE_MS)

    def _hide_message(self) -> None:
        self.message.hide()
        self.message.setMinimumHeight(0)
        self.table.setMinimumHeight(self._table_minimum)

    def copy_selection(self) -> None:
        """Copy the selected block to the clipboard as tab-separated text."""
        block = self._selected_block()
        if block is not None:
            QGuiApplication.clipboard().setText(self.model.copy_text(*block))

    def paste(self) -> None:
        """Paste the clipboard (tab or comma separated) at the current cell."""
        index = self.table.currentIndex()
        row, col = (index.row(), index.column()) if index.isValid() else (0, 0)
        self.model.paste_text(row, col, QGuiApplication.clipboard().text())

    def clear_selection(self) -> None:
        """Set the selected cells to zero."""
        block = self._selected_block()
        if block is not None:
            self.model.clear_cells(*block)

    # --- internals -----------------------------------------------------------------------
    def _configure_table(self) -> None:
        table = self.table
        table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        # Fixed row heights: no per-cell size hints, so big matrices open and scroll fast.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        metrics = table.fontMetrics()
        header = table.horizontalHeader()
        header.setDefaultSectionSize(metrics.horizontalAdvance("-0.000000") + 12)
        # Fitted columns may be narrower (diag(1, 2, 3, 4) shows whole in a narrow pane),
        # but not so narrow that "1" and "-1.5" make a ragged grid.
        header.setMinimumSectionSize(metrics.horizontalAdvance("-0.000") + 12)
        self._fit_columns()
        table.verticalHeader().setDefaultSectionSize(metrics.height() + 8)
        # Room for the header and five rows: the tutorial's 4 x 4 shows whole even on a
        # 1024 x 768 projector, where the settings below scroll instead.
        self._table_minimum = (header.sizeHint().height() + 5 * (metrics.height() + 8)
                               + 2 * table.frameWidth())
        table.setMinimumHeight(self._table_minimum)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for text, keys, slot in (
            ("Copy", QKeySequence.StandardKey.Copy, self.copy_selection),
            ("Paste", QKeySequence.StandardKey.Paste, self.paste),
            ("Set to zero", QKeySequence.StandardKey.Delete, self.clear_selection),
        ):
            action = QAction(text, table)
            action.setShortcut(keys)
            # Only while the table has focus: Ctrl+C elsewhere keeps its usual meaning.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            table.addAction(action)

    def _size_spin(self, name: str, tip: str) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setObjectName(f"{name}Spin")
        spin.setRange(1, MAX_SIZE)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(self._on_size_spin)
        return spin

    def _on_size_spin(self) -> None:
        self.model.resize(self.rows_spin.value(), self.cols_spin.value())

    def _on_model_changed(self) -> None:
        self._sync_spins()
        self._fit_columns()

    def _fit_columns(self) -> None:
        rows, cols = self.model.shape
        if rows * cols <= FIT_COLUMNS_MAX_CELLS:
            self._set_column_mode(QHeaderView.ResizeMode.ResizeToContents)

    def _fix_columns(self) -> None:
        self._set_column_mode(QHeaderView.ResizeMode.Fixed)

    def _set_column_mode(self, mode: QHeaderView.ResizeMode) -> None:
        header = self.table.horizontalHeader()
        if header.count() == 0 or header.sectionResizeMode(0) != mode:
            header.setSectionResizeMode(mode)

    def _sync_spins(self) -> None:
        rows, cols = self.model.shape
        for spin, value in ((self.rows_spin, rows), (self.cols_spin, cols)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)

    def _selected_block(self) -> tuple[int, int, int, int] | None:
        ranges: list[QItemSelectionRange] = list(self.table.selectionModel().selection())
        if not ranges:
            index = self.table.currentIndex()
            if not index.isValid():
                return None
            return index.row(), index.column(), index.row(), index.column()
        top = min(r.top() for r in ranges)
        left = min(r.left() for r in ranges)
        bottom = max(r.bottom() for r in ranges)
        right = max(r.right() for r in ranges)
        return top, left, bottom, right
