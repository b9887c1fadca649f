"""Read a text matrix (CSV, TSV, whitespace separated) as a stream, within fixed bounds.

The file is decoded and parsed block by block, so what is held in memory is one block of
text, one batch of rows and the numbers read so far. A file is refused as soon as what has
been read exceeds what a max_dim x max_dim matrix can need: more rows or columns than
max_dim, a line longer than max_dim numbers can take, or more bytes than the caller's limit.
The file is read twice: once for its shape only (no number parsed, so a file too large is
refused in about a second per 300 MB), then for the numbers, parsed by NumPy's loadtxt one
batch of lines at a time.
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO

import numpy as np

from solver.progress import Progress

BLOCK_BYTES = 1 << 20
"""Bytes read and decoded at a time."""
CHARS_PER_ENTRY = 32
"""Room per number in a line (with its separator): '%.17g' needs at most 24 characters."""
LINES_PER_ROW = 4
"""Lines allowed per row of the largest matrix: room for a blank or comment line between
rows and a header; a file with more lines is refused without reading it all."""
_BATCH_CHARS = 1 << 20  # lines handed to loadtxt at once
# Control characters never found in a text matrix; their presence means binary data.
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# The same control characters as bytes: in UTF-8 and cp1252 they are never part of another
# character, so 8-bit text is checked before decoding, with bytes.translate (fast).
_BINARY_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_NOT_A_NUMBER = re.compile(r"could not convert string (.*) to \w+ at row (\d+), column (\d+)")


class TextMatrixError(ValueError):
    """The text is not a usable matrix; str() is the problem, for a person."""


def too_large(rows: int | str, cols: int | str, max_dim: int) -> str:
    """The sentence for a matrix beyond the size limit."""
    return f"{rows} x {cols} is larger than the {max_dim} x {max_dim} limit"


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def read_text_matrix(fh: BinaryIO, suffix: str, max_dim: int, max_bytes: int,
                     progress: Progress | None = None) -> tuple[np.ndarray, list[int]]:
    """Parse the text matrix in binary seekable stream `fh` (positioned at its start).

    Returns (float64 matrix, the file's line number of each row). Raises TextMatrixError
    with a one-line problem. UTF-16 (with a byte-order mark), UTF-8 and, failing that,
    cp1252 are understood; `suffix` ".txt" never treats tabs as significant separators.
    `progress(done, total)` gets the bytes read over both readings (total: twice the
    file's size) after each block; it may raise Cancelled, which propagates.
    """
    size = fh.seek(0, 2)
    fh.seek(0)
    start = fh.read(2)
    encodings = ("utf-16",) if start in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            # First only the shape (cheap: no number is parsed), so that a file too large
            # is refused after reading it once, not after parsing almost all of it.
            fh.seek(0)
            shape, _ = _Parser(suffix, max_dim).parse(
                _blocks(fh, encoding, max_bytes, _reporter(progress, 0, size)))
            fh.seek(0)
            return _Parser(suffix, max_dim, np.empty(shape)).parse(
                _blocks(fh, encoding, max_bytes, _reporter(progress, size, size)))
        except UnicodeDecodeError:
            continue
    raise TextMatrixError("not a text matrix file (undecodable bytes)")


def _reporter(progress: Progress | None, before: int, size: int):
    """bytes read in this reading -> progress(before + bytes, 2 * size), or None."""
    if progress is None:
        return None
    return lambda read: progress(min(before + read, 2 * size), max(2 * size, 1))


def _blocks(fh: BinaryIO, encoding: str, max_bytes: int, report=None):
    """Decoded blocks of text, refusing binary data and more than max_bytes bytes; the last
    block is ""; report(bytes read so far) after each block."""
    decoder = codecs.getincrementaldecoder(encoding)()
    eight_bit = encoding != "utf-16"
    total = 0
    while True:
        raw = fh.read(BLOCK_BYTES)
        total += len(raw)
        if report is not None:
            report(total)
        if total > max_bytes:
            raise TextMatrixError(f"file is too large (more than {max_bytes >> 20} MiB, the "
                                  "limit for a text matrix)")
        if eight_bit and len(raw.translate(None, _BINARY_BYTES)) != len(raw):
            raise TextMatrixError("not a text matrix file (binary data)")
        text = decoder.decode(raw, final=not raw)
        if not eight_bit and _BINARY_CHARS.search(text):
            raise TextMatrixError("not a text matrix file (binary data)")
        if text:
            yield text
        if not raw:
            yield ""
            return


class _Parser:
    """Lines -> rows -> batches of numbers, checking the bounds on the way."""

    def __init__(self, suffix: str, max_dim: int, out: np.ndarray | None = None) -> None:
        self.suffix = suffix
        self.out = out  # None: check the shape only; else the matrix to fill
        self.max_dim = max_dim
        self.max_line = CHARS_PER_ENTRY * max_dim
        self.max_lines = LINES_PER_ROW * max_dim
        self.first: list[tuple[int, str]] = []  # the first two data lines, undecided
        self.delimiter: str | None = None
        self.ncols = 0
        self.decided = False
        self.batch: list[str] = []
        self.batch_lines: list[int] = []
        self.batch_chars = 0
        self.line_numbers: list[int] = []
        self.anything = False  # any non-blank character seen (comments included)

    def parse(self, blocks) -> tuple[np.ndarray, list[int]]:
        pending = ""
        line = 0  # lines completed so far
        for text in blocks:
            final = text == ""
            buffer = pending + text
            if buffer.endswith("\r") and not final:
                buffer, pending = buffer[:-1], "\r"  # may be the first half of "\r\n"
            else:
                pending = ""
            buffer = buffer.replace("\r\n", "\n").replace("\r", "\n")
            cut = len(buffer) if final else buffer.rfind("\n") + 1
            complete, rest = buffer[:cut], buffer[cut:]
            pending = rest + pending
            if len(rest) > self.max_line:
                raise TextMatrixError(f"line {line + complete.count(chr(10)) + 1} is longer "
                                      f"than a row of {self.max_dim} numbers can be")
            # Counted before splitting, so a flood of blank lines costs no Python loop.
            if line + complete.count("\n") > self.max_lines:
                raise TextMatrixError(f"more than {self.max_lines} lines: more than a "
                                      f"{self.max_dim} x {self.max_dim} matrix needs")
            lines = complete.split("\n")
            if not final:
                lines.pop()  # "" after the last "\n"
            for text_line in lines:
                line += 1
                if len(text_line) > self.max_line:
                    raise TextMatrixError(f"line {line} is longer than a row of "
                                          f"{self.max_dim} numbers can be")
                data = text_line.split("#", 1)[0].strip()
                if data:
                    self._row(line, data)
                elif not self.anything and text_line.strip():
                    self.anything = True  # a comment
            if final:
                break
        return self._finish()

    def _row(self, number: int, line: str) -> None:
        if not self.decided:
            self.first.append((number, line))
            if len(self.first) == 2:
                self._decide()
            return
        count = line.count(self.delimiter) + 1 if self.delimiter else len(line.split())
        if count != self.ncols:
            if count > self.max_dim:
                raise TextMatrixError(f"row {number} has {count} values, more than the "
                                      f"{self.max_dim} x {self.max_dim} limit allows")
            values = "value" if count == 1 else "values"
            raise TextMatrixError(f"row {number} has {count} {values}, expected {self.ncols}")
        if len(self.line_numbers) + len(self.batch) >= self.max_dim:
            raise TextMatrixError(f"more than {self.max_dim} rows (refused at row {number}): "
                                  f"larger than the {self.max_dim} x {self.max_dim} limit")
        self.batch.append(line)
        self.batch_lines.append(number)
        self.batch_chars += len(line)
        if self.batch_chars >= _BATCH_CHARS:
            self._flush()

    def _decide(self) -> None:
        """Delimiter and header from the first two data lines (row 0 alone may be a header)."""
        self.decided = True
        sample = " ".join(text for _, text in self.first)
        self.delimiter = next((d for d in (";", ",") if d in sample), None)
        if self.delimiter is None and "\t" in sample and self.suffix != ".txt":
            self.delimiter = "\t"  # keeps empty TSV cells visible instead of merging them
        first, *rest = self.first
        lines = rest
        if any(_is_number(f) for f in first[1].split(self.delimiter)):
            lines = self.first
        elif not rest:
            raise TextMatrixError("holds no numbers (only a header row)")
        self.ncols = len(lines[0][1].split(self.delimiter))
        if self.ncols > self.max_dim:
            raise TextMatrixError(too_large(1, self.ncols, self.max_dim))
        for number, text in lines:
            self._row(number, text)

    def _flush(self) -> None:
        if not self.batch:
            return
        if self.out is not None:
            try:
                part = np.loadtxt(self.batch, dtype=np.float64, delimiter=self.delimiter,
                                  comments=None, ndmin=2)
            except ValueError as err:
                raise TextMatrixError(self._number_problem(err)) from None
            done = len(self.line_numbers)
            self.out[done : done + len(self.batch)] = part.reshape(len(self.batch), self.ncols)
        self.line_numbers.extend(self.batch_lines)
        self.batch, self.batch_lines, self.batch_chars = [], [], 0

    def _number_problem(self, err: ValueError) -> str:
        found = _NOT_A_NUMBER.search(str(err))
        if not found:
            return f"not a number ({err})"
        token, row, col = found.group(1), int(found.group(2)), found.group(3)
        lines = self.batch_lines
        where = f"row {lines[row]}, column {col}" if row < len(lines) else "a row"
        if token in ("''", '""'):
            return f"empty value at {where}"
        return f"not a number at {where}: {token}"

    def _finish(self) -> tuple[np.ndarray, list[int]]:
        if not self.decided:
            if not self.first:
                raise TextMatrixError("holds no numbers" if self.anything else "file is empty")
            self._decide()
        self._flush()
        shape = (len(self.line_numbers), self.ncols)
        if self.out is None:
            return shape, self.line_numbers
        if self.out.shape != shape:  # the file changed between the two readings
            raise TextMatrixError("the file changed while it was read")
        return self.out, self.line_numbers
