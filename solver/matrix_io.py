"""Load and save matrices: the one reader and writer used by the command line and the GUI.

Readers are NumPy's own (``np.loadtxt``, ``np.lib.format``); this module only decides which
reader to call, checks what comes back and turns every failure into one ``MatrixFileError``
whose message is a single line naming the file and the problem. Writers replace the target
atomically, so an interrupted or failed save never leaves a partial file behind.
"""

from __future__ import annotations

import errno
import os
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from solver.progress import Cancelled, CountingReader, CountingWriter, Progress
from solver.safe_io import (
    FileProblem,
    atomic_write_all,
    describe_os_error,
    existing,
    regular_opener,
    write_target,
)
from solver.safe_io import atomic_write as _atomic_write
from solver.text_matrix import CHARS_PER_ENTRY, TextMatrixError, read_text_matrix, too_large

MAX_DIM = 4096
"""Largest number of rows or columns accepted: a bigger matrix is refused before it is read."""
MAX_ENTRIES = MAX_DIM * MAX_DIM
"""Largest number of entries (16,777,216), i.e. a full MAX_DIM x MAX_DIM matrix."""
MAX_TEXT_BYTES = CHARS_PER_ENTRY * MAX_ENTRIES
"""Largest text file read (512 MiB): 32 characters per entry is more than '%.17g' needs."""

TEXT_TYPES = (".csv", ".tsv", ".txt")
LOAD_TYPES = (*TEXT_TYPES, ".npy", ".npz")
_TYPES_HINT = "use .csv, .tsv, .txt, .npy or .npz"
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError,
               NotImplementedError, RuntimeError)


class MatrixFileError(ValueError):
    """A matrix file could not be read or written; ``str()`` is one line: ``"FILE: problem"``."""

    def __init__(self, path: str | os.PathLike, problem: str):
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(" ".join(f"{self.path}: {problem}".split("\n")))

    def __reduce__(self):  # the default would call __init__ with the message only
        return type(self), (self.path, self.problem)


def load_matrix(path: str | os.PathLike, progress: Progress | None = None) -> np.ndarray:
    """Read a 2-D matrix of finite real numbers from a .csv/.tsv/.txt/.npy/.npz file.

    Returns a C-contiguous float64 array, or float32 when a .npy/.npz stores float32.
    Text: comma, semicolon, tab or whitespace separated, ``#`` comments, an optional header
    row of labels; one line gives a 1 x n matrix, one column n x 1 (a 1-D array likewise
    becomes one row). At most MAX_DIM rows and columns; text is read as a stream and refused
    as soon as it exceeds what such a matrix can need (rows, columns, line length, bytes).
    Anything but a regular file (a folder, FIFO, device such as /dev/zero) is refused before
    it is read. Any failure raises MatrixFileError naming the file; no other exception
    escapes. Rows in messages are the file's line numbers.

    `progress(done, total)` is called as the file is read (bytes); Cancelled raised by it
    propagates and nothing is returned.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in LOAD_TYPES:
        kind = f"unsupported file type '{suffix}'" if suffix else "no file extension"
        raise MatrixFileError(path, f"{kind} ({_TYPES_HINT})")
    try:
        if suffix == ".npy":
            matrix = _load_npy(path, progress)
        elif suffix == ".npz":
            matrix = _load_npz(path, progress)
        else:
            matrix = _load_text(path, suffix, progress)
    except (MatrixFileError, Cancelled):
        raise
    except FileNotFoundError:
        raise MatrixFileError(path, "no such file") from None
    except OSError as err:
        raise MatrixFileError(path, read_problem(err)) from None
    except MemoryError:
        raise MatrixFileError(path, "too large to load (out of memory)") from None
    except Exception as err:  # noqa: BLE001 -- a bad file must never crash the caller
        problem = f"cannot read (unexpected {type(err).__name__}: {err})"
        raise MatrixFileError(path, problem) from None
    return matrix


def _open_regular(path) -> BinaryIO:
    # This module's `open`: tests replace it to simulate a file that cannot be read.
    return open(path, "rb", opener=regular_opener)  # noqa: SIM115 -- the caller closes it


def read_problem(err: OSError) -> str:
    """The message for a file that could not be read: "is a FIFO (named pipe), not a
    regular file", "cannot read (permission denied)", "cannot read (symbolic link loop)"."""
    if isinstance(err, FileProblem) or err.errno == errno.EISDIR:
        return describe_os_error(err)
    return f"cannot read ({describe_os_error(err)})"


def _load_text(path, suffix: str, progress: Progress | None) -> np.ndarray:
    with _open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > MAX_TEXT_BYTES:
            raise MatrixFileError(path, f"file is too large ({size >> 20} MiB; the limit is "
                                        f"{MAX_TEXT_BYTES >> 20} MiB)")
        try:
            matrix, line_numbers = read_text_matrix(fh, suffix, MAX_DIM, MAX_TEXT_BYTES,
                                                    progress)
        except TextMatrixError as err:
            raise MatrixFileError(path, str(err)) from None
    return _checked(path, matrix, line_numbers)


def _too_large(rows: int, cols: int) -> str:
    return too_large(rows, cols, MAX_DIM)


def _check_header(path, shape: tuple, dtype: np.dtype) -> None:
    """Refuse unusable arrays from their .npy header alone, before any data is read."""
    if dtype.hasobject:
        raise MatrixFileError(path, "object arrays are not supported")
    if dtype.kind == "c":
        raise MatrixFileError(path, "complex numbers are not supported")
    if dtype.kind not in "biuf":
        raise MatrixFileError(path, f"unsupported data type '{dtype.str}' (expected numbers)")
    if len(shape) not in (1, 2):
        raise MatrixFileError(path, f"{len(shape)}-D array, expected a 2-D matrix")
    rows, cols = (1, *shape) if len(shape) == 1 else shape
    if rows == 0 or cols == 0:
        raise MatrixFileError(path, f"empty array ({rows} x {cols})")
    if rows > MAX_DIM or cols > MAX_DIM:
        raise MatrixFileError(path, _too_large(rows, cols))


def read_npy_stream(path, open_stream: Callable[[], BinaryIO],
                    progress: Progress | None = None) -> np.ndarray:
    """Check the .npy header from one stream, then read the array from a fresh one
    (reporting its bytes to `progress`, if given)."""
    with open_stream() as fh:
        try:
            version = np.lib.format.read_magic(fh)
        except (ValueError, EOFError):
            raise MatrixFileError(path, "not a NumPy .npy array") from None
        try:
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read_header is None:
                raise ValueError(f"unsupported .npy format version {version}")
            # A damaged header may hold '\c' and the like: the tokenizer's warning about it
            # (SyntaxWarning from Python 3.12, shown by default) would reach the console.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", (DeprecationWarning, SyntaxWarning))
                shape, _, dtype = read_header(fh)
        # NumPy parses the header with Python's tokenizer and literal_eval, which fail on junk
        # with many exception types (ValueError, SyntaxError, tokenize.TokenError, ...).
        except Exception as err:  # noqa: BLE001
            raise MatrixFileError(path, f"damaged .npy header ({err})") from None
    _check_header(path, shape, dtype)
    total = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    with open_stream() as fh:
        stream = fh if progress is None else CountingReader(fh, progress, total)
        try:
            array = np.lib.format.read_array(stream, allow_pickle=False)
        except ValueError as err:
            raise MatrixFileError(path, f"truncated or damaged array data ({err})") from None
    return _checked(path, array.reshape(1, -1) if array.ndim == 1 else array)


def _load_npy(path, progress: Progress | None) -> np.ndarray:
    with _open_regular(path) as fh:
        if zipfile.is_zipfile(fh):
            raise MatrixFileError(path, "is a .npz archive, not a .npy file (rename it to .npz)")
    return read_npy_stream(path, lambda: _open_regular(path), progress)


def _load_npz(path, progress: Progress | None) -> np.ndarray:
    try:
        with _open_regular(path) as fh, zipfile.ZipFile(fh) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            if "matrix.npy" in names:
                name = "matrix.npy"
            elif len(names) == 1:
                name = names[0]
            elif not names:
                raise MatrixFileError(path, "holds no arrays")
            else:
                listed = ", ".join(n.removesuffix(".npy") for n in names[:6])
                raise MatrixFileError(path, f"holds {len(names)} arrays ({listed}); expected "
                                            "one array, or one named 'matrix'")
            label = f"{os.fspath(path)}[{name.removesuffix('.npy')}]"
            return read_npy_stream(label, lambda: archive.open(name), progress)
    except ZIP_ERRORS as err:
        raise MatrixFileError(path, f"not a valid .npz archive ({err})") from None


def _checked(path, array: np.ndarray, line_numbers: list[int] | None = None) -> np.ndarray:
    """Return ``array`` as a C-contiguous float32/float64 matrix of finite numbers."""
    dtype = np.float32 if array.dtype.kind == "f" and array.dtype.itemsize == 4 else np.float64
    matrix = np.ascontiguousarray(array, dtype=dtype)
    bad = np.argwhere(~np.isfinite(matrix))
    if len(bad):
        row, col = bad[0]
        row = line_numbers[row] if line_numbers else row + 1
        raise MatrixFileError(path, f"contains NaN or infinite values (first at row {row}, "
                                    f"column {col + 1})")
    return matrix


SAVE_TYPES = {".csv": ",", ".tsv": "\t", ".txt": " ", ".npy": None, ".npz": None}
_TEXT_BLOCK_ENTRIES = 1 << 16  # numbers formatted between two progress reports (~0.1 s)


def save_matrix(path: str | os.PathLike, array, progress: Progress | None = None) -> None:
    """Write a 2-D matrix of finite numbers so that load_matrix gives back the same numbers.

    .csv (comma), .tsv (tab), .txt (space) hold every digit needed: '%.17g' for float64 and
    '%.9g' for float32 (loaded as float64 values that cast back to the same float32 bits);
    .npy and .npz (array 'matrix') keep float32 as float32. Other numbers are stored as float64.
    The target is replaced atomically (through symbolic links; a folder, FIFO or device is
    never replaced); on failure it is left as it was and MatrixFileError says why.
    `progress(done, total)` is called as it is written (rows of text, else bytes); if it
    raises Cancelled, that propagates and the old file is left as it was.
    """
    atomic_write(path, _matrix_writer(path, array, progress))


def save_matrices(arrays: dict[str | os.PathLike, np.ndarray],
                  progress: Progress | None = None) -> None:
    """Write several matrices (e.g. U, S and V of an SVD as CSV files) as one: either every
    file is replaced, or none is (see safe_io.atomic_write_all); formats as save_matrix.

    Raises MatrixFileError naming the file that failed. `existing_files` tells which of
    the targets exist, to ask before overwriting them. `progress(done, total)` follows the
    files one after the other (total = 1000 per file); Cancelled from it propagates and
    no file is replaced.
    """
    def part(index: int) -> Progress | None:
        if progress is None:
            return None
        return lambda done, total: progress(1000 * index + 1000 * done // max(total, 1),
                                            1000 * len(arrays))

    writers = {path: _matrix_writer(path, array, part(index))
               for index, (path, array) in enumerate(arrays.items())}
    _saving(list(writers), lambda: atomic_write_all(writers))


def existing_files(paths) -> list[str]:
    """Those of `paths` that exist already (a dialog asks before overwriting them)."""
    return existing(paths)


def _matrix_writer(path, array, progress: Progress | None = None
                   ) -> Callable[[BinaryIO], None]:
    suffix = Path(path).suffix.lower()
    if suffix not in SAVE_TYPES:
        raise MatrixFileError(path, f"cannot save as '{suffix}' (use .csv, .tsv, .txt, .npy "
                                    "or .npz)")
    matrix = _savable(path, array)
    if suffix in (".npy", ".npz"):
        def counted(fh):
            return fh if progress is None else CountingWriter(fh, progress, matrix.nbytes)
        if suffix == ".npy":
            return lambda fh: np.save(counted(fh), matrix, allow_pickle=False)
        return lambda fh: np.savez(counted(fh), allow_pickle=False, matrix=matrix)
    fmt = "%.9g" if matrix.dtype == np.float32 else "%.17g"
    return lambda fh: _save_text(fh, matrix, fmt, SAVE_TYPES[suffix], progress)


def _save_text(fh, matrix: np.ndarray, fmt: str, delimiter: str,
               progress: Progress | None) -> None:
    """np.savetxt, a block of rows at a time when progress is wanted (the same bytes)."""
    rows = matrix.shape[0]
    block = rows if progress is None else max(1, _TEXT_BLOCK_ENTRIES // matrix.shape[1])
    for start in range(0, rows, block):
        np.savetxt(fh, matrix[start : start + block], fmt=fmt, delimiter=delimiter)
        if progress is not None:
            progress(min(start + block, rows), rows)


def save_npz(path: str | os.PathLike, **arrays) -> None:
    """Write named numeric arrays (e.g. U, S, V of an SVD) to a .npz file, atomically.

    Arrays keep their dtype and shape; objects are refused so the file never needs pickle.
    """
    if Path(path).suffix.lower() != ".npz":
        raise MatrixFileError(path, "cannot save arrays except as .npz")
    values = {}
    for name, array in arrays.items():
        values[name] = np.asarray(array)
        if values[name].dtype.kind not in "biuf":
            raise MatrixFileError(path, f"cannot save {name}: not an array of real numbers")
    atomic_write(path, lambda fh: np.savez(fh, allow_pickle=False, **values))


def save_history(path: str | os.PathLike, losses, iterations=None) -> None:
    """Write a loss history as CSV: header ``iteration,loss``, then one row per recorded loss,
    iteration 0 first (or at `iterations`, when only some are kept), each loss with all 17
    significant digits. Atomic like save_matrix."""
    losses = np.asarray(losses, dtype=np.float64).reshape(-1)
    steps = np.arange(len(losses)) if iterations is None else np.asarray(iterations).ravel()
    if steps.size != losses.size:
        raise MatrixFileError(path, f"cannot save: {steps.size} iterations for "
                                    f"{losses.size} losses")
    table = np.column_stack([steps, losses])
    atomic_write(path, lambda fh: np.savetxt(fh, table, fmt=["%d", "%.17g"], delimiter=",",
                                              header="iteration,loss", comments=""))


def _savable(path, array) -> np.ndarray:
    try:
        matrix = np.asarray(array)
    except Exception as err:  # noqa: BLE001 -- e.g. a tensor that still requires grad
        raise MatrixFileError(path, f"cannot save: not a matrix ({err})") from None
    if matrix.dtype.kind not in "biuf":
        raise MatrixFileError(path, f"cannot save: data type '{matrix.dtype}' is not real numbers")
    if matrix.ndim != 2 or matrix.size == 0:
        problem = f"cannot save: shape {matrix.shape} is not a non-empty 2-D matrix"
        raise MatrixFileError(path, problem)
    if not np.isfinite(matrix).all():
        raise MatrixFileError(path, "cannot save: contains NaN or infinite values")
    return matrix.astype(np.float32 if matrix.dtype == np.float32 else np.float64, copy=False)


def atomic_write(path, write: Callable[[BinaryIO], None]) -> None:
    """Run ``write`` on a temporary file beside the target, then replace the target with it.

    The target is ``path`` or, for a symbolic link, the file it leads to; a folder, FIFO or
    device is refused. The temporary file is removed on any failure, even
    KeyboardInterrupt, so the old file stays intact and nothing is left behind; stale
    temporary files of earlier interrupted saves of the same target are removed first.
    Failures raise MatrixFileError naming ``path``: "cannot save (disk full: ...)", ...
    """
    _saving([path], lambda: _atomic_write(path, write))


def save_problem(err: OSError) -> str:
    """The message for a file that could not be written: "cannot save (disk full: ...)", ..."""
    if isinstance(err, FileProblem):
        return f"cannot save: {err}"
    if isinstance(err, FileNotFoundError):
        return "cannot save (no such folder)"
    return f"cannot save ({describe_os_error(err)})"


def _saving(paths: list, save: Callable[[], None]) -> None:
    try:
        save()
    except OSError as err:
        raise MatrixFileError(_failed(err, paths), save_problem(err)) from None
    except (ValueError, TypeError) as err:
        if isinstance(err, MatrixFileError):
            raise
        raise MatrixFileError(_failed(err, paths), f"cannot save ({err})") from None


def _failed(err: BaseException, paths: list):
    """The path (as the caller gave it) of the file whose save raised `err`."""
    target = getattr(err, "failed_target", None)
    for path in paths:
        if target is not None and Path(path) == target:
            return path
    if len(paths) > 1 and target is not None:
        return target
    return paths[0]


def check_save_target(path: str | os.PathLike) -> None:
    """Refuse, before any work, a save to `path` that cannot succeed: a folder, FIFO or
    device (also behind symbolic links), a symbolic link loop or a missing folder."""
    try:
        write_target(path)
    except OSError as err:
        raise MatrixFileError(path, save_problem(err)) from None
