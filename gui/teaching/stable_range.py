"""The learning-rate control shows the stable range: its label turns red above it."""

from __future__ import annotations

from PySide6.QtCore import QObject

from gui.widgets.label_colour import set_text_colour

INSIDE_COLOUR = "#1b5e20"
OUTSIDE_COLOUR = "#b00020"


class StableRangeHint(QObject):
    """Colours the panel's "stable < …" label: green while the lr is inside the stable range
    of the current momentum, red and bold once it is above it (the run will diverge)."""

    def __init__(self, panel) -> None:
        super().__init__(panel)
        self._panel = panel
        self.limit: float | None = None
        panel.lr_spin.valueChanged.connect(self._update)

    @property
    def inside(self) -> bool | None:
        """True/False for lr inside/outside the stable range, None without a limit."""
        if self.limit is None:
            return None
        return self._panel.lr_spin.value() < self.limit

    def set_theory(self, theory) -> None:
        """Take the stable limit of a new theory (it depends on the momentum)."""
        self.limit = getattr(theory, "max_stable_lr", None)
        self._update()

    def _update(self, *_args) -> None:
        inside = self.inside
        label = self._panel.stable_label
        if inside is None:
            set_text_colour(label, None)
        else:
            set_text_colour(label, INSIDE_COLOUR if inside else OUTSIDE_COLOUR,
                            bold=not inside)
