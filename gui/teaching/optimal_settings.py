"""The "Optimal settings" action: theory's fastest lr and momentum, put into the settings."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from gui.analysis import awaits_full_analysis


class OptimalSettingsAction(QAction):
    """Asks the document model to use theory's optimal learning rate (and Polyak's heavy-ball
    or Nesterov's momentum) for the run on screen. Disabled where theory has no optimum
    (SVD, Adam, RMSprop) and while the run has not been analysed yet. For a large M known
    by σ_max only, the model computes the complete theory first, then applies it."""

    def __init__(self, model, parent: QObject | None = None) -> None:
        super().__init__("Optimal settings", parent)
        self.setObjectName("optimalSettingsAction")
        self._model = model
        self._shown: tuple | None = None
        self.triggered.connect(lambda _checked=False: model.apply_optimal())
        model.run_started.connect(lambda _info: self.set_theory(None))
        model.frame.connect(lambda frame: self.set_theory(frame.theory))
        self.set_theory(None)

    def set_theory(self, theory) -> None:
        """Enable for a theory that has an optimal lr, and say in the tooltip what it sets."""
        lr = getattr(theory, "optimal_lr", None)
        beta = getattr(theory, "optimal_momentum", None)
        pending = awaits_full_analysis(theory)
        if (lr, beta, pending) == self._shown:
            return
        self._shown = (lr, beta, pending)
        self.setEnabled(lr is not None or pending)
        if pending:
            tip = ("Compute every singular value of M (one SVD, off the window's thread), "
                   "then set theory's fastest lr and momentum.")
        elif lr is None:
            tip = "Theory gives no optimal learning rate for this problem and optimizer."
        else:
            tip = f"Set lr = {lr:.4g}" + (f" and momentum β = {beta:.4g}" if beta is not None
                                           else "") + ": the fastest linear rate in theory."
        self.setToolTip(tip)
        self.setStatusTip(tip)
