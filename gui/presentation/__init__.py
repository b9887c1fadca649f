"""Presenting: figures for slides and recordings of a run.

`Presentation(model, CentralArea(loss_panel, error_heatmap, estimate_heatmap), teaching_dock,
window)` adds File ▸ Export's figures, slide and recording; `python main.py record ...`
(gui/presentation/record_cli.py) records headless.
"""

from gui.presentation.presenter import CentralArea, Presentation

__all__ = ["CentralArea", "Presentation"]
