"""The one source of truth of the window: the document and the run on screen.

napari's pattern (`napari/components/` models, `napari/_qt/` views): the model holds the
state and says when it changes; widgets show it and send it commands, and keep no document
state of their own.

The document is the matrix (a MatrixModel with its undo stack), the settings, the speed,
the name and the file it came from, and whether it has unsaved changes. The run is what
the solver thread computes from it: a `RunInfo` with an id that changes on every start,
reset, resume and problem change, a `RunState` with its reason, and the one loss history
(`losses`, a LossStore). Frames from the worker name their run; frames of any other run
are dropped here, so no view ever draws another run's numbers.

What costs an SVD or inverse of a large M (the complete theory: κ, the prediction, the
optimum; torch.linalg's answer) is computed by the worker only while a view on screen needs
it: views say so with `need_theory(owner, True/False)` and `need_reference(owner, ...)`,
"Optimal settings" asks for the theory once (gui/analysis.py).
"""

from __future__ import annotations

import contextlib

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal

from gui import settings_rules
from gui.analysis import awaits_full_analysis
from gui.loss_store import LossStore
from gui.matrix_model import MatrixModel
from gui.run_state import RunInfo, RunState
from gui.solver_worker import Frame, SolverWorker
from solver import Settings, SettingsError
from solver.presets import PRESETS, load_preset, preset_settings

DEFAULT_MATRIX = np.diag([1.0, 2.0, 3.0, 4.0])
DEFAULT_NAME = "tutorial-diagonal"
DEFAULT_SPEED = 100.0  # steps per second
LIVE_FIELDS = ("lr", "momentum")  # changed between steps without a restart


def settings_key(settings: Settings) -> tuple:
    """Settings as comparable values; "exp:0.99" and "exp:0.990" are the same schedule."""
    values = settings.to_dict()
    values["schedule"] = settings.schedule_gamma
    return tuple(sorted(values.items()))


class DocumentModel(QObject):
    """The document (matrix, settings, speed, name, path, unsaved flag) and its run.

    Signals:
        document_changed(): the matrix, settings, speed, name, path or unsaved flag changed.
        settings_changed(Settings): the document's settings changed.
        speed_changed(float): the speed changed (steps per second, 0 = Max).
        run_started(RunInfo): a new run id: everything drawn for the previous run goes.
        frame(Frame): a frame of the current run (frames of other runs never come out).
        state_changed(RunState): the run's state or its reason changed.
        message(str, str): a notice for the user (text, kind: info, warning or error).
        pin_requested(str, object, object): show (name, iterations, losses) for comparison.
        needs_changed(): what the views need computed changed (see `computing_theory`).
    """

    document_changed = Signal()
    settings_changed = Signal(object)
    speed_changed = Signal(float)
    run_started = Signal(object)
    frame = Signal(object)
    state_changed = Signal(object)
    message = Signal(str, str)
    pin_requested = Signal(str, object, object)
    needs_changed = Signal()

    # Commands to the worker; queued because the worker lives in another thread.
    _configure = Signal(int, object, object, object)
    _reset = Signal(int)
    _discard = Signal()
    _play = Signal()
    _pause = Signal()
    _step = Signal()
    _set_lr = Signal(float)
    _set_momentum = Signal(float)
    _set_speed = Signal(float)
    _view_at = Signal(int)
    _resume_from = Signal(int, int)
    _set_needs = Signal(bool, bool)
    _shutdown = Signal()

    def __init__(self, matrix: np.ndarray | None = None, settings: Settings | None = None,
                 name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        matrix = DEFAULT_MATRIX if matrix is None else np.asarray(matrix, dtype=np.float64)
        self.matrix_model = MatrixModel(matrix, self)
        self._settings = settings_rules.consistent(settings or Settings(), matrix.shape)
        self._speed = DEFAULT_SPEED
        self._name = name or (DEFAULT_NAME if matrix is DEFAULT_MATRIX else "matrix")
        self._preset: str | None = DEFAULT_NAME if matrix is DEFAULT_MATRIX else None
        self.path: str | None = None
        self.kind: str | None = None  # the file: "lesson", "matrix" or None (untitled)
        self.losses = LossStore()
        self._run = RunInfo(0, matrix, self._settings, self._name)
        self._state = RunState()
        self._snapshot = None  # the latest snapshot of this run drawn (past ones too)
        self._latest = None  # the latest snapshot of this run's present
        self._theory = None
        self._live_changes = False  # lr or momentum changed after the run's first step
        self._held = 0
        self._restart_pending = False
        self._restore: np.ndarray | None = None  # a lesson's losses to replay
        # Who needs the costly parts of the analysis now (views on screen), and the run
        # whose complete theory "Optimal settings" waits for.
        self._reference_owners: set[str] = set()
        self._theory_owners: set[str] = set()
        self._optimal_for: int | None = None
        self._needs_sent = (False, False)
        self._clean = self.document_key()
        self._start_worker()
        self._restart()
        self.matrix_model.matrix_changed.connect(self._on_matrix_changed)

    # --- the document --------------------------------------------------------------------
    @property
    def matrix(self) -> np.ndarray:
        """A copy of the document's matrix (float64)."""
        return self.matrix_model.array()

    @property
    def settings(self) -> Settings:
        """The document's settings, consistent with the matrix (problem resolved)."""
        return self._settings

    @property
    def speed(self) -> float:
        """Steps per second while playing; 0 means as fast as the solver goes."""
        return self._speed

    @property
    def name(self) -> str:
        """What the matrix is called: an example's name, a file name, or "matrix"."""
        return self._name

    @property
    def preset(self) -> str | None:
        """The built-in example the document was opened from, if any."""
        return self._preset

    @property
    def modified(self) -> bool:
        """True if the matrix, a setting or the speed differs from what was opened or saved."""
        return self.document_key() != self._clean

    def matrix_modified(self) -> bool:
        """True if the matrix differs from the one last opened or saved."""
        return self.document_key()[0] != self._clean[0]

    def settings_modified(self) -> bool:
        """True if a setting or the speed differs from the ones last opened or saved."""
        return self.document_key()[1:] != self._clean[1:]

    def mark_saved(self, path: str | None, kind: str | None, name: str | None = None,
                   matrix_only: bool = False) -> None:
        """The document now is the file at `path` (a "lesson" or a "matrix" file, or None
        for untitled): nothing is unsaved (with `matrix_only`, the settings and the speed
        still compare with the ones last saved, as a matrix file does not hold them)."""
        self.path, self.kind = path, kind
        if name is not None:
            self._name = name
        key = self.document_key()
        self._clean = (key[0], *self._clean[1:]) if matrix_only else key
        self.document_changed.emit()

    def set_matrix(self, matrix: np.ndarray, text: str = "load matrix") -> bool:
        """Replace the matrix (undoable); the settings are made valid for its shape. Returns
        False (and the matrix model says why) for a matrix that is not a finite 2-D one."""
        with self._one_change():
            return self.matrix_model.set_array(matrix, text)

    def open_matrix(self, matrix: np.ndarray, name: str, path: str | None = None) -> bool:
        """Show a matrix read from a file: the current settings stay, made valid for its
        shape (an inverse for a square matrix, a pseudo-inverse otherwise)."""
        with self._one_change():
            if not self.matrix_model.set_array(matrix, f"open {name}"):
                return False
            self._settings = settings_rules.for_new_matrix(self._settings, matrix.shape)
            self._name, self._preset = name, None
            self.mark_saved(path, "matrix" if path else None)
        return True

    def open_example(self, name: str) -> None:
        """Show built-in example `name` with the tutorial's settings for it, as a new
        untitled document; its one-line description goes out as a message."""
        matrix = load_preset(name)
        with self._one_change():
            self.matrix_model.set_array(matrix, f"load example {name}")
            self._settings = settings_rules.consistent(preset_settings(name), matrix.shape)
            self._name, self._preset = name, name
            self.mark_saved(None, None)
        self.message.emit(f"Example {name}: {PRESETS[name]}", "info")

    def open_lesson(self, matrix: np.ndarray, settings: Settings, speed: float, name: str,
                    path: str, history, replayable: bool) -> None:
        """Show a lesson: its matrix, settings and speed. With `replayable`, `history` holds
        the losses before each update (iterations 0, 1, ...): they are shown at once and the
        run is replayed to their end, checking each, so the history bar and Play continue
        from there. Otherwise `history` is (iterations, losses) or None: the run starts at 0
        and a saved history is pinned for comparison."""
        with self._one_change():
            self.matrix_model.set_array(matrix, f"open {name}")
            self._settings = settings_rules.consistent(settings, matrix.shape)
            self._apply_speed(speed)
            self._name, self._preset = name, None
            if history is not None and replayable:
                self._restore = history
            self.mark_saved(path, "lesson")
        if history is not None and not replayable:
            self.pin_requested.emit(f"{name} (saved history)", *history)
            self.message.emit(
                f"{name}: its saved history has a change of learning rate or momentum in "
                "the middle, which the settings alone cannot replay; it is pinned for "
                "comparison and the run starts at iteration 0.", "info")

    def update_settings(self, **changes) -> None:
        """Change settings fields (e.g. lr=0.3). Learning rate and momentum apply from the
        next step while the run can go on; any other change starts a new run."""
        new = settings_rules.with_changes(self._settings, self.matrix_model.shape, **changes)
        if new == self._settings:
            return
        live = all(a == b or f in LIVE_FIELDS for f, a, b in _fields(self._settings, new))
        if live and self._state.can_step:
            old, self._settings = self._settings, new
            self._record_live_change()
            if new.lr != old.lr:
                self._set_lr.emit(new.lr)
            if new.momentum != old.momentum:
                self._set_momentum.emit(new.momentum)
            self.settings_changed.emit(new)
            self.document_changed.emit()
            return
        with self._one_change():
            self._settings = new
            self._restart_pending = True

    def set_settings(self, settings: Settings) -> None:
        """Replace every setting (made consistent with the matrix); the run starts over."""
        with self._one_change():
            self._settings = settings_rules.consistent(settings, self.matrix_model.shape)
            self._restart_pending = True

    def reset_settings(self) -> None:
        """Back to the tutorial's settings: the example's own if the document is one."""
        base = preset_settings(self._preset) if self._preset else Settings()
        self.set_settings(base)

    def apply_optimal(self) -> bool:
        """Put theory's optimal learning rate (and momentum) into the settings; False when
        theory gives none for this run. For a large M whose theory knows σ_max only, the
        worker first computes every singular value (a message says so), and the optimum is
        applied when that theory arrives (unless the run changes before)."""
        if awaits_full_analysis(self._theory):
            if self._optimal_for != self._run.run_id:
                self._optimal_for = self._run.run_id
                self._send_needs()
                self.message.emit("Optimal settings: computing every singular value of M "
                                  "(one SVD) first; they are applied when it is done.", "info")
            return True
        lr = getattr(self._theory, "optimal_lr", None)
        if lr is None:
            return False
        changes = {"lr": float(lr)}
        beta = getattr(self._theory, "optimal_momentum", None)
        if beta is not None and self._settings.optimizer != "gd":
            changes["momentum"] = float(beta)
        self.update_settings(**changes)
        return True

    # --- what the views need computed ------------------------------------------------------
    def need_reference(self, owner: str, needed: bool) -> None:
        """`owner` (a view on screen) shows torch.linalg's answer, or no longer does. While
        any owner needs it, every snapshot carries it (computed once per run); otherwise a
        large M's snapshots skip it (`snapshot.reference` is None)."""
        self._set_owner(self._reference_owners, owner, needed)

    def need_theory(self, owner: str, needed: bool) -> None:
        """`owner` (a view on screen) shows κ, the prediction or the optimum, or no longer
        does. While any owner needs it, a large M's complete theory is computed (once per
        run) and sent with a frame."""
        self._set_owner(self._theory_owners, owner, needed)

    @property
    def reference_needed(self) -> bool:
        """True while a view on screen shows torch.linalg's answer."""
        return bool(self._reference_owners)

    @property
    def theory_needed(self) -> bool:
        """True while a view on screen, or a pending "Optimal settings", needs the complete
        theory."""
        return bool(self._theory_owners) or self._optimal_for is not None

    @property
    def computing_theory(self) -> bool:
        """True while the complete theory is needed and being computed for this run."""
        return self.theory_needed and self._theory is not None and \
            not getattr(self._theory, "complete", True)

    @property
    def computing_reference(self) -> bool:
        """True while torch.linalg's answer is needed and this run's latest snapshot does
        not have it yet."""
        return (self.reference_needed and self._state.state != "failed"
                and (self._latest is None or self._latest.reference is None))

    def _set_owner(self, owners: set[str], owner: str, needed: bool) -> None:
        if needed == (owner in owners):
            return
        if needed:
            owners.add(owner)
        else:
            owners.discard(owner)
        self._send_needs()

    def _send_needs(self) -> None:
        needs = (self.reference_needed, self.theory_needed)
        if needs != self._needs_sent:
            self._needs_sent = needs
            self._set_needs.emit(*needs)
        self.needs_changed.emit()

    def set_speed(self, steps_per_second: float) -> None:
        """Steps per second while playing (0 = Max); part of the document (lessons keep it)."""
        if steps_per_second != self._speed:
            self._apply_speed(steps_per_second)
            self.document_changed.emit()

    # --- the run -------------------------------------------------------------------------
    @property
    def run(self) -> RunInfo:
        """The current run: its id, matrix and resolved settings."""
        return self._run

    @property
    def state(self) -> RunState:
        """Where the current run stands, and why."""
        return self._state

    @property
    def playing(self) -> bool:
        """True while the run steps continuously."""
        return self._state.state == "running"

    @property
    def theory(self):
        """solver.Theory for the run with the lr and momentum in force (None before the
        first frame or after a failure)."""
        return self._theory

    @property
    def snapshot(self):
        """The latest snapshot of this run that was sent (a past one while the history
        bar shows one), or None."""
        return self._snapshot

    @property
    def latest_iteration(self) -> int | None:
        """The iteration the run has reached (its newest snapshot, whatever the history bar
        shows), or None before its first frame."""
        return None if self._latest is None else self._latest.iteration

    @property
    def live_changes(self) -> bool:
        """True once lr or momentum changed after the run's first step: its history then
        cannot be replayed from the final settings alone."""
        return self._live_changes

    def history(self) -> tuple[np.ndarray, np.ndarray]:
        """(iterations, losses) of the run so far: the loss before each update (the
        tutorial's list), then the loss of the current estimate at its iteration."""
        x, y = self.losses.points()
        snap = self._latest
        if snap is not None and snap.iteration == len(self.losses):
            x = np.append(x, snap.iteration)
            y = np.append(y, snap.loss)
        return x, y

    def play(self) -> None:
        """Step continuously; a run that has ended starts over first."""
        if self._state.done:
            self.reset()
        if not self._state.can_step or self.playing:
            return
        self._set_state(RunState("running"))
        self._play.emit()

    def pause(self) -> None:
        """Stop stepping (a frame with everything so far follows)."""
        self._pause.emit()

    def toggle_play(self) -> None:
        """Play if paused, pause if playing."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def step(self) -> None:
        """Pause if needed and advance exactly one iteration."""
        if self._state.can_step:
            self._step.emit()

    def reset(self) -> None:
        """Back to iteration 0 with the same seed: the identical run, under a new id."""
        if self._state.state == "failed":
            self._restart()
            return
        self._new_run(self._run.matrix, self._run.settings, start=0)
        self._reset.emit(self._run.run_id)

    def resume_from(self, iteration: int) -> None:
        """Continue the run from a past iteration exactly as it went on from there; the
        history after it is dropped. The run gets a new id (it is a new future)."""
        iteration = max(0, min(int(iteration), len(self.losses)))
        self.losses.truncate(iteration)
        self._new_run(self._run.matrix, self._run.settings, start=iteration)
        self._resume_from.emit(self._run.run_id, iteration)

    def view_at(self, iteration: int) -> None:
        """Pause and show a past iteration (a frame with past=True follows)."""
        self._view_at.emit(int(iteration))

    def frame_shown(self) -> None:
        """The window has drawn the last frame; the worker may send the next one."""
        self._worker.frame_shown()

    def shutdown(self) -> None:
        """Stop the solver thread and wait for it (idempotent)."""
        if self._thread.isRunning():
            # Blocking: the worker stops its own timer before its thread ends.
            self._shutdown.emit()
            self._thread.quit()
            self._thread.wait()

    # --- internals -----------------------------------------------------------------------
    def _start_worker(self) -> None:
        self._thread = QThread(self)
        self._thread.setObjectName("solverThread")
        self._worker = SolverWorker()
        self._worker.moveToThread(self._thread)
        # superqt's wiring: the worker is deleted in its own thread when the thread ends.
        self._thread.finished.connect(self._worker.deleteLater)
        for signal, slot in (
            (self._configure, self._worker.configure), (self._reset, self._worker.reset),
            (self._discard, self._worker.discard), (self._play, self._worker.play),
            (self._pause, self._worker.pause), (self._step, self._worker.step_once),
            (self._set_lr, self._worker.set_lr),
            (self._set_momentum, self._worker.set_momentum),
            (self._set_speed, self._worker.set_speed), (self._view_at, self._worker.view_at),
            (self._resume_from, self._worker.resume_from),
            (self._set_needs, self._worker.set_needs),
        ):
            signal.connect(slot)
        self._shutdown.connect(self._worker.shutdown, Qt.ConnectionType.BlockingQueuedConnection)
        self._worker.frame.connect(self._on_frame)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()
        self._set_speed.emit(self._speed)

    @contextlib.contextmanager
    def _one_change(self):
        """Group changes (a lesson: settings, speed, matrix) into one restart at the end."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if self._held == 0:
                if self._restart_pending:
                    self._restart()
                self.settings_changed.emit(self._settings)
                self.document_changed.emit()

    def _on_matrix_changed(self) -> None:
        shape = self.matrix_model.shape
        if shape != self._run.matrix.shape:
            self._settings = settings_rules.for_new_matrix(self._settings, shape)
        else:
            self._settings = settings_rules.consistent(self._settings, shape)
        if self._held:
            self._restart_pending = True
            return
        self._restart()
        self.settings_changed.emit(self._settings)
        self.document_changed.emit()

    def _restart(self) -> None:
        """A new run of the document as it stands, paused at iteration 0 (or replaying a
        lesson's history); a document that cannot run becomes a failed run with a reason."""
        self._restart_pending = False
        restore, self._restore = self._restore, None
        matrix = self.matrix_model.array()
        try:
            settings = self._settings.validated(matrix.shape)
        except SettingsError as error:
            self._new_run(matrix, self._settings, start=0)
            self._discard.emit()
            self._set_state(RunState("failed", f"this run cannot start: {error}"))
            return
        self._new_run(matrix, settings, start=0, restore=restore)
        if restore is not None:
            self._set_state(RunState("restoring", "replaying the lesson's run"))
        self._configure.emit(self._run.run_id, matrix, settings, restore)

    def _new_run(self, matrix: np.ndarray, settings: Settings, start: int,
                 restore: np.ndarray | None = None) -> None:
        self._run = RunInfo(self._run.run_id + 1, matrix, settings, self._name, start)
        if start == 0:
            self.losses.clear()
            if restore is not None:  # in the store before run_started, drawn with the run
                self.losses.extend(0, restore)
            self._live_changes = False
        self._snapshot = self._latest = None
        self._theory = None
        if self._optimal_for is not None:  # asked for another run: nothing to apply now
            self._optimal_for = None
            self._send_needs()
        self._state = RunState("ready" if start == 0 else "paused")
        self.run_started.emit(self._run)
        self.state_changed.emit(self._state)

    def _record_live_change(self) -> None:
        if len(self.losses):
            self._live_changes = True

    def _apply_speed(self, speed: float) -> None:
        self._speed = float(speed)
        self._set_speed.emit(self._speed)
        self.speed_changed.emit(self._speed)

    def _set_state(self, state: RunState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    def _on_failed(self, run_id: int, reason: str) -> None:
        if run_id != self._run.run_id:
            return
        self._theory = None
        if self._optimal_for is not None:
            self._optimal_for = None
            self._send_needs()
        self._set_state(RunState("failed", f"the solver failed: {reason}"))

    def _on_frame(self, frame: Frame) -> None:
        if frame.run_id != self._run.run_id or self._state.state == "failed":
            return  # a frame of an earlier run, still on its way
        if frame.losses.size:
            self.losses.extend(int(frame.iterations[0]), frame.losses)
        if frame.snapshot is not None:
            self._snapshot = frame.snapshot
            if not frame.past:
                self._latest = frame.snapshot
        self._theory = frame.theory
        if frame.restore_mismatch is not None:
            self.losses.truncate(frame.restore_mismatch)
            self.message.emit(
                f"The lesson's saved losses and this machine's run differ from iteration "
                f"{frame.restore_mismatch:,} on (a different CPU or library rounds "
                "differently): the run stands there and the history shows what was "
                "computed here.", "warning")
        self.frame.emit(frame)
        if not frame.past:
            self._set_state(_state_of(frame))
        if self._optimal_for == frame.run_id and getattr(frame.theory, "complete", False):
            self._optimal_for = None
            self._send_needs()
            if not self.apply_optimal():
                self.message.emit("Optimal settings: theory gives no optimal learning rate "
                                  "for this matrix and optimizer.", "warning")

    def document_key(self) -> tuple:
        """What tells whether the document changed: its matrix's digest, its settings and
        its speed (equal keys: the same document)."""
        return (self.matrix_model.digest(), settings_key(self._settings),
                self._speed)


def _fields(old: Settings, new: Settings):
    for name, value in old.to_dict().items():
        yield name, value, getattr(new, name)


def _state_of(frame: Frame) -> RunState:
    status = frame.status
    if frame.restoring is not None:
        done, total = frame.restoring
        return RunState("restoring", f"replaying the lesson's run: {done:,} of {total:,} "
                                     "steps")
    if frame.playing:
        return RunState("running")
    if status.state in ("converged", "diverged", "finished"):
        return RunState(status.state, status.reason)
    if status.state == "running":
        return RunState("paused")
    return RunState("ready")
