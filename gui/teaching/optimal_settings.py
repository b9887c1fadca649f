"""The "Optimal settings" action: theory's fastest lr and momentum, set in the controls."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction


class OptimalSettingsAction(QAction):
    """Puts theory's optimal learning rate (and Polyak's heavy-ball or Nesterov's momentum)
    into the parameter panel's own controls, which then apply them to the run as any edit
    does. Disabled where theory has no optimum (SVD, Adam, RMSprop)."""

    def __init__(self, panel, parent: QObject | None = None) -> None:
        super().__init__("Optimal settings", parent)
        self.setObjectName("optimalSettingsAction")
        self._panel = panel
        self.theory = None
        self.triggered.connect(self.apply)
        self.set_theory(None)

    def set_theory(self, theory) -> None:
        """Enable for a theory that has an optimal lr, and say in the tooltip what it sets."""
        self.theory = theory
        lr = getattr(theory, "optimal_lr", None)
        self.setEnabled(lr is not None)
        if lr is None:
            tip = "Theory gives no optimal learning rate for this problem and optimizer."
        else:
            beta = getattr(theory, "optimal_momentum", None)
            tip = f"Set lr = {lr:.4g}" + (f" and momentum β = {beta:.4g}" if beta is not None
                                           else "") + ": the fastest linear rate in theory."
        self.setToolTip(tip)
        self.setStatusTip(tip)

    def apply(self) -> None:
        """Set the optimal momentum first (it sets the stable range), then the lr."""
        theory = self.theory
        lr = getattr(theory, "optimal_lr", None)
        if lr is None:
            return
        beta = getattr(theory, "optimal_momentum", None)
        if beta is not None and self._panel.momentum_spin.isEnabled():
            self._panel.momentum_spin.setValue(beta)
        self._panel.lr_spin.setValue(lr)
