"""Reading only regular files, and replacing files atomically, with errors a person can read.

Every reader of the app opens its file with `regular_opener`, which refuses a folder, a
FIFO, a device such as /dev/zero or a socket at once (before a byte is read, and without
blocking on a FIFO). Every writer goes through `atomic_write` or `atomic_write_all`: the
data goes to a temporary file beside the target, which then replaces the target in one
step, so an interrupted or failed save leaves the old file intact. A symbolic link is
written through (its target is replaced, the link stays, as editors do); a device node or
a FIFO is never replaced. `describe_os_error` turns an OSError into the few words that
follow "cannot read" or "cannot save": "disk full", "symbolic link loop", ...
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

try:  # a writer holds a lock on its temporary file, so others can tell it is alive
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted there anyway
    fcntl = None

_REASONS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "no such file or folder",
    errno.EROFS: "read-only file system",
    errno.ELOOP: "symbolic link loop",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENAMETOOLONG: "file name too long",
    errno.EFBIG: "file too large for the file system",
    errno.EIO: "input/output error",
}
_BUFFER_BYTES = 1 << 20
_TEMP_SUFFIX = ".tmp"


class FileProblem(OSError):
    """A file that is not what the caller needs; str() is the problem, for a person."""


def describe_os_error(err: OSError) -> str:
    """The problem an OSError stands for, in a few words ("disk full", "permission denied")."""
    if isinstance(err, FileProblem):
        return str(err)
    reason = _REASONS.get(err.errno)
    if reason and err.errno in (errno.ENOSPC, errno.EDQUOT) and err.strerror:
        return f"{reason}: {err.strerror}"  # "disk full: No space left on device"
    if reason:
        return reason
    return err.strerror or str(err) or type(err).__name__


def special_kind(mode: int) -> str | None:
    """What a file of st_mode `mode` is, if it is not a regular file ("a FIFO", ...)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse_special(mode: int) -> None:
    kind = special_kind(mode)
    if kind == "a folder":
        raise FileProblem("is a folder, not a file")
    if kind:
        raise FileProblem(f"is {kind}, not a regular file")


def regular_opener(path: str | os.PathLike, flags: int) -> int:
    """An `opener` for open() that accepts regular files only (through symbolic links).

    Raises FileProblem for a folder, FIFO, device or socket before anything is read; a FIFO
    with no writer cannot make it block. Other failures raise the OSError of the system.
    """
    _refuse_special(os.stat(path).st_mode)
    # O_NONBLOCK: if a FIFO replaced the file since the check, opening it still returns.
    fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0))
    try:
        _refuse_special(os.fstat(fd).st_mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """Open `path` for binary reading if it is a regular file (see regular_opener)."""
    return open(path, "rb", opener=regular_opener)  # noqa: SIM115 -- the caller closes it


def write_target(path: str | os.PathLike) -> Path:
    """The file a save to `path` replaces: `path` itself, or where its symbolic links lead.

    Raises FileProblem when that is a folder, FIFO, device or socket (never replaced), or
    an OSError (ELOOP for a symbolic link loop, ENOENT for a missing folder).
    """
    target = Path(path)
    for _ in range(64):  # the kernel's own limit on links followed is 40
        try:
            info = os.lstat(target)
        except FileNotFoundError:
            if not target.parent.is_dir():
                raise FileNotFoundError(errno.ENOENT, "no such folder", str(target)) from None
            return target  # a new file (or the missing target of a dangling link)
        if not stat.S_ISLNK(info.st_mode):
            _refuse_special(info.st_mode)
            return target
        link = Path(os.readlink(target))
        target = link if link.is_absolute() else target.parent / link
    raise OSError(errno.ELOOP, "symbolic link loop", os.fspath(path))


class _FdWriter(io.RawIOBase):
    """Writes to a file descriptor with os.write, so a full disk raises OSError(ENOSPC).

    NumPy writes an array to a real file with tofile(), whose short write only says
    "10000 requested and 4080 written"; it writes to any other object with write(). This
    object is not a real file to NumPy (fileno() is unsupported), so every failure keeps
    the system's errno.
    """

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data) -> int:
        return os.write(self._fd, data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return os.lseek(self._fd, offset, whence)

    def tell(self) -> int:
        return os.lseek(self._fd, 0, os.SEEK_CUR)

    def truncate(self, size: int | None = None) -> int:
        size = self.tell() if size is None else size
        os.ftruncate(self._fd, size)
        return size

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")


def _temporary_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{_TEMP_SUFFIX}")


def _stale_pattern(target: Path) -> re.Pattern:
    name, suffix = re.escape(target.name), re.escape(_TEMP_SUFFIX)
    return re.compile(rf"\.{name}\.[0-9a-f]{{8}}(\.old)?{suffix}")


def remove_stale_temporaries(target: str | os.PathLike) -> list[str]:
    """Delete temporary files that an interrupted save of `target` left beside it.

    Only files named like this module's own (".NAME.xxxxxxxx.tmp") are considered, and
    only those no live save holds a lock on (fcntl.flock; a killed process holds none).
    Returns the names removed.
    """
    target = Path(target)
    pattern = _stale_pattern(target)
    removed = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        if not pattern.fullmatch(name):
            continue
        candidate = target.parent / name
        try:
            if not stat.S_ISREG(os.lstat(candidate).st_mode):
                continue
            if fcntl is not None:
                fd = os.open(candidate, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while in use
                    os.unlink(candidate)
                finally:
                    os.close(fd)
            else:
                os.unlink(candidate)
            removed.append(name)
        except OSError:
            continue
    return removed


def _write_temporary(target: Path, write: Callable[[BinaryIO], None]) -> tuple[Path, int]:
    """Create a locked temporary file beside `target`, fill it and fsync it.

    Returns (its path, its still open and locked descriptor). Removes it on any failure.
    """
    tmp = _temporary_name(target)
    # 0o666 lets the umask decide permissions, as for any new file.
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        with io.BufferedWriter(_FdWriter(fd), _BUFFER_BYTES) as fh:
            write(fh)
            fh.flush()  # closing the buffer leaves the descriptor open (_FdWriter)
        os.fsync(fd)
        try:
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))  # keep an existing file's mode
        except OSError:
            pass
    except BaseException:
        _discard(tmp, fd)
        raise
    return tmp, fd


def _discard(tmp: Path, fd: int | None) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
    if fd is not None:
        try:
            os.close(fd)
        except OSError:
            pass


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Run ``write`` on a temporary file beside the target, then replace the target with it.

    The target is `path`, or the file its symbolic links lead to. Stale temporary files of
    earlier interrupted saves of it are removed first. On any failure, even
    KeyboardInterrupt, the temporary file is removed and the old file is intact; OSError
    (FileProblem for a folder, FIFO or device target) and the write's own errors propagate.
    """
    atomic_write_all({path: write})


def atomic_write_all(writes: Mapping[str | os.PathLike, Callable[[BinaryIO], None]]) -> None:
    """Write several files as one: all of them are replaced, or none.

    Each file is first written in full to its temporary file; only when all are written are
    they moved into place. If moving one fails, those already moved are put back (from a
    hard link to the old file, taken just before; where the file system has no hard links,
    those already moved stay new).
    """
    targets = []
    for path in writes:
        with _blaming(Path(path)):
            targets.append(write_target(path))
    for target in targets:
        remove_stale_temporaries(target)
    written: list[tuple[Path, Path, int, Path]] = []
    try:
        for path, target, write in zip(writes, targets, writes.values(), strict=True):
            with _blaming(Path(path)):
                tmp, fd = _write_temporary(target, write)
            written.append((target, tmp, fd, Path(path)))
        _replace_all(written)
    finally:
        for _target, tmp, fd, _path in written:
            _discard(tmp, fd)  # after os.replace the name is gone and only fd is closed


@contextlib.contextmanager
def _blaming(path: Path):
    """Mark an exception raised inside with the file it concerns (``failed_target``)."""
    try:
        yield
    except Exception as err:
        if getattr(err, "failed_target", None) is None:
            err.failed_target = path
        raise


def _replace_all(written: list[tuple[Path, Path, int, Path]]) -> None:
    backups: list[tuple[Path, Path | None]] = []
    try:
        for target, tmp, _fd, path in written:
            backup = None
            if len(written) > 1 and os.path.lexists(target):
                backup = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old"
                                          f"{_TEMP_SUFFIX}")
                try:
                    os.link(target, backup)
                except OSError:
                    backup = None
            backups.append((target, backup))
            with _blaming(path):
                os.replace(tmp, target)
    except BaseException:
        for target, backup in backups[:-1]:  # the last one failed before replacing
            if backup is not None:
                try:
                    os.replace(backup, target)
                except OSError:
                    pass
        raise
    finally:
        for _target, backup in backups:
            if backup is not None:
                try:
                    os.unlink(backup)
                except OSError:
                    pass


def existing(paths: Iterable[str | os.PathLike]) -> list[str]:
    """Those of `paths` that already exist (to ask before overwriting them)."""
    return [os.fspath(p) for p in paths if os.path.lexists(p)]
