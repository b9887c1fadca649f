"""Step back through a run: checkpoints dense near the present, sparse in the past.

Runs are deterministic, so any iteration is reproduced exactly by restoring the checkpoint
before it and replaying the few steps in between. Checkpoints are kept every `stride`
iterations over the most recent `recent` iterations and every `sparse_stride` before that,
so memory grows by one small checkpoint per `sparse_stride` steps. Checkpoints together
hold at most `max_bytes` (a checkpoint of a 4096 x 4096 run is over 100 MB): beyond it
they are thinned evenly, the start and the newest kept, and views between them fall back
to the checkpoint before.
"""

from __future__ import annotations

import bisect

import numpy as np

from solver.run import Checkpoint, Run, Snapshot, StepBatch
from solver.state import tree_nbytes

MAX_CHECKPOINT_BYTES = 512 * 2**20
"""What a Timeline's checkpoints may hold together (512 MiB)."""


def _nbytes(checkpoint: Checkpoint) -> int:
    return tree_nbytes(checkpoint.problem) + tree_nbytes(checkpoint.optimizer)


class Timeline:
    """Drives a Run and remembers enough of its past to show or resume any iteration."""

    def __init__(self, run: Run, stride: int = 64, recent: int = 8192,
                 sparse_stride: int = 1024, max_bytes: int = MAX_CHECKPOINT_BYTES):
        self.run = run
        self.stride = stride
        self.recent = recent
        self.sparse_stride = sparse_stride
        self.max_bytes = max_bytes
        self.reset()

    def reset(self) -> None:
        """Forget the past and start again from the run's current state."""
        self._checkpoints: dict[int, Checkpoint] = {}
        self._keys: list[int] = []
        self._settled = 0  # keys before this index are final (sparse ones, or the start)
        self._add(self.run.checkpoint())

    def advance(self, k: int) -> StepBatch:
        """Step the run up to k iterations, checkpointing on the way (same result as run.step)."""
        batches = []
        remaining = k
        while remaining > 0 and not self.run.done:
            to_boundary = self.stride - self.run.iteration % self.stride
            batch = self.run.step(min(remaining, to_boundary))
            batches.append(batch)
            remaining -= len(batch.losses)
            if self.run.iteration % self.stride == 0 and len(batch.losses):
                self._add(self.run.checkpoint())
            if not len(batch.losses):
                break
        if not batches:
            return self.run.step(0)
        return StepBatch(
            np.concatenate([b.iterations for b in batches]),
            np.concatenate([b.losses for b in batches]),
            batches[-1].status,
        )

    def mark(self) -> None:
        """Checkpoint the run as it is now. Call it after changing the run's lr or momentum
        between steps: replays then start from a checkpoint that holds the new settings,
        so views and resumes after the change are exact too."""
        self._add(self.run.checkpoint())

    @property
    def checkpoint_count(self) -> int:
        """How many checkpoints are held."""
        return len(self._keys)

    def nearest(self, iteration: int) -> Checkpoint:
        """The latest checkpoint at or before `iteration`."""
        index = bisect.bisect_right(self._keys, iteration) - 1
        return self._checkpoints[self._keys[max(index, 0)]]

    def shown_iteration(self, iteration: int) -> int:
        """The iteration `view(iteration)` actually shows: exact near the present and at
        checkpoints, the checkpoint before it in the sparse past."""
        iteration = max(0, min(iteration, self.run.iteration))
        base = self.nearest(iteration).iteration
        return iteration if iteration - base <= self.stride else base

    def view(self, iteration: int, reference: bool = True) -> Snapshot:
        """The snapshot at a past iteration, without disturbing the live run; with
        `reference=False`, as Run.snapshot(reference=False) (the run's cached answer or
        none)."""
        target = self.shown_iteration(iteration)
        if target == self.run.iteration:
            return self.run.snapshot(reference=reference)
        replay = self.run.fork(self.nearest(target))
        replay.step(target - replay.iteration)
        return replay.snapshot(reference=reference)

    def resume_from(self, iteration: int) -> int:
        """Make the live run continue from `iteration` (replayed exactly from the checkpoint
        before it); later history and checkpoints are dropped. Returns the iteration."""
        iteration = max(0, min(iteration, self.run.iteration))
        checkpoint = self.nearest(iteration)
        self.run.restore(checkpoint)
        self._drop_after(checkpoint.iteration)
        self.advance(iteration - checkpoint.iteration)
        return self.run.iteration

    def _add(self, checkpoint: Checkpoint) -> None:
        key = checkpoint.iteration
        if key not in self._checkpoints:
            bisect.insort(self._keys, key)
        self._checkpoints[key] = checkpoint
        self._thin(key)
        self._fit_budget()

    @property
    def checkpoint_bytes(self) -> int:
        """Bytes the checkpoints hold (their tensors and arrays)."""
        return sum(_nbytes(c) for c in self._checkpoints.values())

    def _fit_budget(self) -> None:
        # Drop, from the oldest on, the checkpoint with the smallest gap to the one before:
        # what is left is spread evenly over the run, the start and the newest kept.
        size = _nbytes(self._checkpoints[self._keys[-1]])
        keys = self._keys
        while size * len(keys) > self.max_bytes and len(keys) > 2:
            gaps = [keys[i + 1] - keys[i - 1] for i in range(1, len(keys) - 1)]
            drop = 1 + gaps.index(min(gaps))
            del self._checkpoints[keys.pop(drop)]
            if drop < self._settled:
                self._settled -= 1

    def _thin(self, now: int) -> None:
        # Drop dense checkpoints that have aged out of the recent window, keeping every
        # sparse_stride-th (and iteration 0, the start).
        horizon = now - self.recent
        keys = self._keys
        while self._settled < len(keys) and keys[self._settled] < horizon:
            key = keys[self._settled]
            if key == 0 or key % self.sparse_stride == 0:
                self._settled += 1
            else:
                del self._checkpoints[keys.pop(self._settled)]

    def _drop_after(self, iteration: int) -> None:
        while self._keys and self._keys[-1] > iteration:
            del self._checkpoints[self._keys.pop()]
        self._settled = min(self._settled, len(self._keys))
