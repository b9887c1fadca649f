"""Keeps the exact losses and the latest snapshot of the run the window shows.

The loss plot keeps log10 values for drawing, which do not round-trip to the same bits;
a lesson file and the history export need the losses exactly as the solver computed them,
so they are collected here from the window's `frame_drawn` frames.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from gui.solver_worker import Frame


class RunRecorder(QObject):
    """Listens to `frame_drawn` and keeps the current run's loss history and the last
    snapshot shown (of a past iteration too, when the timeline shows one).

    `live_changes` is True once the learning rate or momentum was changed in the middle of
    the run: its history then cannot be reproduced from the final settings alone.
    """

    def __init__(self, window, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._chunks: list[np.ndarray] = []
        self._count = 0
        self.snapshot = None
        self.live_changes = False
        window.frame_drawn.connect(self._on_frame)
        window.panel.lr_changed.connect(self._on_live_change)
        window.panel.momentum_changed.connect(self._on_live_change)

    @property
    def count(self) -> int:
        """Number of losses recorded (= the iteration the run has reached)."""
        return self._count

    def losses(self) -> np.ndarray:
        """Every loss of the current run, iteration 0 first, as float64 (a copy)."""
        if not self._chunks:
            return np.empty(0)
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0].copy()

    def _on_frame(self, frame: Frame) -> None:
        if frame.restarted:
            self._chunks.clear()
            self._count = 0
            # A restart at 0 forgets earlier live changes; a resume from iteration t
            # (the frame then carries the history up to t) keeps them.
            if not frame.losses.size:
                self.live_changes = False
        if frame.losses.size:
            self._chunks.append(np.asarray(frame.losses, dtype=np.float64).copy())
            self._count += frame.losses.size
        if frame.snapshot is not None:
            self.snapshot = frame.snapshot

    def _on_live_change(self, _value: float) -> None:
        # A change at iteration 0 becomes part of the settings the run starts from.
        if self._count:
            self.live_changes = True
