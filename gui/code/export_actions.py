"""File ▸ Export ▸ Program as script / notebook: the program of the document on screen.

Built on the document model's interface (gui/document_model.py): model.matrix,
model.settings, model.name and model.state. Dialogs are injectable attributes, as in
gui/files/controller.py, so tests open none.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from gui.files import dialogs
from solver.codegen.export import write_notebook, write_script
from solver.codegen.notebook import RunFacts
from solver.matrix_io import MatrixFileError
from solver.settings import SettingsError

KINDS = {
    "script": ("Python script (*.py)", ".py", write_script),
    "notebook": ("Jupyter notebook (*.ipynb)", ".ipynb", write_notebook),
}


class ProgramExport(QObject):
    """Asks where to save the program, writes it (and a big matrix beside it as .npy), and
    reports failures in one line naming the file."""

    def __init__(self, parent: QWidget, model) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.model = model
        self.ask_save_path = dialogs.ask_save_path
        self.show_error = dialogs.show_error
        self.script_action = self._action("Program as &script (.py)…", "script",
                                          "The PyTorch program of this run: `python FILE.py "
                                          "losses.csv` writes its loss history bit for bit.")
        self.notebook_action = self._action("Program as &notebook (.ipynb)…", "notebook",
                                            "The same program as a Jupyter notebook, each "
                                            "step explained with this run's numbers.")

    def _action(self, text: str, kind: str, tip: str) -> QAction:
        action = QAction(text, self.parent_widget)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _=False: self.export(kind))
        return action

    def export(self, kind: str) -> list[Path]:
        """Ask for a path and write the `kind` ("script" or "notebook"); return the files
        written ([] when cancelled or failed)."""
        name_filter, suffix, write = KINDS[kind]
        stem = Path(self.model.name).stem or "run"
        path, _ = self.ask_save_path(self.parent_widget, f"Export the program as a {kind}",
                                     stem + suffix, [name_filter], name_filter)
        if not path:
            return []
        model = self.model
        try:
            if kind == "script":
                return write(path, model.matrix, model.settings, model.name)
            state = model.state
            facts = RunFacts(state=state.state, reason=state.reason)
            return write(path, model.matrix, model.settings, model.name, facts)
        except (MatrixFileError, SettingsError) as err:
            self.show_error(self.parent_widget, str(err))
            return []
