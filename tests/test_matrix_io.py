"""solver.matrix_io: formats, exact round trips, one clear error per bad file, atomic saves."""

import io
import os
import pickle
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import matrix_io
from solver.matrix_io import MatrixFileError, load_matrix, save_history, save_matrix, save_npz

FORMATS = [".csv", ".tsv", ".txt", ".npy", ".npz"]


def _awkward(dtype, shape=(5, 4), seed=0):
    """Numbers whose decimal forms need every digit: tiny, huge, negative zero, pi-like."""
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape) * 10.0 ** rng.integers(-30, 30, shape)
    values[0, 0] = -0.0
    values[-1, -1] = np.pi
    return values.astype(dtype)


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_save_then_load_gives_identical_numbers(tmp_path, suffix, dtype):
    matrix = _awkward(dtype)
    path = tmp_path / f"m{suffix}"
    save_matrix(path, matrix)
    loaded = load_matrix(path)
    # Binary files keep float32; a text file carries no dtype and reads as float64.
    binary = suffix in (".npy", ".npz")
    assert loaded.dtype == (dtype if binary else np.float64)
    assert loaded.astype(dtype).tobytes() == matrix.tobytes()
    assert np.signbit(loaded[0, 0])


@pytest.mark.parametrize("suffix", [".csv", ".npy"])
def test_integer_and_bool_matrices_are_saved_as_float64(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    save_matrix(path, np.array([[1, 0], [0, 1]], dtype=bool))
    assert load_matrix(path).tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_float64_text_uses_exactly_repr_precision(tmp_path):
    save_matrix(tmp_path / "m.csv", np.array([[0.1, 2.0]]))
    assert (tmp_path / "m.csv").read_text() == "0.10000000000000001,2\n"


@pytest.mark.parametrize("name, text, expected", [
    ("comma.csv", "1,2,3\n4,5,6\n", [[1, 2, 3], [4, 5, 6]]),
    ("semicolon.csv", "1;2.5\n-3;4e-3\n", [[1, 2.5], [-3, 4e-3]]),
    ("tab.tsv", "1\t2\n3\t4\n", [[1, 2], [3, 4]]),
    ("spaces.txt", "  1   2\n3\t4  \n", [[1, 2], [3, 4]]),
    ("comments.csv", "# made by hand\n\n1,2 # first row\n# between\n3,4\n", [[1, 2], [3, 4]]),
    ("header.csv", "a,b\n1,2\n3,4\n", [[1, 2], [3, 4]]),
    ("header.txt", "# note\nx y\n1 2\n", [[1, 2]]),
    ("spaced.csv", "1, 2 , 3\n", [[1, 2, 3]]),
    ("row.txt", "1 2 3\n", [[1, 2, 3]]),
    ("column.csv", "1\n2\n3\n", [[1], [2], [3]]),
    ("crlf.csv", "1,2\r\n3,4\r\n", [[1, 2], [3, 4]]),
    ("bom.csv", "\ufeffa,b\n1,2\n", [[1, 2]]),
])
def test_text_variants(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    assert load_matrix(path).tolist() == expected


def test_utf16_tab_text_from_a_spreadsheet(tmp_path):
    path = tmp_path / "excel.txt"
    path.write_bytes("a\tb\r\n1\t2\r\n".encode("utf-16"))
    assert load_matrix(path).tolist() == [[1, 2]]


def test_npz_picks_matrix_or_the_only_array(tmp_path):
    np.savez(tmp_path / "one.npz", whatever=np.eye(2))
    np.savez(tmp_path / "named.npz", matrix=np.eye(3), other=np.eye(2))
    assert load_matrix(tmp_path / "one.npz").shape == (2, 2)
    assert load_matrix(tmp_path / "named.npz").shape == (3, 3)


def test_npy_keeps_float32_and_converts_the_rest(tmp_path):
    for dtype, expected in [(np.float32, np.float32), (np.float16, np.float64),
                            (np.int64, np.float64), (">f8", np.float64), (">f4", np.float32)]:
        np.save(tmp_path / "m.npy", np.asfortranarray(np.arange(6).reshape(2, 3).astype(dtype)))
        loaded = load_matrix(tmp_path / "m.npy")
        assert loaded.dtype == expected and loaded.flags.c_contiguous
        assert loaded.tolist() == [[0, 1, 2], [3, 4, 5]]


def test_one_dimensional_npy_is_one_row(tmp_path):
    np.save(tmp_path / "v.npy", np.arange(3.0))
    assert load_matrix(tmp_path / "v.npy").shape == (1, 3)


def _write(path, content):
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        content(path)


def _npy_header(shape, descr="<f8"):
    def write(path):
        with open(path, "wb") as fh:
            header = {"descr": descr, "fortran_order": False, "shape": shape}
            np.lib.format.write_array_header_1_0(fh, header)
    return write


def _npz_with_text_member(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")


BAD_FILES = [
    ("ragged.csv", "1,2,3,4\n5,6,7,8\n1,2\n", "row 3 has 2 values, expected 4"),
    ("short-last.csv", "1,2\n3\n", "row 2 has 1 value, expected 2"),
    ("short-last.txt", "1 2\n3\n", "row 2 has 1 value, expected 2"),
    ("text.csv", "1,2\nabc,4\n", "not a number at row 2, column 1: 'abc'"),
    ("label-col.csv", "a,b\nr1,2\n", "not a number at row 2"),
    ("empty-cell.csv", "1,,3\n", "empty value at row 1, column 2"),
    ("empty.csv", "", "file is empty"),
    ("blank.txt", "  \n\n", "file is empty"),
    ("comments.csv", "# nothing\n", "holds no numbers"),
    ("header-only.csv", "a,b,c\n", "only a header row"),
    ("nan.csv", "1,2\n3,nan\n", "contains NaN or infinite values (first at row 2, column 2)"),
    ("inf.tsv", "1\tinf\n", "contains NaN or infinite values"),
    ("overflow.csv", "1e400\n", "contains NaN or infinite values"),
    ("junk.csv", bytes(range(256)) * 4, "not a text matrix file"),
    ("junk.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text matrix file"),
    ("tall.csv", "1\n" * 5000,
     "more than 4096 rows (refused at row 4097): larger than the 4096 x 4096 limit"),
    ("wide.csv", ",".join(["1"] * 4097), "1 x 4097 is larger than the 4096 x 4096 limit"),
    ("huge.npy", _npy_header((5000, 5000)), "5000 x 5000 is larger than the 4096 x 4096 limit"),
    ("cube.npy", lambda p: np.save(p, np.zeros((2, 2, 2))), "3-D array, expected a 2-D matrix"),
    ("scalar.npy", lambda p: np.save(p, np.float64(3)), "0-D array, expected a 2-D matrix"),
    ("nan.npy", lambda p: np.save(p, np.array([[1, np.inf]])), "contains NaN or infinite"),
    ("none.npy", lambda p: np.save(p, np.zeros((0, 3))), "empty array (0 x 3)"),
    ("object.npy", lambda p: np.save(p, np.array([[1, None]]), allow_pickle=True),
     "object arrays are not supported"),
    ("complex.npy", lambda p: np.save(p, np.eye(2) * 1j), "complex numbers are not supported"),
    ("strings.npy", lambda p: np.save(p, np.array([["1"]])), "unsupported data type"),
    ("pickle.npy", pickle.dumps([[1.0, 2.0]]), "not a NumPy .npy array"),
    ("short.npy", b"\x93NUM", "not a NumPy .npy array"),
    ("truncated.npy", lambda p: p.write_bytes(_npy_bytes(np.eye(3))[:-5]),
     "truncated or damaged array data"),
    ("bad-header.npy", b"\x93NUMPY\x01\x00\x08\x00{'a':1}\n", "damaged .npy header"),
    ("zip.npy", lambda p: p.write_bytes(_npz_bytes(a=np.eye(2))),
     "is a .npz archive, not a .npy file"),
    ("junk.npz", b"PK\x03\x04 not really a zip", "not a valid .npz archive"),
    ("two.npz", lambda p: np.savez(p, a=np.eye(2), b=np.eye(2)),
     "holds 2 arrays (a, b); expected one array, or one named 'matrix'"),
    ("nothing.npz", lambda p: np.savez(p), "holds no arrays"),
    ("notes.npz", _npz_with_text_member, "not a NumPy .npy array"),
    ("cube.npz", lambda p: np.savez(p, matrix=np.zeros((1, 1, 1))), "3-D array"),
    ("object.npz", lambda p: np.savez(p, matrix=np.array([None])), "object arrays"),
    ("x.bin", "1,2\n", "unsupported file type '.bin' (use .csv, .tsv, .txt, .npy or .npz)"),
    ("noext", "1,2\n", "no file extension"),
]


def _npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, problem", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gives_one_clear_line(tmp_path, name, content, problem):
    path = tmp_path / name
    _write(path, content)
    with pytest.raises(MatrixFileError) as caught:
        load_matrix(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert problem in message
    assert "\n" not in message and "unexpected" not in message


def test_error_survives_pickling():
    err = pickle.loads(pickle.dumps(MatrixFileError("m.csv", "file is empty")))
    assert str(err) == "m.csv: file is empty" and err.path == "m.csv"


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(MatrixFileError, match=r"gone\.csv: no such file$"):
        load_matrix(tmp_path / "gone.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(MatrixFileError, match="dir.csv: is a folder, not a file"):
        load_matrix(tmp_path / "dir.csv")


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.csv"
    path.write_text("1\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # Root (as in CI) reads anything, so the refusal is simulated.
    monkeypatch.setattr(matrix_io, "open", refuse, raising=False)
    with pytest.raises(MatrixFileError, match=r"locked\.csv: cannot read \(permission denied\)"):
        load_matrix(path)


def test_text_size_cap_is_checked_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(matrix_io, "MAX_TEXT_BYTES", 10)
    (tmp_path / "big.csv").write_text("1,2,3,4,5,6\n")
    with pytest.raises(MatrixFileError, match="big.csv: file is too large"):
        load_matrix(tmp_path / "big.csv")


def test_the_caps_are_documented_constants():
    assert matrix_io.MAX_DIM == 4096
    assert matrix_io.MAX_ENTRIES == 4096 * 4096


# --- saving ------------------------------------------------------------------------------

def _temp_files(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("suffix, writer", [(".csv", "savetxt"), (".npy", "save")])
def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch, suffix, writer):
    path = tmp_path / f"m{suffix}"
    save_matrix(path, np.eye(3))
    before = path.read_bytes()
    real = getattr(np, writer)

    def fail_midway(fh, *args, **kwargs):
        real(fh, *args, **kwargs)  # the whole payload reaches the temporary file...
        fh.truncate(fh.tell() // 2)  # ...then half of it is lost and the disk fills up
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, writer, fail_midway)
    with pytest.raises(MatrixFileError, match=r"m\.\w+: cannot save \(disk full: No space left"):
        save_matrix(path, np.ones((3, 3)))
    assert path.read_bytes() == before
    assert _temp_files(tmp_path) == []


def test_keyboard_interrupt_during_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "svd.npz"
    save_npz(path, U=np.eye(2), S=np.ones(2), V=np.eye(2))
    before = path.read_bytes()

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save_npz(path, U=np.zeros((2, 2)), S=np.zeros(2), V=np.zeros((2, 2)))
    assert path.read_bytes() == before
    assert _temp_files(tmp_path) == []


def test_failed_replace_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.csv"
    path.write_text("1,2\n")

    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(MatrixFileError, match=r"m\.csv: cannot save \(permission denied\)"):
        save_matrix(path, np.eye(2))
    assert path.read_text() == "1,2\n"
    assert _temp_files(tmp_path) == []


def test_save_into_missing_folder(tmp_path):
    with pytest.raises(MatrixFileError, match=r"m\.csv: cannot save \(no such folder\)"):
        save_matrix(tmp_path / "nowhere" / "m.csv", np.eye(2))


def test_save_keeps_an_existing_files_permissions(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("1\n")
    path.chmod(0o640)
    save_matrix(path, np.eye(2))
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("name, array, problem", [
    ("m.bin", np.eye(2), "cannot save as '.bin'"),
    ("m.csv", np.zeros(3), "not a non-empty 2-D matrix"),
    ("m.csv", np.zeros((0, 2)), "not a non-empty 2-D matrix"),
    ("m.npy", np.array([[np.nan]]), "contains NaN or infinite values"),
    ("m.csv", np.array([["a"]]), "is not real numbers"),
    ("m.npy", np.eye(2) * 1j, "is not real numbers"),
])
def test_unsavable_arrays(tmp_path, name, array, problem):
    with pytest.raises(MatrixFileError, match=problem):
        save_matrix(tmp_path / name, array)
    assert list(tmp_path.iterdir()) == []


def test_save_npz_keeps_names_and_dtypes(tmp_path):
    path = tmp_path / "svd.npz"
    save_npz(path, U=np.eye(3, 2), S=np.array([2.0, 1.0], np.float32), V=np.eye(2))
    with np.load(path, allow_pickle=False) as data:
        assert sorted(data.files) == ["S", "U", "V"]
        assert data["S"].dtype == np.float32 and data["U"].shape == (3, 2)
    with pytest.raises(MatrixFileError, match="svd.csv: cannot save arrays except as .npz"):
        save_npz(tmp_path / "svd.csv", U=np.eye(2))
    with pytest.raises(MatrixFileError, match="cannot save U"):
        save_npz(path, U=np.array([None]))


def test_save_history_full_precision(tmp_path):
    path = tmp_path / "h.csv"
    save_history(path, [1.6650, 0.1, 4.4184e-06])
    lines = path.read_text().splitlines()
    assert lines[0] == "iteration,loss"
    assert [float(line.split(",")[1]) for line in lines[1:]] == [1.6650, 0.1, 4.4184e-06]
    assert load_matrix(path)[:, 0].tolist() == [0, 1, 2]


# --- property tests: whatever the bytes, only MatrixFileError escapes ---------------------


def fuzz(examples):
    """Hypothesis settings for file fuzzing: disk I/O makes per-example timing noisy."""
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

TOKENS = ["1", "-2.5", "3e-7", "1e400", "nan", "NaN", "inf", "-inf", "abc", "", " ", "0x1F",
          "1,5", '"4"', "#", "1_0", "\u00e9", "\x00", "\x7f", "\u2212" "1", ";", ","]
DTYPES = ["?", "i1", "u8", "<i4", ">f8", "f2", "f4", "f8", "g", "c8", "c16", "U3", "S2",
          "M8[s]", "m8[s]", "O", "V4", [("a", "f8"), ("b", "i4")]]


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _assert_only_matrix_file_error(path):
    """Load ``path``: either a valid matrix comes back or one clean MatrixFileError."""
    try:
        matrix = load_matrix(path)
    except MatrixFileError as err:
        message = str(err)
        assert message.startswith(str(path)) and "\n" not in message
        assert "unexpected" not in message, message  # the catch-all net must stay unused
        return
    assert matrix.ndim == 2 and matrix.size > 0
    assert matrix.dtype in (np.float32, np.float64) and np.isfinite(matrix).all()
    assert max(matrix.shape) <= matrix_io.MAX_DIM


@fuzz(300)
@given(data=st.binary(max_size=600), suffix=st.sampled_from(FORMATS))
def test_fuzz_random_bytes(fuzz_dir, data, suffix):
    path = fuzz_dir / f"bytes{suffix}"
    path.write_bytes(data)
    _assert_only_matrix_file_error(path)


@fuzz(300)
@given(rows=st.lists(st.lists(st.sampled_from(TOKENS), max_size=6), max_size=8),
       delimiter=st.sampled_from([",", ";", "\t", " ", "  ", ", "]),
       newline=st.sampled_from(["\n", "\r\n", "\r"]),
       suffix=st.sampled_from([".csv", ".tsv", ".txt"]),
       encoding=st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]))
def test_fuzz_ragged_text(fuzz_dir, rows, delimiter, newline, suffix, encoding):
    text = newline.join(delimiter.join(row) for row in rows)
    path = fuzz_dir / f"text{suffix}"
    path.write_bytes(text.encode(encoding, errors="replace"))
    _assert_only_matrix_file_error(path)


@fuzz(200)
@given(text=st.text(max_size=300), suffix=st.sampled_from([".csv", ".tsv", ".txt"]))
def test_fuzz_any_unicode_text(fuzz_dir, text, suffix):
    path = fuzz_dir / f"unicode{suffix}"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    _assert_only_matrix_file_error(path)


@st.composite
def npy_payloads(draw):
    """A real .npy of a random dtype and shape, possibly cut short or with bytes changed."""
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=4)))
    array = np.zeros(shape, dtype=dtype)
    if dtype.kind in "fc" and array.size:
        array.flat[0] = draw(st.sampled_from([np.nan, np.inf, 1.5]))
    data = bytearray(_npy_bytes(array) if dtype.kind != "O" else _pickled_npy(array))
    if draw(st.booleans()) and data:
        data = data[:draw(st.integers(0, len(data) - 1))]
    for _ in range(draw(st.integers(0, 3))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def _pickled_npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


@st.composite
def npy_headers(draw):
    """Valid magic, then a header dictionary (or junk) of NumPy's own syntax."""
    descr = draw(st.sampled_from(["'<f8'", "'|O'", "'<c16'", "'>i2'", "'zz'", "[('a','<f8')]",
                                  "1", "'<U2'"]))
    shape = draw(st.sampled_from(["()", "(2,)", "(2, 2)", "(-1, 2)", "(10**9, 10**9)",
                                  "(5000, 5000)", "(2, 2, 2)", "'x'", "(1.5,)"]))
    order = draw(st.sampled_from(["False", "True", "0", "'no'"]))
    header = draw(st.sampled_from([
        f"{{'descr': {descr}, 'fortran_order': {order}, 'shape': {shape}, }}",
        f"{{'descr': {descr}, 'shape': {shape}}}", "[1, 2]", "{", "(" * 200]))
    header = header.encode("latin-1") + b" " * draw(st.integers(0, 20)) + b"\n"
    version = draw(st.sampled_from([b"\x01\x00", b"\x02\x00", b"\x03\x00", b"\x09\x09"]))
    size = len(header).to_bytes(4 if version == b"\x02\x00" else 2, "little")
    tail = draw(st.binary(max_size=64))
    return b"\x93NUMPY" + version + size + header + tail


@fuzz(300)
@given(payload=st.one_of(npy_payloads(), npy_headers()))
def test_fuzz_npy(fuzz_dir, payload):
    path = fuzz_dir / "array.npy"
    path.write_bytes(payload)
    _assert_only_matrix_file_error(path)


@fuzz(150)
@given(members=st.lists(st.tuples(st.sampled_from(["matrix.npy", "a.npy", "b", "dir/",
                                                   "matrix"]),
                                  st.one_of(npy_payloads(), st.binary(max_size=40))),
                        max_size=3, unique_by=lambda member: member[0]),
       compress=st.booleans(), cut=st.integers(0, 400))
def test_fuzz_npz(fuzz_dir, members, compress, cut):
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, payload in members:
            archive.writestr(name, payload)
    data = buffer.getvalue()
    path = fuzz_dir / "arrays.npz"
    path.write_bytes(data[:-cut] if cut and cut < len(data) else data)
    _assert_only_matrix_file_error(path)


def test_a_header_with_a_stray_backslash_is_one_line_and_no_warning(tmp_path):
    """Python's tokenizer warns about '\\c' in the header's text (a SyntaxWarning, shown by
    default, from Python 3.12): the console shows nothing but the refusal."""
    header = b"{'descr': '<f8\\c', 'fortran_order': False, 'shape': (2, 2), }"
    header += b" " * (118 - len(header)) + b"\n"
    path = tmp_path / "stray.npy"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(MatrixFileError, match=r"damaged \.npy header \(descr is not a "
                                                  r"valid dtype descriptor"):
            load_matrix(path)
