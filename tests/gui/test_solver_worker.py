"""The solver worker's frame pacing, as the window relies on it at Max speed."""

import numpy as np

from gui import solver_worker
from gui.solver_worker import SolverWorker
from solver import Settings

TIMEOUT_MS = 10_000


def test_a_frame_acknowledged_before_the_worker_moves_on_lets_the_next_one_go(
        qtbot, monkeypatch):
    # The window may draw a frame and acknowledge it (frame_shown) before the worker's
    # thread runs its next line. The acknowledgement must count: a worker that starts waiting
    # for it only after sending waits for VIEW_TIMEOUT_S instead (frames at Max fell from 21
    # to 5-14 a second). With that timeout made endless, such a worker sends no second frame.
    monkeypatch.setattr(solver_worker, "VIEW_TIMEOUT_S", 1e9)
    worker = SolverWorker()  # in this thread: its frames arrive during its own emit
    frames = []

    def draw(frame):
        frames.append(frame)
        worker.frame_shown()

    worker.frame.connect(draw)
    worker.configure(1, np.diag([1.0, 2.0, 3.0, 4.0]), Settings(max_steps=10**9, tol=0.0))
    worker.set_speed(0.0)
    worker.play()
    try:
        qtbot.waitUntil(lambda: sum(f.playing and f.losses.size > 0 for f in frames) >= 3,
                        timeout=TIMEOUT_MS)
    finally:
        worker.pause()
        worker.shutdown()
