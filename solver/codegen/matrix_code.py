"""The matrix written into the program: every digit needed to get the run's numbers back."""

from __future__ import annotations

import io

import numpy as np

# Up to this many rows and columns the matrix is written into the code; a bigger one would
# not be readable there, so it goes into a .npy file beside the program.
EMBED_LIMIT = 12


def number_text(value, dtype: str) -> str:
    """The shortest decimal that torch.tensor(..., dtype) turns back into exactly `value`.

    torch parses a Python float (a double) and rounds it to float32, so a float32 value's
    shortest float32 decimal is checked through that double; where double rounding would
    change it, the double that holds the float32 value exactly is written instead.
    """
    if dtype == "float64":
        return repr(float(value))
    value = np.float32(value)
    text = str(value)
    if np.float32(float(text)) == value and np.isfinite(value):
        return text
    return repr(float(value))


def embeds(matrix: np.ndarray) -> bool:
    """True when the matrix is small enough to be written into the code."""
    return max(matrix.shape) <= EMBED_LIMIT


def literal_lines(matrix: np.ndarray, dtype: str) -> list[str]:
    """`M = torch.tensor([...], dtype=...)`, one row of M per line, columns aligned."""
    cells = [[number_text(v, dtype) for v in row] for row in matrix]
    width = max(len(c) for row in cells for c in row)
    lines = ["M = torch.tensor(["]
    lines += ["    [" + ", ".join(c.rjust(width) for c in row) + "]," for row in cells]
    lines.append(f"], dtype=torch.{dtype})")
    return lines


def npy_bytes(matrix: np.ndarray, dtype: str) -> bytes:
    """The matrix as a little-endian, C-ordered .npy file (format 1.0) of the run's dtype."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(matrix, dtype="<f4" if dtype == "float32" else "<f8"),
            allow_pickle=False)
    return buffer.getvalue()


# Reads what npy_bytes writes with the standard library and torch only, so the program
# needs no NumPy to load its matrix (NumPy's np.load reads the same file).
NPY_READER = '''\
def load_npy(path):
    """A little-endian float32/float64 matrix from a .npy file, with no NumPy needed."""
    with open(path, "rb") as f:
        if f.read(6) != b"\\x93NUMPY":
            raise ValueError(f"{path}: not a .npy file")
        major = f.read(2)[0]
        header_size = int.from_bytes(f.read(2 if major == 1 else 4), "little")
        header = ast.literal_eval(f.read(header_size).decode("latin1"))
        data = bytearray(f.read())
    dtype = {"<f4": torch.float32, "<f8": torch.float64}[header["descr"]]
    if header["fortran_order"]:
        raise ValueError(f"{path}: expected a C-ordered matrix")
    return torch.frombuffer(data, dtype=dtype).reshape(header["shape"])'''
