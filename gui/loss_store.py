"""The one loss history of the run on screen: the plot, the exports and lessons read it.

Recent losses are kept exactly, one float64 per iteration. Older ones are kept the way the
loss plot draws them: per bin of `width` iterations, the smallest and the largest loss with
their iterations (every peak stays), the bins widening as the run grows. Memory is bounded
whatever the run's length (about 5 MB), so a run left at Max speed for hours does not grow.
Plain NumPy, no Qt: the model (gui/document_model.py) owns one and feeds it from frames.
"""

from __future__ import annotations

import numpy as np

# Iterations kept exactly: between EXACT_WINDOW and 2 * EXACT_WINDOW of the most recent ones
# (a run of up to 524,288 steps is exact throughout; 2 MB to 4 MB).
EXACT_WINDOW = 1 << 18
# Points kept for the older part (two per bin); past this the bins double in width (1 MB).
MAX_OLD_POINTS = 1 << 16


class LossStore:
    """Losses by iteration: `len(store)` iterations recorded, 0 first.

    `points()` gives every loss kept with its iteration; iterations from `exact_from` on
    are all there, older ones only as each bin's minimum and maximum.
    """

    def __init__(self, exact_window: int = EXACT_WINDOW, max_old_points: int = MAX_OLD_POINTS):
        if exact_window & (exact_window - 1) or exact_window < 2:
            raise ValueError("exact_window must be a power of two")
        self._window = exact_window
        self._max_old = max_old_points
        # Changes with every change of content, so a view can tell whether to redraw.
        self.version = 0
        self.clear()

    def clear(self) -> None:
        """Forget every loss (a new run)."""
        self._tail = np.empty(1024)
        self._n_tail = 0
        self._exact_from = 0
        self._old_x = np.empty(0, dtype=np.int64)
        self._old_y = np.empty(0)
        self._width = 1  # iterations per bin of the older part
        self.version += 1

    def __len__(self) -> int:
        return self._exact_from + self._n_tail

    @property
    def exact_from(self) -> int:
        """The first iteration from which every loss is kept exactly."""
        return self._exact_from

    @property
    def bin_width(self) -> int:
        """Iterations per bin of the older part (1 while everything is exact)."""
        return self._width

    @property
    def nbytes(self) -> int:
        """Memory held by the store's arrays."""
        return self._tail.nbytes + self._old_x.nbytes + self._old_y.nbytes

    def extend(self, first: int, losses) -> None:
        """Record `losses` for iterations first, first + 1, ...; a `first` before the end
        first forgets everything from `first` on (a run resumed from the past)."""
        values = np.asarray(losses, dtype=np.float64).reshape(-1)
        if first > len(self):
            raise ValueError(f"losses from iteration {first} leave a gap after {len(self)}")
        if first < len(self):
            self.truncate(first)
        limit = 2 * self._window  # the exact part never holds more (its buffer neither)
        done = 0
        while done < values.size:
            piece = values[done: done + limit - self._n_tail]
            end = self._n_tail + piece.size
            if end > self._tail.size:
                grown = np.empty(min(max(end, 2 * self._tail.size), limit))
                grown[: self._n_tail] = self._tail[: self._n_tail]
                self._tail = grown
            self._tail[self._n_tail: end] = piece
            self._n_tail = end
            done += piece.size
            if self._n_tail == limit:
                self._age_oldest_window()
        self.version += 1

    def truncate(self, length: int) -> None:
        """Forget every loss from iteration `length` on."""
        length = max(0, int(length))
        if length >= len(self):
            return
        if length >= self._exact_from:
            self._n_tail = length - self._exact_from
        else:
            keep = int(np.searchsorted(self._old_x, length, side="left"))
            self._old_x, self._old_y = self._old_x[:keep].copy(), self._old_y[:keep].copy()
            self._n_tail = 0
            self._exact_from = length
        self.version += 1

    def exact(self) -> np.ndarray:
        """The exactly kept losses (iterations exact_from, exact_from + 1, ...; a copy)."""
        return self._tail[: self._n_tail].copy()

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """(iterations, losses) of every loss kept, in iteration order (copies)."""
        x = np.concatenate((self._old_x,
                            np.arange(self._exact_from, len(self), dtype=np.int64)))
        return x, np.concatenate((self._old_y, self._tail[: self._n_tail]))

    def since(self, iteration: int) -> tuple[np.ndarray, np.ndarray]:
        """(iterations, losses) of the points kept from `iteration` on (copies)."""
        start = int(np.searchsorted(self._old_x, iteration, side="left"))
        first = max(iteration, self._exact_from)
        tail = self._tail[first - self._exact_from: self._n_tail] if first < len(self) \
            else np.empty(0)
        x = np.concatenate((self._old_x[start:],
                            np.arange(first, first + tail.size, dtype=np.int64)))
        return x, np.concatenate((self._old_y[start:], tail))

    def loss_at(self, iteration: int) -> float | None:
        """The loss at `iteration`: exact from `exact_from` on, else the kept point at or
        just before it; None if nothing is kept there."""
        if iteration < 0 or iteration >= len(self):
            return None
        if iteration >= self._exact_from:
            return float(self._tail[iteration - self._exact_from])
        index = int(np.searchsorted(self._old_x, iteration, side="right")) - 1
        return float(self._old_y[index]) if index >= 0 else None

    def _age_oldest_window(self) -> None:
        """Move the oldest exact window into the older part as per-bin minima and maxima."""
        window = self._window
        values = self._tail[:window]
        x = np.arange(self._exact_from, self._exact_from + window, dtype=np.int64)
        bx, by = _peaks(x, values, self._width)
        self._old_x = np.concatenate((self._old_x, bx))
        self._old_y = np.concatenate((self._old_y, by))
        self._tail[: self._n_tail - window] = self._tail[window: self._n_tail]
        self._n_tail -= window
        self._exact_from += window
        while self._old_x.size > self._max_old:
            self._width *= 2
            self._old_x, self._old_y = _peaks(self._old_x, self._old_y, self._width)


def _peaks(x: np.ndarray, y: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Per bin of `width` iterations (x // width), the points with the smallest and the
    largest loss, in iteration order (one point where they coincide). NaN, a diverged
    loss, counts as the largest."""
    if width <= 1 or x.size == 0:
        return x.copy(), y.copy()
    bins = x // width
    key = np.where(np.isnan(y), np.inf, y)
    order = np.lexsort((key, bins))  # by bin, then by loss
    starts = np.flatnonzero(np.r_[True, bins[order][1:] != bins[order][:-1]])
    ends = np.r_[starts[1:], order.size] - 1
    keep = np.unique(np.concatenate((order[starts], order[ends])))  # sorted = by iteration
    return x[keep], y[keep]
