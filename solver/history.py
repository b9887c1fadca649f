"""The loss history: one float64 per step in a doubling NumPy buffer (8 MB per million steps,
16 MB at most while growing)."""

from __future__ import annotations

import numpy as np


class LossHistory:
    """Append-only record of losses; index = iteration."""

    def __init__(self, capacity: int = 1024, keep: bool = True):
        """`keep=False` counts the losses without storing them (values() is then empty)."""
        self._keep = keep
        self._buf = np.empty(capacity if keep else 0, dtype=np.float64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def extend(self, losses) -> None:
        """Append a sequence of losses."""
        values = np.asarray(losses, dtype=np.float64)
        if not self._keep:
            self._n += values.size
            return
        end = self._n + values.size
        if end > self._buf.size:
            grown = np.empty(max(end, 2 * self._buf.size), dtype=np.float64)
            grown[: self._n] = self._buf[: self._n]
            self._buf = grown
        self._buf[self._n : end] = values
        self._n = end

    def values(self) -> np.ndarray:
        """A read-only view of all recorded losses (valid until the next extend)."""
        view = self._buf[: self._n if self._keep else 0]
        view.flags.writeable = False
        return view

    def truncate(self, length: int) -> None:
        """Forget every loss from iteration `length` on."""
        self._n = min(self._n, max(0, length))

    @property
    def nbytes(self) -> int:
        """Memory held by the buffer."""
        return self._buf.nbytes
