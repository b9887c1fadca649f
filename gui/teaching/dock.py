"""The teaching dock: SVD, pseudo-inverse, gradient and theory views as tabs, fed by the
document model's frames; every view starts afresh when the model starts a new run.

For a matrix above FULL_ANALYSIS_MAX_DIM, the Pinv and SVD views need torch.linalg's
answer and the Theory view the complete theory: each tells the model while it is on screen
(gui/analysis.py), and a newly opened large matrix brings the Gradient view to the front,
which needs neither, so opening it waits for no SVD.

Per-frame work stays small: frames without a snapshot (most frames while playing) only move
the theory label; a snapshot (about 10 a second while playing, every step when stepping)
updates plot items in place. The solver thread shares the GIL with this one.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QDockWidget, QTabWidget, QVBoxLayout, QWidget

from gui.analysis import NeededWhileShown

# The module, not the class: gui.code.view imports gui.teaching.draw_when_shown, whose
# package imports this module, so whichever is imported first sees the other unfinished.
from gui.code import view as code_view
from gui.teaching.context import RunContext
from gui.teaching.gradient_view import GradientView
from gui.teaching.pinv_view import PinvView
from gui.teaching.theory_overlay import TheoryOverlay
from gui.teaching.theory_view import TheoryView
from solver.spectrum import FULL_ANALYSIS_MAX_DIM

if TYPE_CHECKING:
    from gui.teaching.svd_view import SvdView

# Refreshes per second of the views while playing (every frame is shown when paused).
PLAYING_VIEW_RATE = 2.0
# The tab shown when a run of this kind starts (if the previous run was of another kind).
RELEVANT_TAB = {"svd": "svd", "pinv": "pinv", "inverse": "theory"}
# Views that need an SVD or inverse of a large M: computed only while they are shown (the
# Code view's program asks for M's singular values, for the loss floor, on this thread).
COSTLY_TABS = ("svd", "pinv", "theory", "code")


class TeachingDock(QDockWidget):
    """Dockable tabs explaining the run on screen, and the theory overlay on the loss plot.

    It follows `model` (gui/document_model.py): `run_started` starts the views afresh (a
    resumed run keeps their curves up to the iteration it resumes from), `frame` feeds them.
    `optimal_action` ("Optimal settings") gets a button in the Theory tab; `note` (a
    gui.plots.legend_label.PlotNote above the loss plot) shows theory's numbers.
    """

    def __init__(self, model, loss_plot, note, optimal_action,
                 parent: QWidget | None = None) -> None:
        super().__init__("Teaching views", parent)
        self.setObjectName("teachingDock")
        self.overlay = TheoryOverlay(loss_plot, note)
        # The SVD view (a plot, three heatmaps, a table) is built when an SVD run first needs
        # it: it is a fifth of the window's start-up time, and most lessons never show it.
        self._svd_view: SvdView | None = None
        self.pinv_view = PinvView(self)
        self.gradient_view = GradientView(self)
        self.theory_view = TheoryView(optimal_action, self)
        # The program of the document (what Reset runs): built only while its tab is shown.
        self.code_view = code_view.CodeView(self)
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
            ("code", self.code_view, "Code", "The PyTorch program of this matrix and these "
             "settings: saved as run.py, `python run.py losses.csv` writes the run's losses "
             "bit for bit."),
        ):
            self._tab_index[key] = self.tabs.addTab(view, title)
            self.tabs.setTabToolTip(self._tab_index[key], tip)
        # In a narrow dock the tab bar would scroll and cut tabs off: a list of the views
        # takes its place until the tabs fit again.
        self.selector = QComboBox(self)
        self.selector.setObjectName("teachingViewSelector")
        self.selector.setToolTip("Which teaching view to show.")
        self.selector.activated.connect(self.tabs.setCurrentIndex)
        self.tabs.currentChanged.connect(self._sync_selector)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.selector)
        layout.addWidget(self.tabs, 1)
        self.setWidget(body)
        self.context: RunContext | None = None
        self._started = False  # the views have taken the current run's first snapshot
        self._shown_kind: str | None = None
        self._last_view = -1e9
        self._flags_theory = None  # the theory the computing flags were last set for
        self._model = model
        self._document: tuple | None = None  # (name, shape) of the matrix last started
        self.code_view.bind(model)
        model.run_started.connect(self.on_run_started)
        model.frame.connect(self.on_frame)
        model.needs_changed.connect(self._show_computing)
        self._needs = [
            NeededWhileShown(self.pinv_view,
                             lambda shown: model.need_reference("pinv view", shown)),
            NeededWhileShown(self.theory_view,
                             lambda shown: model.need_theory("theory view", shown)),
        ]
        self.on_run_started(model.run)

    @property
    def svd_view(self) -> SvdView:
        """The SVD tab's view (built on first use)."""
        if self._svd_view is None:
            from gui.teaching.svd_view import SvdView  # its module too: most runs need none

            index = self._tab_index["svd"]
            placeholder = self.tabs.widget(index)
            enabled, tip = self.tabs.isTabEnabled(index), self.tabs.tabToolTip(index)
            current = self.tabs.currentIndex()
            self._svd_view = SvdView(self)
            model = self._model
            self._needs.append(NeededWhileShown(
                self._svd_view, lambda shown: model.need_reference("svd view", shown)))
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, self._svd_view, "SVD")
            self.tabs.setTabToolTip(index, tip)
            self.tabs.setTabEnabled(index, enabled)
            self.tabs.setCurrentIndex(current)
            placeholder.deleteLater()
        return self._svd_view

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._sync_selector()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._sync_selector()

    def _sync_selector(self, *_args) -> None:
        """Tabs when they fit the dock, else the list of views (same views, same order)."""
        tabs, bar, selector = self.tabs, self.tabs.tabBar(), self.selector
        fits = bar.sizeHint().width() <= self.width() - 8
        bar.setVisible(fits)
        selector.setVisible(not fits)
        if fits:
            return
        selector.blockSignals(True)
        if selector.count() != tabs.count():
            selector.clear()
            selector.addItems([tabs.tabText(i) for i in range(tabs.count())])
        for i in range(tabs.count()):
            selector.setItemText(i, tabs.tabText(i))
            selector.model().item(i).setEnabled(tabs.isTabEnabled(i))
        selector.setCurrentIndex(tabs.currentIndex())
        selector.blockSignals(False)

    def show_tab(self, key: str) -> None:
        """Bring the view `key` (svd, pinv, gradient, theory, code) to the front."""
        self.tabs.setCurrentIndex(self._tab_index[key])

    def current_tab(self) -> str:
        """The key of the view in front."""
        index = self.tabs.currentIndex()
        return next(key for key, i in self._tab_index.items() if i == index)

    def on_run_started(self, info) -> None:
        """A new run: its views start with its first snapshot. A run resumed from a past
        iteration keeps the curves up to it (they are its own history)."""
        self.context = RunContext.of_run(info)
        self.overlay.start()
        if info.start == 0:
            self._started = False
        document = (info.name, info.matrix.shape)
        large = max(info.matrix.shape) > FULL_ANALYSIS_MAX_DIM
        if document != self._document and large and self.current_tab() in COSTLY_TABS:
            # A large matrix just opened: its SVD or inverse waits until a view that
            # shows it is chosen (hiding the view tells the model before the worker asks).
            self.show_tab("gradient")
            self._shown_kind = info.kind
        self._document = document
        self._show_computing()

    def _set_computing_flags(self) -> None:
        model = self._model
        theory, reference = model.computing_theory, model.computing_reference
        self.overlay.computing = theory
        self.theory_view.computing = theory
        self.pinv_view.computing = reference
        if self._svd_view is not None:
            self._svd_view.computing = reference

    def _show_computing(self) -> None:
        """What the views need changed: say "computing…" where the model now computes it
        for a view on screen, or stop saying it."""
        self._set_computing_flags()
        self.overlay.refresh_label()
        settings = self._model.settings
        self.theory_view.show_theory(self._model.theory, settings.optimizer, settings.lr,
                                     settings.momentum)
        self.pinv_view.show_computing()
        if self._svd_view is not None:
            self._svd_view.show_computing()

    def on_frame(self, frame) -> None:
        """Follow a frame of the current run."""
        if frame.snapshot is not None or frame.theory is not self._flags_theory:
            # "computing…" follows the model's latest snapshot (torch.linalg's answer) and
            # theory; needs_changed covers the rest (_show_computing). Frames in between,
            # most of those at Max speed, change neither.
            self._flags_theory = frame.theory
            self._set_computing_flags()
        if frame.playing and frame.snapshot is not None and self._started:
            # The solver thread shares the GIL with this one: while playing, the views
            # refresh at most PLAYING_VIEW_RATE times a second (bench_gui measured Max speed
            # at 1.9x the headless time with every snapshot drawn, 1.2x is the target).
            now = time.monotonic()
            if now - self._last_view < 1.0 / PLAYING_VIEW_RATE:
                frame = replace(frame, snapshot=None)
            else:
                self._last_view = now
        snapshot = frame.snapshot
        if snapshot is not None and not self._started and not frame.past:
            self._start(snapshot)
        settings = frame.settings
        self.overlay.on_frame(frame)
        self.theory_view.show_theory(frame.theory, settings.optimizer, settings.lr,
                                     settings.momentum)
        if snapshot is None or not self._started:
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
        self._started = True
        context = self.context
        svd = context.kind == "svd"
        self.tabs.setTabEnabled(self._tab_index["svd"], svd)
        self.tabs.setTabEnabled(self._tab_index["pinv"], not svd)
        self._sync_selector()
        if svd:
            self.svd_view.start(snapshot)
            self._set_computing_flags()  # the view may have just been built
        else:
            self.pinv_view.start(context)
        self.theory_view.directions.start(context)
        self.gradient_view.start(context, snapshot)
        if context.kind != self._shown_kind:
            self._shown_kind = context.kind
            large = max(context.matrix.shape) > FULL_ANALYSIS_MAX_DIM
            self.show_tab("gradient" if large else RELEVANT_TAB.get(context.kind, "theory"))
