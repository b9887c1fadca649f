"""Values recorded over the iterations from the snapshots that arrive with frames."""

from __future__ import annotations

import numpy as np

# Beyond this many points a series keeps every other one: memory stays bounded on a long run
# (snapshots arrive about 10 times a second while playing).
MAX_POINTS = 100_000


class Series:
    """Rows of `width` values, one row per recorded iteration, in increasing iteration order.

    Recording an iteration at or before the last one first drops the rows from that
    iteration on: a run that went back (reset, resume from the past) never leaves a
    stale future behind.
    """

    def __init__(self, width: int = 1) -> None:
        self._width = width
        self._x = np.empty(256)
        self._y = np.empty((256, width))
        self._n = 0

    @property
    def width(self) -> int:
        """Values per row."""
        return self._width

    def __len__(self) -> int:
        return self._n

    def clear(self, width: int | None = None) -> None:
        """Forget everything; optionally change the number of values per row."""
        if width is not None and width != self._width:
            self._width = width
            self._y = np.empty((self._x.size, width))
        self._n = 0

    def append(self, iteration: int, values) -> None:
        """Record `values` (width numbers) at `iteration`."""
        if self._n and iteration <= self._x[self._n - 1]:
            self._n = int(np.searchsorted(self._x[: self._n], iteration, side="left"))
        if self._n == self._x.size:
            if self._n >= MAX_POINTS:
                self._thin()
            else:
                self._x = np.resize(self._x, 2 * self._x.size)
                self._y = np.resize(self._y, (2 * self._y.shape[0], self._width))
        self._x[self._n] = iteration
        self._y[self._n] = values
        self._n += 1

    def x(self) -> np.ndarray:
        """The iterations recorded (a view; valid until the next append)."""
        return self._x[: self._n]

    def y(self, column: int = 0) -> np.ndarray:
        """One column of values (a view; valid until the next append)."""
        return self._y[: self._n, column]

    def last(self) -> np.ndarray | None:
        """The last row recorded, or None."""
        return self._y[self._n - 1].copy() if self._n else None

    def _thin(self) -> None:
        # Keep every other point, and always the newest one.
        keep = np.arange(self._n - 1, -1, -2)[::-1]
        count = keep.size
        self._x[:count] = self._x[keep]
        self._y[:count] = self._y[keep]
        self._n = count
