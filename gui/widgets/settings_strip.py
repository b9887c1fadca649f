"""One line that names the run's matrix and settings, for projector mode (where the editor
and the settings panel give the screen to the plots)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget


class SettingsStrip(QWidget):
    """"tutorial-random (4 × 4) · momentum lr 0.9 β 0.9 · float32", and a button that shows
    the editor and settings (`controls_button`, given its action by the window)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsStrip")
        self.label = QLabel(self)
        self.label.setObjectName("settingsStripText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.controls_button = QToolButton(self)
        self.controls_button.setObjectName("showControlsButton")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.controls_button, 0, Qt.AlignmentFlag.AlignTop)

    def show_document(self, name: str, shape: tuple[int, int], settings) -> None:
        """Name the matrix, the problem and the settings the class needs to follow it."""
        rows, cols = shape
        problem = {"inverse": "inverse", "pinv": "pseudo-inverse"}.get(
            settings.problem, f"SVD ({settings.svd_method})")
        optimizer = f"{settings.optimizer} lr {settings.lr:g}"
        if settings.optimizer != "gd":
            optimizer += f" β {settings.momentum:g}"
        parts = [f"{name} ({rows} × {cols})", problem, optimizer, settings.dtype,
                 f"seed {settings.seed}"]
        if settings.max_steps:
            parts.append(f"{settings.max_steps:,} steps")
        if settings.tol:
            parts.append(f"tol {settings.tol:g}")
        self.label.setText(" · ".join(parts))
