"""The solver worker: a QObject that steps a solver.Run on its own QThread.

Pattern (superqt's `_qthreading.py`, napari's play button): the worker is moved to a plain
QThread; commands arrive as queued slot calls; a single-shot QTimer owned by the worker is
re-armed after each chunk of steps, so the thread's event loop runs between chunks (that is
where pause, step and set_lr get through) and ticks never pile up. Results leave as
`Signal(object)` carrying plain NumPy copies. The worker never touches a widget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from solver import Run, Settings, SettingsError, Snapshot, Status, Theory
from solver.timeline import Timeline

# At most this many frames per second leave the worker. The issue allows up to 30-60 and
# wants the plots redrawn at least 20 times a second; every frame costs the solver some GIL
# time (bench_gui), so just above 20.
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

    `iterations`/`losses` are the losses recorded since the previous frame; `restarted`
    means the run started over (new settings, matrix or reset), so older losses are void;
    after `resume_from(t)` a restarted frame carries the run's whole history up to t.
    `snapshot` (estimate, error, ...) comes with every frame sent while paused, and at most
    SNAPSHOT_RATE (MAX_SPEED_SNAPSHOT_RATE at Max) times a second while playing (None in
    the frames between).
    `past` marks a frame answering `view_at(t)`: its snapshot shows an earlier iteration,
    it carries no losses, and the run itself has not moved.
    """

    snapshot: Snapshot | None
    iterations: np.ndarray
    losses: np.ndarray
    status: Status
    playing: bool
    restarted: bool
    steps_per_second: float
    theory: Theory | None
    past: bool = False


class SolverWorker(QObject):
    """Runs the solver on the thread it is moved to; drive it only through its slots.

    Signals:
        frame(Frame): new results, at most FRAME_RATE per second while playing, and once
            after every command (configure, reset, step, pause).
        failed(str): the settings or matrix were refused; the sentence says why.
    """

    frame = Signal(object)
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self._run: Run | None = None
        # The run is stepped through a Timeline, so any past iteration can be shown or
        # resumed exactly (issue 5, "Step back through history").
        self._timeline: Timeline | None = None
        self._playing = False
        self._speed = 0.0  # steps per second; 0 = as fast as the solver goes
        self._lr: float | None = None
        self._momentum: float | None = None
        self._pending_iterations: list[np.ndarray] = []
        self._pending_losses: list[np.ndarray] = []
        self._restarted = False
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
        # A child of the worker, so moveToThread takes it along and it fires in that thread.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)

    # --- commands (queued slots) ---------------------------------------------------------
    @Slot(object, object)
    def configure(self, matrix: np.ndarray, settings: Settings) -> None:
        """Start a new run on `matrix` with `settings`, paused at iteration 0."""
        self._stop_playing()
        try:
            self._run = Run(matrix, settings)
        except (SettingsError, ValueError) as error:
            self._run = None
            self._timeline = None
            self.failed.emit(str(error))
            return
        self._lr, self._momentum = settings.lr, settings.momentum
        self._timeline = Timeline(self._run)
        self._restart()

    @Slot()
    def reset(self) -> None:
        """Back to iteration 0 with the same seed and the current lr and momentum."""
        if self._run is None:
            return
        self._stop_playing()
        self._run.reset()
        self._restart()

    @Slot()
    def play(self) -> None:
        """Step continuously at the chosen speed until paused or the run stops."""
        if self._run is None or self._playing:
            return
        if self._run.done:
            self._run.reset()
            self._restart()
        self._playing = True
        self._play_start, self._play_steps = time.perf_counter(), 0
        self._rate_start, self._rate_steps = self._play_start, 0
        self._next_frame = self._play_start + 1.0 / FRAME_RATE
        self._timer.start(0)

    @Slot()
    def pause(self) -> None:
        """Stop stepping; a frame with everything computed so far follows at once."""
        if self._playing:
            self._stop_playing()
            self._emit_frame()

    @Slot()
    def step_once(self) -> None:
        """Pause if playing, then advance exactly one iteration."""
        self._stop_playing()
        if self._run is not None:
            self._advance(1)
            self._emit_frame()

    @Slot(float)
    def set_lr(self, lr: float) -> None:
        """Use learning rate `lr` from the next step on."""
        self._lr = lr
        if self._run is not None:
            self._apply(self._run.set_lr, lr)

    @Slot(float)
    def set_momentum(self, momentum: float) -> None:
        """Use momentum `momentum` from the next step on."""
        self._momentum = momentum
        if self._run is not None:
            self._apply(self._run.set_momentum, momentum)

    @Slot(float)
    def set_speed(self, steps_per_second: float) -> None:
        """Steps per second while playing; 0 means as fast as the solver can go."""
        self._speed = steps_per_second
        self._play_start, self._play_steps = time.perf_counter(), 0

    @Slot(int)
    def view_at(self, iteration: int) -> None:
        """Pause, then send a frame with past=True showing `iteration` (clamped to the run):
        exact over the recent past and at checkpoints, the checkpoint before it further back
        (its snapshot names the iteration shown). The run itself does not move."""
        if self._timeline is None:
            return
        self.pause()
        run = self._run
        empty = np.empty(0)
        self.frame.emit(Frame(
            snapshot=self._timeline.view(iteration),
            iterations=empty.astype(np.int64),
            losses=empty,
            status=run.status,
            playing=False,
            restarted=False,
            steps_per_second=0.0,
            theory=run.theory,
            past=True,
        ))

    @Slot(int)
    def resume_from(self, iteration: int) -> None:
        """Continue the run from a past `iteration`, replayed exactly from the checkpoint
        before it, with the current lr and momentum (so, unchanged, the run goes on bit for
        bit as it first did); later losses are dropped. A restarted frame carrying the
        whole history up to `iteration` follows."""
        if self._timeline is None:
            return
        self._stop_playing()
        run = self._run
        self._timeline.resume_from(iteration)
        if self._lr is not None and self._lr != run.settings.lr:
            run.set_lr(self._lr)
            self._timeline.mark()
        if self._momentum is not None and self._momentum != run.settings.momentum:
            run.set_momentum(self._momentum)
            self._timeline.mark()
        history = run.history.values()
        self._pending_iterations[:] = [np.arange(history.size, dtype=np.int64)]
        self._pending_losses[:] = [history.copy()]
        self._restarted = True
        self._steps_per_second = 0.0
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
    def _tick(self) -> None:
        run = self._run
        if not self._playing or run is None:
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
    def _apply(self, setter, value: float) -> None:
        try:
            setter(value)
        except (SettingsError, ValueError) as error:
            self.failed.emit(str(error))
            return
        self._timeline.mark()  # replays of the steps from here on use the new value
        if not self._playing:
            self._emit_frame()

    def _restart(self) -> None:
        if self._lr is not None and self._lr != self._run.settings.lr:
            self._run.set_lr(self._lr)
        if self._momentum is not None and self._momentum != self._run.settings.momentum:
            self._run.set_momentum(self._momentum)
        self._timeline.reset()
        self._pending_iterations.clear()
        self._pending_losses.clear()
        self._restarted = True
        self._steps_per_second = 0.0
        self._emit_frame()

    def _stop_playing(self) -> None:
        self._playing = False
        self._timer.stop()

    def _emit_frame(self) -> None:
        run = self._run
        if run is None:
            return
        now = time.perf_counter()
        if self._playing and now - self._rate_start >= 0.25:
            self._steps_per_second = self._rate_steps / (now - self._rate_start)
            self._rate_start, self._rate_steps = now, 0
        if self._pending_losses:
            iterations = np.concatenate(self._pending_iterations)
            losses = np.concatenate(self._pending_losses)
        else:
            iterations, losses = np.empty(0, dtype=np.int64), np.empty(0)
        self._pending_iterations.clear()
        self._pending_losses.clear()
        snapshot = None
        if not self._playing or now >= self._next_snapshot:
            # A snapshot costs about one extra step (far more for a big matrix: reference,
            # gradient); nobody reads the heatmaps and numbers faster than SNAPSHOT_RATE, and
            # while playing they may take at most 1/SNAPSHOT_SHARE of the worker's time.
            snapshot = run.snapshot()
            cost = time.perf_counter() - now
            rate = MAX_SPEED_SNAPSHOT_RATE if self._speed <= 0 else SNAPSHOT_RATE
            self._next_snapshot = now + max(1.0 / rate, SNAPSHOT_SHARE * cost)
        frame = Frame(
            snapshot=snapshot,
            iterations=iterations,
            losses=losses,
            status=run.status,
            playing=self._playing,
            restarted=self._restarted,
            steps_per_second=self._steps_per_second if self._playing else 0.0,
            theory=run.theory,
        )
        self._restarted = False
        self._last_frame = now
        if self._playing:
            # On the grid, not 1/FRAME_RATE after this one: the chunk that ends past the due
            # time would otherwise make every frame late and the rate fall below FRAME_RATE.
            # A frame held back by the view re-anchors the grid (no burst to catch up).
            period = 1.0 / FRAME_RATE
            self._next_frame = max(self._next_frame + period, now + 0.5 * period)
        self._waiting_for_view = self._playing
        self.frame.emit(frame)
