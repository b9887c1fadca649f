"""Files: the File menu's controller, its dialogs, exports and remembered choices."""

from gui.files.controller import FileController

__all__ = ["FileController"]
