"""A Qt table model over a NumPy matrix, with parsing, block copy/paste, resizing and undo.

The model never shows a dialog: a refused edit returns False and emits `edit_rejected`
with a sentence the view displays (Spyder's array editor pops message boxes from its
model, which makes it untestable and noisy; we keep the message in the view).
"""

from __future__ import annotations

import hashlib
import math
import sys

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor, QUndoCommand, QUndoStack

from solver.matrix_io import MAX_DIM


def matrix_digest(matrix: np.ndarray) -> tuple:
    """A cheap identity of a matrix (shape and bytes), to tell whether it changed."""
    data = np.ascontiguousarray(matrix, dtype=np.float64)
    return data.shape, hashlib.blake2b(data.data, digest_size=16).digest()


def _too_large(rows: int, cols: int) -> str:
    return f"{rows} x {cols} is larger than the {MAX_DIM} x {MAX_DIM} limit; the matrix was kept."


_ALIGN = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_NEGATIVE_TINT = QColor(60, 110, 220)
_POSITIVE_TINT = QColor(220, 70, 50)


def parse_number(text: object) -> float:
    """Parse a cell value the way C and Python write numbers ("1.5", "-2e-3", " 4 ").

    Raises ValueError with a sentence for a person if the text is not a finite number.
    Python's float() ignores the locale, so "1,5" is refused rather than misread.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        cleaned = str(text).strip()
        if not cleaned:
            raise ValueError("an empty cell is not a number")
        try:
            value = float(cleaned)
        except ValueError:
            raise ValueError(f"{cleaned!r} is not a number (write it like 0.5 or -2e-3)") from None
    if math.isinf(value) and "inf" not in str(text).lower():
        # float("1e400") is inf: the number was written, it is only too large for float64.
        raise ValueError(f"{str(text).strip()} is beyond float64's range (largest magnitude "
                         f"{sys.float_info.max:.3g}): every entry must be a finite number")
    if not math.isfinite(value):
        raise ValueError(f"{value} is not allowed: every entry must be a finite number")
    return value


def parse_block(text: str) -> np.ndarray:
    """Parse a block copied from a spreadsheet: rows on lines, cells split by tabs or commas.

    Returns a float64 matrix; raises ValueError naming the first bad cell (1-based).
    """
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ValueError("the clipboard holds no numbers")
    separator = "\t" if any("\t" in line for line in lines) else ","
    rows = [line.split(separator) for line in lines]
    width = max(len(row) for row in rows)
    block = np.zeros((len(rows), width))
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"row {i + 1} of the pasted block has {len(row)} cells, not {width}")
        for j, cell in enumerate(row):
            try:
                block[i, j] = parse_number(cell)
            except ValueError as error:
                raise ValueError(f"pasted cell ({i + 1}, {j + 1}): {error}") from None
    return block


UNDO_MEMORY_BYTES = 256 * 2**20
"""The undo history keeps the newest steps whose matrices fit in this many bytes (256 MiB:
two steps of a 4096 x 4096 matrix, eight of a 2000 x 2000 one) and drops the oldest."""
UNDO_TOOLTIP = (
    "Undo and redo matrix edits (Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y). The history keeps the "
    f"newest steps up to {UNDO_MEMORY_BYTES >> 20} MB of matrices (two steps of a "
    "4096 × 4096 matrix, every cell edit) and drops the oldest ones beyond that."
)
"""The Edit menu's tooltip: what the undo history keeps."""
_CELL_EDIT_BYTES = 64  # what one cell edit costs in the history, roughly


class _SetCellCommand(QUndoCommand):
    """Undoable edit of one cell."""

    def __init__(self, model: MatrixModel, row: int, col: int, old: float, new: float,
                 text: str | None = None, applied: bool = False) -> None:
        super().__init__(text or f"edit cell ({row}, {col})")
        self._model, self._row, self._col = model, row, col
        self._old, self._new = old, new
        self._applied = applied  # already done: the first redo() (from push) does nothing
        self.nbytes = _CELL_EDIT_BYTES

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._model._store_cell(self._row, self._col, self._new)

    def undo(self) -> None:
        self._model._store_cell(self._row, self._col, self._old)

    def applied_copy(self) -> _SetCellCommand:
        """The same edit as a new command that counts as done (for trimming the stack)."""
        return _SetCellCommand(self._model, self._row, self._col, self._old, self._new,
                               self.text(), applied=True)


class _ReplaceCommand(QUndoCommand):
    """Undoable replacement of the whole matrix (paste, resize, preset, file).

    It holds one matrix, the one not on screen: the new one until redo() swaps it in, the
    old one after (swapped, never copied: the model owns the arrays it is given)."""

    def __init__(self, model: MatrixModel, new: np.ndarray, text: str,
                 applied: bool = False) -> None:
        super().__init__(text)
        self._model = model
        self._stash = new
        self._applied = applied

    @property
    def nbytes(self) -> int:
        """Memory this step keeps for undo/redo."""
        return self._stash.nbytes

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._stash = self._model._swap_array(self._stash)

    def undo(self) -> None:
        self._stash = self._model._swap_array(self._stash)

    def applied_copy(self) -> _ReplaceCommand:
        """The same step as a new command that counts as done (for trimming the stack)."""
        return _ReplaceCommand(self._model, self._stash, self.text(), applied=True)


class MatrixModel(QAbstractTableModel):
    """Table model over a float64 NumPy matrix; every change goes through an undo stack.

    Signals:
        edit_rejected(str): an edit or paste was refused; the sentence says why.
        matrix_changed(): the matrix values or shape changed (after any edit, undo or redo).
    """

    edit_rejected = Signal(str)
    matrix_changed = Signal()

    def __init__(self, array: np.ndarray | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._array = np.zeros((1, 1))
        self._scale = 0.0
        self._revision = 0  # counts changes: the digest is computed once per change
        self._digest: tuple[int, tuple] | None = None
        self.undo_stack = QUndoStack(self)
        if array is not None:
            self._swap_array(np.array(array, dtype=np.float64))

    # --- Qt overrides --------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._array.shape[0]

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._array.shape[1]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{self._array[index.row(), index.column()]:.6g}"
        if role == Qt.ItemDataRole.EditRole:
            # The full value, so that editing a cell never loses digits.
            return repr(float(self._array[index.row(), index.column()]))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(self._array[index.row(), index.column()])
        return None

    def setData(self, index: QModelIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: E501
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        try:
            number = parse_number(value)
        except ValueError as error:
            self.edit_rejected.emit(
                f"Cell ({index.row()}, {index.column()}) kept its value: {error}."
            )
            return False
        old = float(self._array[index.row(), index.column()])
        if number == old:
            return True
        self._push(_SetCellCommand(self, index.row(), index.column(), old, number))
        return True

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable
        )

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:  # noqa: E501
        if role == Qt.ItemDataRole.DisplayRole:
            # 0-based like NumPy and PyTorch, the indices the tutorial's code uses.
            return str(section)
        return None

    # --- public API ----------------------------------------------------------------------
    def array(self) -> np.ndarray:
        """A copy of the matrix (float64)."""
        return self._array.copy()

    def digest(self) -> tuple:
        """matrix_digest of the matrix, without copying it; hashed once per change (a
        4096 x 4096 matrix is 128 MB, and the unsaved flag asks at every change)."""
        if self._digest is None or self._digest[0] != self._revision:
            self._digest = (self._revision, matrix_digest(self._array))
        return self._digest[1]

    def value(self, row: int, col: int) -> float:
        """The value of one cell."""
        return float(self._array[row, col])

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the matrix."""
        return self._array.shape

    def set_array(self, array: np.ndarray, text: str = "load matrix") -> bool:
        """Replace the whole matrix (undoable). Refuses, with `edit_rejected`, a matrix that is
        not 2-D, is empty or holds a non-finite value; returns whether it was accepted."""
        new = np.array(array, dtype=np.float64)  # a copy the model owns
        if new.ndim != 2 or new.size == 0:
            self.edit_rejected.emit(f"A matrix needs rows and columns, got shape {new.shape}.")
            return False
        if max(new.shape) > MAX_DIM:
            self.edit_rejected.emit(_too_large(*new.shape))
            return False
        if not np.isfinite(new).all():
            self.edit_rejected.emit("Every entry must be a finite number; the matrix was kept.")
            return False
        self._push(_ReplaceCommand(self, new, text))
        return True

    def resize(self, rows: int, cols: int) -> None:
        """Change the shape, keeping the overlapping values and filling new cells with 0."""
        if (rows, cols) == self.shape or rows < 1 or cols < 1:
            return
        if max(rows, cols) > MAX_DIM:
            self.edit_rejected.emit(_too_large(rows, cols))
            return
        new = np.zeros((rows, cols))
        keep_r, keep_c = min(rows, self.shape[0]), min(cols, self.shape[1])
        new[:keep_r, :keep_c] = self._array[:keep_r, :keep_c]
        self._push(_ReplaceCommand(self, new, f"resize to {rows} x {cols}"))

    def paste_text(self, row: int, col: int, text: str) -> bool:
        """Paste a tab- or comma-separated block with its top-left cell at (row, col).

        The matrix grows when the block reaches past its edge. A block with any bad cell is
        refused whole (with `edit_rejected`); returns whether it was pasted.
        """
        try:
            block = parse_block(text)
        except ValueError as error:
            self.edit_rejected.emit(f"Nothing was pasted: {error}.")
            return False
        rows = max(self.shape[0], row + block.shape[0])
        cols = max(self.shape[1], col + block.shape[1])
        if max(rows, cols) > MAX_DIM:
            self.edit_rejected.emit(f"Nothing was pasted: {_too_large(rows, cols)}")
            return False
        new = np.zeros((rows, cols))
        new[: self.shape[0], : self.shape[1]] = self._array
        new[row : row + block.shape[0], col : col + block.shape[1]] = block
        self._push(_ReplaceCommand(self, new, "paste"))
        return True

    def copy_text(self, top: int, left: int, bottom: int, right: int) -> str:
        """The cells of an inclusive rectangle as tab-separated lines, at full precision."""
        block = self._array[top : bottom + 1, left : right + 1]
        return "\n".join("\t".join(repr(float(v)) for v in row) for row in block) + "\n"

    def clear_cells(self, top: int, left: int, bottom: int, right: int) -> None:
        """Set the cells of an inclusive rectangle to zero (undoable)."""
        new = self._array.copy()
        new[top : bottom + 1, left : right + 1] = 0.0
        self._push(_ReplaceCommand(self, new, "clear cells"))

    def undo_bytes(self) -> int:
        """Memory the undo history holds (matrices kept for undo and redo)."""
        stack = self.undo_stack
        return sum(stack.command(i).nbytes for i in range(stack.count()))

    def _push(self, command: QUndoCommand) -> None:
        """Do `command` through the undo stack, then drop the oldest steps beyond
        UNDO_MEMORY_BYTES (the newest step is always kept)."""
        self.undo_stack.push(command)
        stack = self.undo_stack
        sizes = [stack.command(i).nbytes for i in range(stack.count())]
        total, first = sum(sizes), 0
        while total > UNDO_MEMORY_BYTES and first < len(sizes) - 1:
            total -= sizes[first]
            first += 1
        if first:
            # QUndoStack cannot drop its oldest commands (setUndoLimit works only on an
            # empty stack): rebuild it from copies of the newest ones, marked as done.
            kept = [stack.command(i).applied_copy() for i in range(first, stack.count())]
            stack.clear()
            for copy in kept:
                stack.push(copy)

    # --- storage used by the undo commands -------------------------------------------------
    def _store_cell(self, row: int, col: int, value: float) -> None:
        self._array[row, col] = value
        self._revision += 1
        old_scale = self._scale
        self._update_scale()
        if self._scale != old_scale:
            # Every cell's tint is relative to the largest magnitude: repaint them all.
            last = self.index(self.shape[0] - 1, self.shape[1] - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        else:
            index = self.index(row, col)
            self.dataChanged.emit(index, index)
        self.matrix_changed.emit()

    def _swap_array(self, array: np.ndarray) -> np.ndarray:
        """Show `array` (owned by the model from now on, not copied); return the previous."""
        # One reset, no per-cell work: a 1000 x 1000 matrix loads in milliseconds.
        self.beginResetModel()
        previous, self._array = self._array, array
        self._revision += 1
        self._update_scale()
        self.endResetModel()
        self.matrix_changed.emit()
        return previous

    def _update_scale(self) -> None:
        self._scale = float(np.abs(self._array).max()) if self._array.size else 0.0

    def _background(self, value: float) -> QColor | None:
        if self._scale == 0.0 or value == 0.0:
            return None
        tint = _POSITIVE_TINT if value > 0 else _NEGATIVE_TINT
        colour = QColor(tint)
        # A light tint, strongest for the largest magnitude, keeps the text readable.
        colour.setAlphaF(0.08 + 0.27 * min(1.0, abs(value) / self._scale))
        return colour
