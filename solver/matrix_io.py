"""Load and save matrices: the one reader and writer used by the command line and the GUI.

Readers are NumPy's own (``np.loadtxt``, ``np.lib.format``); this module only decides which
reader to call, checks what comes back and turns every failure into one ``MatrixFileError``
whose message is a single line naming the file and the problem. Writers replace the target
atomically, so an interrupted or failed save never leaves a partial file behind.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

MAX_DIM = 4096
"""Largest number of rows or columns accepted: a bigger matrix is refused before it is read."""
MAX_ENTRIES = MAX_DIM * MAX_DIM
"""Largest number of entries (16,777,216), i.e. a full MAX_DIM x MAX_DIM matrix."""
MAX_TEXT_BYTES = 32 * MAX_ENTRIES
"""Largest text file read (512 MiB): 32 characters per entry is more than '%.17g' needs."""

TEXT_TYPES = (".csv", ".tsv", ".txt")
LOAD_TYPES = (*TEXT_TYPES, ".npy", ".npz")
_TYPES_HINT = "use .csv, .tsv, .txt, .npy or .npz"
# Control characters never found in a text matrix; their presence means binary data.
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_NOT_A_NUMBER = re.compile(r"could not convert string (.*) to \w+ at row (\d+), column (\d+)")
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


def load_matrix(path: str | os.PathLike) -> np.ndarray:
    """Read a 2-D matrix of finite real numbers from a .csv/.tsv/.txt/.npy/.npz file.

    Returns a C-contiguous float64 array, or float32 when a .npy/.npz stores float32.
    Text: comma, semicolon, tab or whitespace separated, ``#`` comments, an optional header
    row of labels; one line gives a 1 x n matrix, one column n x 1 (a 1-D array likewise
    becomes one row). At most MAX_DIM rows and columns. Any failure raises MatrixFileError
    naming the file; no other exception escapes. Rows in messages are the file's line numbers.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in LOAD_TYPES:
        kind = f"unsupported file type '{suffix}'" if suffix else "no file extension"
        raise MatrixFileError(path, f"{kind} ({_TYPES_HINT})")
    try:
        if suffix == ".npy":
            matrix = _load_npy(path)
        elif suffix == ".npz":
            matrix = _load_npz(path)
        else:
            matrix = _load_text(path, suffix)
    except MatrixFileError:
        raise
    except FileNotFoundError:
        raise MatrixFileError(path, "no such file") from None
    except IsADirectoryError:
        raise MatrixFileError(path, "is a folder, not a file") from None
    except PermissionError:
        raise MatrixFileError(path, "cannot read (permission denied)") from None
    except OSError as err:
        raise MatrixFileError(path, f"cannot read ({err.strerror or err})") from None
    except MemoryError:
        raise MatrixFileError(path, "too large to load (out of memory)") from None
    except Exception as err:  # noqa: BLE001 -- a bad file must never crash the caller
        problem = f"cannot read (unexpected {type(err).__name__}: {err})"
        raise MatrixFileError(path, problem) from None
    return matrix


def _read_text(path) -> str:
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > MAX_TEXT_BYTES:
            raise MatrixFileError(path, f"file is too large ({size >> 20} MiB; the limit is "
                                        f"{MAX_TEXT_BYTES >> 20} MiB)")
        raw = fh.read()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")  # labels from an older spreadsheet may be cp1252
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise MatrixFileError(path, "not a text matrix file (undecodable bytes)")
    if _BINARY_CHARS.search(text):
        raise MatrixFileError(path, "not a text matrix file (binary data)")
    return text


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _load_text(path, suffix: str) -> np.ndarray:
    text = _read_text(path)
    # (line number, content without comment) of every line holding data.
    rows = [(n, line) for n, raw in enumerate(text.splitlines(), 1)
            if (line := raw.split("#", 1)[0].strip())]
    if not rows:
        raise MatrixFileError(path, "file is empty" if not text.strip() else "holds no numbers")
    sample = " ".join(line for _, line in rows[:2])  # row 0 alone may be a header
    delimiter = next((d for d in (";", ",") if d in sample), None)
    if delimiter is None and "\t" in sample and suffix != ".txt":
        delimiter = "\t"  # keeps empty TSV cells visible instead of merging them
    if not any(_is_number(f) for f in rows[0][1].split(delimiter)):
        rows = rows[1:]  # a header row of labels
        if not rows:
            raise MatrixFileError(path, "holds no numbers (only a header row)")
    ncols = len(rows[0][1].split(delimiter))
    if len(rows) > MAX_DIM or ncols > MAX_DIM:
        raise MatrixFileError(path, _too_large(len(rows), ncols))
    for number, line in rows:
        if (count := len(line.split(delimiter))) != ncols:
            values = "value" if count == 1 else "values"
            raise MatrixFileError(path, f"row {number} has {count} {values}, expected {ncols}")
    try:
        matrix = np.loadtxt([line for _, line in rows], dtype=np.float64, delimiter=delimiter,
                            comments=None, ndmin=2)
    except ValueError as err:
        found = _NOT_A_NUMBER.search(str(err))
        if not found:
            raise MatrixFileError(path, f"not a number ({err})") from None
        token, row, col = found.group(1), int(found.group(2)), found.group(3)
        where = f"row {rows[row][0]}, column {col}" if row < len(rows) else "a row"
        empty = token in ("''", '""')
        problem = f"empty value at {where}" if empty else f"not a number at {where}: {token}"
        raise MatrixFileError(path, problem) from None
    return _checked(path, matrix, [n for n, _ in rows])


def _too_large(rows: int, cols: int) -> str:
    return f"{rows} x {cols} is larger than the {MAX_DIM} x {MAX_DIM} limit"


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


def read_npy_stream(path, open_stream: Callable[[], BinaryIO]) -> np.ndarray:
    """Check the .npy header from one stream, then read the array from a fresh one."""
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
            shape, _, dtype = read_header(fh)
        # NumPy parses the header with Python's tokenizer and literal_eval, which fail on junk
        # with many exception types (ValueError, SyntaxError, tokenize.TokenError, ...).
        except Exception as err:  # noqa: BLE001
            raise MatrixFileError(path, f"damaged .npy header ({err})") from None
    _check_header(path, shape, dtype)
    with open_stream() as fh:
        try:
            array = np.lib.format.read_array(fh, allow_pickle=False)
        except ValueError as err:
            raise MatrixFileError(path, f"truncated or damaged array data ({err})") from None
    return _checked(path, array.reshape(1, -1) if array.ndim == 1 else array)


def _load_npy(path) -> np.ndarray:
    if zipfile.is_zipfile(path):
        raise MatrixFileError(path, "is a .npz archive, not a .npy file (rename it to .npz)")
    return read_npy_stream(path, lambda: open(path, "rb"))


def _load_npz(path) -> np.ndarray:
    try:
        with zipfile.ZipFile(path) as archive:
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
            return read_npy_stream(label, lambda: archive.open(name))
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


def save_matrix(path: str | os.PathLike, array) -> None:
    """Write a 2-D matrix of finite numbers so that load_matrix gives back the same numbers.

    .csv (comma), .tsv (tab), .txt (space) hold every digit needed: '%.17g' for float64 and
    '%.9g' for float32 (loaded as float64 values that cast back to the same float32 bits);
    .npy and .npz (array 'matrix') keep float32 as float32. Other numbers are stored as float64.
    The target is replaced atomically; on failure it is left as it was and MatrixFileError
    says why.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in SAVE_TYPES:
        raise MatrixFileError(path, f"cannot save as '{suffix}' (use .csv, .tsv, .txt, .npy "
                                    "or .npz)")
    matrix = _savable(path, array)
    if suffix == ".npy":
        atomic_write(path, lambda fh: np.save(fh, matrix, allow_pickle=False))
    elif suffix == ".npz":
        atomic_write(path, lambda fh: np.savez(fh, allow_pickle=False, matrix=matrix))
    else:
        fmt = "%.9g" if matrix.dtype == np.float32 else "%.17g"
        atomic_write(path, lambda fh: np.savetxt(fh, matrix, fmt=fmt,
                                                  delimiter=SAVE_TYPES[suffix]))


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
    """Run ``write`` on a temporary file beside ``path``, then os.replace it onto ``path``.

    The temporary file is removed on any failure, even KeyboardInterrupt, so the old file
    stays intact and nothing is left behind.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open with 0o666 lets the umask decide permissions, as for any new file.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))  # keep an existing file's mode
        except OSError:
            pass
        os.replace(tmp, target)
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError):
            reason = "permission denied" if isinstance(err, PermissionError) else (
                "no such folder" if isinstance(err, FileNotFoundError) else err.strerror or err)
            raise MatrixFileError(path, f"cannot save ({reason})") from None
        if isinstance(err, ValueError | TypeError):
            raise MatrixFileError(path, f"cannot save ({err})") from None
        raise
