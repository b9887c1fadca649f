"""Progress and cancellation for long loads and saves, without Qt.

A caller that wants to show progress passes a `Progress` callback to a reader or writer
(solver.matrix_io, solver.session): it is called from the thread doing the work with
(done, total) in units the reader or writer chooses (rows, bytes), and may raise
`Cancelled` to stop the work. A save stopped this way leaves the old file as it was and no
temporary file (the save is atomic); a load stopped this way returns nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

Progress = Callable[[int, int], None]
"""progress(done, total): how much of the work is done; may raise Cancelled."""


class Cancelled(Exception):
    """Raised by a Progress callback: the user stopped the load or save."""


class _Counting(io.RawIOBase):
    """A stream over `fh` that reports the bytes passed through it to `progress` against
    `total`."""

    def __init__(self, fh: BinaryIO, progress: Progress, total: int) -> None:
        super().__init__()
        self._fh = fh
        self._progress = progress
        self._total = max(int(total), 1)
        self.done = 0

    def _count(self, size: int) -> None:
        self.done += size
        self._progress(min(self.done, self._total), self._total)


class CountingWriter(_Counting):
    """A binary stream that writes to `fh` and reports the bytes written to `progress`
    against `total`. NumPy writes an array to such an object in chunks of 16 MiB (it is
    not a real file to NumPy), so the callback runs between chunks."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        size = memoryview(data).nbytes
        self._fh.write(data)
        self._count(size)
        return size

    def flush(self) -> None:
        self._fh.flush()

    # zipfile (np.savez) rewrites its headers in place when the stream can seek.
    def seekable(self) -> bool:
        return self._fh.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()


class CountingReader(_Counting):
    """A binary stream reading from `fh`, reporting the bytes read to `progress` against
    `total` (NumPy reads an array from such an object in chunks of 16 MiB)."""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._count(len(data))
        return data
