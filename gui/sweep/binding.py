"""Connects a SweepView to the document model (gui/document_model.py's DocumentModel, or
anything with its interface: matrix, settings, name, document_changed, update_settings,
reset)."""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget

from gui.sweep.view import SweepView


def connect_model(view: SweepView, model, dock: QDockWidget | None = None) -> None:
    """Keep `view` on the model's document, and make a chosen cell the document's lr and
    momentum (nothing else) with a fresh run from iteration 0.

    With `dock`, the view follows the document only while the dock is visible and catches
    up when it is shown: following means analysing the matrix's whole spectrum on the GUI
    thread (25 s for a 1000 x 1000 matrix on a busy 2-core machine), which a hidden map
    must not cost every file opened."""

    def follow() -> None:
        if dock is None or dock.isVisible():
            view.set_document(model.matrix, model.settings, model.name)

    def choose(lr: float, momentum: float) -> None:
        model.update_settings(lr=lr, momentum=momentum)
        model.reset()

    model.document_changed.connect(follow)
    view.settings_chosen.connect(choose)
    if dock is not None:
        dock.visibilityChanged.connect(lambda visible: follow() if visible else None)
    follow()
