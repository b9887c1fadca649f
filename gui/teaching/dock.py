"""The teaching dock: SVD, pseudo-inverse, gradient and theory views as tabs, fed by frames.

Per-frame work stays small: frames without a snapshot (most frames while playing) only move
the theory label; a snapshot (about 10 a second while playing, every step when stepping)
updates plot items in place. The solver thread shares the GIL with this one.
"""

from __future__ import annotations

import time
from dataclasses import replace

from PySide6.QtWidgets import QDockWidget, QTabWidget, QWidget

from gui.teaching.context import RunContext
from gui.teaching.gradient_view import GradientView
from gui.teaching.optimal_settings import OptimalSettingsAction
from gui.teaching.pinv_view import PinvView
from gui.teaching.stable_range import StableRangeHint
from gui.teaching.svd_view import SvdView
from gui.teaching.theory_overlay import TheoryOverlay
from gui.teaching.theory_view import TheoryView

# The tab shown when a run of this kind starts (if the previous run was of another kind).
# Refreshes per second of the views while playing (every frame is shown when paused).
PLAYING_VIEW_RATE = 2.0
RELEVANT_TAB = {"svd": "svd", "pinv": "pinv", "inverse": "theory"}


class TeachingDock(QDockWidget):
    """Dockable tabs explaining the run on screen; call on_frame with each drawn frame."""

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__("Teaching views", parent or window)
        self.setObjectName("teachingDock")
        self._window = window
        panel = window.panel
        self.optimal_action = OptimalSettingsAction(panel, self)
        self.stable_hint = StableRangeHint(panel)
        self.overlay = TheoryOverlay(window.loss_plot)
        # The SVD view (a plot, three heatmaps, a table) is built when an SVD run first needs
        # it: it is a fifth of the window's start-up time, and most lessons never show it.
        self._svd_view: SvdView | None = None
        self.pinv_view = PinvView(self)
        self.gradient_view = GradientView(self)
        self.theory_view = TheoryView(self.optimal_action, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("teachingTabs")
        self._tab_index = {}
        for key, view, title, tip in (
            ("svd", QWidget(self), "SVD", "Singular values, U·S·Vᵀ − M, UᵀU − I, VᵀV − I, "
             "and the result next to torch.linalg.svd."),
            ("pinv", self.pinv_view, "Pinv", "Pseudo-inverse: distance to torch.linalg.pinv "
             "and the part of X in the null space."),
            ("gradient", self.gradient_view, "Gradient", "The gradient of this step, and "
             "autograd against the closed form."),
            ("theory", self.theory_view, "Theory", "Condition number, stable learning rates, "
             "predicted rate, optimal settings, error by singular direction."),
        ):
            self._tab_index[key] = self.tabs.addTab(view, title)
            self.tabs.setTabToolTip(self._tab_index[key], tip)
        self.setWidget(self.tabs)
        self.context: RunContext | None = None
        self._theory = None
        self._last_view = -1e9

    @property
    def svd_view(self) -> SvdView:
        """The SVD tab's view (built on first use)."""
        if self._svd_view is None:
            index = self._tab_index["svd"]
            placeholder = self.tabs.widget(index)
            enabled, tip = self.tabs.isTabEnabled(index), self.tabs.tabToolTip(index)
            current = self.tabs.currentIndex()
            self._svd_view = SvdView(self)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, self._svd_view, "SVD")
            self.tabs.setTabToolTip(index, tip)
            self.tabs.setTabEnabled(index, enabled)
            self.tabs.setCurrentIndex(current)
            placeholder.deleteLater()
        return self._svd_view

    def show_tab(self, key: str) -> None:
        """Bring the view `key` (svd, pinv, gradient, theory) to the front."""
        self.tabs.setCurrentIndex(self._tab_index[key])

    def current_tab(self) -> str:
        """The key of the view in front."""
        index = self.tabs.currentIndex()
        return next(key for key, i in self._tab_index.items() if i == index)

    def on_frame(self, frame) -> None:
        """Follow a frame the window has drawn."""
        if frame.playing and frame.snapshot is not None and not frame.restarted:
            # The solver thread shares the GIL with this one: while playing, the views
            # refresh at most PLAYING_VIEW_RATE times a second (bench_gui measured Max speed
            # at 1.9x the headless time with every snapshot drawn, 1.2x is the target).
            now = time.monotonic()
            if now - self._last_view < 1.0 / PLAYING_VIEW_RATE:
                frame = replace(frame, snapshot=None)
            else:
                self._last_view = now
        snapshot = frame.snapshot
        if (frame.restarted or self.context is None) and snapshot is not None:
            self._start(snapshot)
        if frame.theory is not self._theory:
            self._set_theory(frame.theory)
        panel = self._window.panel
        momentum = panel.momentum_spin.value() if panel.momentum_spin.isEnabled() else None
        self.overlay.on_frame(frame, panel.lr_spin.value(), momentum)
        if snapshot is None or self.context is None or not self._matches(snapshot):
            return
        if frame.past:
            # The history bar shows an earlier iteration: its gradient, but the paths and
            # curves keep the run as it is (recording the past would cut off their future).
            self.gradient_view.show_snapshot(snapshot)
            return
        if self.context.kind == "svd":
            self.svd_view.show_snapshot(snapshot)
        else:
            self.pinv_view.show_snapshot(snapshot)
            self.theory_view.directions.record(snapshot.iteration, snapshot.error)
        self.gradient_view.show_snapshot(snapshot)

    def _start(self, snapshot) -> None:
        previous = self.context.kind if self.context is not None else None
        self.context = context = RunContext.from_window(self._window, snapshot)
        if context is None or not self._matches(snapshot):
            return
        svd = context.kind == "svd"
        self.tabs.setTabEnabled(self._tab_index["svd"], svd)
        self.tabs.setTabEnabled(self._tab_index["pinv"], not svd)
        if svd:
            self.svd_view.start(snapshot)
        else:
            self.pinv_view.start(context)
        self.theory_view.directions.start(context)
        self.gradient_view.start(context, snapshot)
        if context.kind != previous:
            self.show_tab(RELEVANT_TAB.get(context.kind, "theory"))

    def _matches(self, snapshot) -> bool:
        """False for a frame of the previous run still in flight after the panel changed."""
        return (snapshot.s is not None) == (self.context.kind == "svd")

    def _set_theory(self, theory) -> None:
        self._theory = theory
        self.optimal_action.set_theory(theory)
        self.stable_hint.set_theory(theory)
        panel = self._window.panel
        self.theory_view.show_theory(theory, panel.optimizer_combo.currentData(),
                                     panel.lr_spin.value(), panel.momentum_spin.value())
