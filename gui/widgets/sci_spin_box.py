"""A spin box for numbers that span many orders of magnitude (learning rate, tolerance)."""

from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

# QDoubleSpinBox rounds its value to `decimals`; 300 keeps every double as typed.
_DECIMALS = 300


class SciSpinBox(QDoubleSpinBox):
    """A QDoubleSpinBox that shows 6 significant digits ("4.6e-05", "0.9") and keeps the full
    value typed. With `log_step`, the arrows multiply or divide by `factor` instead of adding,
    which is how people explore a learning rate."""

    def __init__(
        self,
        minimum: float,
        maximum: float,
        *,
        log_step: bool = True,
        factor: float = 1.25,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._log_step = log_step
        self._factor = factor
        self.setDecimals(_DECIMALS)
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)
        if not log_step:
            self.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            # "1e", "-", "" and "1." are on the way to a number while typing.
            partial = stripped in ("", "-", "+", ".") or stripped[-1:] in ("e", "E", "-", "+")
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, pos
        if math.isfinite(value) and self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:
        if not self._log_step or self.value() <= 0:
            super().stepBy(steps)
            return
        # In logarithms and clamped to the range first: factor**steps overflows for a large
        # steps (stepBy(1000) on the tolerance box, factor 10, raised OverflowError).
        target = math.log(self.value()) + steps * math.log(self._factor)
        if target >= math.log(self.maximum()):
            self.setValue(self.maximum())
        elif self.minimum() > 0 and target <= math.log(self.minimum()):
            self.setValue(self.minimum())
        else:
            self.setValue(float(f"{math.exp(target):.3g}"))
