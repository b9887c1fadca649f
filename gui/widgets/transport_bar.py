"""The transport bar: Play/Pause, Step, Reset and the speed choice."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QWidget

from gui.run_state import DONE_STATES

# (label, steps per second); 0 means as fast as the solver goes. Max must stay last.
SPEEDS = (
    ("1 step/s", 1.0),
    ("5 steps/s", 5.0),
    ("20 steps/s", 20.0),
    ("100 steps/s", 100.0),
    ("500 steps/s", 500.0),
    ("2,000 steps/s", 2000.0),
    ("Max", 0.0),
)
DEFAULT_SPEED = "100 steps/s"
PLAY_TEXT, PAUSE_TEXT = "Play ▶", "Pause ❚❚"


class TransportBar(QWidget):
    """Buttons that drive the run. It only reports clicks and shows the run's state.

    Signals:
        play_toggled(): Play/Pause was clicked.
        step_clicked(), reset_clicked(): Step or Reset was clicked.
        speed_changed(float): the chosen steps per second (0 = Max).
    """

    play_toggled = Signal()
    step_clicked = Signal()
    reset_clicked = Signal()
    speed_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.play_button = QPushButton(self)
        self.play_button.setObjectName("playButton")
        self.step_button = QPushButton("Step ▶|", self)
        self.step_button.setObjectName("stepButton")
        self.step_button.setToolTip("One iteration: X ← X − lr·∇loss once (Right or N).")
        self.reset_button = QPushButton("Reset ⟲", self)
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip(
            "Back to iteration 0 with the same seed: the same X₀, the same numbers (R).")
        self.speed_combo = QComboBox(self)
        self.speed_combo.setObjectName("speedCombo")
        # No "Speed:" label: the choices say "steps/s", and the row must fit a 1280-pixel
        # projector in projector mode.
        self.speed_combo.setToolTip("Speed: how many iterations t per second Play runs; "
                                    "Max: all the solver can.")
        self.speed_combo.setAccessibleName("Speed")
        for label, speed in SPEEDS:
            self.speed_combo.addItem(label, speed)
        self.speed_combo.setCurrentText(DEFAULT_SPEED)
        self.set_playing(False)
        self._fit_buttons()

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.play_button)
        layout.addWidget(self.step_button)
        layout.addWidget(self.reset_button)
        layout.addSpacing(6)
        layout.addWidget(self.speed_combo)
        layout.addStretch(1)

        self.play_button.clicked.connect(self.play_toggled)
        self.step_button.clicked.connect(self.step_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.speed_combo.currentIndexChanged.connect(
            lambda _index: self.speed_changed.emit(self.speed())
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_buttons()

    def _fit_buttons(self) -> None:
        # One width for the three, as wide as "Pause" needs: the button under the pointer
        # does not move when Play turns into Pause.
        metrics = self.play_button.fontMetrics()
        text = max(metrics.horizontalAdvance(t) for t in
                   (PLAY_TEXT, PAUSE_TEXT, self.step_button.text(), self.reset_button.text()))
        for button in (self.play_button, self.step_button, self.reset_button):
            button.setMinimumWidth(text + metrics.horizontalAdvance("M") // 2)

    def speed(self) -> float:
        """The chosen steps per second; 0 means Max."""
        return float(self.speed_combo.currentData())

    def show_speed(self, steps_per_second: float) -> None:
        """Show `steps_per_second` as the chosen speed, without emitting speed_changed."""
        index = self.speed_combo.findData(float(steps_per_second))
        if index >= 0 and index != self.speed_combo.currentIndex():
            self.speed_combo.blockSignals(True)
            self.speed_combo.setCurrentIndex(index)
            self.speed_combo.blockSignals(False)

    def show_state(self, state: str) -> None:
        """Follow the run's state: Pause while running; Play and Step off while the run
        cannot move (failed: until the matrix or a setting changes; a lesson replaying)."""
        self.set_playing(state == "running")
        movable = state not in ("failed", "restoring")
        self.play_button.setEnabled(movable)
        self.step_button.setEnabled(movable and state not in DONE_STATES)

    def set_playing(self, playing: bool) -> None:
        """Show Pause while a run plays, Play otherwise."""
        if playing:
            self.play_button.setText(PAUSE_TEXT)
            self.play_button.setToolTip("Stop after the current step (Space).")
        else:
            self.play_button.setText(PLAY_TEXT)
            self.play_button.setToolTip("Run iterations t = 1, 2, … at the chosen speed (Space).")
