"""The solver worker: a QObject that steps a solver.Run on its own QThread.

Pattern (superqt's `_qthreading.py`, napari's play button): the worker is moved to a plain
QThread; commands arrive as queued slot calls; a single-shot QTimer owned by the worker is
re-armed after each chunk of steps, so the thread's event loop runs between chunks (that is
where pause, step and set_lr get through) and ticks never pile up. Results leave as
`Signal(object)` carrying plain NumPy copies. The worker never touches a widget.

Every frame names the run it belongs to (`run_id`, given by the model with each command
that starts a run), so nothing of an earlier run is ever drawn for a later one.

What costs a full SVD or inverse of M is computed only when the window needs it (issue 13):
for a matrix above FULL_ANALYSIS_MAX_DIM rows or columns, snapshots skip torch.linalg's
answer unless `set_needs(reference=True, ...)` says a view on screen shows it, and the run's
theory stays the cheap one (sigma_max only) until `set_needs(..., theory=True)`. Each is
computed once per run, right after the frame that is already due, and a frame with it
follows. Small matrices get both at once, as they always did. Anything a
command or a step raises becomes `failed(run_id, reason)`: the run is dropped, never kept
half-alive, and no exception reaches Qt's event loop.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from solver import Run, Settings, Snapshot, Status, Theory
from solver.spectrum import FULL_ANALYSIS_MAX_DIM
from solver.timeline import Timeline

# At most this many frames per second leave the worker. The plots are redrawn at least 20
# times a second; every frame costs the solver some GIL time (bench_gui), so just above 20.
FRAME_RATE = 21.0
# At most this many snapshots (heatmaps, status numbers) per second while playing at a set
# speed, and at Max: there each redraw the snapshot brings takes the GIL from the solver
# (bench_gui), and numbers that change 10 times a second cannot be read anyway.
SNAPSHOT_RATE = 10.0
MAX_SPEED_SNAPSHOT_RATE = 5.0
SNAPSHOT_SHARE = 10.0
# Longest wait for the window to acknowledge a frame before the next one is sent anyway.
VIEW_TIMEOUT_S = 0.25
# Longest stretch of stepping without looking at the event loop: bounds pause latency.
CHUNK_SECONDS = 0.012


@dataclass(frozen=True)
class Frame:
    """What the window draws after a chunk of steps: plain data, safe to keep.

    `run_id`: the run it belongs to. `iterations`/`losses`: the losses recorded since the
    previous frame (consecutive iterations). `snapshot` (estimate, error, ...) comes with
    every frame sent while paused, and at most SNAPSHOT_RATE (MAX_SPEED_SNAPSHOT_RATE at
    Max) times a second while playing (None in the frames between). `settings`: the run's
    resolved settings now in force; `anchor`: (iteration, loss) where they took effect (the
    start of the run, a resume, or the last change of lr or momentum). `past` marks a frame
    answering `view_at(t)`: its snapshot shows an earlier iteration, it carries no losses,
    and the run itself has not moved. `restoring` is (done, total) while the run is being
    replayed to the end of a lesson's saved history; `restore_mismatch` the iteration where
    the replay's loss differed from the saved one (the run then stands there).
    """

    run_id: int
    snapshot: Snapshot | None
    iterations: np.ndarray
    losses: np.ndarray
    status: Status
    playing: bool
    settings: Settings
    anchor: tuple[int, float]
    theory: Theory | None
    steps_per_second: float
    past: bool = False
    restoring: tuple[int, int] | None = None
    restore_mismatch: int | None = None


def _guarded(slot):
    """Run a command; anything it raises fails the run with a one-line reason."""

    @functools.wraps(slot)
    def wrapper(self, *args):
        try:
            return slot(self, *args)
        except Exception as error:  # noqa: BLE001 -- a run that raises is a failed state
            self._fail(error)
            return None

    return wrapper


class SolverWorker(QObject):
    """Runs the solver on the thread it is moved to; drive it only through its slots.

    Signals:
        frame(Frame): new results, at most FRAME_RATE per second while playing, and once
            after every command (configure, reset, step, pause, set_lr, ...).
        failed(int, str): the run with that id could not start or failed while running;
            the sentence says why. The worker then holds no run.
    """

    frame = Signal(object)
    failed = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self._run: Run | None = None
        self._run_id = 0
        # The run is stepped through a Timeline, so any past iteration can be shown or
        # resumed exactly ("Step back through history").
        self._timeline: Timeline | None = None
        self._anchor: tuple[int, float] = (0, float("nan"))
        self._playing = False
        self._speed = 0.0  # steps per second; 0 = as fast as the solver goes
        self._restore: np.ndarray | None = None  # a lesson's losses being replayed
        self._pending_iterations: list[np.ndarray] = []
        self._pending_losses: list[np.ndarray] = []
        self._waiting_for_view = False
        self._last_frame = 0.0
        self._next_frame = 0.0  # while playing: frames are due on a grid of 1/FRAME_RATE
        self._next_snapshot = 0.0
        self._rate_start = 0.0
        self._rate_steps = 0
        self._steps_per_second = 0.0
        self._chunk = 1
        self._play_start = 0.0
        self._play_steps = 0
        self._want_reference = False  # a view on screen shows torch.linalg's answer
        self._want_theory = False  # a view on screen (or Optimal settings) needs all of M's σ
        self._reference_run: Run | None = None  # the run whose reference has been sent
        # A child of the worker, so moveToThread takes it along and it fires in that thread.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)

    # --- commands (queued slots) ---------------------------------------------------------
    @Slot(int, object, object, object)
    @_guarded
    def configure(self, run_id: int, matrix: np.ndarray, settings: Settings,
                  restore: np.ndarray | None = None) -> None:
        """Start run `run_id` on `matrix` with `settings`, paused at iteration 0. With
        `restore` (a lesson's saved losses), first replay the run to their end, checking
        each loss against the saved one."""
        self._stop_playing()
        self._run, self._timeline, self._run_id, self._restore = None, None, run_id, None
        self._reference_run = None
        self._run = Run(matrix, settings, keep_history=False)
        self._timeline = Timeline(self._run)
        if restore is not None and len(restore):
            self._restore = np.asarray(restore, dtype=np.float64)
            self._timer.start(0)
        self._restart()
        self._fulfil()

    @Slot(int)
    @_guarded
    def reset(self, run_id: int) -> None:
        """Back to iteration 0 with the same seed and the lr and momentum now in force, as
        run `run_id`."""
        if self._run is None:
            return
        self._stop_playing()
        self._run_id, self._restore = run_id, None
        self._run.reset()
        self._restart()

    @Slot()
    @_guarded
    def discard(self) -> None:
        """Drop the run (the document can no longer be run as it stands)."""
        self._stop_playing()
        self._restore = None
        self._run = self._timeline = self._reference_run = None

    @Slot()
    @_guarded
    def play(self) -> None:
        """Step continuously at the chosen speed until paused or the run stops."""
        if self._run is None or self._playing or self._run.done:
            self._emit_frame()
            return
        self._restore = None
        self._playing = True
        self._play_start, self._play_steps = time.perf_counter(), 0
        self._rate_start, self._rate_steps = self._play_start, 0
        self._next_frame = self._play_start + 1.0 / FRAME_RATE
        self._timer.start(0)

    @Slot()
    @_guarded
    def pause(self) -> None:
        """Stop stepping; a frame with everything computed so far follows at once."""
        if self._playing or self._restore is not None:
            self._restore = None
            self._stop_playing()
        self._emit_frame()

    @Slot()
    @_guarded
    def step_once(self) -> None:
        """Pause if playing, then advance exactly one iteration."""
        self._restore = None
        self._stop_playing()
        if self._run is not None:
            self._advance(1)
            self._emit_frame()

    @Slot(float)
    @_guarded
    def set_lr(self, lr: float) -> None:
        """Use learning rate `lr` from the next step on."""
        if self._run is not None:
            self._run.set_lr(lr)
            self._changed()

    @Slot(float)
    @_guarded
    def set_momentum(self, momentum: float) -> None:
        """Use momentum `momentum` from the next step on."""
        if self._run is not None:
            self._run.set_momentum(momentum)
            self._changed()

    @Slot(bool, bool)
    @_guarded
    def set_needs(self, reference: bool, theory: bool) -> None:
        """What the window shows now: torch.linalg's answer (`reference`) and the complete
        theory (`theory`: κ, the prediction, the optimum). What is newly needed and not yet
        computed for this run is computed now, and a frame with it follows; from then on
        every snapshot carries the reference while it is needed."""
        self._want_reference, self._want_theory = reference, theory
        self._fulfil()

    @Slot(float)
    def set_speed(self, steps_per_second: float) -> None:
        """Steps per second while playing; 0 means as fast as the solver can go."""
        self._speed = steps_per_second
        self._play_start, self._play_steps = time.perf_counter(), 0

    @Slot(int)
    @_guarded
    def view_at(self, iteration: int) -> None:
        """Pause, then send a frame with past=True showing `iteration` (clamped to the run):
        exact over the recent past and at checkpoints, the checkpoint before it further back
        (its snapshot names the iteration shown). The run itself does not move."""
        if self._timeline is None:
            return
        self._restore = None
        self._stop_playing()
        self._emit_frame()
        self._send(self._timeline.view(iteration, reference=self._reference_now()), past=True)

    @Slot(int, int)
    @_guarded
    def resume_from(self, run_id: int, iteration: int) -> None:
        """Continue the run from a past `iteration` as run `run_id`, replayed exactly from the
        checkpoint before it with the settings then in force (so the run goes on bit for bit
        as it first did); later losses are dropped (the model has cut its history there)."""
        if self._timeline is None:
            return
        self._restore = None
        self._stop_playing()
        self._run_id = run_id
        self._timeline.resume_from(iteration)
        self._pending_iterations.clear()
        self._pending_losses.clear()
        self._steps_per_second = 0.0
        self._set_anchor()
        self._emit_frame()

    def frame_shown(self) -> None:
        """The window has drawn the last frame; the next one may be sent.

        Safe to call from any thread: it only clears a flag that the worker reads between
        chunks (a single attribute store is atomic under the GIL)."""
        self._waiting_for_view = False

    @Slot()
    def shutdown(self) -> None:
        """Stop the timer from its own thread (Qt refuses to stop timers across threads)."""
        self._stop_playing()

    # --- the loop ------------------------------------------------------------------------
    @_guarded
    def _tick(self) -> None:
        run = self._run
        if run is None:
            return
        if self._restore is not None:
            self._replay()
            return
        if not self._playing:
            return
        now = time.perf_counter()
        if self._speed > 0:
            due = int((now - self._play_start) * self._speed) + 1 - self._play_steps
            self._advance(min(max(due, 0), max(1, int(self._speed * CHUNK_SECONDS) + 1)))
        else:
            # End the stretch when the next frame is due, so frames leave on time (a frame
            # overdue is waiting for the view: a whole stretch then).
            until_frame = self._next_frame - now
            self._run_for(min(CHUNK_SECONDS, until_frame) if until_frame > 0 else CHUNK_SECONDS)
        if run.done:
            self._playing = False
        now = time.perf_counter()
        since = now - self._last_frame
        # The window acknowledges each frame once drawn; if it cannot draw (minimised,
        # hidden plot), send anyway after a while so the numbers keep moving.
        view_ready = not self._waiting_for_view or since >= VIEW_TIMEOUT_S
        pending = bool(self._pending_losses)
        frame_due = now >= self._next_frame
        if not self._playing or (pending and frame_due and view_ready):
            self._emit_frame()
        if self._playing:
            self._timer.start(self._next_delay_ms(now))

    def _replay(self) -> None:
        """A stretch of replaying a lesson's run to the end of its saved losses; the losses
        are checked against the saved ones, not sent (the model shows the saved ones)."""
        run, saved = self._run, self._restore
        deadline = time.perf_counter() + CHUNK_SECONDS
        mismatch = None
        while run.iteration < saved.size and not run.done and time.perf_counter() < deadline:
            start = run.iteration
            batch = self._timeline.advance(min(self._chunk_size(), saved.size - start))
            expected = saved[start: start + batch.losses.size]
            differs = np.flatnonzero(batch.losses.view(np.int64) != expected.view(np.int64))
            if differs.size:
                mismatch = start + int(differs[0])
                self._timeline.resume_from(mismatch)
                break
            if not batch.losses.size:
                break
        finished = mismatch is not None or run.iteration >= saved.size or run.done
        if finished:
            self._restore = None
            if mismatch is None:
                run.check_stop()  # a lesson saved at convergence reopens converged
            self._set_anchor()
            self._send(self._snapshot(), restore_mismatch=mismatch)
            return
        now = time.perf_counter()
        if now >= self._next_frame:
            self._next_frame = now + 1.0 / FRAME_RATE
            self._send(None)
        self._timer.start(0)

    def _chunk_size(self) -> int:
        return max(1, min(self._chunk * 4, 4096))

    def _run_for(self, seconds: float) -> None:
        """Step in chunks sized from the measured step time until `seconds` have passed."""
        run = self._run
        deadline = time.perf_counter() + seconds
        while not run.done:
            start = time.perf_counter()
            self._advance(self._chunk)
            elapsed = time.perf_counter() - start
            # Aim for chunks of 2-6 ms: each Run.step call has a fixed cost (measured ~5%
            # with 2 steps per call), and the deadline check needs a few chunks per tick.
            if elapsed < 0.002:
                self._chunk = min(self._chunk * 2, 4096)
            elif elapsed > 0.006 and self._chunk > 1:
                self._chunk //= 2
            if start + elapsed >= deadline:
                break

    def _next_delay_ms(self, now: float) -> int:
        """0 at Max; else until the next step is due, or sooner if results wait to be sent."""
        if self._speed <= 0:
            return 0
        next_step = self._play_start + self._play_steps / self._speed
        delay = next_step - now
        if self._pending_losses:
            delay = min(delay, self._next_frame - now)
        return max(0, int(delay * 1000))

    def _advance(self, k: int) -> None:
        if k <= 0:
            return
        batch = self._timeline.advance(k)
        n = batch.losses.size
        if n:
            self._pending_iterations.append(batch.iterations)
            self._pending_losses.append(batch.losses)
        self._play_steps += n
        self._rate_steps += n

    # --- helpers -------------------------------------------------------------------------
    def _reference_now(self) -> bool:
        """Whether snapshots compute torch.linalg's answer: while a view shows it, and
        always for a matrix small enough that it costs less than a step or two."""
        run = self._run
        return self._want_reference or (
            run is not None and max(run.matrix.shape) <= FULL_ANALYSIS_MAX_DIM)

    def _snapshot(self) -> Snapshot:
        run = self._run
        snapshot = run.snapshot(reference=self._reference_now())
        if snapshot.reference is not None:
            self._reference_run = run
        return snapshot

    def _fulfil(self) -> None:
        """Compute what the window needs and this run lacks (one SVD for the theory, one
        inverse/pinv/SVD for the reference, each once per Run), then send a frame with it."""
        run = self._run
        if run is None:
            return
        computed = False
        if self._want_theory and not run.theory.complete:
            run.complete_theory()
            computed = True
        if self._want_reference and self._reference_run is not run:
            run.reference()
            computed = True
        if computed:
            self._send(self._snapshot())

    def _changed(self) -> None:
        self._timeline.mark()  # replays of the steps from here on use the new value
        self._set_anchor()
        if not self._playing:
            self._emit_frame()

    def _restart(self) -> None:
        self._timeline.reset()
        self._pending_iterations.clear()
        self._pending_losses.clear()
        self._steps_per_second = 0.0
        self._set_anchor()
        self._emit_frame()

    def _set_anchor(self) -> None:
        run = self._run
        self._anchor = (run.iteration, float(run.problem.current_loss()))

    def _stop_playing(self) -> None:
        self._playing = False
        self._timer.stop()

    def _fail(self, error: Exception) -> None:
        where = f" at iteration {self._run.iteration}" if self._run is not None and \
            self._run.iteration else ""
        self._stop_playing()
        self._restore = None
        self._run = self._timeline = self._reference_run = None
        self._pending_iterations.clear()
        self._pending_losses.clear()
        text = " ".join(str(error).split()) or type(error).__name__
        if not isinstance(error, ValueError):  # SettingsError and friends speak for themselves
            text = f"{type(error).__name__}: {text}"
        self.failed.emit(self._run_id, f"{text}{where}" if where else text)

    def _emit_frame(self) -> None:
        run = self._run
        if run is None:
            return
        now = time.perf_counter()
        if self._playing and now - self._rate_start >= 0.25:
            self._steps_per_second = self._rate_steps / (now - self._rate_start)
            self._rate_start, self._rate_steps = now, 0
        snapshot = None
        if not self._playing or now >= self._next_snapshot:
            # A snapshot costs about one extra step (far more for a big matrix: reference,
            # gradient); nobody reads the heatmaps and numbers faster than SNAPSHOT_RATE, and
            # while playing they may take at most 1/SNAPSHOT_SHARE of the worker's time.
            snapshot = self._snapshot()
            cost = time.perf_counter() - now
            rate = MAX_SPEED_SNAPSHOT_RATE if self._speed <= 0 else SNAPSHOT_RATE
            self._next_snapshot = now + max(1.0 / rate, SNAPSHOT_SHARE * cost)
        self._last_frame = now
        if self._playing:
            # On the grid, not 1/FRAME_RATE after this one: the chunk that ends past the due
            # time would otherwise make every frame late and the rate fall below FRAME_RATE.
            # A frame held back by the view re-anchors the grid (no burst to catch up).
            period = 1.0 / FRAME_RATE
            self._next_frame = max(self._next_frame + period, now + 0.5 * period)
        # Before the frame leaves: the window may draw it and call frame_shown before this
        # thread runs its next line, and a flag set after that would wait VIEW_TIMEOUT_S
        # for an acknowledgement already given (5 frames a second instead of 21).
        self._waiting_for_view = self._playing
        self._send(snapshot)

    def _send(self, snapshot: Snapshot | None, *, past: bool = False,
              restore_mismatch: int | None = None) -> None:
        run = self._run
        restoring = None if self._restore is None else (run.iteration, int(self._restore.size))
        if past or not self._pending_losses:
            iterations, losses = np.empty(0, dtype=np.int64), np.empty(0)
        else:
            iterations = np.concatenate(self._pending_iterations)
            losses = np.concatenate(self._pending_losses)
            self._pending_iterations.clear()
            self._pending_losses.clear()
        self.frame.emit(Frame(
            run_id=self._run_id,
            snapshot=snapshot,
            iterations=iterations,
            losses=losses,
            status=run.status,
            playing=self._playing and not past,
            settings=run.settings,
            anchor=self._anchor,
            theory=run.theory,
            steps_per_second=self._steps_per_second if self._playing else 0.0,
            past=past,
            restoring=restoring,
            restore_mismatch=restore_mismatch,
        ))
