"""What the banner says about the run: why it stopped, why it cannot run, and notices.

Every message about a run belongs to that run: a new run (another matrix, example, setting,
reset or resume) takes the banner down, so a "Use lr = ..." button can only ever act on the
run that diverged.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QObject

from gui.run_state import RunState
from gui.widgets.message_banner import MessageBanner

# The learning rate the divergence banner offers, as a share of the stable limit.
SUGGESTED_SHARE = 0.9


class RunMessages(QObject):
    """Shows the model's run states and notices in `banner`."""

    def __init__(self, model, banner: MessageBanner) -> None:
        super().__init__(banner)
        self._model = model
        self._banner = banner
        self.suggested_lr: float | None = None
        model.run_started.connect(self._on_run_started)
        model.state_changed.connect(self._on_state)
        model.message.connect(self.show)
        banner.action_clicked.connect(self._apply_suggested_lr)

    def show(self, text: str, kind: str = "info") -> None:
        """Show a plain-text notice (escaped)."""
        self._banner.show_message(html.escape(text), kind)

    def _on_run_started(self, _info) -> None:
        self.suggested_lr = None
        self._banner.hide()

    def _on_state(self, state: RunState) -> None:
        reason = html.escape(state.reason)  # "Try lr <= 1.9" is text, not a tag
        if state.state == "running":
            self._banner.hide()
        elif state.state == "failed":
            text = reason[:1].upper() + reason[1:]
            self._banner.show_message(
                f"<b>{text}</b><br>Change the matrix or a setting to run it again.", "error")
        elif state.state == "diverged":
            self._announce_divergence(reason)
        elif state.done:
            kind = "info" if state.state == "converged" else "warning"
            self._banner.show_message(f"<b>Done:</b> the run {reason}.", kind)

    def _announce_divergence(self, reason: str) -> None:
        text = (
            f"<b>Paused: the run {reason}</b><br>"
            "Why: each step overshot the minimum along the most curved direction of the "
            "loss by more than it corrected, so the error grew instead of shrinking."
        )
        limit = getattr(self._model.theory, "max_stable_lr", None)
        action = ""
        if limit is not None:
            self.suggested_lr = float(f"{SUGGESTED_SHARE * limit:.3g}")
            action = f"Use lr = {self.suggested_lr:g} and reset"
        self._banner.show_message(text, "error", action)

    def _apply_suggested_lr(self) -> None:
        if self.suggested_lr is not None:
            # A run that has diverged cannot go on: the new lr starts it over.
            self._model.update_settings(lr=self.suggested_lr)
