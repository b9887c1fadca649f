"""Record a run offscreen: the window's own widgets and drawing code, one frame of video
every `speed / fps` steps.

A MainWindow is built but never shown: its document model runs the solver thread and its
frames are drawn by the window's own code (heatmap scales, titles, theory's line and
notes). The loss curve with its notes and the two heatmaps, the central area the class
watches, are moved into a slide-sized FigureFrame (title, plots, caption naming the run);
after each frame drawn at a target iteration that frame is painted at the recording's size
and sent to the encoder. The run is stepped, not played against the clock, so the
recording does not depend on how fast this machine draws: frame k shows iteration
round(k·speed/fps).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from gui.presentation.caption import RunFacts, caption, default_title
from gui.presentation.figure import FigureFrame, FigureOptions, geometry, render_image
from gui.presentation.slide import central_arrangement
from gui.presentation.video import VideoWriter
from solver import Settings

FRAME_TIMEOUT_S = 120.0  # longest wait for the solver's next frame before giving up
MAX_FRAMES = 6000  # 5 minutes at 20 frames per second


class RecordError(RuntimeError):
    """The run could not be recorded; the message is one line."""


@dataclass(frozen=True)
class RecordingOptions:
    """A recording's size in pixels, frames per second, steps of the run per second of
    video, seconds the last frame is held, and title ("" for the default)."""

    size: tuple[int, int] = (1280, 720)
    fps: float = 20.0
    speed: float = 100.0
    hold: float = 2.0
    title: str = ""

    def frame_count(self, steps: int) -> int:
        """Frames of a run of at most `steps` steps, the held ones included."""
        return math.ceil(steps * self.fps / self.speed) + 1 + self.hold_frames

    @property
    def hold_frames(self) -> int:
        """Extra copies of the last frame, so the end can be read before the loop starts
        over."""
        return round(self.hold * self.fps)


@dataclass(frozen=True)
class RecordingResult:
    """What was written: frames, bytes, the run's last iteration and state, seconds."""

    frames: int
    bytes: int
    iteration: int
    state: str
    loss: float
    seconds: float


def record(matrix: np.ndarray, settings: Settings, name: str, path: str,
           options: RecordingOptions,
           progress: Callable[[int, int], None] | None = None) -> RecordingResult:
    """Run `matrix` with `settings` (max_steps > 0) in an unseen window and record its
    central area to `path` (.gif or .mp4). `progress(frame, iteration)` is called after
    each frame. A QApplication must exist. Raises RecordError, or MatrixFileError for the
    file."""
    from gui.main_window import MainWindow  # the window's own drawing code

    started = time.perf_counter()
    window = MainWindow(matrix, settings, name)
    frame = writer = driver = None
    try:
        model = window.model
        # The run is stepped, frame by frame: the prediction stays anchored where the run
        # starts, as while playing, so the class sees the curve follow it or not.
        window.teaching.overlay.hold_anchor = True
        facts = RunFacts.of_model(model)
        title = options.title or default_title("", facts)
        frame = FigureFrame(title, caption(facts), central_arrangement(
            window.loss_panel, window.error_heatmap, window.estimate_heatmap), adopt=True)
        # Moved out of the window, the widgets would take the application's font instead of
        # the window's (11 pt and up, readable on a projector): the frame passes it on.
        frame.setFont(window.font())
        longest = caption(replace(facts, iteration=model.run.settings.max_steps,
                                  loss=-1.2345e-300, state="converged"))
        try:
            # Room for the longest caption changes the minimum size, and so the scale.
            for _ in range(2):
                geo = geometry(frame, FigureOptions(size=options.size))
                frame.lay_out(geo.logical)
                frame.reserve_caption(longest)
            geo = geometry(frame, FigureOptions(size=options.size))
        except ValueError as error:
            raise RecordError(f"--size: {error}") from None
        frame.lay_out(geo.logical)
        frame.show()  # offscreen (WA_DontShowOnScreen): laid out and painted like a window
        writer = VideoWriter(path, options.size, options.fps)
        driver = _Driver(model, window.frame_drawn)
        driver.wait(lambda: model.snapshot is not None)
        k = 0
        while True:
            settings_now = driver.settings or model.run.settings
            frame.set_texts(title, caption(RunFacts.of_model(model, settings_now)))
            image = render_image(frame, geo)
            writer.write(image)
            if progress is not None:
                progress(k + 1, model.snapshot.iteration)
            if model.state.done or writer.frames >= MAX_FRAMES:
                break
            k += 1
            driver.step_to(round(k * options.speed / options.fps))
        writer.hold(options.hold_frames)
        frames = writer.frames
        size = writer.close()
        writer = None
        snapshot = model.snapshot
        return RecordingResult(frames, size, snapshot.iteration, model.state.state,
                               float(snapshot.loss), time.perf_counter() - started)
    finally:
        if writer is not None:
            writer.abort()
        if driver is not None:
            driver.close()
        window.stop_worker()
        if frame is not None:
            frame.deleteLater()
        window.deleteLater()


class _Driver:
    """Steps the model and waits for the window to draw the frames."""

    def __init__(self, model, frame_drawn) -> None:
        self._model = model
        self.settings = None  # the latest frame's settings: lr and momentum in force
        frame_drawn.connect(self._on_drawn)
        # Wakes the wait loop now and then, so a lost frame ends in a timeout, not a hang.
        self._ticker = QTimer()
        self._ticker.start(200)

    def close(self) -> None:
        """Stop waking the event loop."""
        self._ticker.stop()

    def _on_drawn(self, frame) -> None:
        self.settings = frame.settings

    def step_to(self, iteration: int) -> None:
        """Step until the run stands at `iteration` or has stopped."""
        model = self._model
        current = model.snapshot.iteration
        for _ in range(max(0, iteration - current)):
            model.step()
        self.wait(lambda: model.snapshot.iteration >= iteration or model.state.done)

    def wait(self, condition: Callable[[], bool]) -> None:
        """Process events until `condition()` holds; RecordError if the run fails or the
        solver sends nothing for FRAME_TIMEOUT_S."""
        deadline = time.monotonic() + FRAME_TIMEOUT_S
        while True:
            state = self._model.state
            if state.state == "failed":
                raise RecordError(state.reason)
            if self._model.snapshot is not None and condition():
                return
            if time.monotonic() > deadline:
                raise RecordError(f"the solver sent no frame for {FRAME_TIMEOUT_S:.0f} s")
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
