"""The questions before an export or a recording: size or scale, frame rate, speed, title.

Opened only through gui/files/dialogs.py (the one place tests replace)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from gui.presentation.figure import MAX_PIXELS, FigureOptions
from gui.presentation.recorder import MAX_FRAMES, RecordingOptions

SLIDE_SIZES = [(1920, 1080, "Full HD slide"), (1280, 720, "HD slide"), (3840, 2160, "4K"),
               (1024, 768, "4:3 projector")]
SCALES = (1, 2, 3, 4)
VIDEO_SIZES = [(1280, 720, "HD"), (1920, 1080, "Full HD"), (854, 480, "480p")]
CUSTOM = "Custom size"


class FigureOptionsDialog(QDialog):
    """Size (a slide size, a custom size, or the size on screen times 1 to 4) and title."""

    def __init__(self, parent: QWidget | None, title: str, natural: QSize) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export figure")
        self.title_edit = QLineEdit(title, self)
        self.size_combo = QComboBox(self)
        for width, height, what in SLIDE_SIZES:
            self.size_combo.addItem(f"{width} × {height}  ({what})", (width, height))
        for scale in SCALES:
            self.size_combo.addItem(f"{scale}× the size on screen  ({natural.width() * scale}"
                                    f" × {natural.height() * scale})", float(scale))
        self.size_combo.addItem(CUSTOM, None)
        self.width_spin, self.height_spin = _pixels(1920), _pixels(1080)
        custom = QHBoxLayout()
        custom.addWidget(self.width_spin)
        custom.addWidget(QLabel("×", self))
        custom.addWidget(self.height_spin)
        self.size_combo.currentIndexChanged.connect(self._enable_custom)
        self._enable_custom()
        form = QFormLayout(self)
        form.addRow("Title", self.title_edit)
        form.addRow("Size", self.size_combo)
        form.addRow("Custom (pixels)", custom)
        form.addRow(QLabel("A caption under the figure names the run. An SVG drawing takes "
                           "the size as its view size.", self))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _enable_custom(self) -> None:
        custom = self.size_combo.currentData() is None
        self.width_spin.setEnabled(custom)
        self.height_spin.setEnabled(custom)

    def options(self) -> FigureOptions:
        """The choices made."""
        choice = self.size_combo.currentData()
        title = self.title_edit.text().strip()
        if isinstance(choice, float):
            return FigureOptions(size=None, scale=choice, title=title)
        size = choice or (self.width_spin.value(), self.height_spin.value())
        return FigureOptions(size=tuple(size), title=title)


class RecordingOptionsDialog(QDialog):
    """Frame size, frames per second, steps per second of video, last iteration, title."""

    def __init__(self, parent: QWidget | None, title: str, steps: int, speed: float,
                 max_steps: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record the run")
        self.title_edit = QLineEdit(title, self)
        self.size_combo = QComboBox(self)
        for width, height, what in VIDEO_SIZES:
            self.size_combo.addItem(f"{width} × {height}  ({what})", (width, height))
        self.fps_spin = QSpinBox(self)
        self.fps_spin.setRange(1, 50)
        self.fps_spin.setValue(20)
        self.fps_spin.setSuffix(" frames/s")
        self.speed_spin = QSpinBox(self)
        self.speed_spin.setRange(1, 1_000_000)
        self.speed_spin.setValue(max(1, round(speed)))
        self.speed_spin.setSuffix(" steps/s")
        self.speed_spin.setToolTip("Steps of the run per second of video.")
        self.steps_spin = QSpinBox(self)
        self.steps_spin.setRange(1, max_steps)
        self.steps_spin.setValue(min(max(1, steps), max_steps))
        self.steps_spin.setToolTip("The recording ends at this iteration, or where the run "
                                   "stops before it.")
        self.summary = QLabel(self)
        for spin in (self.fps_spin, self.speed_spin, self.steps_spin):
            spin.valueChanged.connect(self._summarise)
        form = QFormLayout(self)
        form.addRow("Title", self.title_edit)
        form.addRow("Size", self.size_combo)
        form.addRow("Frame rate", self.fps_spin)
        form.addRow("Speed", self.speed_spin)
        form.addRow("Up to iteration", self.steps_spin)
        form.addRow(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._summarise()

    def _summarise(self) -> None:
        options, steps = self.options()
        frames = options.frame_count(steps)
        ok = frames <= MAX_FRAMES
        self.summary.setText(
            f"At most {frames:,} frames, {frames / options.fps:.1f} s of video; recorded "
            "offscreen in the background, from iteration 0." if ok else
            f"{frames:,} frames: more than {MAX_FRAMES:,}. Raise the speed or record fewer "
            "steps.")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def options(self) -> tuple[RecordingOptions, int]:
        """The choices made: the recording's options and its last iteration."""
        return RecordingOptions(size=self.size_combo.currentData(),
                                fps=float(self.fps_spin.value()),
                                speed=float(self.speed_spin.value()),
                                title=self.title_edit.text().strip()), self.steps_spin.value()


def _pixels(value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(16, MAX_PIXELS)
    spin.setValue(value)
    return spin
