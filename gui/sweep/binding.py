"""Connects a SweepView to the document model (gui/document_model.py's DocumentModel, or
anything with its interface: matrix, settings, name, document_changed, update_settings,
reset)."""

from __future__ import annotations

from gui.sweep.view import SweepView


def connect_model(view: SweepView, model) -> None:
    """Keep `view` on the model's document, and make a chosen cell the document's lr and
    momentum (nothing else) with a fresh run from iteration 0."""

    def follow() -> None:
        view.set_document(model.matrix, model.settings, model.name)

    def choose(lr: float, momentum: float) -> None:
        model.update_settings(lr=lr, momentum=momentum)
        model.reset()

    model.document_changed.connect(follow)
    view.settings_chosen.connect(choose)
    follow()
